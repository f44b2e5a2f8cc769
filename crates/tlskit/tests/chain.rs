//! Certificate chain analysis (`tlskit::pki::chain`) on real chains: made by `openssl` (root →
//! intermediate → leaf, SHA-1, RSA-1024, must-staple, OCSP responses from `openssl ocsp`) and by
//! tlskit's own CA.
//!
//! These tests need the `openssl` command-line tool (Debian package `openssl`); without it they
//! fail with a message saying so.

use rustls_pki_types::{CertificateDer, UnixTime};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tlskit::pki::chain::{analyse, same_chain, ChainAnalysis, ChainInput, Severity, TrustStores};

// ---------------------------------------------------------------------------------------------
// An openssl workbench.

struct Lab {
    dir: tempfile::TempDir,
}

const LEAF_EXT: &str = "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:www.example.test,DNS:*.wild.example.test,IP:127.0.0.1
authorityInfoAccess=caIssuers;URI:http://ca.example.test/int.crt,OCSP;URI:http://ocsp.example.test
";

const CA_EXT: &str = "basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
";

impl Lab {
    fn new() -> Lab {
        match Command::new("openssl").arg("version").output() {
            Ok(o) if o.status.success() => {}
            _ => panic!(
                "these tests make certificates with the `openssl` command, which cannot be run: install the Debian package `openssl` (apt-get install openssl)"
            ),
        }
        Lab {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn openssl(&self, args: &[&str]) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn key_args(key: &str) -> Vec<&str> {
        match key {
            "ec" => vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            other => vec!["-newkey", other],
        }
    }

    /// A self-signed certificate `NAME.crt` / `NAME.key`.
    fn self_signed(&self, name: &str, cn: &str, key: &str, hash: &str, ext: &str) {
        let (crt, k, extfile) = (
            format!("{name}.crt"),
            format!("{name}.key"),
            format!("{name}.ext"),
        );
        let subj = format!("/CN={cn}");
        let mut args = vec!["req", "-x509", "-nodes", "-days", "3650", hash];
        args.extend(Self::key_args(key));
        args.extend([
            "-keyout",
            &k,
            "-out",
            &crt,
            "-subj",
            &subj,
            "-config",
            &extfile,
            "-extensions",
            "v3",
        ]);
        // `-config` needs a [req] section too.
        self.write(
            &extfile,
            &format!("[req]\ndistinguished_name=dn\n[dn]\n[v3]\n{ext}"),
        );
        self.openssl(&args);
    }

    /// `NAME.crt` / `NAME.key`, issued by `issuer` (`ISSUER.crt` / `ISSUER.key`).
    #[allow(clippy::too_many_arguments)]
    fn issue(
        &self,
        name: &str,
        cn: &str,
        issuer: &str,
        key: &str,
        hash: &str,
        days: &str,
        ext: &str,
    ) {
        let (crt, k, csr, extfile) = (
            format!("{name}.crt"),
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.ext"),
        );
        let subj = format!("/CN={cn}");
        let mut args = vec!["req", "-new", "-nodes"];
        args.extend(Self::key_args(key));
        args.extend(["-keyout", &k, "-out", &csr, "-subj", &subj]);
        self.openssl(&args);
        self.write(&extfile, ext);
        let (ica, ikey) = (format!("{issuer}.crt"), format!("{issuer}.key"));
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ica,
            "-CAkey",
            &ikey,
            "-CAcreateserial",
            "-out",
            &crt,
            "-days",
            days,
            hash,
            "-extfile",
            &extfile,
        ]);
    }

    /// The standard lab: `root` (RSA) → `int` (RSA) → `leaf` (ECDSA P-256, 30 days).
    fn standard() -> Lab {
        let lab = Lab::new();
        lab.self_signed("root", "Test Root", "rsa:2048", "-sha256", CA_EXT);
        lab.issue(
            "int",
            "Test Intermediate",
            "root",
            "rsa:2048",
            "-sha256",
            "1000",
            CA_EXT,
        );
        lab.issue(
            "leaf",
            "www.example.test",
            "int",
            "ec",
            "-sha256",
            "30",
            LEAF_EXT,
        );
        lab
    }

