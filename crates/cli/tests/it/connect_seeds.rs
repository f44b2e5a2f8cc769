//! What the seeds do that `connect`, `serve` and `demo` now do exactly: --trace like
//! `openssl s_client -msg`, --showcerts, --no-verify-name (check_hostname=False), -v listing the
//! trusted CAs (get_ca_certs()), -C under TLS 1.3, --http -o -, serve --message-file (the book's
//! 280 KB message), serve's expiry warning, demo --force — against real peers.

use crate::common::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn trace_shows_every_message_including_decrypted_tls13_handshake_and_draws_the_ladder() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let Listening { peer: _srv, port } = openssl_s_server_args(&crt, &key, &["-www"]);
    let svg = pki.path("ladder.svg");
    let r = run(&[
        "connect",
        "--trace",
        "--svg",
        p(&svg),
        "-a",
        p(&pki.ca_cert()),
        "--http",
        "/",
        "localhost",
        &port.to_string(),
    ]);
    r.ok();
    for needle in [
        ">>> TLSv1.0 handshake",
        "ClientHello",
        "SNI localhost",
        "<<< TLSv1.2 handshake",
        "ServerHello",
        "version TLSv1.3",
        "(decrypted) EncryptedExtensions",
        "(decrypted) Certificate",
        "1 certificate(s): CN=localhost",
        "(decrypted) CertificateVerify",
        "(decrypted) Finished",
        "encrypted application data",
        // After the handshake: opened with the traffic secrets, the tickets by name.
        "(decrypted) NewSessionTicket",
        "lifetime 7200 s",
    ] {
        assert!(
            r.stdout.contains(needle),
            "--trace lacks {needle:?}:\n{}",
            r.stdout
        );
    }
    let xmllint = require_tool("xmllint", "libxml2-utils");
    let lint = run_cmd(
        Command::new(xmllint).args(["--noout", p(&svg)]),
        Duration::from_secs(30),
    );
    assert_eq!(lint.code, 0, "{}", lint.stderr);
    let body = std::fs::read_to_string(&svg).unwrap();
    assert!(
        body.contains("ClientHello") && body.contains("TLS handshake"),
        "{body}"
    );

    // TLS 1.2: the key exchange messages in clear, the Finished messages encrypted.
    let r = run(&[
        "connect",
        "--trace",
        "-p",
        "TLSv1_2",
        "-a",
        p(&pki.ca_cert()),
        "--http",
        "/",
        "localhost",
        &port.to_string(),
    ]);
    r.ok();
    for needle in [
        "ServerKeyExchange",
        "ServerHelloDone",
        "ClientKeyExchange",
        "change_cipher_spec",
        "encrypted handshake (Finished)",
    ] {
        assert!(
            r.stdout.contains(needle),
            "--trace lacks {needle:?}:\n{}",
            r.stdout
        );
    }
}

