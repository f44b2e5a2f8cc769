//! [`WeakServerConfig`]: a builder for `tlskit-weak-server`'s flags, and [`WeakServerProcess`],
//! the server started as a child process (killed on drop).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The flags of one `tlskit-weak-server` run. `args()` renders them; every setter maps to one flag
/// (see `tlskit_testsupport::server::Options` for their meaning).
#[derive(Debug, Clone, Default)]
pub struct WeakServerConfig {
    args: Vec<String>,
}

impl WeakServerConfig {
    /// A server with certificate chain `cert` and private key `key` (PEM files).
    pub fn new(cert: impl AsRef<Path>, key: impl AsRef<Path>) -> Self {
        WeakServerConfig::default()
            .flag_path("--cert", cert)
            .flag_path("--key", key)
    }
    fn flag(mut self, f: &str, v: impl Into<String>) -> Self {
        self.args.push(f.to_string());
        self.args.push(v.into());
        self
    }
    fn flag_path(self, f: &str, p: impl AsRef<Path>) -> Self {
        let v = p.as_ref().to_string_lossy().into_owned();
        self.flag(f, v)
    }
    fn switch(mut self, f: &str) -> Self {
        self.args.push(f.to_string());
        self
    }
    /// Any other flag(s), verbatim.
    pub fn raw(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|s| s.to_string()));
        self
    }
    pub fn chain(self, p: impl AsRef<Path>) -> Self {
        self.flag_path("--chain", p)
    }
    pub fn cert2(self, cert: impl AsRef<Path>, key: impl AsRef<Path>) -> Self {
        self.flag_path("--cert2", cert).flag_path("--key2", key)
    }
    pub fn sni(self, name: &str, cert: impl AsRef<Path>, key: impl AsRef<Path>) -> Self {
        self.flag("--sni-name", name)
            .flag_path("--sni-cert", cert)
            .flag_path("--sni-key", key)
    }
    /// "ssl3", "tls1", "tls1.1", "tls1.2" or "tls1.3".
    pub fn min_version(self, v: &str) -> Self {
        self.flag("--min-version", v)
    }
    pub fn max_version(self, v: &str) -> Self {
        self.flag("--max-version", v)
    }
    /// Exactly one protocol version.
    pub fn version(self, v: &str) -> Self {
        self.min_version(v).max_version(v)
    }
    pub fn cipher(self, s: &str) -> Self {
        self.flag("--cipher", s)
    }
    pub fn ciphersuites(self, s: &str) -> Self {
        self.flag("--ciphersuites", s)
    }
    pub fn groups(self, s: &str) -> Self {
        self.flag("--groups", s)
    }
    pub fn sigalgs(self, s: &str) -> Self {
        self.flag("--sigalgs", s)
    }
    pub fn dhparam_bits(self, bits: u32) -> Self {
        self.flag("--dhparam-bits", bits.to_string())
    }
    pub fn dhparam_file(self, p: impl AsRef<Path>) -> Self {
        self.flag_path("--dhparam", p)
    }
    /// oakley1, oakley2, modp1536, modp2048, modp3072, ffdhe2048, ffdhe3072, ffdhe4096, rfc5114-1024.
    pub fn dh_group(self, name: &str) -> Self {
        self.flag("--dh-group", name)
    }
    pub fn serverpref(self) -> Self {
        self.switch("--serverpref")
    }
    pub fn no_tickets(self) -> Self {
        self.switch("--no-tickets")
    }
    pub fn no_session_cache(self) -> Self {
        self.switch("--no-session-cache")
    }
    pub fn no_renegotiation(self) -> Self {
        self.switch("--no-renegotiation")
    }
    pub fn client_renegotiation(self) -> Self {
        self.switch("--client-renegotiation")
    }
    pub fn legacy_renegotiation(self) -> Self {
        self.switch("--legacy-renegotiation")
    }
    pub fn status_file(self, p: impl AsRef<Path>) -> Self {
        self.flag_path("--status-file", p)
    }
    /// Comma-separated ALPN list, e.g. "h2,http/1.1".
    pub fn alpn(self, list: &str) -> Self {
        self.flag("--alpn", list)
    }
    pub fn www(self) -> Self {
        self.switch("--www")
    }
    pub fn close(self) -> Self {
        self.switch("--close")
    }
    /// Wire-level mode: ServerHello/Certificate/ServerHelloDone only, choosing from `suites`
    /// (hex code points, e.g. "0x0003,0x0008").
    pub fn fake_hello(self, suites: &str) -> Self {
        self.switch("--fake-hello").flag("--fake-suites", suites)
    }
    pub fn fake_compression(self) -> Self {
        self.switch("--fake-compression")
    }
    pub fn fake_no_renegotiation_info(self) -> Self {
        self.switch("--fake-no-renegotiation-info")
    }
    pub fn fake_heartbeat(self) -> Self {
        self.switch("--fake-heartbeat")
    }
    pub fn timeout(self, secs: u64) -> Self {
        self.flag("--timeout", secs.to_string())
    }

    /// The flags (without `--accept`, which [`WeakServerProcess::start`] adds).
    pub fn args(&self) -> Vec<String> {
        self.args.clone()
    }
}