    fn cert(&self, name: &str) -> CertificateDer<'static> {
        let mut certs = tlskit::pki::load::load_certs(&self.path(&format!("{name}.crt"))).unwrap();
        assert_eq!(certs.len(), 1);
        certs.remove(0)
    }

    fn chain(&self, names: &[&str]) -> Vec<CertificateDer<'static>> {
        names.iter().map(|n| self.cert(n)).collect()
    }

    fn trusting(&self, names: &[&str]) -> TrustStores {
        TrustStores::from_certs(&[], &self.chain(names))
    }

    fn serial(&self, name: &str) -> String {
        let out = Command::new("openssl")
            .args(["x509", "-noout", "-serial", "-in", &format!("{name}.crt")])
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .trim_start_matches("serial=")
            .to_string()
    }

    /// An OCSP response about `cert` (issued by `issuer`), signed by `signer`; `status` is an
    /// index.txt status letter (`V` valid, `R` revoked). Returns the DER.
    fn ocsp(&self, cert: &str, issuer: &str, signer: &str, status: &str, days: &str) -> Vec<u8> {
        let serial = self.serial(cert);
        let line = match status {
            "R" => {
                format!("R\t301231235959Z\t250101000000Z,keyCompromise\t{serial}\tunknown\t/CN=x\n")
            }
            _ => format!("V\t301231235959Z\t\t{serial}\tunknown\t/CN=x\n"),
        };
        self.write("index.txt", &line);
        let (cert_f, issuer_f) = (format!("{cert}.crt"), format!("{issuer}.crt"));
        let (signer_crt, signer_key) = (format!("{signer}.crt"), format!("{signer}.key"));
        self.openssl(&[
            "ocsp",
            "-issuer",
            &issuer_f,
            "-cert",
            &cert_f,
            "-reqout",
            "req.der",
            "-no_nonce",
        ]);
        self.openssl(&[
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            &signer_crt,
            "-rkey",
            &signer_key,
            "-CA",
            &issuer_f,
            "-reqin",
            "req.der",
            "-respout",
            "resp.der",
            "-ndays",
            days,
        ]);
        std::fs::read(self.path("resp.der")).unwrap()
    }
}

fn now() -> UnixTime {
    UnixTime::now()
}

fn days_from_now(days: i64) -> UnixTime {
    let now = UnixTime::now().as_secs() as i64;
    UnixTime::since_unix_epoch(Duration::from_secs((now + days * 86_400) as u64))
}

fn run(
    chain: &[CertificateDer<'static>],
    host: Option<&str>,
    ocsp: Option<&[u8]>,
    at: UnixTime,
    stores: &TrustStores,
) -> ChainAnalysis {
    analyse(
        &ChainInput {
            chain,
            hostname: host,
            ocsp_response: ocsp,
            now: at,
        },
        stores,
    )
}

fn store<'a>(a: &'a ChainAnalysis, name: &str) -> &'a tlskit::pki::chain::TrustResult {
    a.trust
        .iter()
        .find(|t| t.store.as_str() == name)
        .unwrap_or_else(|| panic!("no {name} store in {:?}", a.trust))
}

fn ids(a: &ChainAnalysis) -> Vec<&str> {
    a.findings.iter().map(|f| f.id.as_str()).collect()
}

fn has(a: &ChainAnalysis, id: &str) -> bool {
    a.findings.iter().any(|f| f.id == id)
}

fn finding<'a>(a: &'a ChainAnalysis, id: &str) -> &'a tlskit::pki::chain::Finding {
    a.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {id} in {:#?}", a.findings))
}

// ---------------------------------------------------------------------------------------------
// Trust, order and structure.

#[test]
fn good_chain_is_trusted_by_its_ca_only() {
    let lab = Lab::standard();
    let chain = lab.chain(&["leaf", "int"]);
    let a = run(
        &chain,
        Some("www.example.test"),
        None,
        now(),
        &lab.trusting(&["root"]),
    );

    let custom = store(&a, "custom");
    assert!(custom.trusted, "{custom:?}");
    assert_eq!(custom.error, None);
    assert_eq!(
        custom.path,
        vec![
            "CN=www.example.test",
            "CN=Test Intermediate",
            "CN=Test Root"
        ]
    );
    let mozilla = store(&a, "mozilla");
    assert!(!mozilla.trusted);
    assert_eq!(
        mozilla.error.as_deref(),
        Some("not issued by a CA in the Mozilla root store")
    );
    assert!(!store(&a, "system").trusted, "empty system store");
    assert!(a.trusted);
    assert!(a.order_ok, "{:?}", a.order_problems);
    assert!(!a.missing_intermediate && !a.contains_root && !a.self_signed_leaf);
    assert_eq!(a.hostname_match, Some(true));
    assert!(a.weak_signatures.is_empty() && a.weak_keys.is_empty());
    assert_eq!(a.certificates.len(), 2);
    assert_eq!(a.certificates[0].subject, "CN=www.example.test");
    assert!(!a.leaf_expired && !a.leaf_not_yet_valid);
    assert!(
        (28..=30).contains(&a.leaf_days_left),
        "{}",
        a.leaf_days_left
    );
    // A private CA: worth a note, not a problem.
    assert!(has(&a, "cert.private_ca"), "{:?}", ids(&a));
    assert!(!has(&a, "cert.expiring_soon"));
    assert!(
        !a.findings.iter().any(|f| f.severity <= Severity::High),
        "{:#?}",
        a.findings
    );
    let e = a.earliest_expiry.as_ref().unwrap();
    assert_eq!((e.index, e.subject.as_str()), (0, "CN=www.example.test"));
    // No staple, but the leaf names an OCSP responder.
    assert!(!a.ocsp_stapled && a.ocsp_status.is_none());
    assert!(has(&a, "ocsp.not_stapled"));
    assert_eq!(a.sct_count, 0);

    // Later on the leaf is about to expire.
    let stores = lab.trusting(&["root"]);
    let a = run(&chain, None, None, days_from_now(10), &stores);
    let f = finding(&a, "cert.expiring_soon");
    assert_eq!(f.severity, Severity::Medium);
    assert!(
        f.message
            .starts_with("the server's certificate (CN=www.example.test) expires on"),
        "{}",
        f.message
    );
    let a = run(&chain, None, None, days_from_now(27), &stores);
    assert_eq!(finding(&a, "cert.expiring_soon").severity, Severity::High);
    assert!(a.trusted, "still valid");
}

