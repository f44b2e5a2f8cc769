//! Real daemons for STARTTLS and implicit-TLS tests, each started in the foreground on loopback
//! with its own configuration, directories and free ports (so tests can run side by side), with a
//! certificate from the test's `Pki`, and stopped when the fixture is dropped.
//!
//! Every daemon is configured alike, so a scan can check what it finds: TLSv1.2 and TLSv1.3 only,
//! and for TLSv1.2 only the suites in [`TLS12_CIPHERS`] (OpenSSL-based daemons) or the GnuTLS
//! priority [`GNUTLS_PRIORITY`] (slapd, InspIRCd); see each daemon's [`Policy`].
//!
//! Usage (from a module of the `it` test binary):
//! ```ignore
//! let pki = Pki::new("ecdsa-p256");
//! let d = daemons::dovecot(&pki);
//! let ep = d.endpoint("imap");   // port, `-t` protocol, extra flags
//! run(&["connect", "-a", d.ca(), ..ep.flags(), d.host, &ep.port.to_string()]);
//! ```
//! Most daemons need root (CI runs as root): they change to their own users.
#![allow(dead_code)]

use super::common::{free_port, require_tool, Pki};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// TLSv1.2 suites every OpenSSL-based fixture allows (the ECDSA or RSA half applies, by key type).
pub const TLS12_CIPHERS: &str =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305";
/// The same policy in GnuTLS terms (TLSv1.3 then has AES-128-GCM and ChaCha20 only).
pub const GNUTLS_PRIORITY: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+CHACHA20-POLY1305:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA";

/// What a daemon is configured to accept (IANA names; TLSv1.2 for an ECDSA certificate).
#[derive(Debug, Clone)]
pub struct Policy {
    pub versions: &'static [&'static str],
    pub tls12_ecdsa: &'static [&'static str],
    pub tls12_rsa: &'static [&'static str],
    pub tls13: &'static [&'static str],
}

const TLS12_ECDSA: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
];
const TLS12_RSA: &[&str] = &[
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// OpenSSL daemons: TLSv1.3 keeps OpenSSL's default suites.
pub const OPENSSL_POLICY: Policy = Policy {
    versions: &["TLSv1.2", "TLSv1.3"],
    tls12_ecdsa: TLS12_ECDSA,
    tls12_rsa: TLS12_RSA,
    tls13: &[
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_GCM_SHA256",
    ],
};
/// GnuTLS daemons.
pub const GNUTLS_POLICY: Policy = Policy {
    versions: &["TLSv1.2", "TLSv1.3"],
    tls12_ecdsa: TLS12_ECDSA,
    tls12_rsa: TLS12_RSA,
    tls13: &["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"],
};

/// One listening port of a daemon.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// "smtp", "smtps", "imap" …
    pub label: &'static str,
    pub port: u16,
    /// The `-t` protocol, or None for TLS from the first byte.
    pub starttls: Option<&'static str>,
    /// `--starttls-name` the daemon needs (the XMPP domain).
    pub starttls_name: Option<&'static str>,
    /// `--servername` the daemon needs (an XMPP direct-TLS port picks its certificate by SNI).
    pub servername: Option<&'static str>,
}

impl Endpoint {
    /// The flags that reach this endpoint: `-t PROTO`, `--starttls-name`, `--servername`, or
    /// `--no-starttls` for implicit TLS.
    pub fn flags(&self) -> Vec<String> {
        let mut v = Vec::new();
        match self.starttls {
            Some(p) => v.extend(["-t".to_string(), p.to_string()]),
            None => v.push("--no-starttls".to_string()),
        }
        if let Some(n) = self.starttls_name {
            v.extend(["--starttls-name".to_string(), n.to_string()]);
        }
        if let Some(n) = self.servername {
            v.extend(["--servername".to_string(), n.to_string()]);
        }
        v
    }
}

