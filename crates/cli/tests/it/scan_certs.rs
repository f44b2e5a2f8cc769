//! `tlskit scan`'s certificate findings against real servers (`openssl s_server`) configured to show
//! each problem — and its absence: expired, not yet valid, wrong host, self-signed, untrusted root,
//! incomplete chain, SHA-1 signed, RSA-1024, OCSP staple.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Certificates made with the openssl command, for what tlskit's own CA will not issue.
struct Lab {
    dir: tempfile::TempDir,
}

const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n";
const LEAF_EXT: &str = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n";

impl Lab {
    fn new() -> Lab {
        openssl();
        Lab {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, n: &str) -> PathBuf {
        self.dir.path().join(n)
    }
    fn openssl(&self, args: &[&str]) {
        let r = run_cmd(
            Command::new(openssl())
                .args(args)
                .current_dir(self.dir.path()),
            Duration::from_secs(60),
        );
        assert_eq!(r.code, 0, "openssl {args:?}: {}", r.stderr);
    }
    fn root(&self, name: &str, hash: &str) {
        std::fs::write(
            self.path("ca.cnf"),
            format!("[req]\ndistinguished_name=dn\n[dn]\n[v3]\n{CA_EXT}"),
        )
        .unwrap();
        self.openssl(&[
            "req",
            "-x509",
            "-nodes",
            "-days",
            "3650",
            hash,
            "-newkey",
            "rsa:2048",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
            "-subj",
            &format!("/CN={name}"),
            "-config",
            "ca.cnf",
            "-extensions",
            "v3",
        ]);
    }
    fn issue(&self, name: &str, issuer: &str, key: &str, hash: &str, ext: &str) {
        self.openssl(&[
            "req",
            "-new",
            "-nodes",
            "-newkey",
            key,
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ]);
        std::fs::write(self.path(&format!("{name}.ext")), ext).unwrap();
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{issuer}.crt"),
            "-CAkey",
            &format!("{issuer}.key"),
            "-CAcreateserial",
            "-out",
            &format!("{name}.crt"),
            "-days",
            "30",
            hash,
            "-extfile",
            &format!("{name}.ext"),
        ]);
    }
}

fn scan(port: u16, extra: &[&str]) -> Value {
    let target = format!("localhost:{port}");
    scan_json_exit(&[extra, &[target.as_str()]].concat(), &[0, 1])
}

fn finding_ids(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

fn cert_findings(v: &Value) -> Vec<String> {
    finding_ids(v)
        .into_iter()
        .filter(|i| i.starts_with("cert."))
        .collect()
}

fn custom_trusted(v: &Value) -> bool {
    v["certificates"][0]["analysis"]["trust"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["store"] == "custom" && t["trusted"] == true)
}

#[test]
fn a_good_chain_trusted_through_ca_has_no_certificate_findings() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost", "127.0.0.1"], &[]);
    let Listening { peer: _s, port } = openssl_s_server(&crt, &key, &[]);
    let v = scan(port, &["--ca", p(&pki.ca_cert())]);
    assert!(custom_trusted(&v), "{}", v["certificates"][0]["analysis"]);
    let bad: Vec<String> = cert_findings(&v)
        .into_iter()
        .filter(|i| i != "cert.private_ca" && i != "cert.no_embedded_sct")
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(v["certificates"][0]["analysis"]["hostname_match"], true);
}

#[test]
fn untrusted_root_without_ca() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let Listening { peer: _s, port } = openssl_s_server(&crt, &key, &[]);
    let v = scan(port, &[]);
    let ids = cert_findings(&v);
    assert!(
        ids.iter()
            .any(|i| i == "cert.untrusted" || i == "cert.missing_intermediate"),
        "{ids:?}"
    );
    assert!(!custom_trusted(&v));
}

#[test]
fn expired_and_not_yet_valid() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue(
        "old",
        &["localhost"],
        &["--not-before", "2020-01-01", "--days", "30"],
    );
    let Listening { peer: _s, port } = openssl_s_server(&crt, &key, &[]);
    let ids = cert_findings(&scan(port, &["--ca", p(&pki.ca_cert())]));
    assert!(ids.contains(&"cert.expired".to_string()), "{ids:?}");
    let (crt, key) = pki.issue(
        "future",
        &["localhost"],
        &["--not-before", "2099-01-01", "--days", "30"],
    );
    let Listening { peer: _s, port } = openssl_s_server(&crt, &key, &[]);
    let ids = cert_findings(&scan(port, &["--ca", p(&pki.ca_cert())]));
    assert!(ids.contains(&"cert.not_yet_valid".to_string()), "{ids:?}");
    assert!(!ids.contains(&"cert.expired".to_string()), "{ids:?}");
}

