//! Shared helpers for tlskit's integration tests: run the binary, start real peers on loopback,
//! and insist on the tools the tests need (a missing peer fails the test, naming its package).
#![allow(dead_code)]

mod peers;
mod scan;
pub use peers::*;
pub use scan::*;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Path of the tlskit binary under test.
pub fn tlskit_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tlskit"))
}

/// A `Command` for tlskit with a clean environment for trust (no inherited SSLKEYLOGFILE etc.).
pub fn tlskit() -> Command {
    let mut c = Command::new(tlskit_bin());
    c.env_remove("SSLKEYLOGFILE").env("NO_COLOR", "1");
    // Proxy settings of the machine running the tests must not route the loopback peers.
    for v in [
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        c.env_remove(v);
    }
    c
}

/// Run tlskit with `args`, with a timeout; returns (status code, stdout, stderr).
pub fn run(args: &[&str]) -> Run {
    run_cmd(tlskit().args(args), Duration::from_secs(60))
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success.\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
    pub fn failed_with(&self, code: i32, needle: &str) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}.\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains(needle),
            "stderr should contain {needle:?}.\nstderr:\n{}",
            self.stderr
        );
        let error_lines = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("tlskit: error:"))
            .count();
        assert_eq!(
            error_lines, 1,
            "exactly one error line expected:\n{}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        self
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Run a prepared command with a timeout (killing it when exceeded, which fails the test).
pub fn run_cmd(cmd: &mut Command, timeout: Duration) -> Run {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
    let out = wait_with_timeout(&mut child, timeout)
        .unwrap_or_else(|| panic!("{:?} did not finish within {timeout:?}", cmd.get_program()));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Wait for a child with piped stdout/stderr, killing it after `timeout` (returns None then).
pub fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Option<Output> {
    let mut so = child.stdout.take();
    let mut se = child.stderr.take();
    let t1 = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(s) = so.as_mut() {
            let _ = s.read_to_end(&mut v);
        }
        v
    });
    let t2 = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(s) = se.as_mut() {
            let _ = s.read_to_end(&mut v);
        }
        v
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break Some(st);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = t1.join().unwrap();
    let stderr = t2.join().unwrap();
    status.map(|status| Output {
        status,
        stdout,
        stderr,
    })
}

/// Fail (never skip) when a tool the test needs is missing, naming the Debian package to install.
pub fn require_tool(tool: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let p = dir.join(tool);
        if p.is_file() {
            return p;
        }
    }
    for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/usr/lib/chromium"] {
        let p = Path::new(dir).join(tool);
        if p.is_file() {
            return p;
        }
    }
    panic!("this test needs `{tool}`, which is missing: install the Debian package `{package}` (scripts/test does this)");
}

/// A free TCP port on 127.0.0.1 (bind to :0, read the port, release it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Wait until something accepts TCP connections on 127.0.0.1:port.
pub fn wait_for_port(port: u16, timeout: Duration) -> bool {
    wait_for_addr(([127, 0, 0, 1], port).into(), timeout)
}

/// Wait until something accepts TCP connections on `addr`.
pub fn wait_for_addr(addr: SocketAddr, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    false
}

/// A background process (a real peer) that is killed when dropped; its output is collected.
pub struct Peer {
    pub name: String,
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Peer {
    /// Start `cmd` with stdout+stderr captured; `stdin_open` keeps a pipe on stdin (s_server quits on EOF).
    pub fn spawn(name: &str, cmd: &mut Command) -> Peer {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let out = output.clone();
            std::thread::spawn(move || {
                let reader = BufReader::new(stream);
                for line in reader.lines().map_while(Result::ok) {
                    let mut o = out.lock().unwrap();
                    o.push_str(&line);
                    o.push('\n');
                }
            });
        }
        Peer {
            name: name.to_string(),
            child,
            output,
        }
    }

    /// Start a peer that listens on `port` and wait until it accepts connections.
    pub fn listening(name: &str, cmd: &mut Command, port: u16) -> Peer {
        Peer::listening_at(name, cmd, ([127, 0, 0, 1], port).into())
    }

