//! `tlskit cert`: the lab CA, `show` and `rehash`, checked against the real openssl.

use crate::common::{
    free_port, require_tool, run, run_cmd, run_with_closed_stdout, Peer, Pki, Run,
};
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const KEY_TYPES: [&str; 5] = ["ecdsa-p256", "ecdsa-p384", "rsa2048", "rsa3072", "ed25519"];

fn openssl(args: &[&str]) -> Run {
    let bin = require_tool("openssl", "openssl");
    run_cmd(Command::new(bin).args(args), Duration::from_secs(60))
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn x509_text(path: &Path) -> String {
    openssl(&["x509", "-in", p(path), "-noout", "-text"])
        .ok()
        .stdout
        .clone()
}

/// Every entry in a directory, hidden ones included (to prove nothing was left behind).
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The line after `header` in `openssl x509 -text` output, trimmed.
fn line_after(text: &str, header: &str) -> String {
    let mut lines = text.lines();
    #[allow(clippy::while_let_on_iterator)]
    while let Some(l) = lines.next() {
        if l.contains(header) {
            return lines.next().unwrap_or_default().trim().to_string();
        }
    }
    panic!("{header:?} not found in:\n{text}");
}

fn show_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["cert", "show", "--json"];
    all.extend_from_slice(args);
    run(&all).ok().json()
}

// ---------------------------------------------------------------------------------------------
// cert ca + cert issue

#[test]
fn every_key_type_issues_certificates_openssl_verifies() {
    for kt in KEY_TYPES {
        let pki = Pki::new(kt);
        let ca_text = x509_text(&pki.ca_cert());
        assert!(
            ca_text.contains("Version: 3"),
            "{kt}: CA not v3:\n{ca_text}"
        );
        assert!(
            ca_text.contains("X509v3 Basic Constraints: critical"),
            "{kt}:\n{ca_text}"
        );
        assert_eq!(
            line_after(&ca_text, "X509v3 Basic Constraints"),
            "CA:TRUE",
            "{kt}"
        );
        assert!(
            ca_text.contains("X509v3 Key Usage: critical"),
            "{kt}:\n{ca_text}"
        );
        assert_eq!(
            line_after(&ca_text, "X509v3 Key Usage"),
            "Certificate Sign, CRL Sign",
            "{kt}"
        );
        let ca_ski = line_after(&ca_text, "X509v3 Subject Key Identifier");
        assert!(!ca_ski.is_empty());
        assert_eq!(
            mode(&pki.ca_dir().join("ca.key")),
            0o600,
            "{kt}: ca.key mode"
        );
        assert_eq!(mode(&pki.ca_dir()), 0o700, "{kt}: CA directory mode");

        let (crt, key) = pki.issue("leaf", &["localhost", "127.0.0.1", "::1"], &[]);
        assert_eq!(mode(&key), 0o600, "{kt}: key mode");
        assert_eq!(mode(&crt), 0o644, "{kt}: certificate mode");
        let v = openssl(&["verify", "-CAfile", p(&pki.ca_cert()), p(&crt)]);
        assert!(
            v.code == 0 && v.stdout.contains(": OK"),
            "{kt}: openssl verify failed: {v:?}"
        );
        let v = openssl(&[
            "verify",
            "-purpose",
            "sslserver",
            "-CAfile",
            p(&pki.ca_cert()),
            p(&crt),
        ]);
        assert_eq!(v.code, 0, "{kt}: not a valid TLS server certificate: {v:?}");

        let text = x509_text(&crt);
        assert!(text.contains("Version: 3"), "{kt}:\n{text}");
        let san = line_after(&text, "X509v3 Subject Alternative Name");
        assert_eq!(
            san, "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1",
            "{kt}"
        );
        assert_eq!(
            line_after(&text, "X509v3 Extended Key Usage"),
            "TLS Web Server Authentication",
            "{kt}"
        );
        assert_eq!(
            line_after(&text, "X509v3 Basic Constraints"),
            "CA:FALSE",
            "{kt}"
        );
        assert!(
            text.contains("X509v3 Subject Key Identifier"),
            "{kt}: no SKI"
        );
        assert!(
            line_after(&text, "X509v3 Authority Key Identifier").contains(&ca_ski),
            "{kt}: AKI does not name the CA's key:\n{text}"
        );
        let ku = line_after(&text, "X509v3 Key Usage");
        if kt.starts_with("rsa") {
            assert_eq!(ku, "Digital Signature, Key Encipherment", "{kt}");
        } else {
            assert_eq!(ku, "Digital Signature", "{kt}");
        }
        // The leaf key has the CA's type by default.
        let expect = match kt {
            "ecdsa-p256" => "Public-Key: (256 bit)",
            "ecdsa-p384" => "Public-Key: (384 bit)",
            "rsa2048" => "Public-Key: (2048 bit)",
            "rsa3072" => "Public-Key: (3072 bit)",
            _ => "ED25519 Public-Key",
        };
        assert!(text.contains(expect), "{kt}: expected {expect:?}:\n{text}");
        // The serial is positive and random-looking (16 bytes).
        let serial = openssl(&["x509", "-in", p(&crt), "-noout", "-serial"])
            .ok()
            .stdout
            .clone();
        assert_eq!(
            serial.trim().trim_start_matches("serial=").len(),
            32,
            "{kt}: {serial}"
        );
        // The key belongs to the certificate.
        let from_key = openssl(&["pkey", "-in", p(&key), "-pubout"])
            .ok()
            .stdout
            .clone();
        let from_cert = openssl(&["x509", "-in", p(&crt), "-noout", "-pubkey"])
            .ok()
            .stdout
            .clone();
        assert_eq!(from_key, from_cert, "{kt}: key and certificate differ");
    }
}