#[test]
fn wrong_host() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("other", &["other.example.test"], &[]);
    let Listening { peer: _s, port } = openssl_s_server(&crt, &key, &[]);
    let v = scan(port, &["--ca", p(&pki.ca_cert())]);
    assert!(
        cert_findings(&v).contains(&"cert.hostname_mismatch".to_string()),
        "{:?}",
        finding_ids(&v)
    );
    assert_eq!(v["certificates"][0]["analysis"]["hostname_match"], false);
}

#[test]
fn self_signed_leaf() {
    let lab = Lab::new();
    std::fs::write(
        lab.path("ss.cnf"),
        format!("[req]\ndistinguished_name=dn\n[dn]\n[v3]\n{LEAF_EXT}"),
    )
    .unwrap();
    lab.openssl(&[
        "req",
        "-x509",
        "-nodes",
        "-days",
        "30",
        "-newkey",
        "rsa:2048",
        "-keyout",
        "ss.key",
        "-out",
        "ss.crt",
        "-subj",
        "/CN=localhost",
        "-config",
        "ss.cnf",
        "-extensions",
        "v3",
    ]);
    let Listening { peer: _s, port } =
        openssl_s_server(&lab.path("ss.crt"), &lab.path("ss.key"), &[]);
    let ids = cert_findings(&scan(port, &[]));
    assert!(ids.contains(&"cert.self_signed".to_string()), "{ids:?}");
}

#[test]
fn incomplete_chain_and_the_complete_one() {
    let lab = Lab::new();
    lab.root("root", "-sha256");
    lab.issue(
        "int",
        "root",
        "rsa:2048",
        "-sha256",
        &format!("{CA_EXT}authorityKeyIdentifier=keyid\n"),
    );
    lab.issue("localhost", "int", "rsa:2048", "-sha256", LEAF_EXT);
    // The server sends only its own certificate.
    let Listening { peer: _s, port } =
        openssl_s_server(&lab.path("localhost.crt"), &lab.path("localhost.key"), &[]);
    let v = scan(port, &["--ca", p(&lab.path("root.crt"))]);
    assert!(
        cert_findings(&v).contains(&"cert.missing_intermediate".to_string()),
        "{:?}",
        finding_ids(&v)
    );
    // With the intermediate sent, the chain verifies.
    let Listening {
        peer: _s2,
        port: port2,
    } = openssl_s_server(
        &lab.path("localhost.crt"),
        &lab.path("localhost.key"),
        &["-cert_chain", p(&lab.path("int.crt"))],
    );
    let v = scan(port2, &["--ca", p(&lab.path("root.crt"))]);
    assert!(
        !cert_findings(&v).contains(&"cert.missing_intermediate".to_string()),
        "{:?}",
        finding_ids(&v)
    );
    assert!(custom_trusted(&v), "{}", v["certificates"][0]["analysis"]);
}

#[test]
fn sha1_signed_and_rsa_1024() {
    let lab = Lab::new();
    lab.root("root", "-sha256");
    lab.issue("localhost", "root", "rsa:2048", "-sha1", LEAF_EXT);
    let Listening { peer: _s, port } = openssl_s_server(
        &lab.path("localhost.crt"),
        &lab.path("localhost.key"),
        &["-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let ids = cert_findings(&scan(port, &["--ca", p(&lab.path("root.crt"))]));
    assert!(
        ids.iter()
            .any(|i| i == "cert.weak_signature" || i == "cert.untrusted_legacy"),
        "{ids:?}"
    );
    let lab2 = Lab::new();
    lab2.root("root", "-sha256");
    lab2.issue("localhost", "root", "rsa:1024", "-sha256", LEAF_EXT);
    let Listening {
        peer: _s2,
        port: port2,
    } = openssl_s_server(
        &lab2.path("localhost.crt"),
        &lab2.path("localhost.key"),
        &["-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let v = scan(port2, &["--ca", p(&lab2.path("root.crt"))]);
    assert!(
        cert_findings(&v).contains(&"cert.weak_key".to_string()),
        "{:?}",
        finding_ids(&v)
    );
    assert_eq!(v["certificates"][0]["key_type"], "RSA 1024");
}