    /// Start a peer that listens on `addr` (in 127.0.0.0/8) and wait until it accepts
    /// connections.
    pub fn listening_at(name: &str, cmd: &mut Command, addr: SocketAddr) -> Peer {
        let mut p = Peer::spawn(name, cmd);
        if !wait_for_addr(addr, Duration::from_secs(20)) {
            let _ = p.child.kill();
            std::thread::sleep(Duration::from_millis(200));
            let port = addr.port();
            panic!(
                "{name} did not start listening on port {port}; its output:\n{}",
                p.output()
            );
        }
        p
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Wait until the peer's output contains `needle`.
    pub fn wait_output(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.output().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        false
    }

    pub fn stdin(&mut self) -> &mut std::process::ChildStdin {
        self.child.stdin.as_mut().unwrap()
    }

    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A lab PKI made with tlskit itself: a CA in `dir/ca` and certificates issued from it.
pub struct Pki {
    pub dir: tempfile::TempDir,
}

impl Pki {
    /// Create a CA (`tlskit cert ca`) with the given key type.
    pub fn new(key_type: &str) -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca");
        run(&[
            "cert",
            "ca",
            "--out",
            ca.to_str().unwrap(),
            "--cn",
            "tlskit test CA",
            "--key-type",
            key_type,
        ])
        .ok();
        Pki { dir }
    }
    pub fn ca_dir(&self) -> PathBuf {
        self.dir.path().join("ca")
    }
    pub fn ca_cert(&self) -> PathBuf {
        self.ca_dir().join("ca.crt")
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// Issue a certificate into separate `<stem>.crt` / `<stem>.key` files; `extra` are extra flags.
    pub fn issue(&self, stem: &str, names: &[&str], extra: &[&str]) -> (PathBuf, PathBuf) {
        let cert = self.path(&format!("{stem}.crt"));
        let key = self.path(&format!("{stem}.key"));
        let ca_dir = self.ca_dir();
        let mut args = vec![
            "cert",
            "issue",
            "--ca",
            ca_dir.to_str().unwrap(),
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(names);
        let owned: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let refs: Vec<&str> = owned.iter().map(|s| s.as_str()).collect();
        run(&refs).ok();
        (cert, key)
    }
    /// Issue a combined PEM (leaf, CA, key) like the seeds' localhost.pem.
    pub fn issue_combined(&self, file: &str, names: &[&str], extra: &[&str]) -> PathBuf {
        let out = self.path(file);
        let mut args: Vec<String> = vec![
            "cert".into(),
            "issue".into(),
            "--ca".into(),
            self.ca_dir().to_str().unwrap().into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(names.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        run(&refs).ok();
        out
    }
}

/// A running `tlskit serve` on 127.0.0.1 with an ephemeral port.
pub struct Served {
    pub peer: Peer,
    pub port: u16,
}

/// Start `tlskit serve ARGS… 127.0.0.1 0` and read the port it reports.
pub fn serve(args: &[&str]) -> Served {
    serve_on("127.0.0.1", args)
}

/// Start `tlskit serve ARGS… HOST 0` (HOST may be `''`, `::1` …) and read the port it reports.
pub fn serve_on(host: &str, args: &[&str]) -> Served {
    let mut cmd = tlskit();
    cmd.arg("serve").args(args).args([host, "0"]);
    let peer = Peer::spawn("tlskit serve", &mut cmd);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = peer.output();
        if let Some(line) = out.lines().find(|l| l.contains("listening on ")) {
            let addr = line
                .split("listening on ")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap();
            let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
            return Served { peer, port };
        }
        if out.contains("tlskit: error:") || Instant::now() > deadline {
            panic!("tlskit serve did not start:\n{out}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Run a command with piped stdin content and a timeout.
pub fn run_with_stdin(cmd: &mut Command, stdin: &[u8], timeout: Duration) -> Run {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
    {
        let mut si = child.stdin.take().unwrap();
        let data = stdin.to_vec();
        std::thread::spawn(move || {
            let _ = si.write_all(&data);
            // keep stdin open briefly so tools that quit on EOF read the server's data first
            std::thread::sleep(Duration::from_millis(1500));
        });
    }
    let out = wait_with_timeout(&mut child, timeout)
        .unwrap_or_else(|| panic!("{:?} did not finish within {timeout:?}", cmd.get_program()));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Path of `tlskit-weak-server` (package tlskit-testsupport: a deliberately weak TLS server on a
/// vendored OpenSSL with SSLv3/RC4/3DES/… — never part of the shipped `tlskit` binary), built by
/// [`sibling_bin`] on first use (with `cargo test -p tlskit-cli` that compiles the vendored
/// OpenSSL: minutes). `TLSKIT_WEAK_SERVER=/path` overrides it.
pub fn weak_server_bin() -> PathBuf {
    sibling_bin(
        "tlskit-testsupport",
        "tlskit-weak-server",
        "TLSKIT_WEAK_SERVER",
        "",
    )
}

/// Path of binary `bin` of workspace package `package` (a test server that is never part of the
/// shipped `tlskit`), or of `$override_env` when that is set (e.g. for `--target <triple>`
/// layouts).
///
/// A test of this package cannot name another package's binary (`CARGO_BIN_EXE_*` is per
/// package), so on first use per test process this runs `cargo build -p PACKAGE --bin BIN` into
/// the same target directory and profile as the running test (found from the test executable's
/// path, `<target>/<profile>/deps/…`) and returns `<target>/<profile>/BIN`. Under `cargo test
/// --workspace` the binary is already built and up to date, so this is a no-op of about a
/// second. `needs` is added to the build failure's message (the tools the build needs).
pub fn sibling_bin(package: &str, bin: &str, override_env: &str, needs: &str) -> PathBuf {
    type Cells = HashMap<String, Arc<std::sync::OnceLock<PathBuf>>>;
    static CELLS: std::sync::OnceLock<Mutex<Cells>> = std::sync::OnceLock::new();
    // One cell per binary: a slow build of one does not hold up another's callers.
    let cell = CELLS
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(bin.to_string())
        .or_default()
        .clone();
    cell.get_or_init(|| {
        if let Some(p) = std::env::var_os(override_env) {
            return PathBuf::from(p);
        }
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir = exe
            .parent()
            .and_then(|d| d.parent())
            .expect("test executable in <target>/<profile>/deps")
            .to_path_buf();
        let target_dir = profile_dir
            .parent()
            .expect("target directory")
            .to_path_buf();
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev".to_string(),
            Some(other) => other.to_string(),
        };
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "--locked", "-p", package])
            .args(["--bin", bin, "--profile", &profile])
            .arg("--manifest-path")
            .arg(workspace.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir);
        let r = run_cmd(&mut cmd, Duration::from_secs(1800));
        assert_eq!(
            r.code, 0,
            "building {bin} failed (cargo build -p {package}{needs}):\n{}",
            r.stderr
        );
        let path = profile_dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
        assert!(
            path.is_file(),
            "{} missing after cargo build",
            path.display()
        );
        path
    })
    .clone()
}

/// A running `tlskit-weak-server` on 127.0.0.1 with an ephemeral port, killed on drop (and it
/// exits by itself when this test process goes away, or after 15 minutes).
///
/// `args` are its flags, e.g. `["--cert", crt, "--key", key, "--min-version", "ssl3",
/// "--max-version", "ssl3", "--cipher", "RC4-SHA"]`; `--accept 127.0.0.1:0` is added.
/// Run `tlskit-weak-server --help` (or read crates/testsupport/src/server.rs) for the flags.
pub struct WeakServer {
    pub peer: Peer,
    pub port: u16,
}

impl WeakServer {
    pub fn start(args: &[&str]) -> WeakServer {
        let mut cmd = Command::new(weak_server_bin());
        cmd.args(args).args([
            "--accept",
            "127.0.0.1:0",
            "--exit-on-stdin-eof",
            "--exit-after",
            "900",
        ]);
        let mut peer = Peer::spawn("tlskit-weak-server", &mut cmd);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let out = peer.output();
            if let Some(port) = out
                .lines()
                .find_map(|l| l.strip_prefix("ACCEPT "))
                .and_then(|a| a.trim().rsplit(':').next())
                .and_then(|p| p.parse().ok())
            {
                return WeakServer { peer, port };
            }
            let exited = matches!(peer.child().try_wait(), Ok(Some(_)));
            if exited || Instant::now() > deadline {
                std::thread::sleep(Duration::from_millis(100));
                panic!("tlskit-weak-server did not start:\n{}", peer.output());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// "127.0.0.1:PORT".
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The server's log so far (one `conn N: PROTO SUITE …` line per connection).
    pub fn output(&self) -> String {
        self.peer.output()
    }
}

/// Assert that a `tlskit scan --json` report follows docs/scan.schema.json.
pub fn validate_schema(v: &serde_json::Value) {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scan.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "scan JSON does not follow docs/scan.schema.json:\n{}",
        errors.join("\n")
    );
}

/// Headless Chromium with a HOME of its own. With a CA, that CA is in the NSS database Chromium
/// reads on Linux ($HOME/.pki/nssdb, made with certutil), so certificate verification stays on.
pub struct Browser {
    chromium: PathBuf,
    home: PathBuf,
}

impl Browser {
    pub fn new(home: PathBuf, trust: Option<&Path>) -> Browser {
        let chromium = require_tool("chromium", "chromium");
        std::fs::create_dir_all(&home).unwrap();
        if let Some(ca) = trust {
            let certutil = require_tool("certutil", "libnss3-tools");
            let nssdb = home.join(".pki/nssdb");
            std::fs::create_dir_all(&nssdb).unwrap();
            let db = format!("sql:{}", nssdb.display());
            run_cmd(
                Command::new(&certutil).args(["-N", "-d", &db, "--empty-password"]),
                Duration::from_secs(30),
            )
            .ok();
            run_cmd(
                Command::new(&certutil)
                    .args(["-A", "-d", &db, "-n", "tlskit lab CA", "-t", "C,,", "-i"])
                    .arg(ca),
                Duration::from_secs(30),
            )
            .ok();
        }
        Browser { chromium, home }
    }

    /// A browser whose NSS database was made by `tlskit cert trust CA --nss-db` (the command a
    /// student runs), not by certutil directly.
    pub fn trusting_with_tlskit(home: PathBuf, ca_dir: &Path) -> Browser {
        let chromium = require_tool("chromium", "chromium");
        require_tool("certutil", "libnss3-tools");
        let nssdb = home.join(".pki/nssdb");
        run(&[
            "cert",
            "trust",
            ca_dir.to_str().unwrap(),
            "--nss-db",
            nssdb.to_str().unwrap(),
        ])
        .ok();
        Browser { chromium, home }
    }

    /// Load `url` and say how it went, as Chromium's own net log records it: `Ok(())` when the
    /// page loaded, else the net error's name (`ERR_CERT_DATE_INVALID`, …). The names come from
    /// the net log's own constants table, so nothing here hard-codes Chromium's error numbers.
    pub fn net_error(&self, url: &str) -> Result<(), String> {
        let log = self
            .home
            .join(format!("netlog-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&log);
        let flag = format!("--log-net-log={}", log.display());
        let r = self.dump_dom(url, &[&flag]);
        let text = std::fs::read_to_string(&log)
            .unwrap_or_else(|e| panic!("Chromium wrote no net log ({e}):\n{}", r.stderr));
        let v: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("the net log is not JSON ({e})"));
        let c = &v["constants"];
        let name_of = |code: i64| -> String {
            c["netError"]
                .as_object()
                .and_then(|m| m.iter().find(|(_, v)| v.as_i64() == Some(code)))
                .map(|(k, _)| k.clone())
                .unwrap_or_else(|| format!("net error {code}"))
        };
        let start_job = c["logEventTypes"]["URL_REQUEST_START_JOB"].as_i64();
        let events = v["events"].as_array().cloned().unwrap_or_default();
        let sources: Vec<i64> = events
            .iter()
            .filter(|e| e["type"].as_i64() == start_job && e["params"]["url"] == url)
            .filter_map(|e| e["source"]["id"].as_i64())
            .collect();
        assert!(
            !sources.is_empty(),
            "Chromium never requested {url}:\n{}",
            r.stderr
        );
        // The request's own outcome: the end of its URL_REQUEST_START_JOB or REQUEST_ALIVE
        // (socket-level events of the same source may carry other, intermediate errors).
        let alive = c["logEventTypes"]["REQUEST_ALIVE"].as_i64();
        let last_error = events
            .iter()
            .rev()
            .filter(|e| {
                e["source"]["id"]
                    .as_i64()
                    .is_some_and(|s| sources.contains(&s))
            })
            .filter(|e| e["type"].as_i64() == start_job || e["type"].as_i64() == alive)
            .filter_map(|e| e["params"]["net_error"].as_i64())
            .find(|c| *c != 0);
        match last_error {
            None => Ok(()),
            Some(code) => Err(name_of(code)),
        }
    }

    /// Load `url` and return the rendered DOM on stdout; `extra` adds flags (a proxy …).
    pub fn dump_dom(&self, url: &str, extra: &[&str]) -> Run {
        let profile = self.home.join("profile");
        run_cmd(
            Command::new(&self.chromium)
                .env("HOME", &self.home)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ])
                .arg(format!("--user-data-dir={}", profile.display()))
                .args(extra)
                .args(["--dump-dom", url]),
            Duration::from_secs(90),
        )
    }
}

/// Make closing `s` send a TCP RST instead of a FIN (SO_LINGER with a zero timeout): the
/// hostile peers' "reset" mode.
pub fn reset_on_close(s: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the fd is an open socket borrowed from `s` for the whole call, and `linger` is a
    // fully initialised struct of the size passed.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// Run `tlskit ARGS` with its stdout a pipe closed before the first write (`tlskit … | head`
/// when head has already gone).
pub fn run_with_closed_stdout(args: &[&str]) -> Output {
    let mut child = tlskit()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}