#[test]
fn combined_pem_holds_leaf_ca_key_in_that_order() {
    let pki = Pki::new("ecdsa-p256");
    let out = pki.issue_combined("localhost.pem", &["localhost", "127.0.0.1"], &[]);
    assert_eq!(mode(&out), 0o600);
    let text = std::fs::read_to_string(&out).unwrap();
    let markers: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("-----BEGIN"))
        .collect();
    assert_eq!(
        markers,
        [
            "-----BEGIN CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----",
            "-----BEGIN PRIVATE KEY-----"
        ]
    );
    let subject = openssl(&["x509", "-in", p(&out), "-noout", "-subject"])
        .ok()
        .stdout
        .clone();
    assert!(subject.contains("CN = localhost"), "{subject}");
    // The second certificate is the CA certificate, byte for byte.
    let ca = std::fs::read_to_string(pki.ca_cert()).unwrap();
    assert!(
        text.contains(&ca),
        "the CA certificate is not in the combined file"
    );
    assert_eq!(
        openssl(&["verify", "-CAfile", p(&pki.ca_cert()), p(&out)]).code,
        0
    );
    let from_key = openssl(&["pkey", "-in", p(&out), "-pubout"])
        .ok()
        .stdout
        .clone();
    let from_cert = openssl(&["x509", "-in", p(&out), "-noout", "-pubkey"])
        .ok()
        .stdout
        .clone();
    assert_eq!(from_key, from_cert);
}

#[test]
fn ca_reports_what_it_wrote_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("lab").join("ca");
    let r = run(&["cert", "ca", "--out", p(&ca)]);
    r.ok();
    assert!(
        r.stdout.contains("ca.crt") && r.stdout.contains("ca.key"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("tlskit cert issue --ca"),
        "no next step:\n{}",
        r.stdout
    );
    let subject = openssl(&["x509", "-in", p(&ca.join("ca.crt")), "-noout", "-subject"])
        .ok()
        .stdout
        .clone();
    assert!(subject.contains("CN = tlskit lab CA"), "{subject}");
    let before = std::fs::read(ca.join("ca.crt")).unwrap();

    run(&["cert", "ca", "--out", p(&ca)]).failed_with(1, "already exists");
    assert_eq!(
        std::fs::read(ca.join("ca.crt")).unwrap(),
        before,
        "the CA was changed"
    );
    assert_eq!(
        listing(&ca),
        BTreeSet::from(["ca.crt".to_string(), "ca.key".to_string()])
    );

    let j = run(&[
        "cert",
        "ca",
        "--out",
        p(&ca),
        "--force",
        "--json",
        "--cn",
        "Second CA",
        "--days",
        "30",
    ])
    .ok()
    .json();
    assert_eq!(j["info"]["common_name"], "Second CA");
    assert_eq!(j["info"]["validity_days"], 30);
    assert_eq!(j["info"]["is_ca"], true);
    assert_eq!(j["files"][0]["mode"], "0600", "{j}");
    assert_eq!(j["files"][0]["path"], p(&ca.join("ca.key")));
    assert_ne!(std::fs::read(ca.join("ca.crt")).unwrap(), before);

    // --out naming a file, not a directory.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    run(&["cert", "ca", "--out", p(&file)]).failed_with(1, "not a directory");
}

#[test]
fn client_certificates() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, _) = pki.issue("alice", &["alice", "alice@example.com"], &["--client"]);
    let text = x509_text(&crt);
    assert_eq!(
        line_after(&text, "X509v3 Extended Key Usage"),
        "TLS Web Client Authentication"
    );
    assert_eq!(
        line_after(&text, "X509v3 Subject Alternative Name"),
        "email:alice@example.com"
    );
    assert!(text.contains("Subject: CN = alice"), "{text}");
    let v = openssl(&[
        "verify",
        "-purpose",
        "sslclient",
        "-CAfile",
        p(&pki.ca_cert()),
        p(&crt),
    ]);
    assert_eq!(v.code, 0, "{v:?}");

    let (both, _) = pki.issue("both", &["host.lab.test"], &["--client", "--server"]);
    assert_eq!(
        line_after(&x509_text(&both), "X509v3 Extended Key Usage"),
        "TLS Web Server Authentication, TLS Web Client Authentication"
    );
    let (named, _) = pki.issue(
        "named",
        &["svc.lab.test"],
        &["--client", "--cn", "Backend Service"],
    );
    assert!(x509_text(&named).contains("Subject: CN = Backend Service"));
}

#[test]
fn expired_and_not_yet_valid_certificates() {
    let pki = Pki::new("ecdsa-p256");
    let (expired, _) = pki.issue(
        "expired",
        &["localhost"],
        &["--not-before", "-30d", "--days", "1"],
    );
    let (future, _) = pki.issue("future", &["localhost"], &["--not-before", "+7d"]);
    let (dated, _) = pki.issue(
        "dated",
        &["localhost"],
        &[
            "--not-before",
            "2020-01-01",
            "--not-after",
            "2020-06-30T12:00:00Z",
        ],
    );

    let v = openssl(&["verify", "-CAfile", p(&pki.ca_cert()), p(&expired)]);
    assert_ne!(v.code, 0);
    assert!(
        format!("{}{}", v.stdout, v.stderr).contains("certificate has expired"),
        "{v:?}"
    );
    let v = openssl(&["verify", "-CAfile", p(&pki.ca_cert()), p(&future)]);
    assert_ne!(v.code, 0);
    assert!(
        format!("{}{}", v.stdout, v.stderr).contains("certificate is not yet valid"),
        "{v:?}"
    );

    let dates = openssl(&["x509", "-in", p(&dated), "-noout", "-dates"])
        .ok()
        .stdout
        .clone();
    assert!(
        dates.contains("notBefore=Jan  1 00:00:00 2020 GMT"),
        "{dates}"
    );
    assert!(
        dates.contains("notAfter=Jun 30 12:00:00 2020 GMT"),
        "{dates}"
    );

    let text = run(&["cert", "show", p(&expired)]).ok().stdout.clone();
    assert!(text.contains("EXPIRED 29 days ago"), "{text}");
    let text = run(&["cert", "show", p(&future)]).ok().stdout.clone();
    assert!(text.contains("NOT YET VALID, starts in 7 days"), "{text}");

    let j = show_json(&[p(&expired)]);
    let leaf = &j["certificates"][0];
    assert_eq!(leaf["expired"], true);
    assert_eq!(leaf["not_yet_valid"], false);
    assert!(leaf["days_left"].as_i64().unwrap() < 0);
    let j = show_json(&[p(&future)]);
    assert_eq!(j["certificates"][0]["not_yet_valid"], true);
    assert_eq!(j["certificates"][0]["expired"], false);
    let j = show_json(&[p(&dated)]);
    assert_eq!(j["certificates"][0]["not_before"], "2020-01-01T00:00:00Z");
    assert_eq!(j["certificates"][0]["not_after"], "2020-06-30T12:00:00Z");
}