/// A running daemon (or a test server): its endpoints, the CA that issued its certificate, and
/// what it is configured to accept. Stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Daemon {
    pub name: &'static str,
    /// The name to connect to: in the certificate, resolves to 127.0.0.1.
    pub host: &'static str,
    pub endpoints: Vec<Endpoint>,
    pub ca: PathBuf,
    pub policy: Policy,
    procs: Vec<Proc>,
    stop: Option<Arc<AtomicBool>>,
    _backend: Option<super::common::Served>,
    dir: tempfile::TempDir,
}

impl Daemon {
    pub fn endpoint(&self, label: &str) -> &Endpoint {
        self.endpoints
            .iter()
            .find(|e| e.label == label)
            .unwrap_or_else(|| panic!("{} has no endpoint '{label}'", self.name))
    }
    pub fn ca(&self) -> &str {
        self.ca.to_str().unwrap()
    }
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
    /// Everything the daemon's processes wrote (for failure messages).
    pub fn logs(&self) -> String {
        self.procs
            .iter()
            .map(|p| format!("--- {} ---\n{}", p.name, p.log()))
            .collect()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            stop.store(true, Ordering::SeqCst);
            for e in &self.endpoints {
                let _ = TcpStream::connect_timeout(
                    &SocketAddr::from(([127, 0, 0, 1], e.port)),
                    Duration::from_millis(200),
                );
            }
        }
        // Stop in reverse order of start.
        while let Some(p) = self.procs.pop() {
            drop(p);
        }
    }
}

