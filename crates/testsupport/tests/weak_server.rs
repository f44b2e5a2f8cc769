//! Proves each weakness `tlskit-weak-server` claims, against real clients on 127.0.0.1: Debian's
//! `openssl s_client` and curl where they can still speak it, otherwise the crate's own client on
//! the vendored OpenSSL (SSLv3, RC4, NULL, anonymous, 512-bit DH …).

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::{X509Builder, X509NameBuilder, X509};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tlskit_testsupport::client::{probe, Client, Probe};
use tlskit_testsupport::config::WeakServerProcess;
use tlskit_testsupport::WeakServerConfig;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tlskit-weak-server"))
}

/// Fail (never skip) when a tool is missing, naming the Debian package.
fn require_tool(tool: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path).chain(["/usr/bin".into(), "/usr/sbin".into()]) {
        let p = dir.join(tool);
        if p.is_file() {
            return p;
        }
    }
    panic!("this test needs `{tool}`, which is missing: install the Debian package `{package}`");
}

fn new_key(kind: &str) -> PKey<Private> {
    match kind {
        "rsa" => PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap(),
        "ec" => {
            let g = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
            PKey::from_ec_key(EcKey::generate(&g).unwrap()).unwrap()
        }
        _ => unreachable!(),
    }
}

/// A certificate for `cn` with a new `kind` key ("rsa" 2048-bit or "ec" P-256), signed by
/// `issuer` (cert, key) or self-signed; written as PEM files `stem.crt` and `stem.key`.
fn make_cert_by(
    dir: &Path,
    stem: &str,
    cn: &str,
    kind: &str,
    issuer: Option<(&X509, &PKey<Private>)>,
) -> (PathBuf, PathBuf, X509, PKey<Private>) {
    let key = new_key(kind);
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_nid(Nid::COMMONNAME, cn).unwrap();
    let name = name.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    let serial = BigNum::from_u32(rand_serial()).unwrap();
    b.set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(issuer.map_or(&*name, |(c, _)| c.subject_name()))
        .unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    b.sign(issuer.map_or(&key, |(_, k)| k), MessageDigest::sha256())
        .unwrap();
    let cert = b.build();
    let c = dir.join(format!("{stem}.crt"));
    let k = dir.join(format!("{stem}.key"));
    std::fs::write(&c, cert.to_pem().unwrap()).unwrap();
    std::fs::write(&k, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    (c, k, cert, key)
}

fn rand_serial() -> u32 {
    let mut b = [0u8; 4];
    openssl::rand::rand_bytes(&mut b).unwrap();
    u32::from_be_bytes(b) >> 1 | 1
}

/// A self-signed certificate (PEM files `stem.crt`, `stem.key`).
fn make_cert(dir: &Path, stem: &str, cn: &str, kind: &str) -> (PathBuf, PathBuf) {
    let (c, k, _, _) = make_cert_by(dir, stem, cn, kind, None);
    (c, k)
}

struct Fixture {
    dir: tempfile::TempDir,
    rsa: (PathBuf, PathBuf),
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let rsa = make_cert(dir.path(), "rsa", "localhost", "rsa");
        Fixture { dir, rsa }
    }
    fn cfg(&self) -> WeakServerConfig {
        WeakServerConfig::new(&self.rsa.0, &self.rsa.1)
    }
    fn start(&self, cfg: WeakServerConfig) -> WeakServerProcess {
        WeakServerProcess::start(&bin(), &cfg)
    }
}

fn ok(addr: &str, p: &Probe) -> tlskit_testsupport::client::Outcome {
    probe(addr, p).unwrap_or_else(|e| panic!("handshake with {p:?} failed: {e}"))
}