#[test]
fn issues_from_a_ca_made_by_openssl() {
    // Like SEED's lab: the CA comes from `openssl req -x509`, with C, O and CN in PrintableString.
    let dir = tempfile::tempdir().unwrap();
    let crt = dir.path().join("ca.crt");
    let key = dir.path().join("ca.key");
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-days",
        "30",
        "-keyout",
        p(&key),
        "-out",
        p(&crt),
        "-subj",
        "/C=US/O=Model CA LTD./CN=Model CA LTD.",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ])
    .ok();
    let out = dir.path().join("bank.pem");
    // ca.key beside ca.crt is found without --ca-key.
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&crt),
        "--out",
        p(&out),
        "www.bank32.com",
        "*.bank32.com",
    ])
    .ok();
    let v = openssl(&["verify", "-CAfile", p(&crt), p(&out)]);
    assert_eq!(v.code, 0, "{v:?}");
    let text = x509_text(&out);
    assert!(
        text.contains("Issuer: C = US, O = Model CA LTD., CN = Model CA LTD."),
        "{text}"
    );
    // The leaf key follows the CA's (RSA 2048).
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
    assert!(
        text.contains("Signature Algorithm: sha256WithRSAEncryption"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input: one error line, non-zero exit, nothing written.

#[test]
fn invalid_names_are_refused_and_nothing_is_written() {
    let pki = Pki::new("ecdsa-p256");
    let before = listing(pki.dir.path());
    let out = pki.path("x.pem");
    for (name, needle) in [
        (
            "*.*.x.com",
            "wildcard may only be the whole left-most label",
        ),
        ("w*.x.com", "wildcard may only be the whole left-most label"),
        ("*.com", "at least two labels"),
        ("bad name", "cannot contain spaces"),
        ("", "empty name"),
        ("a..b.com", "empty label"),
        ("-x.com", "hyphen"),
        ("999.1.1.1", "not a valid one"),
        ("bücher.de", "punycode"),
        ("alice@example.com", "client certificate"),
    ] {
        // `--` so that names starting with '-' reach tlskit's own check.
        let r = run(&[
            "cert",
            "issue",
            "--ca",
            p(&pki.ca_dir()),
            "--out",
            p(&out),
            "--",
            name,
        ]);
        r.failed_with(2, needle);
        assert_eq!(
            listing(pki.dir.path()),
            before,
            "{name:?} left a file behind"
        );
    }
    run(&["cert", "issue", "--ca", p(&pki.ca_dir()), "--out", p(&out)])
        .failed_with(2, "at least one DNS name or IP address");
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&pki.ca_dir()),
        "--out",
        p(&out),
        "--not-before",
        "yesterday",
        "localhost",
    ])
    .failed_with(2, "cannot read the time");
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&pki.ca_dir()),
        "--out",
        p(&out),
        "--not-before",
        "+2d",
        "--not-after",
        "+1d",
        "localhost",
    ])
    .failed_with(2, "before it starts");
    assert_eq!(listing(pki.dir.path()), before);
}

#[test]
fn bad_ca_inputs_are_one_line_errors() {
    let pki = Pki::new("ecdsa-p256");
    let out = pki.path("x.pem");

    // Missing CA directory.
    let missing = pki.path("no-such-ca");
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&missing),
        "--out",
        p(&out),
        "localhost",
    ])
    .failed_with(1, "does not exist");
    assert!(!out.exists());

    // A CA directory whose key belongs to another CA.
    let other = Pki::new("ecdsa-p256");
    let mixed = pki.path("mixed");
    std::fs::create_dir(&mixed).unwrap();
    std::fs::copy(pki.ca_cert(), mixed.join("ca.crt")).unwrap();
    std::fs::copy(other.ca_dir().join("ca.key"), mixed.join("ca.key")).unwrap();
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&mixed),
        "--out",
        p(&out),
        "localhost",
    ])
    .failed_with(1, "does not belong");
    assert!(!out.exists());

    // A damaged CA certificate.
    let damaged = pki.path("damaged");
    std::fs::create_dir(&damaged).unwrap();
    std::fs::write(
        damaged.join("ca.crt"),
        "-----BEGIN CERTIFICATE-----\nMIIBkjCCATeg\n",
    )
    .unwrap();
    std::fs::copy(pki.ca_dir().join("ca.key"), damaged.join("ca.key")).unwrap();
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&damaged),
        "--out",
        p(&out),
        "localhost",
    ])
    .failed_with(1, "not valid PEM");
    assert!(!out.exists());

    // A leaf certificate is not a CA.
    let leaf = pki.issue_combined("leaf.pem", &["localhost"], &[]);
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&leaf),
        "--out",
        p(&out),
        "localhost",
    ])
    .failed_with(1, "not a CA certificate");
    assert!(!out.exists());

    // A directory without ca.crt.
    let empty = pki.path("empty");
    std::fs::create_dir(&empty).unwrap();
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&empty),
        "--out",
        p(&out),
        "localhost",
    ])
    .failed_with(1, "has no ca.crt");
}