/// A daemon process in the foreground, output to a log file.
struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Proc {
    fn spawn(name: &str, cmd: &mut Command, dir: &Path) -> Proc {
        let log = dir.join(format!("{}.log", name.replace(' ', "-")));
        let f = std::fs::File::create(&log).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(f.try_clone().unwrap())
            .stderr(f)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc {
            name: name.to_string(),
            child,
            log,
        }
    }
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // SIGTERM lets masters (postfix, dovecot, postgres) take their children down with them.
        // SAFETY: kill(2) on the pid of a child this test spawned and still owns (not yet reaped).
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn need_root(daemon: &str) {
    assert!(
        is_root(),
        "the {daemon} fixture must run as root (it switches to its own users); CI runs as root"
    );
}

/// Run `cmd` as `user` when we are root (setpriv execs, so the process is the daemon itself and
/// signals reach it); as ourselves otherwise.
fn as_user(program: &Path, user: &str) -> Command {
    if is_root() {
        let mut c = Command::new(require_tool("setpriv", "util-linux"));
        c.args([
            &format!("--reuid={user}"),
            &format!("--regid={user}"),
            "--init-groups",
            "--",
        ])
        .arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn chown(path: &Path, user: &str) {
    if is_root() {
        let st = Command::new("chown")
            .arg("-R")
            .arg(format!("{user}:"))
            .arg(path)
            .status()
            .unwrap();
        assert!(st.success(), "chown {user} {}", path.display());
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// A fresh directory for a daemon, traversable by the daemon's own users, with a copy of a
/// certificate for localhost, 127.0.0.1 and tlskit.test in `tls/server.crt` + `tls/server.key`.
fn setup(pki: &Pki, name: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("tlskit-{name}-"))
        .tempdir()
        .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SERIAL.fetch_add(1, Ordering::SeqCst);
    let (crt, key) = pki.issue(
        &format!("{name}-{n}-server"),
        &["localhost", "127.0.0.1", "tlskit.test"],
        &[],
    );
    let tls = dir.path().join("tls");
    std::fs::create_dir(&tls).unwrap();
    std::fs::set_permissions(&tls, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (c, k) = (tls.join("server.crt"), tls.join("server.key"));
    std::fs::copy(crt, &c).unwrap();
    std::fs::copy(key, &k).unwrap();
    std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o600)).unwrap();
    (dir, c, k)
}

/// Wait until every endpoint accepts connections; a process that dies meanwhile fails the test
/// with its log.
fn wait_ready(name: &str, procs: &mut [Proc], ports: &[u16]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    for &port in ports {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                break;
            }
            for p in procs.iter_mut() {
                if let Ok(Some(st)) = p.child.try_wait() {
                    panic!(
                        "{name}: {} exited ({st}) before listening on port {port}; its log:\n{}",
                        p.name,
                        p.log()
                    );
                }
            }
            if Instant::now() > deadline {
                let logs: String = procs
                    .iter()
                    .map(|p| format!("--- {} ---\n{}", p.name, p.log()))
                    .collect();
                panic!("{name} did not listen on port {port} within 60 s; logs:\n{logs}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn ep(label: &'static str, port: u16, starttls: Option<&'static str>) -> Endpoint {
    Endpoint {
        label,
        port,
        starttls,
        starttls_name: None,
        servername: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn daemon(
    name: &'static str,
    pki: &Pki,
    dir: tempfile::TempDir,
    mut procs: Vec<Proc>,
    endpoints: Vec<Endpoint>,
    policy: Policy,
) -> Daemon {
    let ports: Vec<u16> = endpoints.iter().map(|e| e.port).collect();
    wait_ready(name, &mut procs, &ports);
    Daemon {
        name,
        host: "localhost",
        endpoints,
        ca: pki.ca_cert(),
        policy,
        procs,
        stop: None,
        _backend: None,
        dir,
    }
}

/// Postfix: `smtp` (STARTTLS), `smtps` (port-465 style implicit TLS) and `smtp-notls` (a listener
/// with TLS switched off: it offers no STARTTLS).
pub fn postfix(pki: &Pki) -> Daemon {
    need_root("postfix");
    require_tool("postfix", "postfix");
    require_file("/usr/lib/postfix/sbin/master", "postfix");
    let (dir, crt, key) = setup(pki, "postfix");
    let d = dir.path();
    let (conf, queue, data) = (d.join("conf"), d.join("queue"), d.join("data"));
    for p in [&conf, &queue, &data] {
        std::fs::create_dir(p).unwrap();
    }
    chown(&data, "postfix");
    let (p1, p2, p3) = (free_port(), free_port(), free_port());
    write(
        &conf.join("main.cf"),
        &format!(
            "compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.tlskit.test
mydomain = tlskit.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
maillog_file = /dev/stdout
smtpd_banner = $myhostname ESMTP tlskit test
smtpd_tls_cert_file = {crt}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_ciphers = high
smtpd_tls_mandatory_ciphers = high
tls_high_cipherlist = {TLS12_CIPHERS}
",
            queue = queue.display(),
            data = data.display(),
            crt = crt.display(),
            key = key.display()
        ),
    );
    write(
        &conf.join("master.cf"),
        &format!(
            "127.0.0.1:{p1} inet n - n - - smtpd
127.0.0.1:{p2} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
127.0.0.1:{p3} inet n - n - - smtpd -o smtpd_tls_security_level=none
anvil unix - - n - 1 anvil
proxymap unix - - n - - proxymap
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
cleanup unix n - n - 0 cleanup
postlog unix-dgram n - n - 1 postlogd
"
        ),
    );
    // `postfix check` creates the queue's directories with their owners and modes.
    let st = Command::new(require_tool("postfix", "postfix"))
        .arg("-c")
        .arg(&conf)
        .arg("check")
        .status()
        .unwrap();
    assert!(st.success(), "postfix check failed");
    let mut cmd = Command::new("/usr/lib/postfix/sbin/master");
    cmd.arg("-c").arg(&conf).arg("-d");
    let procs = vec![Proc::spawn("postfix master", &mut cmd, d)];
    daemon(
        "postfix",
        pki,
        dir,
        procs,
        vec![
            ep("smtp", p1, Some("smtp")),
            ep("smtps", p2, None),
            ep("smtp-notls", p3, Some("smtp")),
        ],
        OPENSSL_POLICY,
    )
}

/// Dovecot: `imap`, `imaps`, `pop3`, `pop3s`, `lmtp` and `sieve` (ManageSieve).
pub fn dovecot(pki: &Pki) -> Daemon {
    dovecot_with(pki, TLS12_CIPHERS)
}

/// Dovecot with `ciphers` as its TLS 1.2 cipher list (and no `ssl_dh`: Dovecot 2.3 then has no
/// DH parameters, and drops every handshake in which it picked a DHE suite).
pub fn dovecot_with(pki: &Pki, ciphers: &str) -> Daemon {
    need_root("dovecot");
    let bin = require_tool("dovecot", "dovecot-core");
    require_file("/usr/lib/dovecot/imap-login", "dovecot-imapd");
    require_file("/usr/lib/dovecot/pop3-login", "dovecot-pop3d");
    require_file("/usr/lib/dovecot/lmtp", "dovecot-lmtpd");
    require_file("/usr/lib/dovecot/managesieve-login", "dovecot-managesieved");
    let (dir, crt, key) = setup(pki, "dovecot");
    let d = dir.path();
    let [imap, imaps, pop3, pop3s, lmtp, sieve] = [0; 6].map(|_| free_port());
    let conf = d.join("dovecot.conf");
    write(
        &conf,
        &format!(
            "base_dir = {d}/run
state_dir = {d}/state
log_path = /dev/stderr
protocols = imap pop3 lmtp sieve
listen = 127.0.0.1
ssl = yes
ssl_cert = <{crt}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
ssl_cipher_list = {ciphers}
ssl_prefer_server_ciphers = yes
default_internal_user = dovecot
default_login_user = dovenull
auth_mechanisms = plain
passdb {{
  driver = static
  args = password=tlskit
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/home
}}
mail_location = maildir:{d}/mail
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    port = {lmtp}
  }}
}}
service managesieve-login {{
  inet_listener sieve {{
    port = {sieve}
  }}
}}
",
            d = d.display(),
            crt = crt.display(),
            key = key.display()
        ),
    );
    let mut cmd = Command::new(bin);
    cmd.arg("-F").arg("-c").arg(&conf);
    let procs = vec![Proc::spawn("dovecot", &mut cmd, d)];
    daemon(
        "dovecot",
        pki,
        dir,
        procs,
        vec![
            ep("imap", imap, Some("imap")),
            ep("imaps", imaps, None),
            ep("pop3", pop3, Some("pop3")),
            ep("pop3s", pop3s, None),
            ep("lmtp", lmtp, Some("lmtp")),
            ep("sieve", sieve, Some("sieve")),
        ],
        OPENSSL_POLICY,
    )
}

fn require_file(path: &str, package: &str) {
    assert!(
        Path::new(path).exists(),
        "this test needs {path}, which is missing: install the Debian package `{package}` (scripts/test does this)"
    );
}

/// vsftpd: `ftp` (AUTH TLS) and `ftps` (implicit TLS, port-990 style): two processes.
pub fn vsftpd(pki: &Pki) -> Daemon {
    need_root("vsftpd");
    let bin = require_tool("vsftpd", "vsftpd");
    let (dir, crt, key) = setup(pki, "vsftpd");
    let d = dir.path();
    let empty = d.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (p1, p2) = (free_port(), free_port());
    let conf = |port: u16, implicit: bool| {
        format!(
            "listen=YES
listen_address=127.0.0.1
listen_port={port}
background=NO
anonymous_enable=NO
local_enable=YES
secure_chroot_dir={empty}
seccomp_sandbox=NO
xferlog_enable=NO
ssl_enable=YES
implicit_ssl={implicit}
rsa_cert_file={crt}
rsa_private_key_file={key}
ssl_sslv2=NO
ssl_sslv3=NO
require_ssl_reuse=NO
ssl_ciphers={TLS12_CIPHERS}
",
            empty = empty.display(),
            implicit = if implicit { "YES" } else { "NO" },
            crt = crt.display(),
            key = key.display()
        )
    };
    write(&d.join("explicit.conf"), &conf(p1, false));
    write(&d.join("implicit.conf"), &conf(p2, true));
    let procs = vec![
        Proc::spawn(
            "vsftpd explicit",
            Command::new(&bin).arg(d.join("explicit.conf")),
            d,
        ),
        Proc::spawn(
            "vsftpd implicit",
            Command::new(&bin).arg(d.join("implicit.conf")),
            d,
        ),
    ];
    daemon(
        "vsftpd",
        pki,
        dir,
        procs,
        vec![ep("ftp", p1, Some("ftp")), ep("ftps", p2, None)],
        OPENSSL_POLICY,
    )
}

/// The newest installed PostgreSQL server binaries (Debian keeps them per major version).
fn postgres_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|r| {
            r.flatten()
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("postgres").is_file())
                .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().unwrap_or_else(|| {
        panic!("this test needs the PostgreSQL server, which is missing: install the Debian package `postgresql` (scripts/test does this)")
    })
}

/// PostgreSQL: `postgres` (SSLRequest). A fresh cluster made with initdb.
pub fn postgres(pki: &Pki) -> Daemon {
    let bin = postgres_bin();
    let (dir, crt, key) = setup(pki, "postgres");
    let d = dir.path();
    chown(d, "postgres");
    let data = d.join("data");
    let out = as_user(&bin.join("initdb"), "postgres")
        .arg("-D")
        .arg(&data)
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "--no-instructions",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    let mut cmd = as_user(&bin.join("postgres"), "postgres");
    cmd.arg("-D").arg(&data).args(["-p", &port.to_string()]);
    for (k, v) in [
        ("listen_addresses", "127.0.0.1".to_string()),
        ("unix_socket_directories", d.display().to_string()),
        ("fsync", "off".to_string()),
        ("ssl", "on".to_string()),
        ("ssl_cert_file", crt.display().to_string()),
        ("ssl_key_file", key.display().to_string()),
        ("ssl_min_protocol_version", "TLSv1.2".to_string()),
        ("ssl_ciphers", TLS12_CIPHERS.to_string()),
    ] {
        cmd.arg("-c").arg(format!("{k}={v}"));
    }
    let procs = vec![Proc::spawn("postgres", &mut cmd, d)];
    daemon(
        "postgres",
        pki,
        dir,
        procs,
        vec![ep("postgres", port, Some("postgres"))],
        OPENSSL_POLICY,
    )
}

/// MariaDB: `mysql` (CLIENT_SSL + SSLRequest). An empty data directory and no grant tables: the
/// handshake and TLS are all the tests need.
pub fn mariadb(pki: &Pki) -> Daemon {
    let bin = require_tool("mariadbd", "mariadb-server");
    let (dir, crt, key) = setup(pki, "mariadb");
    let d = dir.path();
    let data = d.join("data");
    std::fs::create_dir(&data).unwrap();
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--socket={}/mysqld.sock", d.display()))
        .arg(format!("--pid-file={}/mysqld.pid", d.display()))
        .arg(format!("--port={port}"))
        .args([
            "--bind-address=127.0.0.1",
            "--skip-grant-tables",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=16M",
        ])
        .arg(format!("--ssl-cert={}", crt.display()))
        .arg(format!("--ssl-key={}", key.display()))
        .arg("--tls-version=TLSv1.2,TLSv1.3")
        .arg(format!("--ssl-cipher={TLS12_CIPHERS}"));
    if is_root() {
        cmd.arg("--user=root");
    }
    let procs = vec![Proc::spawn("mariadbd", &mut cmd, d)];
    daemon(
        "mariadb",
        pki,
        dir,
        procs,
        vec![ep("mysql", port, Some("mysql"))],
        OPENSSL_POLICY,
    )
}

/// OpenLDAP slapd (GnuTLS): `ldap` (StartTLS extended operation) and `ldaps`.
pub fn slapd(pki: &Pki) -> Daemon {
    let bin = require_tool("slapd", "slapd");
    let (dir, crt, key) = setup(pki, "slapd");
    let d = dir.path();
    let conf = d.join("slapd.conf");
    write(
        &conf,
        &format!(
            "include /etc/ldap/schema/core.schema
pidfile {d}/slapd.pid
argsfile {d}/slapd.args
TLSCertificateFile {crt}
TLSCertificateKeyFile {key}
TLSProtocolMin 3.3
TLSCipherSuite {GNUTLS_PRIORITY}
",
            d = d.display(),
            crt = crt.display(),
            key = key.display()
        ),
    );
    let (p1, p2) = (free_port(), free_port());
    let mut cmd = Command::new(bin);
    cmd.args(["-d", "0", "-f"])
        .arg(&conf)
        .arg("-h")
        .arg(format!("ldap://127.0.0.1:{p1}/ ldaps://127.0.0.1:{p2}/"));
    let procs = vec![Proc::spawn("slapd", &mut cmd, d)];
    daemon(
        "slapd",
        pki,
        dir,
        procs,
        vec![ep("ldap", p1, Some("ldap")), ep("ldaps", p2, None)],
        GNUTLS_POLICY,
    )
}

/// Prosody, XMPP domain `tlskit.test`: `xmpp` (client STARTTLS), `xmpp-server` (server-to-server
/// STARTTLS) and `xmpps` (client direct TLS, which picks its certificate by SNI).
pub fn prosody(pki: &Pki) -> Daemon {
    let bin = require_tool("prosody", "prosody");
    let (dir, crt, key) = setup(pki, "prosody");
    let d = dir.path();
    std::fs::create_dir(d.join("data")).unwrap();
    let [c2s, s2s, direct] = [0; 3].map(|_| free_port());
    let conf = d.join("prosody.cfg.lua");
    write(
        &conf,
        &format!(
            r#"run_as_root = true
pidfile = "{d}/prosody.pid"
data_path = "{d}/data"
certificates = "{d}/tls"
log = {{ {{ levels = {{ min = "info" }}, to = "console" }} }}
modules_enabled = {{ "tls"; "saslauth"; "dialback"; "disco"; }}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {c2s} }}
s2s_ports = {{ {s2s} }}
c2s_direct_tls_ports = {{ {direct} }}
c2s_require_encryption = true
s2s_require_encryption = true
authentication = "internal_hashed"
ssl = {{ certificate = "{crt}"; key = "{key}"; protocol = "tlsv1_2+"; ciphers = "{TLS12_CIPHERS}"; }}
VirtualHost "tlskit.test"
"#,
            d = d.display(),
            crt = crt.display(),
            key = key.display()
        ),
    );
    let mut cmd = Command::new(bin);
    cmd.arg("-F").arg("--config").arg(&conf);
    let procs = vec![Proc::spawn("prosody", &mut cmd, d)];
    let named = |label, port, proto| Endpoint {
        label,
        port,
        starttls: proto,
        starttls_name: proto.map(|_| "tlskit.test"),
        servername: proto.is_none().then_some("tlskit.test"),
    };
    daemon(
        "prosody",
        pki,
        dir,
        procs,
        vec![
            named("xmpp", c2s, Some("xmpp")),
            named("xmpp-server", s2s, Some("xmpp-server")),
            named("xmpps", direct, None),
        ],
        OPENSSL_POLICY,
    )
}