/// A `tlskit-weak-server` child process on 127.0.0.1 with an ephemeral port; killed on drop.
/// Its stdout and stderr are collected (see [`WeakServerProcess::output`]).
pub struct WeakServerProcess {
    child: Child,
    _stdin: Option<ChildStdin>,
    pub port: u16,
    output: Arc<Mutex<String>>,
}

impl WeakServerProcess {
    /// Start `bin` with `cfg`'s flags plus `--accept 127.0.0.1:0 --exit-on-stdin-eof
    /// --exit-after 600`, and wait (at most 60 s) for its `ACCEPT` line. Panics with the server's
    /// output when it does not start (tests want that).
    pub fn start(bin: &Path, cfg: &WeakServerConfig) -> WeakServerProcess {
        let mut cmd = Command::new(bin);
        cmd.args(cfg.args()).args([
            "--accept",
            "127.0.0.1:0",
            "--exit-on-stdin-eof",
            "--exit-after",
            "600",
        ]);
        Self::spawn(&mut cmd)
    }

    fn spawn(cmd: &mut Command) -> WeakServerProcess {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
        let output = Arc::new(Mutex::new(String::new()));
        let streams: Vec<Box<dyn Read + Send>> = vec![
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        for s in streams {
            let out = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(s).lines().map_while(Result::ok) {
                    let mut o = out.lock().unwrap();
                    o.push_str(&line);
                    o.push('\n');
                }
            });
        }
        let stdin = child.stdin.take();
        let mut p = WeakServerProcess {
            child,
            _stdin: stdin,
            port: 0,
            output,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let out = p.output();
            if let Some(port) = parse_accept_line(&out) {
                p.port = port;
                return p;
            }
            let exited = p.child.try_wait().ok().flatten().is_some();
            if exited || Instant::now() > deadline {
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "tlskit-weak-server did not start ({}):\n{}",
                    if exited {
                        "it exited"
                    } else {
                        "no ACCEPT line"
                    },
                    p.output()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// "127.0.0.1:PORT".
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Everything the server printed so far (stdout and stderr, interleaved by line).
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Wait until the output contains `needle`.
    pub fn wait_output(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.output().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for WeakServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port of the first `ACCEPT 127.0.0.1:PORT` line in `out`.
pub fn parse_accept_line(out: &str) -> Option<u16> {
    out.lines()
        .find_map(|l| l.strip_prefix("ACCEPT "))
        .and_then(|a| a.trim().rsplit(':').next())
        .and_then(|p| p.parse().ok())
}

/// Path of the `tlskit-weak-server` binary next to the running test executable
/// (`target/<profile>/tlskit-weak-server` for a test in `target/<profile>/deps/`), if present.
pub fn sibling_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    let dir = if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent()?
    } else {
        dir
    };
    let p = dir.join(format!(
        "tlskit-weak-server{}",
        std::env::consts::EXE_SUFFIX
    ));
    p.is_file().then_some(p)
}