#[test]
fn outputs_are_all_or_nothing() {
    let pki = Pki::new("ecdsa-p256");
    let ca = pki.ca_dir();
    let before = listing(pki.dir.path());

    // Directory that does not exist.
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&ca),
        "--out",
        "/nonexistent-dir/x.pem",
        "localhost",
    ])
    .failed_with(1, "does not exist");
    // Cert in a good directory, key in a missing one: neither is written.
    let crt = pki.path("ok.crt");
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&ca),
        "--cert",
        p(&crt),
        "--key",
        "/nonexistent-dir/ok.key",
        "localhost",
    ])
    .failed_with(1, "does not exist");
    assert!(!crt.exists());
    // A "directory" that is a regular file.
    let file = pki.path("file");
    std::fs::write(&file, "x").unwrap();
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&ca),
        "--out",
        &format!("{}/x.pem", p(&file)),
        "localhost",
    ])
    .failed_with(1, "not a directory");
    std::fs::remove_file(&file).unwrap();
    assert_eq!(listing(pki.dir.path()), before);

    // An existing output file is kept without --force …
    let existing = pki.path("server.pem");
    std::fs::write(&existing, "keep me").unwrap();
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&ca),
        "--out",
        p(&existing),
        "localhost",
    ])
    .failed_with(1, "already exists");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    // … also when only one of --cert/--key exists: the other is not created.
    let key = pki.path("server.key");
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&ca),
        "--cert",
        p(&existing),
        "--key",
        p(&key),
        "localhost",
    ])
    .failed_with(1, "already exists");
    assert!(!key.exists());
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    // … and replaced with --force.
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&ca),
        "--out",
        p(&existing),
        "--force",
        "localhost",
    ])
    .ok();
    assert!(std::fs::read_to_string(&existing)
        .unwrap()
        .contains("BEGIN CERTIFICATE"));
    assert_eq!(mode(&existing), 0o600);

    // The same file for certificate and key.
    let same = pki.path("same.pem");
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&ca),
        "--cert",
        p(&same),
        "--key",
        p(&same),
        "localhost",
    ])
    .failed_with(2, "two outputs");
    assert!(!same.exists());
    // No temporary files anywhere.
    assert!(listing(pki.dir.path())
        .iter()
        .all(|n| !n.starts_with(".tlskit")));
}

// ---------------------------------------------------------------------------------------------
// cert show

#[test]
fn show_file_agrees_with_openssl() {
    for kt in ["ecdsa-p256", "rsa2048", "ed25519"] {
        let pki = Pki::new(kt);
        let (crt, _) = pki.issue(
            "www",
            &["www.bank32.com", "*.bank32.com", "10.9.0.80", "::1"],
            &[],
        );
        let j = show_json(&[p(&crt)]);
        assert_eq!(j["source"], "file");
        assert_eq!(j["has_private_key"], false);
        let c = &j["certificates"][0];

        let serial = openssl(&["x509", "-in", p(&crt), "-noout", "-serial"])
            .ok()
            .stdout
            .clone();
        assert_eq!(
            format!("serial={}", c["serial"].as_str().unwrap()),
            serial.trim(),
            "{kt}"
        );
        let fp = openssl(&["x509", "-in", p(&crt), "-noout", "-fingerprint", "-sha256"])
            .ok()
            .stdout
            .clone();
        assert_eq!(
            format!(
                "sha256 Fingerprint={}",
                c["sha256_fingerprint"].as_str().unwrap()
            ),
            fp.trim(),
            "{kt}"
        );
        assert_eq!(
            c["san_dns"],
            serde_json::json!(["www.bank32.com", "*.bank32.com"]),
            "{kt}"
        );
        assert_eq!(c["san_ip"], serde_json::json!(["10.9.0.80", "::1"]), "{kt}");
        assert_eq!(c["subject"], "CN=www.bank32.com");
        assert_eq!(c["common_name"], "www.bank32.com");
        assert_eq!(c["issuer"], "CN=tlskit test CA");
        assert_eq!(c["version"], 3);
        assert_eq!(c["eku"], serde_json::json!(["serverAuth"]));
        assert_eq!(c["is_ca"], false);
        assert_eq!(c["self_signed"], false);
        assert_eq!(
            c["days_left"],
            i64::from(tlskit::pki::ca::DEFAULT_LEAF_DAYS) - 1
        );
        let text = x509_text(&crt);
        let sig = c["signature_algorithm"].as_str().unwrap();
        assert!(
            text.contains(&format!("Signature Algorithm: {sig}")),
            "{kt}: {sig}\n{text}"
        );
        let (ty, bits) = match kt {
            "ecdsa-p256" => ("ECDSA", 256),
            "rsa2048" => ("RSA", 2048),
            _ => ("Ed25519", 256),
        };
        assert_eq!(c["key_type"], ty, "{kt}");
        assert_eq!(c["key_bits"], bits, "{kt}");
        let ski = line_after(&text, "X509v3 Subject Key Identifier");
        assert_eq!(c["subject_key_id"], ski, "{kt}");

        let ca = &show_json(&[p(&pki.ca_cert())])["certificates"][0];
        assert_eq!(ca["is_ca"], true);
        assert_eq!(ca["self_signed"], true);
        assert_eq!(
            ca["key_usage"],
            serde_json::json!(["keyCertSign", "cRLSign"])
        );
        assert_eq!(c["authority_key_id"], ca["subject_key_id"]);

        // The text form prints addresses readably and says what the key is.
        let out = run(&["cert", "show", p(&crt)]).ok().stdout.clone();
        assert!(
            out.contains("IP:10.9.0.80") && out.contains("IP:::1"),
            "{out}"
        );
        let key_desc = match kt {
            "ecdsa-p256" => "ECDSA P-256",
            "rsa2048" => "RSA 2048",
            _ => "Ed25519",
        };
        assert!(out.contains(key_desc), "{kt}: {out}");
        assert!(out.contains(sig), "{out}");
    }
}

#[test]
fn show_combined_file_and_name_checks() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("server.pem", &["www.bank32.com", "*.bank32.com"], &[]);
    let j = show_json(&["-a", p(&pki.ca_cert()), p(&pem)]);
    assert_eq!(j["has_private_key"], true);
    assert_eq!(j["certificates"].as_array().unwrap().len(), 2);
    assert_eq!(j["certificates"][1]["is_ca"], true);
    assert_eq!(j["verification"]["trusted"], true, "{j}");
    // SEED task 2.c semantics.
    for (name, ok) in [
        ("www.bank32.com", true),
        ("abc.bank32.com", true),
        ("bank32.com", false),
        ("a.b.bank32.com", false),
        ("www.bank33.com", false),
    ] {
        let j = show_json(&["--name", name, p(&pem)]);
        assert_eq!(j["name_check"]["matches"], ok, "{name}");
    }
    let text = run(&["cert", "show", "--name", "bank32.com", p(&pem)])
        .ok()
        .stdout
        .clone();
    assert!(text.contains("does NOT match"), "{text}");
    assert!(text.contains("Certificate 2 of 2: root CA"), "{text}");
}