/// INN's nnrpd as a standalone daemon: `nntp` (STARTTLS) and `nntps` (-S, port-563 style).
pub fn inn(pki: &Pki) -> Daemon {
    let nnrpd = PathBuf::from("/usr/lib/news/bin/nnrpd");
    require_file(nnrpd.to_str().unwrap(), "inn2");
    let (dir, crt, key) = setup(pki, "inn");
    let d = dir.path();
    for sub in [
        "etc", "run", "db", "spool", "log", "tmp", "overview", "http",
    ] {
        std::fs::create_dir(d.join(sub)).unwrap();
    }
    std::fs::copy("/etc/news/storage.conf", d.join("etc/storage.conf")).unwrap_or_else(|e| {
        panic!("this test needs /etc/news/storage.conf ({e}): install the Debian package `inn2` (scripts/test does this)")
    });
    write(
        &d.join("etc/readers.conf"),
        "auth \"local\" {\n    hosts: \"127.0.0.1, localhost\"\n    default: \"<local>\"\n}\naccess \"local\" {\n    users: \"<local>\"\n    newsgroups: \"*\"\n    access: R\n}\n",
    );
    let dd = d.display();
    write(
        &d.join("etc/inn.conf"),
        &format!(
            "domain: tlskit.test
pathhost: news.tlskit.test
organization: \"tlskit test\"
server: 127.0.0.1
mta: \"/bin/false %s\"
pathnews: /usr/lib/news
pathbin: /usr/lib/news/bin
pathcontrol: /usr/lib/news/bin/control
pathfilter: /usr/lib/news/bin/filter
pathetc: {dd}/etc
pathrun: {dd}/run
pathdb: {dd}/db
pathspool: {dd}/spool
pathlog: {dd}/log
pathtmp: {dd}/tmp
pathoverview: {dd}/overview
pathhttp: {dd}/http
pathincoming: {dd}/spool/incoming
pathoutgoing: {dd}/spool/outgoing
patharticles: {dd}/spool/articles
patharchive: {dd}/spool/archive
ovmethod: tradindexed
hismethod: hisv6
enableoverview: true
tlscertfile: {crt}
tlskeyfile: {key}
tlscapath: {dd}/tls
tlsprotocols: [ TLSv1.2 TLSv1.3 ]
tlsciphers: \"{TLS12_CIPHERS}\"
",
            crt = crt.display(),
            key = key.display()
        ),
    );
    write(
        &d.join("db/active"),
        "control 0000000000 0000000001 n\njunk 0000000000 0000000001 n\n",
    );
    write(&d.join("db/newsgroups"), "");
    chown(d, "news");
    let inn_conf = d.join("etc/inn.conf");
    // An empty overview database for nnrpd to open.
    let out = as_user(Path::new("/usr/lib/news/bin/makehistory"), "news")
        .env("INNCONF", &inn_conf)
        .args(["-O", "-x"])
        .output()
        .unwrap();
    assert!(
        d.join("overview/group.index").exists(),
        "makehistory did not create the overview:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (p1, p2) = (free_port(), free_port());
    let nnrpd_cmd = |port: u16, implicit: bool| {
        let mut c = as_user(&nnrpd, "news");
        c.env("INNCONF", &inn_conf).args([
            "-D",
            "-f",
            "-n",
            "-b",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ]);
        if implicit {
            c.arg("-S");
        }
        c
    };
    let procs = vec![
        Proc::spawn("nnrpd", &mut nnrpd_cmd(p1, false), d),
        Proc::spawn("nnrpd -S", &mut nnrpd_cmd(p2, true), d),
    ];
    daemon(
        "inn",
        pki,
        dir,
        procs,
        vec![ep("nntp", p1, Some("nntp")), ep("nntps", p2, None)],
        OPENSSL_POLICY,
    )
}

/// InspIRCd (GnuTLS) with its starttls module: `irc` (CAP LS + STARTTLS) and `ircs` (6697 style).
pub fn inspircd(pki: &Pki) -> Daemon {
    let bin = require_tool("inspircd", "inspircd");
    let (dir, crt, key) = setup(pki, "inspircd");
    let d = dir.path();
    write(&d.join("motd"), "tlskit test server\n");
    let (p1, p2) = (free_port(), free_port());
    let conf = d.join("inspircd.conf");
    write(
        &conf,
        &format!(
            r#"<server name="irc.tlskit.test" description="tlskit test" network="tlskit">
<admin name="tlskit" nick="tlskit" email="tlskit@localhost">
<bind address="127.0.0.1" port="{p1}" type="clients">
<bind address="127.0.0.1" port="{p2}" type="clients" sslprofile="tlskit">
<connect allow="*" timeout="60" resolvehostnames="no" useident="no">
<files motd="{d}/motd">
<dns server="127.0.0.1" timeout="1">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="{d}/ircd.log">
<module name="cap">
<module name="ssl_gnutls">
<sslprofile name="tlskit" provider="gnutls" certfile="{crt}" keyfile="{key}" dhfile="" hash="sha256" requestclientcert="no" priority="{GNUTLS_PRIORITY}">
<module name="starttls">
<starttls provider="tlskit">
"#,
            d = d.display(),
            crt = crt.display(),
            key = key.display()
        ),
    );
    let mut cmd = Command::new(bin);
    cmd.arg("--config").arg(&conf).args(["--nofork", "--nopid"]);
    if is_root() {
        cmd.arg("--runasroot");
    }
    let procs = vec![Proc::spawn("inspircd", &mut cmd, d)];
    daemon(
        "inspircd",
        pki,
        dir,
        procs,
        vec![ep("irc", p1, Some("irc")), ep("ircs", p2, None)],
        GNUTLS_POLICY,
    )
}

/// What a [`mini_smtp`] server does after the client's STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MiniSmtp {
    /// "220 go ahead", then relays the TLS handshake to a `tlskit serve` backend.
    Go,
    /// "220 go ahead" and, in the same write, a plaintext line: STARTTLS response injection.
    /// Then relays to the backend like `Go`.
    Inject,
    /// "454 4.7.0 TLS not available due to local problem".
    Refuse,
}