#[test]
fn host_names_follow_rfc_6125() {
    let lab = Lab::standard();
    let chain = lab.chain(&["leaf", "int"]);
    let stores = lab.trusting(&["root"]);
    for (host, expected) in [
        ("www.example.test", true),
        ("WWW.Example.TEST.", true),
        ("a.wild.example.test", true),
        ("a.b.wild.example.test", false),
        ("wild.example.test", false),
        ("example.test", false),
        ("127.0.0.1", true),
        ("127.0.0.2", false),
        ("::1", false),
    ] {
        let a = run(&chain, Some(host), None, now(), &stores);
        assert_eq!(a.hostname_match, Some(expected), "{host}");
        assert_eq!(has(&a, "cert.hostname_mismatch"), !expected, "{host}");
        // Trust does not depend on the name.
        assert!(store(&a, "custom").trusted);
    }
    let a = run(&chain, Some("a.b.wild.example.test"), None, now(), &stores);
    let msg = &finding(&a, "cert.hostname_mismatch").message;
    assert!(msg.contains("DNS:*.wild.example.test"), "{msg}");
    assert!(msg.contains("exactly one label"), "{msg}");
    let a = run(&chain, None, None, now(), &stores);
    assert_eq!(a.hostname_match, None);
}

#[test]
fn wrong_order_extra_and_duplicate_certificates() {
    let lab = Lab::standard();
    lab.self_signed("other", "Unrelated Root", "ec", "-sha256", CA_EXT);
    let stores = lab.trusting(&["root"]);

    // Root before the intermediate: still verifiable (clients reorder), but reported.
    let a = run(
        &lab.chain(&["leaf", "root", "int"]),
        None,
        None,
        now(),
        &stores,
    );
    assert!(!a.order_ok);
    assert_eq!(a.order_problems.len(), 1, "{:?}", a.order_problems);
    assert!(
        a.order_problems[0]
            .contains("#1 CN=www.example.test → #3 CN=Test Intermediate → #2 CN=Test Root"),
        "{:?}",
        a.order_problems
    );
    assert!(a.contains_root);
    assert!(store(&a, "custom").trusted);
    assert!(has(&a, "cert.chain_order") && has(&a, "cert.root_sent"));

    // An unrelated certificate and a duplicate.
    let a = run(
        &lab.chain(&["leaf", "int", "other", "int"]),
        None,
        None,
        now(),
        &stores,
    );
    assert!(!a.order_ok);
    let text = a.order_problems.join("\n");
    assert!(
        text.contains("#3 CN=Unrelated Root is not part of the leaf's chain"),
        "{text}"
    );
    assert!(
        text.contains("#4 CN=Test Intermediate is a duplicate of #2"),
        "{text}"
    );
    assert!(!a.contains_root);
    assert!(store(&a, "custom").trusted);
}