#[test]
fn showcerts_no_verify_name_ca_list_cipher_note_and_body_to_stdout() {
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["www.bank32.test"], &[]);
    let Listening { peer: _srv, port } = openssl_s_server_args(&crt, &key, &["-www"]);
    let ca = pki.ca_cert();
    let port = port.to_string();
    // --showcerts: the chain as PEM that openssl reads back.
    let r = run(&[
        "connect",
        "--showcerts",
        "-a",
        p(&ca),
        "--servername",
        "www.bank32.test",
        "--send",
        "GET / HTTP/1.0\r\n\r\n",
        "127.0.0.1",
        &port,
    ]);
    r.ok();
    assert!(
        r.stdout.contains("-----BEGIN CERTIFICATE-----"),
        "{}",
        r.stdout
    );
    let pem = pki.path("shown.pem");
    let start = r.stdout.find("-----BEGIN").unwrap();
    let end = r.stdout.find("-----END CERTIFICATE-----").unwrap() + 25;
    std::fs::write(&pem, &r.stdout[start..end]).unwrap();
    let v = run_cmd(
        Command::new(require_tool("openssl", "openssl")).args([
            "verify",
            "-CAfile",
            p(&ca),
            p(&pem),
        ]),
        Duration::from_secs(30),
    );
    assert!(v.stdout.contains(": OK"), "{}{}", v.stdout, v.stderr);
    // check_hostname=False: the chain verifies, the name does not, and the session goes on.
    run(&["connect", "-a", p(&ca), "localhost", &port]).failed_with(1, "hostname mismatch");
    let r = run(&[
        "connect",
        "--json",
        "--no-verify-name",
        "-a",
        p(&ca),
        "--http",
        "/",
        "localhost",
        &port,
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["certificate"]["verified"], true);
    assert_eq!(j["certificate"]["chain_verified"], true);
    assert_eq!(j["certificate"]["name_match"], false);
    assert_eq!(j["certificate"]["name_verification"], false);
    assert!(r.stderr.contains("--no-verify-name"), "{}", r.stderr);
    let t = run(&[
        "connect",
        "--no-verify-name",
        "-a",
        p(&ca),
        "--http",
        "/",
        "localhost",
        &port,
    ]);
    t.ok();
    assert!(t.stdout.contains("name NOT checked"), "{}", t.stdout);
    assert!(t.stdout.contains("does NOT match"), "{}", t.stdout);
    // --no-verify-name still refuses a chain it cannot verify.
    let other = Pki::new("ecdsa-p256");
    run(&[
        "connect",
        "--no-verify-name",
        "-a",
        p(&other.ca_cert()),
        "localhost",
        &port,
    ])
    .failed_with(1, "certificate verify failed");
    // -v lists the trusted CAs by subject.
    let r = run(&[
        "connect",
        "-v",
        "-a",
        p(&ca),
        "--servername",
        "www.bank32.test",
        "--http",
        "/",
        "127.0.0.1",
        &port,
    ]);
    r.ok();
    assert!(r.stdout.contains("Trusted CAs          1"), "{}", r.stdout);
    assert!(r.stdout.contains("CN=tlskit test CA"), "{}", r.stdout);
    // -C selects TLS 1.2 suites only: with TLS 1.3 negotiated it says so, in one line.
    let r = run(&[
        "connect",
        "-C",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "-a",
        p(&ca),
        "--servername",
        "www.bank32.test",
        "--http",
        "/",
        "127.0.0.1",
        &port,
    ]);
    r.ok();
    let note = r
        .stdout
        .lines()
        .find(|l| l.contains("-C had no effect"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(note.contains("-p TLSv1_2"), "{note}");
    let r = run(&[
        "connect",
        "-C",
        "ALL",
        "-p",
        "TLSv1_2",
        "-a",
        p(&ca),
        "--servername",
        "www.bank32.test",
        "--http",
        "/",
        "127.0.0.1",
        &port,
    ]);
    r.ok();
    let note = r
        .stdout
        .lines()
        .find(|l| l.contains("are not offered"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(note.len() < 400 && note.contains("more"), "{note}");
    // --http -o -: the body alone on stdout, byte for byte.
    let r = run(&[
        "connect",
        "-a",
        p(&ca),
        "--servername",
        "www.bank32.test",
        "--http",
        "/",
        "-o",
        "-",
        "127.0.0.1",
        &port,
    ]);
    r.ok();
    assert!(
        r.stdout.starts_with("<HTML>") || r.stdout.starts_with("<html>"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Cipher suite         "), "{}", r.stdout);
    assert!(r.stderr.contains("Cipher suite"), "{}", r.stderr);
}

#[test]
fn serve_sends_the_books_280kb_message_from_a_file_and_warns_about_an_expired_certificate() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("localhost.pem", &["localhost"], &[]);
    let message = "Beautiful is better than ugly.".repeat(10_000);
    let file = pki.path("book.txt");
    std::fs::write(&file, &message).unwrap();
    let srv = serve(&["-s", p(&pem), "--message-file", p(&file)]);
    // Python's client of the book: read until the server closes.
    let r = run(&[
        "connect",
        "--json",
        "-a",
        p(&pki.ca_cert()),
        "localhost",
        &srv.port.to_string(),
    ]);
    r.ok();
    let j = r.json();
    assert_eq!(j["received"]["bytes"], message.len());
    assert_eq!(j["received"]["end"], "close_notify");
    // openssl s_client gets the same bytes.
    let mut cmd = Command::new(require_tool("openssl", "openssl"));
    cmd.args([
        "s_client",
        "-quiet",
        "-CAfile",
        p(&pki.ca_cert()),
        "-connect",
        &format!("localhost:{}", srv.port),
    ]);
    let out = run_with_stdin(&mut cmd, b"", Duration::from_secs(30));
    assert!(out.stdout.contains(&message), "{} bytes", out.stdout.len());
    run(&[
        "serve",
        "-s",
        p(&pem),
        "--message-file",
        p(&pki.path("missing.txt")),
        "127.0.0.1",
        "0",
    ])
    .failed_with(1, "missing.txt");

    let expired = pki.issue_combined(
        "expired.pem",
        &["localhost"],
        &["--not-before", "-30d", "--days", "1"],
    );
    let srv = serve(&["-s", p(&expired)]);
    assert!(
        srv.peer.wait_output("expired on", Duration::from_secs(10)),
        "{}",
        srv.peer.output()
    );
    let future = pki.issue_combined("future.pem", &["localhost"], &["--not-before", "+7d"]);
    let srv = serve(&["-s", p(&future)]);
    assert!(
        srv.peer
            .wait_output("is not valid before", Duration::from_secs(10)),
        "{}",
        srv.peer.output()
    );
}

#[test]
fn demo_force_and_relative_steps_and_the_default_lifetime() {
    let dir = tempfile::tempdir().unwrap();
    let lab = dir.path().join("lab");
    let r = run(&["demo", "--dir", p(&lab)]);
    r.ok();
    for line in r.stdout.lines().filter(|l| l.contains("by hand:")) {
        assert!(!line.contains(p(dir.path())), "not relative: {line}");
    }
    assert!(
        r.stdout.contains("tlskit connect -a ca/ca.crt localhost"),
        "{}",
        r.stdout
    );
    let again = run(&["demo", "--dir", p(&lab)]);
    again.failed_with(1, "--force");
    run(&["demo", "--dir", p(&lab), "--force"]).ok();
    // The demo CA cannot vouch for real sites.
    let show = run(&["cert", "show", "--json", p(&lab.join("ca/ca.crt"))]).json();
    let names: Vec<&str> = show["certificates"][0]["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"nameConstraints"), "{names:?}");
    // cert issue's default lifetime fits the 398 days tlskit's own Mozilla policy check allows.
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("a.pem", &["localhost"], &[]);
    let info = run(&["cert", "show", "--json", p(&pem)]).json();
    let days = info["certificates"][0]["validity_days"].as_i64().unwrap();
    assert!(days <= 398, "{days}");
    // A name-constrained CA: openssl refuses what it issues outside its names.
    let constrained = dir.path().join("nc");
    run(&[
        "cert",
        "ca",
        "--out",
        p(&constrained),
        "--name-constraints",
        "DNS:.test,DNS:localhost,IP:127.0.0.0/8",
    ])
    .ok();
    let bad = dir.path().join("bank.pem");
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&constrained),
        "--out",
        p(&bad),
        "www.bank32.com",
    ])
    .ok();
    let ok = dir.path().join("ok.pem");
    run(&[
        "cert",
        "issue",
        "--ca",
        p(&constrained),
        "--out",
        p(&ok),
        "www.bank32.test",
        "127.0.0.1",
    ])
    .ok();
    let openssl = require_tool("openssl", "openssl");
    let v = run_cmd(
        Command::new(&openssl).args(["verify", "-CAfile", p(&constrained.join("ca.crt")), p(&bad)]),
        Duration::from_secs(30),
    );
    assert!(
        v.stdout.contains("permitted subtree violation")
            || v.stderr.contains("permitted subtree violation"),
        "{}{}",
        v.stdout,
        v.stderr
    );
    let v = run_cmd(
        Command::new(&openssl).args(["verify", "-CAfile", p(&constrained.join("ca.crt")), p(&ok)]),
        Duration::from_secs(30),
    );
    assert!(v.stdout.contains(": OK"), "{}{}", v.stdout, v.stderr);
    run(&[
        "cert",
        "ca",
        "--out",
        p(&dir.path().join("x")),
        "--name-constraints",
        "DNS:*.x.test",
    ])
    .failed_with(2, "wildcards");
    // The default CA directory: $TLSKIT_CA.
    let default = dir.path().join("default-ca");
    let r = run_cmd(
        tlskit().env("TLSKIT_CA", &default).args(["cert", "ca"]),
        Duration::from_secs(60),
    );
    r.ok();
    let issued = dir.path().join("d.pem");
    let r = run_cmd(
        tlskit().env("TLSKIT_CA", &default).args([
            "cert",
            "issue",
            "--out",
            p(&issued),
            "localhost",
        ]),
        Duration::from_secs(60),
    );
    r.ok();
    let r = run_cmd(
        tlskit().env("TLSKIT_CA", dir.path().join("nothing")).args([
            "cert",
            "issue",
            "--out",
            p(&dir.path().join("e.pem")),
            "localhost",
        ]),
        Duration::from_secs(60),
    );
    r.failed_with(2, "holds no CA");
    // cert trust --firefox-profile: the same certutil steps on the profile's cert9.db.
    let profile = dir.path().join("abcd.default-release");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(profile.join("prefs.js"), "// Firefox prefs\n").unwrap();
    run(&[
        "cert",
        "trust",
        p(&default),
        "--firefox-profile",
        p(&profile),
    ])
    .ok();
    let certutil = require_tool("certutil", "libnss3-tools");
    let list = run_cmd(
        Command::new(&certutil).args(["-L", "-d", &format!("sql:{}", profile.display())]),
        Duration::from_secs(30),
    );
    assert!(list.stdout.contains("tlskit lab CA"), "{}", list.stdout);
    run(&[
        "cert",
        "trust",
        p(&default),
        "--firefox-profile",
        p(&dir.path().join("nope")),
    ])
    .failed_with(1, "does not look like a Firefox profile");
    // cert trust --system, printed only (it would change this machine's trust).
    let r = run(&["cert", "trust", p(&default), "--system", "--dry-run"]);
    r.ok();
    assert!(r.stdout.contains("update-ca-certificates"), "{}", r.stdout);
    assert!(
        r.stdout.contains("/usr/local/share/ca-certificates/"),
        "{}",
        r.stdout
    );
}