#[test]
fn a_reader_that_goes_away_is_not_a_panic() {
    // `tlskit cert show server.pem | head -1`: the pipe closes before all output is written.
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("server.pem", &["localhost"], &[]);
    for json in [false, true] {
        let mut args = vec!["cert", "show", "-v", p(&pem)];
        if json {
            args.push("--json");
        }
        let out = run_with_closed_stdout(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(out.status.code(), Some(0), "{stderr}");
    }
}

#[test]
fn commands_whose_reader_goes_away_end_quietly() {
    // `tlskit scan --list-checks | head -1` and friends: stdout is a closed pipe before the first
    // write. Every command's stdout goes through one writer (output::write_stdout).
    for args in [
        &["scan", "--list-checks"][..],
        &["scan", "--list-checks", "--json"],
        &["ciphers", "-v", "ALL"],
        &["completions", "bash"],
        &["man"],
    ] {
        let out = run_with_closed_stdout(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

#[test]
fn show_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.pem");
    std::fs::write(&bad, "-----BEGIN CERTIFICATE-----\nMIIB\n").unwrap();
    run(&["cert", "show", p(&bad)]).failed_with(1, "not valid PEM");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    run(&["cert", "show", p(&empty)]).failed_with(1, "contains no certificate");
    run(&["cert", "show", p(&dir.path().join("missing.pem"))]).failed_with(1, "no such file");
}

#[test]
fn show_server_chain_from_openssl_s_server() {
    let openssl_bin = require_tool("openssl", "openssl");
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("localhost", &["localhost", "127.0.0.1"], &[]);
    let port = free_port();
    let _server = Peer::listening(
        "openssl s_server",
        Command::new(openssl_bin).args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            p(&crt),
            "-key",
            p(&key),
            "-cert_chain",
            p(&pki.ca_cert()),
            "-www",
        ]),
        port,
    );
    let target = format!("127.0.0.1:{port}");
    let j = show_json(&["-a", p(&pki.ca_cert()), &target]);
    assert_eq!(j["source"], "server");
    assert_eq!(
        j["server"]["sni"],
        serde_json::Value::Null,
        "no SNI for an IP address"
    );
    assert!(j["server"]["tls_version"]
        .as_str()
        .unwrap()
        .starts_with("TLSv1."));
    let certs = j["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2, "{j}");
    assert_eq!(certs[0]["subject"], "CN=localhost");
    assert_eq!(certs[1]["subject"], "CN=tlskit test CA");
    assert_eq!(certs[1]["is_ca"], true);
    assert_eq!(j["name_check"]["name"], "127.0.0.1");
    assert_eq!(j["name_check"]["matches"], true);
    assert_eq!(j["verification"]["trusted"], true, "{j}");

    // Without -a: the system roots do not know the lab CA; still shown, exit 0.
    let text = run(&[
        "cert",
        "show",
        "127.0.0.1",
        &port.to_string(),
        "--servername",
        "localhost",
    ])
    .ok()
    .stdout
    .clone();
    assert!(text.contains("SNI: localhost"), "{text}");
    assert!(text.contains("Certificate 1 of 2: leaf"), "{text}");
    assert!(text.contains("Certificate 2 of 2: root CA"), "{text}");
    assert!(text.contains("Verification: FAILED"), "{text}");
}

#[test]
fn show_chain_through_starttls_from_postfix() {
    // cert show goes through the same connector as connect: -t smtp, smtp:// and port 25 style
    // (here the daemon's own port with -t) all run STARTTLS against a real postfix first.
    let pki = Pki::new("ecdsa-p256");
    let d = crate::daemons::postfix(&pki);
    let ep = d.endpoint("smtp");
    let port = ep.port.to_string();
    let mut args = vec!["cert", "show", "--json", "-a", d.ca()];
    let flags = ep.flags();
    args.extend(flags.iter().map(String::as_str));
    args.extend([d.host, port.as_str()]);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}\n{}\n{}", r.stdout, r.stderr, d.logs());
    let j = r.json();
    assert_eq!(j["source"], "server");
    assert_eq!(j["server"]["starttls"]["protocol"], "smtp", "{j}");
    assert_eq!(j["name_check"]["matches"], true, "{j}");
    assert_eq!(j["verification"]["trusted"], true, "{j}");
    assert!(!j["certificates"].as_array().unwrap().is_empty());

    // The URL form, in text: the STARTTLS step is named on the first line.
    let url = format!("smtp://{}:{port}", d.host);
    let r = run(&["cert", "show", "-a", d.ca(), &url]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("after STARTTLS (SMTP)"), "{}", r.stdout);
    assert!(r.stdout.contains("Verification: OK"), "{}", r.stdout);

    // Speaking TLS at once to a STARTTLS port is the one-line error it always was.
    let r = run(&[
        "cert",
        "show",
        "--no-starttls",
        "--timeout",
        "3",
        d.host,
        &port,
    ]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn show_wrong_ca_uses_the_chain_analysis_words() {
    // One verifier for cert show and scan: the failure reads as the scan's trust verdict.
    let openssl_bin = require_tool("openssl", "openssl");
    let pki = Pki::new("ecdsa-p256");
    let other = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("localhost", &["localhost"], &[]);
    let port = free_port();
    let _server = Peer::listening(
        "openssl s_server",
        Command::new(openssl_bin).args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            p(&crt),
            "-key",
            p(&key),
            "-www",
        ]),
        port,
    );
    let target = format!("localhost:{port}");
    let j = show_json(&[
        "-a",
        p(&other.ca_cert()),
        "--resolve",
        &format!("localhost:{port}:127.0.0.1"),
        &target,
    ]);
    assert_eq!(j["verification"]["trusted"], false, "{j}");
    let why = j["verification"]["error"].as_str().unwrap();
    assert!(
        why == "not issued by a CA given with --ca"
            || why.starts_with("a signature in the chain does not verify"),
        "{j}"
    );
    // The right CA, but the wrong name: the scan's mismatch sentence.
    let j = show_json(&[
        "-a",
        p(&pki.ca_cert()),
        "--name",
        "www.example.test",
        "--resolve",
        &format!("localhost:{port}:127.0.0.1"),
        &target,
    ]);
    assert_eq!(j["verification"]["trusted"], false, "{j}");
    assert!(
        j["verification"]["error"].as_str().unwrap().contains(
            "not valid for www.example.test: its subject alternative names are DNS:localhost"
        ),
        "{j}"
    );
}

#[test]
fn show_closed_port_is_a_one_line_error() {
    let port = free_port();
    let r = run(&[
        "cert",
        "show",
        &format!("127.0.0.1:{port}"),
        "--timeout",
        "5",
    ]);
    r.failed_with(
        1,
        &format!("cannot connect to 127.0.0.1:{port}: connection refused"),
    );
}

#[test]
fn show_silent_server_times_out() {
    // Accepts the connection but never answers the ClientHello.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((s, _)) = listener.accept() {
            std::thread::sleep(Duration::from_secs(5));
            drop(s);
        }
    });
    let started = std::time::Instant::now();
    run(&[
        "cert",
        "show",
        &format!("127.0.0.1:{port}"),
        "--timeout",
        "1",
    ])
    .failed_with(1, "no TLS answer");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "--timeout 1 was not honoured"
    );
}