#[test]
fn missing_intermediate_names_the_ca_issuers_url() {
    let lab = Lab::standard();
    let a = run(
        &lab.chain(&["leaf"]),
        Some("www.example.test"),
        None,
        now(),
        &lab.trusting(&["root"]),
    );
    assert!(a.missing_intermediate);
    let detail = a.missing_intermediate_detail.as_deref().unwrap();
    assert!(detail.contains("CN=Test Intermediate"), "{detail}");
    assert!(
        detail.contains("http://ca.example.test/int.crt"),
        "{detail}"
    );
    let custom = store(&a, "custom");
    assert!(!custom.trusted);
    assert_eq!(
        custom.error.as_deref(),
        Some("not issued by a CA given with --ca")
    );
    assert!(!a.trusted);
    assert_eq!(
        finding(&a, "cert.missing_intermediate").severity,
        Severity::High
    );
    assert!(has(&a, "cert.untrusted"));
    // A single certificate in the right place is in order.
    assert!(a.order_ok);

    // The intermediate being a trust anchor itself is enough: nothing is missing.
    let a = run(
        &lab.chain(&["leaf"]),
        None,
        None,
        now(),
        &lab.trusting(&["int"]),
    );
    assert!(!a.missing_intermediate);
    assert!(store(&a, "custom").trusted);
}

#[test]
fn root_sent_along_is_noted() {
    let lab = Lab::standard();
    let a = run(
        &lab.chain(&["leaf", "int", "root"]),
        None,
        None,
        now(),
        &lab.trusting(&["root"]),
    );
    assert!(a.contains_root && a.order_ok && !a.missing_intermediate);
    assert_eq!(finding(&a, "cert.root_sent").severity, Severity::Info);
    // Sending the root does not make a chain trusted.
    let a = run(
        &lab.chain(&["leaf", "int", "root"]),
        None,
        None,
        now(),
        &TrustStores::from_certs(&[], &[]),
    );
    assert!(!a.trusted && !a.missing_intermediate);
    assert!(has(&a, "cert.untrusted"));
}

#[test]
fn self_signed_leaf() {
    let lab = Lab::new();
    lab.self_signed(
        "self",
        "self.example.test",
        "ec",
        "-sha256",
        "basicConstraints=CA:FALSE\nsubjectAltName=DNS:self.example.test\n",
    );
    let a = run(
        &lab.chain(&["self"]),
        Some("self.example.test"),
        None,
        now(),
        &TrustStores::from_certs(&[], &[]),
    );
    assert!(a.self_signed_leaf);
    assert!(!a.missing_intermediate && !a.contains_root);
    assert!(!a.trusted);
    assert_eq!(a.hostname_match, Some(true));
    assert_eq!(finding(&a, "cert.self_signed").severity, Severity::High);
    assert!(has(&a, "cert.untrusted"));
}

// ---------------------------------------------------------------------------------------------
// Weak algorithms.

#[test]
fn sha1_signed_intermediate_is_rejected_as_legacy_not_untrusted() {
    let lab = Lab::new();
    lab.self_signed("root", "Test Root", "rsa:2048", "-sha256", CA_EXT);
    lab.issue(
        "int",
        "Test Intermediate",
        "root",
        "rsa:2048",
        "-sha1",
        "1000",
        CA_EXT,
    );
    lab.issue(
        "leaf",
        "www.example.test",
        "int",
        "ec",
        "-sha256",
        "300",
        LEAF_EXT,
    );
    let a = run(
        &lab.chain(&["leaf", "int"]),
        Some("www.example.test"),
        None,
        now(),
        &lab.trusting(&["root"]),
    );
    assert_eq!(
        a.weak_signatures,
        vec!["CN=Test Intermediate is signed with sha1WithRSAEncryption (SHA-1), rejected by modern clients"]
    );
    let custom = store(&a, "custom");
    assert!(!custom.trusted);
    assert!(custom.legacy_only, "{custom:?}");
    let err = custom.error.as_deref().unwrap();
    assert!(
        err.contains("SHA-1") && err.contains("modern clients reject it"),
        "{err}"
    );
    assert!(err.contains("CN=Test Root"), "{err}");
    assert_eq!(custom.path.last().map(String::as_str), Some("CN=Test Root"));
    assert!(
        has(&a, "cert.untrusted_legacy") && !has(&a, "cert.untrusted"),
        "{:?}",
        ids(&a)
    );
    assert_eq!(finding(&a, "cert.weak_signature").severity, Severity::High);
    // The chain itself is complete and in order.
    assert!(a.order_ok && !a.missing_intermediate);
}

#[test]
fn sha1_self_signature_of_a_root_is_ignored() {
    let lab = Lab::new();
    lab.self_signed("root", "Old Root", "rsa:2048", "-sha1", CA_EXT);
    lab.issue(
        "leaf",
        "www.example.test",
        "root",
        "ec",
        "-sha256",
        "300",
        LEAF_EXT,
    );
    let stores = lab.trusting(&["root"]);
    let a = run(&lab.chain(&["leaf", "root"]), None, None, now(), &stores);
    assert!(a.weak_signatures.is_empty(), "{:?}", a.weak_signatures);
    assert!(store(&a, "custom").trusted);
    assert!(a.contains_root);
}

