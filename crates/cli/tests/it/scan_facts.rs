//! `tlskit scan`'s TLS 1.2 facts that single-value probes got wrong (issue 11, item 4), against
//! real servers: the curves of an ECDSA P-384 `openssl s_server` (a TLS 1.2 probe must also offer
//! the certificate's curve), the RFC 7919 groups of `gnutls-serv` with DHE, the TLS 1.2 signature
//! schemes of nginx with an RSA and an ECDSA certificate, and nginx's ALPN protocols (with
//! `http/0.9`).

use crate::common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn scan_json(target: &str) -> Value {
    scan_json_exit(&[target], &[0, 1])
}

/// The versions a group (or signature scheme) of the report was found with; empty when absent.
fn versions(v: &Value, section: &str, name: &str) -> Vec<String> {
    v[section]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .map(|g| {
            g["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn has_tls12(v: &Value, section: &str, name: &str) -> bool {
    versions(v, section, name).iter().any(|x| x == "TLSv1.2")
}

#[test]
fn an_ecdsa_p384_server_shows_every_tls12_curve_it_accepts() {
    let pki = Pki::new("ecdsa-p384");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let port = free_port();
    let mut cmd = Command::new(require_tool("openssl", "openssl"));
    cmd.args([
        "s_server",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        p(&crt),
        "-key",
        p(&key),
        "-www",
        "-quiet",
        "-groups",
        "x25519:secp384r1:x448:secp521r1",
    ]);
    let _srv = Peer::listening("openssl s_server", &mut cmd, port);
    let v = scan_json(&format!("127.0.0.1:{port}"));
    for g in ["x25519", "secp384r1", "x448", "secp521r1"] {
        assert!(
            has_tls12(&v, "groups", g),
            "{g} with TLSv1.2: {}",
            v["groups"]
        );
        assert!(
            versions(&v, "groups", g).iter().any(|x| x == "TLSv1.3"),
            "{g} with TLSv1.3: {}",
            v["groups"]
        );
    }
    assert!(
        versions(&v, "groups", "secp256r1").is_empty(),
        "{}",
        v["groups"]
    );
    assert_eq!(v["errors"], serde_json::json!([]), "{}", v["errors"]);
}

#[test]
fn gnutls_ffdhe_groups_are_found_for_tls12_dhe() {
    let gnutls = require_tool("gnutls-serv", "gnutls-bin");
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3:-KX-ALL:+DHE-RSA:-GROUP-ALL:+GROUP-FFDHE2048:+GROUP-FFDHE3072";
    let port = free_port();
    let mut cmd = Command::new(gnutls);
    cmd.args([
        "--http",
        "--x509certfile",
        p(&crt),
        "--x509keyfile",
        p(&key),
        "-p",
        &port.to_string(),
        "--priority",
        priority,
        // gnutls-serv asks for a client certificate by default; the client_auth check's rustls
        // handshakes cannot speak DHE/FFDHE, so whether it is required stays undetermined (an
        // honest `errors` entry, tested in scan_client_auth). This test is about groups.
        "--disable-client-cert",
    ]);
    let _srv = Peer::listening("gnutls-serv", &mut cmd, port);
    let v = scan_json(&format!("127.0.0.1:{port}"));
    for g in ["ffdhe2048", "ffdhe3072"] {
        let got = versions(&v, "groups", g);
        assert!(
            got.iter().any(|x| x == "TLSv1.2") && got.iter().any(|x| x == "TLSv1.3"),
            "{g}: {}",
            v["groups"]
        );
    }
    for g in ["ffdhe4096", "ffdhe6144", "ffdhe8192", "x25519", "secp256r1"] {
        assert!(versions(&v, "groups", g).is_empty(), "{g}: {}", v["groups"]);
    }
    // The scan's rustls handshakes and the client simulation make FFDHE key shares (RFC 7919
    // groups, scan/engine/ffdhe.rs): nothing is left undetermined on an FFDHE-only server.
    assert_eq!(v["errors"], serde_json::json!([]), "{}", v["errors"]);
    assert_eq!(v["client_auth"]["requested"], false, "{}", v["client_auth"]);
    assert_eq!(v["ech"]["supported"], false, "{}", v["ech"]);
    let tls13 = &v["server_extensions"][0];
    assert_eq!(tls13["version"], "TLSv1.3", "{}", v["server_extensions"]);
    assert!(tls13.get("error").is_none(), "{tls13}");
    assert_eq!(
        v["session_features"]["tls13_psk_resumption"], true,
        "{}",
        v["session_features"]
    );
    // Clients that offer ffdhe2048 get it after a HelloRetryRequest, as the real ones do.
    let sims = v["client_simulation"].as_array().unwrap();
    let firefox = sims
        .iter()
        .find(|c| {
            c["client"]
                .as_str()
                .is_some_and(|n| n.starts_with("Firefox"))
        })
        .unwrap();
    assert_eq!(firefox["protocol"], "TLSv1.3", "{firefox}");
    assert_eq!(firefox["group"], "ffdhe2048", "{firefox}");
}

/// The server's order puts RSA first: one elimination over every suite then sees only the RSA
/// certificate, and once the RSA schemes are eliminated nginx refuses instead of switching.
const RSA_FIRST: &str = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256";

#[test]
fn nginx_with_rsa_and_ecdsa_certificates_shows_the_tls12_schemes_of_both_and_http09() {
    let rsa = Pki::new("rsa2048");
    let (rsa_crt, rsa_key) = rsa.issue("rsa", &["localhost"], &[]);
    let (ec_crt, ec_key) = rsa.issue("ecdsa", &["localhost"], &["--key-type", "ecdsa-p256"]);
    let port = free_port();
    let servers = format!(
        "  server {{ listen 127.0.0.1:{port} ssl http2; server_name localhost;\n    \
         ssl_prefer_server_ciphers on; ssl_ciphers {RSA_FIRST};\n    \
         ssl_certificate {}; ssl_certificate_key {};\n    \
         ssl_certificate {}; ssl_certificate_key {};\n    return 200 \"ok\\n\"; }}\n",
        p(&rsa_crt),
        p(&rsa_key),
        p(&ec_crt),
        p(&ec_key)
    );
    let _nginx = Nginx::start(&servers, &[port]);
    let v = scan_json(&format!("127.0.0.1:{port}"));
    let keys: Vec<&str> = v["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key_type"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 2, "an RSA and an ECDSA chain: {keys:?}");
    for (s, kind) in [
        ("ecdsa_secp256r1_sha256", "ecdsa"),
        ("rsa_pss_rsae_sha256", "rsa"),
        ("rsa_pkcs1_sha256", "rsa"),
    ] {
        assert!(
            has_tls12(&v, "signature_algorithms", s),
            "{s} with TLSv1.2: {}",
            v["signature_algorithms"]
        );
        // Each TLS 1.2 scheme says which certificate it was found with.
        let entry = v["signature_algorithms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == s)
            .unwrap();
        assert_eq!(entry["cert_type"], kind, "{entry}");
    }
    // The text report says it too (rendered from the saved JSON, as `tlskit report` does).
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("r.json");
    std::fs::write(&saved, v.to_string()).unwrap();
    let text = run(&["report", p(&saved)]).ok().stdout.clone();
    assert!(
        text.lines().any(|l| l.contains("ecdsa_secp256r1_sha256")
            && l.ends_with("(ECDSA certificate with TLSv1.2)")),
        "{text}"
    );
    let alpn = &v["session_features"]["alpn"]["protocols"];
    assert_eq!(
        alpn,
        &serde_json::json!(["h2", "http/1.1", "http/1.0", "http/0.9"]),
        "{alpn}"
    );
    assert_eq!(v["errors"], serde_json::json!([]), "{}", v["errors"]);
}