#[test]
fn show_plain_tcp_server_is_a_one_line_error() {
    // Something that accepts and answers, but not with TLS.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            use std::io::{Read, Write};
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    run(&[
        "cert",
        "show",
        &format!("127.0.0.1:{port}"),
        "--timeout",
        "5",
    ])
    .failed_with(1, "did not answer with TLS");
}

// ---------------------------------------------------------------------------------------------
// cert rehash

fn subject_hash(path: &Path) -> String {
    openssl(&["x509", "-in", p(path), "-noout", "-subject_hash"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

fn self_signed(dir: &Path, name: &str, subj: &str) -> PathBuf {
    let crt = dir.join(name);
    let key = dir.join(format!(".{name}.key"));
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-utf8",
        "-multivalue-rdn",
        "-keyout",
        p(&key),
        "-out",
        p(&crt),
        "-subj",
        subj,
    ])
    .ok();
    std::fs::remove_file(key).unwrap();
    crt
}

fn is_hash_name(name: &str) -> bool {
    name.split_once('.').is_some_and(|(h, n)| {
        h.len() == 8
            && h.bytes().all(|b| b.is_ascii_hexdigit())
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

fn link_target(dir: &Path, link: &str) -> String {
    std::fs::read_link(dir.join(link))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn rehash_matches_openssl_subject_hash() {
    let pki = Pki::new("ecdsa-p256");
    let dir = pki.path("certs");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(pki.ca_cert(), dir.join("tlskit-ca.crt")).unwrap();
    let subjects = [
        ("upper.pem", "/CN=UPPER Case Name"),
        ("spaces.pem", "/CN=  Lots   of    Spaces  "),
        ("zurich.pem", "/CN=Zürich  Lab"),
        (
            "multi.pem",
            "/C=US/ST=New  York/O=My Org/OU=Unit A/OU=Unit B/CN=Multi RDN",
        ),
        ("plusrdn.pem", "/CN=b+O=a/C=DE"),
        ("email.pem", "/emailAddress=Someone@Example.COM/CN=Mail"),
        ("same1.pem", "/CN=Same Name"),
        ("same2.pem", "/CN=same   name"),
    ];
    for (file, subj) in subjects {
        self_signed(&dir, file, subj);
    }
    // A DER copy of one CA is the same certificate: linked once.
    openssl(&[
        "x509",
        "-in",
        p(&dir.join("upper.pem")),
        "-outform",
        "DER",
        "-out",
        p(&dir.join("upper.der")),
    ])
    .ok();
    // Things to skip: a key, a bundle, notes, and a stale link from an earlier run.
    std::fs::copy(pki.ca_dir().join("ca.key"), dir.join("ca.key")).unwrap();
    let bundle = pki.issue_combined("bundle.pem", &["localhost"], &[]);
    std::fs::copy(&bundle, dir.join("bundle.pem")).unwrap();
    std::fs::write(dir.join("README"), "lab CA certificates\n").unwrap();
    std::os::unix::fs::symlink("gone.pem", dir.join("0badc0de.0")).unwrap();

    let r = run(&["cert", "rehash", p(&dir)]);
    r.ok();
    assert!(r.stderr.contains("skipped bundle.pem"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("ca.key") && !r.stderr.contains("README"),
        "keys and notes are skipped quietly:\n{}",
        r.stderr
    );
    assert!(
        !dir.join("0badc0de.0").exists() && dir.join("0badc0de.0").symlink_metadata().is_err(),
        "stale link kept"
    );

    let same_hash = subject_hash(&dir.join("same1.pem"));
    assert_eq!(
        same_hash,
        subject_hash(&dir.join("same2.pem")),
        "openssl canonicalises both alike"
    );
    for (file, _) in subjects
        .iter()
        .filter(|(f, _)| !f.starts_with("same"))
        .chain([&("tlskit-ca.crt", "")])
    {
        let hash = subject_hash(&dir.join(file));
        let target = link_target(&dir, &format!("{hash}.0"));
        // upper.der is the same certificate as upper.pem: either file may carry the link.
        let ok = target == *file || (*file == "upper.pem" && target == "upper.der");
        assert!(
            ok,
            "{file}: expected link {hash}.0 -> {file}, found -> {target}"
        );
        assert!(
            dir.join(format!("{hash}.1")).symlink_metadata().is_err(),
            "{file}: duplicate link"
        );
    }
    // Collision: two certificates with the same canonical subject get .0 and .1.
    let pair: BTreeSet<String> = [
        link_target(&dir, &format!("{same_hash}.0")),
        link_target(&dir, &format!("{same_hash}.1")),
    ]
    .into();
    assert_eq!(
        pair,
        BTreeSet::from(["same1.pem".to_string(), "same2.pem".to_string()])
    );

    // JSON, and running again gives the same links (old ones are replaced, not duplicated).
    let links_before: BTreeSet<String> = listing(&dir)
        .into_iter()
        .filter(|n| is_hash_name(n))
        .collect();
    let j = run(&["cert", "rehash", "--json", p(&dir)]).ok().json();
    assert_eq!(j["links"].as_array().unwrap().len(), links_before.len());
    assert_eq!(j["removed"].as_array().unwrap().len(), links_before.len());
    let links_after: BTreeSet<String> = listing(&dir)
        .into_iter()
        .filter(|n| is_hash_name(n))
        .collect();
    assert_eq!(links_before, links_after);

    // OpenSSL finds the CA through the links.
    let (leaf, _) = pki.issue("leaf", &["localhost"], &[]);
    let v = openssl(&["verify", "-CApath", p(&dir), p(&leaf)]);
    assert_eq!(v.code, 0, "openssl verify -CApath failed: {v:?}");
}

#[test]
fn rehash_errors() {
    let dir = tempfile::tempdir().unwrap();
    run(&["cert", "rehash", p(&dir.path().join("missing"))]).failed_with(1, "does not exist");
    let file = dir.path().join("f");
    std::fs::write(&file, "x").unwrap();
    run(&["cert", "rehash", p(&file)]).failed_with(1, "is not a directory");
    // An empty directory is not an error, but says so.
    let r = run(&["cert", "rehash", p(dir.path())]);
    r.ok();
    assert!(r.stderr.contains("no certificate"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Help

#[test]
fn help_teaches() {
    let h = run(&["cert", "--help"]).ok().stdout.clone();
    for needle in [
        "issue",
        "show",
        "rehash",
        "tlskit cert issue --ca ca --out server.pem www.bank32.com '*.bank32.com'",
    ] {
        assert!(h.contains(needle), "cert --help lacks {needle:?}:\n{h}");
    }
    let h = run(&["cert", "issue", "--help"]).ok().stdout.clone();
    for needle in [
        "Subject Alternative Name",
        "*.bank32.com",
        "--not-before",
        "-30d",
        "398",
        "825",
        "0600",
        "--client",
    ] {
        assert!(
            h.contains(needle),
            "cert issue --help lacks {needle:?}:\n{h}"
        );
    }
    let h = run(&["cert", "ca", "--help"]).ok().stdout.clone();
    for needle in ["ca.crt", "ca.key", "CA:TRUE", "--force"] {
        assert!(h.contains(needle), "cert ca --help lacks {needle:?}:\n{h}");
    }
    let h = run(&["cert", "show", "--help"]).ok().stdout.clone();
    for needle in ["HOST:PORT", "--json", "SNI", "fingerprint"] {
        assert!(
            h.contains(needle),
            "cert show --help lacks {needle:?}:\n{h}"
        );
    }
    let h = run(&["cert", "rehash", "--help"]).ok().stdout.clone();
    for needle in ["-CApath", "subject_hash", "capath"] {
        assert!(
            h.contains(needle),
            "cert rehash --help lacks {needle:?}:\n{h}"
        );
    }
}

#[test]
fn rehash_links_crls_as_openssl_does() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let crt = d.join("ca.crt");
    let key = d.join("ca.key");
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "5",
        "-keyout",
        p(&key),
        "-out",
        p(&crt),
        "-subj",
        "/CN=CRL Test CA",
    ])
    .ok();
    std::fs::write(d.join("index.txt"), "").unwrap();
    let cnf = d.join("ca.cnf");
    std::fs::write(
        &cnf,
        format!(
            "[ca]\ndefault_ca=d\n[d]\ndatabase={}\ndefault_md=sha256\ndefault_crl_days=5\n",
            p(&d.join("index.txt"))
        ),
    )
    .unwrap();
    let crl = d.join("ca.crl");
    openssl(&[
        "ca",
        "-config",
        p(&cnf),
        "-gencrl",
        "-keyfile",
        p(&key),
        "-cert",
        p(&crt),
        "-out",
        p(&crl),
    ])
    .ok();
    let store = d.join("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::copy(&crt, store.join("ca.crt")).unwrap();
    std::fs::copy(&crl, store.join("ca.crl")).unwrap();

    run(&["cert", "rehash", p(&store)]).ok();
    let hash = openssl(&["crl", "-in", p(&crl), "-noout", "-hash"])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(link_target(&store, &format!("{hash}.r0")), "ca.crl");
    assert_eq!(link_target(&store, &format!("{hash}.0")), "ca.crt");
    // With the CRL found through its link, revocation checking works.
    let v = openssl(&["verify", "-crl_check", "-CApath", p(&store), p(&crt)]);
    assert_eq!(v.code, 0, "{v:?}");
}

// ---------------------------------------------------------------------------------------------
// Hostile input and permissions (issue 13): errors in words, folders that are not open.

/// tlskit run as a user other than the CA folder's owner. As root permissions do not apply, so
/// the command is run as `nobody` (65534) through setpriv (util-linux); as any other user the
/// folder is simply closed (mode 000) to ourselves.
fn issue_as_stranger(ca_dir: &Path, args: &[&str], env_ca: bool) -> Run {
    use std::os::unix::fs::MetadataExt;
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    let mut cmd = if root {
        let setpriv = require_tool("setpriv", "util-linux");
        let mut c = Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(crate::common::tlskit_bin());
        std::fs::set_permissions(ca_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        c
    } else {
        std::fs::set_permissions(ca_dir, std::fs::Permissions::from_mode(0o000)).unwrap();
        crate::common::tlskit()
    };
    cmd.env("NO_COLOR", "1").args(args);
    if env_ca {
        cmd.env("TLSKIT_CA", ca_dir);
    }
    let r = run_cmd(&mut cmd, Duration::from_secs(60));
    std::fs::set_permissions(ca_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    r
}

#[test]
fn issue_from_a_ca_folder_closed_to_the_user_says_permission_denied() {
    let pki = Pki::new("ecdsa-p256");
    // The folder holding the CA is open to everyone (so the stranger gets as far as the CA
    // folder itself, as in a shared home); the CA folder is its owner's alone.
    std::fs::set_permissions(pki.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let ca = pki.ca_dir();
    let out = std::env::temp_dir().join(format!("tlskit-perm-{}.pem", std::process::id()));
    let r = issue_as_stranger(
        &ca,
        &[
            "cert",
            "issue",
            "--ca",
            p(&ca),
            "--out",
            p(&out),
            "localhost",
        ],
        false,
    );
    r.failed_with(1, "permission denied");
    assert!(!r.stderr.contains("has no ca.crt"), "{}", r.stderr);
    assert!(
        r.stderr.contains("ca.crt"),
        "names what it could not read: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("run as its owner"),
        "says what to do: {}",
        r.stderr
    );
    assert!(!out.exists());

    // The default CA directory ($TLSKIT_CA) closed the same way: not "holds no CA".
    let r = issue_as_stranger(&ca, &["cert", "issue", "--out", p(&out), "localhost"], true);
    r.failed_with(1, "permission denied");
    assert!(!r.stderr.contains("holds no CA"), "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn ca_into_a_world_writable_folder_closes_it_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let r = run(&["cert", "ca", "--out", p(&open)]);
    r.ok();
    assert_eq!(mode(&open), 0o700, "the CA folder stays world-writable");
    assert!(
        r.stderr.contains("was writable by other users (mode 0777)")
            && r.stderr.contains("changed it to 0700"),
        "not said:\n{}",
        r.stderr
    );
    assert_eq!(mode(&open.join("ca.key")), 0o600);
    // JSON says it too.
    let open2 = dir.path().join("open2");
    std::fs::create_dir(&open2).unwrap();
    std::fs::set_permissions(&open2, std::fs::Permissions::from_mode(0o775)).unwrap();
    let j = run(&["cert", "ca", "--json", "--out", p(&open2)])
        .ok()
        .json();
    assert!(j["notes"][0].as_str().unwrap().contains("mode 0775"), "{j}");
    assert_eq!(mode(&open2), 0o700);

    // A shared folder (sticky bit, like /tmp) is not ours to close: refused, nothing written.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    run(&["cert", "ca", "--out", p(&shared)]).failed_with(1, "shared folder (mode 1777");
    assert!(listing(&shared).is_empty());
    assert_eq!(mode(&shared), 0o777);

    // A private folder that exists already is left as it is.
    let private = dir.path().join("private");
    std::fs::create_dir(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o750)).unwrap();
    let r = run(&["cert", "ca", "--out", p(&private)]);
    r.ok();
    assert_eq!(mode(&private), 0o750);
    assert!(!r.stderr.contains("changed it"), "{}", r.stderr);
}

/// No Rust syntax in what a user reads: variant names and Debug forms of library errors.
fn assert_words(what: &str, text: &str) {
    for raw in [
        "Other(",
        "OtherError",
        "DnsName(",
        "IpAddress(",
        "CaUsedAsEndEntity",
        "NotValidForName",
        "Some(",
    ] {
        assert!(!text.contains(raw), "{what}: {raw} in:\n{text}");
    }
}

#[test]
fn cert_errors_are_words_not_rust_names() {
    let openssl_bin = require_tool("openssl", "openssl");
    let pki = Pki::new("ecdsa-p256");
    let ca = pki.ca_cert();

    // A CA certificate where a server's belongs (webpki: CaUsedAsEndEntity), from a file.
    let r = run(&["cert", "show", "-a", p(&ca), p(&ca)]);
    r.ok();
    assert!(
        r.stdout
            .contains("the first certificate is a CA certificate"),
        "{}",
        r.stdout
    );
    assert_words("show file", &format!("{}{}", r.stdout, r.stderr));
    let r = run(&["cert", "show", "--json", "-a", p(&ca), p(&ca)]);
    assert_words("show file --json", &r.stdout);

    // The same from a real server: openssl s_server sending the CA certificate as its own.
    let port = free_port();
    let _server = Peer::listening(
        "openssl s_server",
        Command::new(&openssl_bin).args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            p(&ca),
            "-key",
            p(&pki.ca_dir().join("ca.key")),
            "-www",
        ]),
        port,
    );
    let target = format!("127.0.0.1:{port}");
    let r = run(&["cert", "show", "-a", p(&ca), &target]);
    r.ok();
    assert!(r.stdout.contains("Verification: FAILED"), "{}", r.stdout);
    assert_words(
        "show server (CA as leaf)",
        &format!("{}{}", r.stdout, r.stderr),
    );

    // A name the certificate is not for (rustls would say NotValidForName / DnsName("…")).
    let (crt, key) = pki.issue("localhost", &["localhost", "127.0.0.1"], &[]);
    let port = free_port();
    let _server2 = Peer::listening(
        "openssl s_server",
        Command::new(&openssl_bin).args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            p(&crt),
            "-key",
            p(&key),
            "-www",
        ]),
        port,
    );
    let target = format!("127.0.0.1:{port}");
    for args in [
        vec![
            "cert",
            "show",
            "-a",
            p(&ca),
            "--servername",
            "other.test",
            &target,
        ],
        vec![
            "cert",
            "show",
            "--json",
            "-a",
            p(&ca),
            "--name",
            "other.test",
            &target,
        ],
    ] {
        let r = run(&args);
        r.ok();
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(all.contains("other.test"), "{all}");
        assert!(all.contains("not valid for other.test"), "{all}");
        assert_words("show server (wrong name)", &all);
    }
    let r = run(&[
        "cert",
        "show",
        "--name",
        "other.test",
        "-a",
        p(&ca),
        p(&crt),
    ]);
    r.ok();
    assert!(
        r.stdout.contains("other.test does NOT match"),
        "{}",
        r.stdout
    );
    assert_words("show file (wrong name)", &r.stdout);
}