#[test]
fn md5_signed_leaf_is_critical() {
    let lab = Lab::new();
    lab.self_signed("root", "Test Root", "rsa:2048", "-sha256", CA_EXT);
    lab.issue(
        "leaf",
        "www.example.test",
        "root",
        "rsa:2048",
        "-md5",
        "300",
        LEAF_EXT,
    );
    let a = run(
        &lab.chain(&["leaf"]),
        None,
        None,
        now(),
        &lab.trusting(&["root"]),
    );
    assert_eq!(a.weak_signatures.len(), 1, "{:?}", a.weak_signatures);
    assert!(a.weak_signatures[0].contains("md5WithRSAEncryption (MD5)"));
    assert_eq!(
        finding(&a, "cert.weak_signature").severity,
        Severity::Critical
    );
    assert!(!a.trusted);
    // MD5 cannot be checked even in the legacy pass, but the issuer is found by name and key id.
    assert!(!a.missing_intermediate);
}

#[test]
fn rsa_1024_keys_are_weak() {
    let lab = Lab::new();
    lab.self_signed("root", "Test Root", "rsa:2048", "-sha256", CA_EXT);
    lab.issue(
        "int",
        "Small Intermediate",
        "root",
        "rsa:1024",
        "-sha256",
        "1000",
        CA_EXT,
    );
    lab.issue(
        "leaf",
        "www.example.test",
        "int",
        "rsa:1024",
        "-sha256",
        "300",
        LEAF_EXT,
    );
    let a = run(
        &lab.chain(&["leaf", "int"]),
        None,
        None,
        now(),
        &lab.trusting(&["root"]),
    );
    assert_eq!(
        a.weak_keys,
        vec![
            "CN=www.example.test has a 1024-bit RSA key (at least 2048 bits needed)",
            "CN=Small Intermediate has a 1024-bit RSA key (at least 2048 bits needed)",
        ]
    );
    // The intermediate's 1024-bit key cannot verify the leaf's signature for modern clients.
    let custom = store(&a, "custom");
    assert!(!custom.trusted && custom.legacy_only, "{custom:?}");
    assert!(
        custom
            .error
            .as_deref()
            .unwrap()
            .contains("1024-bit RSA key"),
        "{custom:?}"
    );
    assert_eq!(finding(&a, "cert.weak_key").severity, Severity::High);
    assert_eq!(a.certificates[0].key_bits, 1024);
}