/// Run Debian's `openssl s_client` against the server (stdin closed; -ign_eof waits for the
/// server to close) and return its stdout+stderr.
fn s_client(port: u16, extra: &[&str]) -> String {
    let openssl = require_tool("openssl", "openssl");
    let mut child = Command::new(openssl)
        .arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-ign_eof"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("openssl s_client did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn vendored_openssl_has_ssl3_and_weak_ciphers_enabled() {
    // The openssl-src features must have reached the openssl-sys build.
    assert!(tlskit_testsupport::openssl_version().starts_with("OpenSSL 3."));
    tlskit_testsupport::load_providers().unwrap();
    let mut b = openssl::ssl::SslContext::builder(openssl::ssl::SslMethod::tls()).unwrap();
    b.set_security_level(0);
    b.set_cipher_list("RC4-SHA:@SECLEVEL=0")
        .expect("RC4-SHA is known (enable-weak-ssl-ciphers + legacy provider)");
    b.set_min_proto_version(Some(openssl::ssl::SslVersion::SSL3))
        .expect("SSLv3 is compiled in");
}

#[test]
fn sslv3_with_rc4_sha() {
    let f = Fixture::new();
    let s = f.start(f.cfg().version("ssl3").cipher("RC4-SHA"));
    let o = ok(&s.addr(), &Probe::version("ssl3"));
    assert_eq!(o.version, "SSLv3");
    assert_eq!(o.cipher, "RC4-SHA");
    assert_eq!(o.greeting, "tlskit-weak-server: SSLv3 RC4-SHA");
    // Debian's OpenSSL has no SSLv3 at all, and a TLS 1.2 client gets a protocol failure.
    assert!(probe(&s.addr(), &Probe::version("tls1.2")).is_err());
    assert!(s.wait_output("conn 1: SSLv3 RC4-SHA", Duration::from_secs(5)));
}

#[test]
fn tls12_legacy_suites_3des_rc4_null_anon() {
    let f = Fixture::new();
    let s = f.start(
        f.cfg()
            .version("tls1.2")
            .cipher("DES-CBC3-SHA:RC4-MD5:NULL-SHA:NULL-MD5:ADH-AES128-SHA:AECDH-AES128-SHA"),
    );
    for suite in [
        "DES-CBC3-SHA",
        "RC4-MD5",
        "NULL-SHA",
        "NULL-MD5",
        "ADH-AES128-SHA",
        "AECDH-AES128-SHA",
    ] {
        let o = ok(&s.addr(), &Probe::version("tls1.2").cipher(suite));
        assert_eq!(o.version, "TLSv1.2");
        assert_eq!(o.cipher, suite);
        if suite.starts_with('A') {
            assert_eq!(o.peer_cn, None, "anonymous suite sends no certificate");
        } else {
            assert_eq!(o.peer_cn.as_deref(), Some("localhost"));
        }
    }
    // A suite the server does not offer is refused.
    let e = probe(
        &s.addr(),
        &Probe::version("tls1.2").cipher("AES128-GCM-SHA256"),
    )
    .unwrap_err();
    assert!(e.contains("handshake failed"), "{e}");
}

#[test]
fn tls10_and_tls11_with_debian_s_client() {
    let f = Fixture::new();
    let s = f.start(f.cfg().min_version("tls1").max_version("tls1.1").close());
    let out = s_client(s.port, &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    assert!(out.contains("Protocol  : TLSv1\n"), "{out}");
    assert!(out.contains("tlskit-weak-server: TLSv1 "), "{out}");
    let out = s_client(s.port, &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    assert!(out.contains("Protocol  : TLSv1.1"), "{out}");
    // TLS 1.2 is not offered.
    let out = s_client(s.port, &["-tls1_2"]);
    assert!(out.contains("Cipher is (NONE)"), "{out}");
    // …and the vendored client sees the same.
    assert_eq!(ok(&s.addr(), &Probe::version("tls1.1")).version, "TLSv1.1");
}

#[test]
fn small_and_common_dh_primes() {
    let f = Fixture::new();
    let dhe = || Probe::version("tls1.2").cipher("DHE-RSA-AES128-SHA");

    let s = f.start(f.cfg().dhparam_bits(512).cipher("DHE-RSA-AES128-SHA"));
    let o = ok(&s.addr(), &dhe());
    assert_eq!(o.cipher, "DHE-RSA-AES128-SHA");
    assert_eq!(o.server_temp_key, Some(("DH".to_string(), 512)));
    drop(s);

    let s = f.start(f.cfg().dh_group("oakley1").cipher("DHE-RSA-AES128-SHA"));
    let o = ok(&s.addr(), &dhe());
    assert_eq!(o.server_temp_key, Some(("DH".to_string(), 768)));
    assert_eq!(
        o.dh_prime.unwrap(),
        BigNum::get_rfc2409_prime_768().unwrap().to_vec()
    );
    drop(s);

    let s = f.start(
        f.cfg()
            .dh_group("oakley2")
            .cipher("DHE-RSA-AES128-SHA")
            .close(),
    );
    let o = ok(&s.addr(), &dhe());
    assert_eq!(o.server_temp_key, Some(("DH".to_string(), 1024)));
    assert_eq!(
        o.dh_prime.unwrap(),
        BigNum::get_rfc2409_prime_1024().unwrap().to_vec(),
        "the common RFC 2409 Oakley group 2 prime"
    );
    // Debian's s_client sees the same 1024-bit group.
    let out = s_client(
        s.port,
        &["-tls1_2", "-cipher", "DHE-RSA-AES128-SHA:@SECLEVEL=0"],
    );
    assert!(out.contains("Server Temp Key: DH, 1024 bits"), "{out}");
    drop(s);

    let s = f.start(f.cfg().dh_group("ffdhe2048").cipher("DHE-RSA-AES128-SHA"));
    let o = ok(&s.addr(), &dhe());
    assert_eq!(o.server_temp_key, Some(("DH".to_string(), 2048)));
}

#[test]
fn dhparam_file_and_bad_dh_options() {
    let f = Fixture::new();
    let dh = openssl::dh::Dh::generate_params(512, 2).unwrap();
    let file = f.dir.path().join("dh.pem");
    std::fs::write(&file, dh.params_to_pem().unwrap()).unwrap();
    let s = f.start(f.cfg().dhparam_file(&file).cipher("DHE-RSA-AES128-SHA"));
    let o = ok(
        &s.addr(),
        &Probe::version("tls1.2").cipher("DHE-RSA-AES128-SHA"),
    );
    assert_eq!(o.dh_prime.unwrap(), dh.prime_p().to_vec());

    let out = Command::new(bin())
        .args(f.cfg().dh_group("nonsense").args())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown DH group \"nonsense\""), "{err}");
}

#[test]
fn groups_and_tls13_ciphersuites() {
    let f = Fixture::new();
    let s = f.start(
        f.cfg()
            .groups("secp384r1")
            .ciphersuites("TLS_AES_128_CCM_8_SHA256"),
    );
    let mut p = Probe::version("tls1.3");
    p.ciphersuites = Some("TLS_AES_128_CCM_8_SHA256:TLS_AES_128_GCM_SHA256".into());
    let o = ok(&s.addr(), &p);
    assert_eq!(o.version, "TLSv1.3");
    assert_eq!(o.cipher, "TLS_AES_128_CCM_8_SHA256");
    assert_eq!(o.server_temp_key, Some(("EC".to_string(), 384)));
}

#[test]
fn server_preference_order() {
    let f = Fixture::new();
    let client = Probe::version("tls1.2").cipher("AES128-SHA:AES256-SHA");
    let s = f.start(f.cfg().cipher("AES256-SHA:AES128-SHA"));
    assert_eq!(
        ok(&s.addr(), &client).cipher,
        "AES128-SHA",
        "client order wins"
    );
    drop(s);
    let s = f.start(f.cfg().cipher("AES256-SHA:AES128-SHA").serverpref());
    assert_eq!(
        ok(&s.addr(), &client).cipher,
        "AES256-SHA",
        "server order wins"
    );
}

#[test]
fn renegotiation_modes() {
    let f = Fixture::new();
    let mut p = Probe::version("tls1.2");
    p.renegotiate = true;

    // OpenSSL 3's default: secure renegotiation, but client-initiated renegotiation refused.
    let s = f.start(f.cfg());
    let o = ok(&s.addr(), &p);
    assert!(o.secure_renegotiation);
    assert!(o.renegotiation.unwrap().is_err());
    drop(s);

    let s = f.start(f.cfg().client_renegotiation());
    let o = ok(&s.addr(), &p);
    assert!(o.secure_renegotiation);
    assert_eq!(o.renegotiation, Some(Ok(())));
    assert!(s.wait_output("renegotiations=1", Duration::from_secs(5)));
    drop(s);

    let s = f.start(f.cfg().no_renegotiation());
    let o = ok(&s.addr(), &p);
    assert!(o.renegotiation.unwrap().is_err());
    drop(s);

    // Unsafe legacy renegotiation is allowed; OpenSSL still answers RFC 5746 to a client that
    // offers it (no switch exists to suppress that).
    let s = f.start(f.cfg().legacy_renegotiation().client_renegotiation());
    let o = ok(&s.addr(), &p);
    assert!(o.secure_renegotiation);
    assert_eq!(o.renegotiation, Some(Ok(())));
}

#[test]
fn session_tickets_and_cache() {
    let f = Fixture::new();
    let resume = |addr: &str, no_ticket: bool| -> (bool, bool) {
        let mut p = Probe::version("tls1.2");
        p.no_ticket = no_ticket;
        let c = Client::new(&p).unwrap();
        let first = c.connect(addr, None).unwrap();
        let second = c.connect(addr, first.session.as_ref()).unwrap();
        (first.ticket, second.session_reused)
    };
    let s = f.start(f.cfg());
    assert_eq!(resume(&s.addr(), false), (true, true), "ticket resumption");
    assert_eq!(
        resume(&s.addr(), true),
        (false, true),
        "session-ID resumption"
    );
    drop(s);

    let s = f.start(f.cfg().no_tickets());
    assert_eq!(resume(&s.addr(), false), (false, true), "cache only");
    drop(s);

    let s = f.start(f.cfg().no_tickets().no_session_cache());
    assert_eq!(resume(&s.addr(), false), (false, false), "no resumption");

    // TLS 1.3 tickets follow --no-tickets as well.
    let c = Client::new(&Probe::version("tls1.3")).unwrap();
    assert!(!c.connect(&s.addr(), None).unwrap().ticket);
    drop(s);
    let s = f.start(f.cfg());
    let c = Client::new(&Probe::version("tls1.3")).unwrap();
    let first = c.connect(&s.addr(), None).unwrap();
    assert!(first.ticket);
    assert!(
        c.connect(&s.addr(), first.session.as_ref())
            .unwrap()
            .session_reused
    );
}

#[test]
fn ocsp_staple_from_file() {
    let f = Fixture::new();
    let dir = f.dir.path();
    // OpenSSL 3.6 staples only for a CA-issued leaf, so issue one.
    let (_, _, ca, ca_key) = make_cert_by(dir, "ca", "weak test CA", "rsa", None);
    let (leaf, leaf_key, _, _) =
        make_cert_by(dir, "leaf", "localhost", "rsa", Some((&ca, &ca_key)));
    let der = dir.join("ocsp.der");
    // OCSPResponse { responseStatus tryLater(3) }: a valid response without a body.
    let bytes =
        openssl::ocsp::OcspResponse::create(openssl::ocsp::OcspResponseStatus::TRY_LATER, None)
            .unwrap()
            .to_der()
            .unwrap();
    std::fs::write(&der, &bytes).unwrap();
    let s = f.start(
        WeakServerConfig::new(&leaf, &leaf_key)
            .status_file(&der)
            .close(),
    );
    let mut p = Probe::version("tls1.2");
    p.want_ocsp = true;
    assert_eq!(ok(&s.addr(), &p).ocsp, Some(bytes.clone()));
    let mut p13 = Probe::version("tls1.3");
    p13.want_ocsp = true;
    assert_eq!(ok(&s.addr(), &p13).ocsp, Some(bytes.clone()));
    assert_eq!(ok(&s.addr(), &Probe::version("tls1.2")).ocsp, None);
    // Debian's s_client sees the staple too.
    let out = s_client(s.port, &["-status", "-tls1_2"]);
    assert!(
        out.contains("OCSP Response Status: trylater (0x3)"),
        "{out}"
    );

    // What OpenSSL would silently not staple is refused at start.
    let run = |cfg: WeakServerConfig| {
        let out = Command::new(bin())
            .args(cfg.args())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = run(f.cfg().status_file(&der));
    assert!(err.contains("self-signed"), "{err}");
    let junk = dir.join("junk.der");
    std::fs::write(&junk, b"not der").unwrap();
    let err = run(WeakServerConfig::new(&leaf, &leaf_key).status_file(&junk));
    assert!(err.contains("is not a DER OCSPResponse"), "{err}");
}

#[test]
fn alpn_with_debian_s_client() {
    let f = Fixture::new();
    let s = f.start(f.cfg().alpn("h2,http/1.1").close());
    let out = s_client(s.port, &["-alpn", "http/1.1,h2"]);
    assert!(out.contains("ALPN protocol: h2"), "{out}");
    let out = s_client(s.port, &["-alpn", "http/1.1"]);
    assert!(out.contains("ALPN protocol: http/1.1"), "{out}");
    let out = s_client(s.port, &["-alpn", "spdy/3"]);
    assert!(out.contains("No ALPN negotiated"), "{out}");
}

#[test]
fn dual_certificate_and_sni() {
    let f = Fixture::new();
    let ec = make_cert(f.dir.path(), "ec", "ecdsa.localhost", "ec");
    let sni = make_cert(f.dir.path(), "sni", "other.example", "rsa");
    let s = f.start(
        f.cfg()
            .cert2(&ec.0, &ec.1)
            .sni("other.example", &sni.0, &sni.1),
    );
    let o = ok(
        &s.addr(),
        &Probe::version("tls1.2").cipher("ECDHE-ECDSA-AES128-GCM-SHA256"),
    );
    assert_eq!(o.peer_key_type.as_deref(), Some("EC"));
    assert_eq!(o.peer_cn.as_deref(), Some("ecdsa.localhost"));
    let o = ok(
        &s.addr(),
        &Probe::version("tls1.2").cipher("ECDHE-RSA-AES128-GCM-SHA256"),
    );
    assert_eq!(o.peer_key_type.as_deref(), Some("RSA"));
    assert_eq!(o.peer_cn.as_deref(), Some("localhost"));

    let mut p = Probe::version("tls1.2");
    p.sni = Some("other.example".into());
    assert_eq!(ok(&s.addr(), &p).peer_cn.as_deref(), Some("other.example"));
    p.sni = Some("unknown.example".into());
    p.cipher = "ECDHE-RSA-AES128-GCM-SHA256".into();
    assert_eq!(ok(&s.addr(), &p).peer_cn.as_deref(), Some("localhost"));
}

#[test]
fn www_mode_with_curl() {
    let curl = require_tool("curl", "curl");
    let f = Fixture::new();
    let s = f.start(f.cfg().www());
    let out = Command::new(curl)
        .args(["-sk", "--max-time", "20", "--tlsv1.2", "--tls-max", "1.2"])
        .arg(format!("https://127.0.0.1:{}/", s.port))
        .output()
        .unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(body.contains("<h1>tlskit-weak-server</h1>"), "{body}");
    assert!(body.contains("protocol: TLSv1.2"), "{body}");
}

#[test]
fn garbage_does_not_kill_the_server_and_connections_are_concurrent() {
    let f = Fixture::new();
    let mut s = f.start(f.cfg().timeout(5));
    let addr = s.addr();
    let payloads: [&[u8]; 5] = [
        b"GET / HTTP/1.0\r\n\r\n",
        &[0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0x00],
        &[
            0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
        ],
        &[0x16, 0x03, 0x03, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00],
        &[0u8; 300],
    ];
    for p in payloads {
        let mut t = TcpStream::connect(&addr).unwrap();
        t.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = t.write_all(p);
        let mut sink = Vec::new();
        let _ = t.read_to_end(&mut sink);
    }
    // A client that connects and says nothing, and one that closes at once.
    let idle = TcpStream::connect(&addr).unwrap();
    drop(TcpStream::connect(&addr).unwrap());

    let threads: Vec<_> = (0..8)
        .map(|_| {
            let a = addr.clone();
            std::thread::spawn(move || probe(&a, &Probe::version("tls1.2")).map(|o| o.version))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().unwrap(), "TLSv1.2");
    }
    assert!(s.is_running());
    assert!(s.output().contains("handshake failed"), "{}", s.output());
    drop(idle);
}

#[test]
fn refuses_what_it_cannot_do() {
    let f = Fixture::new();
    let run = |extra: &[&str]| {
        let out = Command::new(bin())
            .args(f.cfg().args())
            .args(extra)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["--compression"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--compression is not available"), "{err}");

    let (code, err) = run(&["--accept", "0.0.0.0:0"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("loopback only"), "{err}");

    let (code, err) = run(&["--min-version", "ssl2"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown protocol version"), "{err}");

    let (code, err) = run(&["--cipher", "NO-SUCH-SUITE"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--cipher"), "{err}");

    let out = Command::new(bin())
        .args(["--cert", "/nonexistent.pem"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (code, err) = (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("cannot read --cert /nonexistent.pem"), "{err}");

    // The vendored client negotiates no compression either.
    let s = f.start(f.cfg());
    assert_eq!(ok(&s.addr(), &Probe::version("tls1.2")).compression, None);
}

/// A hand-built ClientHello record: `version` as legacy_version, the suites, compression
/// methods and extensions given.
fn raw_client_hello(version: u16, suites: &[u16], comp: &[u8], exts: &[(u16, &[u8])]) -> Vec<u8> {
    let mut b = version.to_be_bytes().to_vec();
    b.extend_from_slice(&[7u8; 32]);
    b.push(0);
    b.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
    for s in suites {
        b.extend_from_slice(&s.to_be_bytes());
    }
    b.push(comp.len() as u8);
    b.extend_from_slice(comp);
    let mut e = Vec::new();
    for (t, d) in exts {
        e.extend_from_slice(&t.to_be_bytes());
        e.extend_from_slice(&(d.len() as u16).to_be_bytes());
        e.extend_from_slice(d);
    }
    if !exts.is_empty() {
        b.extend_from_slice(&(e.len() as u16).to_be_bytes());
        b.extend_from_slice(&e);
    }
    let mut hs = vec![1u8];
    hs.extend_from_slice(&(b.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&b);
    let mut rec = vec![22u8, 3, 1];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

#[derive(Debug, PartialEq)]
enum Answer {
    Hello {
        version: u16,
        suite: u16,
        compression: u8,
        exts: Vec<u16>,
        cert_and_done: bool,
    },
    Alert(u8),
}

/// Send `hello` and read the server's first flight.
fn exchange(addr: &str, hello: &[u8]) -> Answer {
    let mut t = TcpStream::connect(addr).unwrap();
    t.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    t.write_all(hello).unwrap();
    let mut data = Vec::new();
    let mut hs = Vec::new();
    loop {
        let mut h = [0u8; 5];
        t.read_exact(&mut h).unwrap();
        let mut body = vec![0u8; u16::from_be_bytes([h[3], h[4]]) as usize];
        t.read_exact(&mut body).unwrap();
        if h[0] == 21 {
            return Answer::Alert(body[1]);
        }
        assert_eq!(h[0], 22);
        hs.extend_from_slice(&body);
        data.push(h);
        // Stop once ServerHelloDone (type 14, empty) closes the flight.
        if hs.ends_with(&[14, 0, 0, 0]) {
            break;
        }
    }
    let sh_len = u32::from_be_bytes([0, hs[1], hs[2], hs[3]]) as usize;
    assert_eq!(hs[0], 2, "ServerHello first");
    let sh = &hs[4..4 + sh_len];
    let version = u16::from_be_bytes([sh[0], sh[1]]);
    let sid = sh[34] as usize;
    let p = 35 + sid;
    let suite = u16::from_be_bytes([sh[p], sh[p + 1]]);
    let compression = sh[p + 2];
    let mut exts = Vec::new();
    if sh.len() > p + 3 {
        let mut e = &sh[p + 5..];
        while e.len() >= 4 {
            exts.push(u16::from_be_bytes([e[0], e[1]]));
            let l = u16::from_be_bytes([e[2], e[3]]) as usize;
            e = &e[4 + l..];
        }
    }
    let rest = &hs[4 + sh_len..];
    Answer::Hello {
        version,
        suite,
        compression,
        exts,
        cert_and_done: rest[0] == 11 && hs.ends_with(&[14, 0, 0, 0]),
    }
}

#[test]
fn fake_hello_export_suites_compression_no_ri_heartbeat() {
    let f = Fixture::new();
    let s = f.start(
        f.cfg()
            .max_version("tls1.2")
            .fake_hello("0x0003,0x0008,0x0014")
            .fake_compression()
            .fake_no_renegotiation_info()
            .fake_heartbeat()
            .timeout(3),
    );
    // Offers AES128-SHA, EXP-DES-CBC-SHA (0x0008), SCSV; DEFLATE and null; RI + heartbeat exts.
    let hello = raw_client_hello(
        0x0302,
        &[0x002f, 0x0008, 0x00ff],
        &[1, 0],
        &[(0xff01, &[0]), (15, &[1])],
    );
    assert_eq!(
        exchange(&s.addr(), &hello),
        Answer::Hello {
            version: 0x0302,
            suite: 0x0008,
            compression: 1,
            exts: vec![15],
            cert_and_done: true,
        }
    );
    // No shared suite: handshake_failure alert.
    let hello = raw_client_hello(0x0303, &[0x002f], &[0], &[]);
    assert_eq!(exchange(&s.addr(), &hello), Answer::Alert(40));
    assert!(s.wait_output("suite=0x0008 compression=1", Duration::from_secs(5)));
    drop(s);

    // Defaults: null compression, renegotiation_info echoed (SCSV counts, SSLv3 too), no heartbeat.
    let s = f.start(f.cfg().fake_hello("0x0003").timeout(3));
    let hello = raw_client_hello(0x0300, &[0x0003, 0x00ff], &[1, 0], &[]);
    assert_eq!(
        exchange(&s.addr(), &hello),
        Answer::Hello {
            version: 0x0300,
            suite: 0x0003,
            compression: 0,
            exts: vec![0xff01],
            cert_and_done: true,
        }
    );
    let hello = raw_client_hello(0x0303, &[0x0003], &[0], &[(0xff01, &[0]), (15, &[1])]);
    let Answer::Hello { exts, .. } = exchange(&s.addr(), &hello) else {
        panic!("expected a ServerHello")
    };
    assert_eq!(exts, vec![0xff01]);
    // Garbage and SSLv2-format hellos are logged, not fatal.
    let mut t = TcpStream::connect(s.addr()).unwrap();
    t.write_all(&[0x80, 0x2e, 0x01, 0x00, 0x02]).unwrap();
    drop(t);
    assert!(s.wait_output("SSLv2-format", Duration::from_secs(5)));
    let hello = raw_client_hello(0x0301, &[0x0003], &[0], &[]);
    assert!(matches!(exchange(&s.addr(), &hello), Answer::Hello { .. }));
}