/// A MINIMAL SMTP SERVER WRITTEN FOR THE TESTS (not a real daemon): behaviours no real daemon
/// shows on purpose (injection, refusal). After the go-ahead it relays bytes to `tlskit serve`,
/// so the TLS session itself is real. Endpoint `smtp`; serves any number of connections.
pub fn mini_smtp(pki: &Pki, mode: MiniSmtp) -> Daemon {
    let (dir, crt, key) = setup(pki, "mini-smtp");
    let backend = super::common::serve(&["-s", crt.to_str().unwrap(), "-k", key.to_str().unwrap()]);
    let backend_port = backend.port;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if stop2.load(Ordering::SeqCst) {
                break;
            }
            let Ok(conn) = conn else { continue };
            std::thread::spawn(move || {
                let _ = mini_smtp_session(conn, mode, backend_port);
            });
        }
    });
    Daemon {
        name: "mini-smtp (written for the tests)",
        host: "localhost",
        endpoints: vec![ep("smtp", port, Some("smtp"))],
        ca: pki.ca_cert(),
        policy: OPENSSL_POLICY,
        procs: Vec::new(),
        stop: Some(stop),
        _backend: Some(backend),
        dir,
    }
}

fn mini_smtp_session(mut c: TcpStream, mode: MiniSmtp, backend: u16) -> std::io::Result<()> {
    c.set_read_timeout(Some(Duration::from_secs(20)))?;
    c.write_all(b"220 mini.tlskit.test ESMTP minimal test server\r\n")?;
    let mut line = Vec::new();
    let mut read_line = |c: &mut TcpStream| -> std::io::Result<String> {
        line.clear();
        let mut b = [0u8; 1];
        loop {
            if c.read(&mut b)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            line.push(b[0]);
            if b[0] == b'\n' || line.len() > 1000 {
                return Ok(String::from_utf8_lossy(&line).trim_end().to_string());
            }
        }
    };
    loop {
        let cmd = read_line(&mut c)?.to_ascii_uppercase();
        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            c.write_all(b"250-mini.tlskit.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")?;
        } else if cmd == "STARTTLS" {
            match mode {
                MiniSmtp::Refuse => {
                    c.write_all(b"454 4.7.0 TLS not available due to local problem\r\n")?
                }
                MiniSmtp::Go => {
                    c.write_all(b"220 2.0.0 Ready to start TLS\r\n")?;
                    return relay(c, backend);
                }
                MiniSmtp::Inject => {
                    c.write_all(
                        b"220 2.0.0 Ready to start TLS\r\n250 injected by the test server\r\n",
                    )?;
                    return relay(c, backend);
                }
            }
        } else if cmd == "QUIT" {
            c.write_all(b"221 2.0.0 Bye\r\n")?;
            return Ok(());
        } else {
            c.write_all(b"502 5.5.2 Error: command not recognized\r\n")?;
        }
    }
}

/// Copy bytes both ways between `c` and 127.0.0.1:`port` until either side closes.
fn relay(c: TcpStream, port: u16) -> std::io::Result<()> {
    let b = TcpStream::connect(("127.0.0.1", port))?;
    c.set_read_timeout(None)?;
    let (mut c1, mut b1) = (c.try_clone()?, b.try_clone()?);
    let (mut c2, mut b2) = (c, b);
    let t = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c1, &mut b1);
        let _ = b1.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut b2, &mut c2);
    let _ = c2.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
    Ok(())
}