#[test]
fn leaf_without_server_auth_is_refused() {
    let lab = Lab::standard();
    lab.issue(
        "client",
        "client.example.test",
        "int",
        "ec",
        "-sha256",
        "300",
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:client.example.test\n",
    );
    let a = run(
        &lab.chain(&["client", "int"]),
        None,
        None,
        now(),
        &lab.trusting(&["root"]),
    );
    let custom = store(&a, "custom");
    assert!(!custom.trusted);
    assert!(
        custom.error.as_deref().unwrap().contains("serverAuth"),
        "{custom:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Validity.

#[test]
fn expired_and_not_yet_valid_leaf() {
    let lab = Lab::standard();
    let chain = lab.chain(&["leaf", "int"]);
    let stores = lab.trusting(&["root"]);

    let a = run(&chain, None, None, days_from_now(60), &stores);
    assert!(a.leaf_expired && !a.leaf_not_yet_valid);
    assert!(
        (-31..=-29).contains(&a.leaf_days_left),
        "{}",
        a.leaf_days_left
    );
    let f = finding(&a, "cert.expired");
    assert_eq!(f.severity, Severity::Critical);
    assert!(
        f.message.contains("expired on") && f.message.contains("days ago"),
        "{}",
        f.message
    );
    let custom = store(&a, "custom");
    assert!(!custom.trusted);
    let err = custom.error.as_deref().unwrap();
    assert!(err.contains("CN=www.example.test expired on"), "{err}");
    assert!(
        err.contains("apart from that the chain leads to CN=Test Root"),
        "{err}"
    );

    let a = run(&chain, None, None, days_from_now(-10), &stores);
    assert!(a.leaf_not_yet_valid && !a.leaf_expired);
    assert!(has(&a, "cert.not_yet_valid"));
    // The intermediate was made at the same time: also not yet valid.
    assert!(has(&a, "cert.chain_not_yet_valid"));
    assert!(!store(&a, "custom").trusted);
}

#[test]
fn expired_intermediate_is_reported_separately() {
    let lab = Lab::new();
    lab.self_signed("root", "Test Root", "rsa:2048", "-sha256", CA_EXT);
    lab.issue(
        "int",
        "Short Intermediate",
        "root",
        "rsa:2048",
        "-sha256",
        "10",
        CA_EXT,
    );
    lab.issue(
        "leaf",
        "www.example.test",
        "int",
        "ec",
        "-sha256",
        "300",
        LEAF_EXT,
    );
    let a = run(
        &lab.chain(&["leaf", "int"]),
        None,
        None,
        days_from_now(20),
        &lab.trusting(&["root"]),
    );
    assert!(!a.leaf_expired);
    let f = finding(&a, "cert.chain_expired");
    assert!(
        f.message
            .contains("chain certificate #2 (CN=Short Intermediate)"),
        "{}",
        f.message
    );
    assert_eq!(a.earliest_expiry.as_ref().unwrap().index, 1);
    assert!(!a.trusted);
}

// ---------------------------------------------------------------------------------------------
// Must-staple and OCSP.

fn must_staple_lab() -> Lab {
    let lab = Lab::new();
    lab.self_signed("root", "Test Root", "rsa:2048", "-sha256", CA_EXT);
    lab.issue(
        "int",
        "Test Intermediate",
        "root",
        "rsa:2048",
        "-sha256",
        "1000",
        CA_EXT,
    );
    lab.issue(
        "leaf",
        "www.example.test",
        "int",
        "ec",
        "-sha256",
        "300",
        &format!("{LEAF_EXT}tlsfeature=status_request\n"),
    );
    lab
}

#[test]
fn must_staple_without_a_staple_is_a_violation() {
    let lab = must_staple_lab();
    let a = run(
        &lab.chain(&["leaf", "int"]),
        None,
        None,
        now(),
        &lab.trusting(&["root"]),
    );
    assert!(a.must_staple && !a.ocsp_stapled && a.must_staple_violated);
    assert_eq!(
        finding(&a, "cert.must_staple_violated").severity,
        Severity::High
    );
    assert!(a.certificates[0].must_staple);
}

#[test]
fn good_ocsp_staple_from_openssl() {
    let lab = must_staple_lab();
    let resp = lab.ocsp("leaf", "int", "int", "V", "7");
    let a = run(
        &lab.chain(&["leaf", "int"]),
        None,
        Some(&resp),
        now(),
        &lab.trusting(&["root"]),
    );
    assert!(a.ocsp_stapled);
    assert_eq!(a.ocsp_status.as_deref(), Some("good"));
    let o = a.ocsp.as_ref().unwrap();
    assert_eq!(o.response_status, "successful");
    assert!(o.matches_leaf, "{o:?}");
    assert_eq!(o.signature_valid, Some(true));
    assert_eq!(o.signed_by.as_deref(), Some("issuer"));
    assert_eq!(o.responses, 1);
    assert!(o.produced_at.as_deref().unwrap().ends_with('Z'));
    assert!(o.next_update.is_some() && o.this_update.is_some());
    assert!(!a.must_staple_violated, "{:#?}", a.findings);
    assert!(
        !ids(&a).iter().any(|i| i.starts_with("ocsp.")),
        "{:?}",
        ids(&a)
    );

    // Eight days later the response is stale: Firefox would refuse a must-staple certificate.
    let a = run(
        &lab.chain(&["leaf", "int"]),
        None,
        Some(&resp),
        days_from_now(8),
        &lab.trusting(&["root"]),
    );
    assert!(has(&a, "ocsp.stale") && a.must_staple_violated);
}

#[test]
fn revoked_ocsp_staple() {
    let lab = must_staple_lab();
    let resp = lab.ocsp("leaf", "int", "int", "R", "7");
    let a = run(
        &lab.chain(&["leaf", "int"]),
        None,
        Some(&resp),
        now(),
        &lab.trusting(&["root"]),
    );
    assert_eq!(a.ocsp_status.as_deref(), Some("revoked"));
    let o = a.ocsp.as_ref().unwrap();
    assert_eq!(o.revocation_time.as_deref(), Some("2025-01-01T00:00:00Z"));
    assert_eq!(
        o.revocation_reason.map(|r| r.to_string()).as_deref(),
        Some("keyCompromise")
    );
    let f = finding(&a, "cert.revoked");
    assert_eq!(f.severity, Severity::Critical);
    assert!(
        f.message
            .contains("REVOKED since 2025-01-01T00:00:00Z (keyCompromise)"),
        "{}",
        f.message
    );
    assert!(a.must_staple_violated);
    assert_eq!(a.findings[0].severity, Severity::Critical);
}

#[test]
fn ocsp_signed_by_a_delegated_responder() {
    let lab = must_staple_lab();
    lab.issue(
        "responder",
        "Test OCSP Responder",
        "int",
        "ec",
        "-sha256",
        "300",
        "basicConstraints=CA:FALSE\nextendedKeyUsage=OCSPSigning\n",
    );
    let resp = lab.ocsp("leaf", "int", "responder", "V", "7");
    let a = run(
        &lab.chain(&["leaf", "int"]),
        None,
        Some(&resp),
        now(),
        &lab.trusting(&["root"]),
    );
    let o = a.ocsp.as_ref().unwrap();
    assert_eq!(o.signature_valid, Some(true), "{o:?}");
    assert_eq!(
        o.signed_by.as_deref(),
        Some("delegated responder CN=Test OCSP Responder")
    );
    assert!(!a.must_staple_violated);
}

#[test]
fn ocsp_signed_by_someone_else_or_about_another_certificate() {
    let lab = must_staple_lab();
    // The root signs a response about the intermediate's leaf: not the issuer, not delegated.
    let resp = lab.ocsp("leaf", "int", "root", "V", "7");
    let a = run(
        &lab.chain(&["leaf", "int"]),
        None,
        Some(&resp),
        now(),
        &lab.trusting(&["root"]),
    );
    assert_eq!(a.ocsp.as_ref().unwrap().signature_valid, Some(false));
    assert!(has(&a, "ocsp.bad_signature"));
    assert!(a.must_staple_violated);

    // A response about a different certificate says nothing about this one.
    lab.issue(
        "other",
        "other.example.test",
        "int",
        "ec",
        "-sha256",
        "300",
        LEAF_EXT,
    );
    let resp = lab.ocsp("other", "int", "int", "V", "7");
    let a = run(
        &lab.chain(&["leaf", "int"]),
        None,
        Some(&resp),
        now(),
        &lab.trusting(&["root"]),
    );
    let o = a.ocsp.as_ref().unwrap();
    assert!(!o.matches_leaf);
    assert_eq!(o.cert_status, None);
    assert!(has(&a, "ocsp.wrong_certificate"));
    assert!(a.must_staple_violated);
}

#[test]
fn unsuccessful_and_garbage_ocsp_responses() {
    let lab = Lab::standard();
    let chain = lab.chain(&["leaf", "int"]);
    let stores = lab.trusting(&["root"]);
    // OCSPResponse { responseStatus tryLater(3) }
    let a = run(
        &chain,
        None,
        Some(&[0x30, 0x03, 0x0a, 0x01, 0x03]),
        now(),
        &stores,
    );
    assert_eq!(a.ocsp_status.as_deref(), Some("unsuccessful"));
    assert_eq!(a.ocsp.as_ref().unwrap().response_status, "tryLater");
    assert!(has(&a, "ocsp.unsuccessful"));
    let a = run(&chain, None, Some(b"not der at all"), now(), &stores);
    assert_eq!(a.ocsp_status.as_deref(), Some("unparsable"));
    assert!(has(&a, "ocsp.unparsable"));
    // An empty staple counts as none.
    let a = run(&chain, None, Some(&[]), now(), &stores);
    assert!(!a.ocsp_stapled);
}

// ---------------------------------------------------------------------------------------------
// Chains made by tlskit's own CA.

fn tlskit_ca(dir: &Path) -> tlskit::pki::ca::Ca {
    let created =
        tlskit::pki::ca::create_ca(&dir.join("ca"), &tlskit::pki::ca::CaOptions::new()).unwrap();
    tlskit::pki::ca::Ca::load(&created.directory, None).unwrap()
}

fn tlskit_issue(
    ca: &tlskit::pki::ca::Ca,
    names: &[&str],
    validity: tlskit::pki::ca::Validity,
) -> CertificateDer<'static> {
    ca.issue(&tlskit::pki::ca::IssueRequest {
        names: names.iter().map(|s| s.to_string()).collect(),
        common_name: None,
        server: true,
        client: false,
        key_type: None,
        validity,
    })
    .unwrap()
    .cert
}

#[test]
fn tlskit_ca_chain_with_ip_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let ca = tlskit_ca(dir.path());
    let t = time::OffsetDateTime::now_utc();
    let valid = tlskit::pki::ca::Validity {
        not_before: t - time::Duration::days(1),
        not_after: t + time::Duration::days(90),
    };
    let leaf = tlskit_issue(&ca, &["localhost", "127.0.0.1", "::1"], valid);
    let chain = vec![leaf];
    let stores = TrustStores::from_certs(&[], &[ca.cert_der().clone()]);

    for (host, ok) in [
        ("localhost", true),
        ("127.0.0.1", true),
        ("[::1]", true),
        ("127.0.0.2", false),
    ] {
        let a = run(&chain, Some(host), None, now(), &stores);
        assert_eq!(a.hostname_match, Some(ok), "{host}");
        assert!(store(&a, "custom").trusted);
        assert!(!a.missing_intermediate);
        assert_eq!(a.certificates[0].key_type, "ECDSA");
    }

    // Without the CA: the issuer is unknown, which reads as a missing intermediate or private CA.
    let a = run(
        &chain,
        Some("localhost"),
        None,
        now(),
        &TrustStores::from_certs(&[], &[]),
    );
    assert!(!a.trusted && a.missing_intermediate);
    assert!(
        a.missing_intermediate_detail
            .as_deref()
            .unwrap()
            .contains("pass its certificate with --ca"),
        "{:?}",
        a.missing_intermediate_detail
    );

    // An expired certificate from the same CA (labs need those).
    let past = tlskit::pki::ca::Validity {
        not_before: t - time::Duration::days(40),
        not_after: t - time::Duration::days(10),
    };
    let old = vec![tlskit_issue(&ca, &["localhost"], past)];
    let a = run(&old, Some("localhost"), None, now(), &stores);
    assert!(a.leaf_expired);
    assert!(
        (-11..=-10).contains(&a.leaf_days_left),
        "{}",
        a.leaf_days_left
    );
    assert!(has(&a, "cert.expired"));
    let err = store(&a, "custom").error.clone().unwrap();
    assert!(
        err.contains("expired on") && err.contains("apart from that"),
        "{err}"
    );

    assert!(same_chain(&chain, &chain.clone()));
    assert!(!same_chain(&chain, &old));
}

#[test]
fn analysis_serialises_to_the_documented_json() {
    let lab = Lab::standard();
    let a = run(
        &lab.chain(&["leaf", "int"]),
        Some("www.example.test"),
        None,
        now(),
        &lab.trusting(&["root"]),
    );
    let v = serde_json::to_value(&a).unwrap();
    for key in [
        "certificates",
        "trust",
        "order_ok",
        "order_problems",
        "missing_intermediate",
        "contains_root",
        "self_signed_leaf",
        "leaf_expired",
        "leaf_not_yet_valid",
        "leaf_days_left",
        "earliest_expiry",
        "hostname",
        "hostname_match",
        "weak_signatures",
        "weak_keys",
        "must_staple",
        "ocsp_stapled",
        "ocsp_status",
        "must_staple_violated",
        "sct_count",
        "findings",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["trust"][0]["store"], "mozilla");
    assert_eq!(v["trust"][6]["store"], "custom");
    assert_eq!(v["trust"][6]["trusted"], true);
    assert!(v["findings"][0]["severity"].is_string());
    assert_eq!(v["certificates"][1]["subject"], "CN=Test Intermediate");
}

// ---------------------------------------------------------------------------------------------
// Loading the stores.

#[test]
fn stores_load_from_ca_paths_and_ssl_cert_file() {
    let lab = Lab::standard();
    let chain = lab.chain(&["leaf", "int"]);

    let stores = TrustStores::load(&[lab.path("root.crt")]).unwrap();
    assert!(
        stores.mozilla.anchors.len() > 100,
        "the Mozilla set is built in"
    );
    assert_eq!(stores.custom.as_ref().unwrap().anchors.len(), 1);
    let a = run(&chain, None, None, now(), &stores);
    assert!(store(&a, "custom").trusted);

    // A file without certificates is refused with a sentence.
    lab.write("empty.pem", "nothing here\n");
    let err = TrustStores::load(&[lab.path("empty.pem")]).unwrap_err();
    assert!(err.to_string().contains("empty.pem"), "{err}");
    let err = TrustStores::load(&[lab.path("missing.pem")]).unwrap_err();
    assert!(err.to_string().contains("missing.pem"), "{err}");

    // The system store honours SSL_CERT_FILE (rustls-native-certs). Only this test touches it.
    let saved: Vec<_> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .map(|v| (*v, std::env::var_os(v)))
        .collect();
    std::env::remove_var("SSL_CERT_DIR");
    std::env::set_var("SSL_CERT_FILE", lab.path("root.crt"));
    let stores = TrustStores::load(&[]);
    for (var, value) in saved {
        match value {
            Some(v) => std::env::set_var(var, v),
            None => std::env::remove_var(var),
        }
    }
    let stores = stores.unwrap();
    assert!(stores.custom.is_none());
    assert_eq!(
        stores.system.anchors.len(),
        1,
        "{}",
        stores.system.description
    );
    assert!(stores.system.description.contains("SSL_CERT_FILE="));
    let a = run(&chain, None, None, now(), &stores);
    assert!(store(&a, "system").trusted, "{:?}", a.trust);
    assert_eq!(a.trust.len(), 6, "five built-in stores and the system one");
}
