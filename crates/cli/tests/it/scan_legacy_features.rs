//! `tlskit scan` session features on the servers where the scanner's old minimal TLS 1.2 client
//! left them null: TLS 1.0/1.1-only and DHE-only `openssl s_server -www` (Debian OpenSSL 3.0:
//! TLS 1.0/1.1 only at `@SECLEVEL=0`). Resumption by session ID and by ticket, secure
//! renegotiation, client-initiated renegotiation and insecure renegotiation must all be
//! determined, and equal what `openssl s_client` observes against the same server:
//! `-reconnect` (resumption: its reconnections are "Reused", by ticket by default, by session ID
//! with `-no_ticket`), the "Secure Renegotiation IS supported" line, and the `R` command
//! (client-initiated renegotiation: a second handshake, or "no renegotiation").
//!
//! `s_client` cannot leave out RFC 5746 (it always signals it), so insecure renegotiation is
//! checked against OpenSSL's documented behaviour instead: a server refuses renegotiation with
//! a client that lacks RFC 5746 unless started with `-legacy_renegotiation`
//! (SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION), and OpenSSL 3.0 refuses every client-initiated
//! renegotiation unless started with `-client_renegotiation`.

use crate::common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

struct Server {
    _peer: Peer,
    pki: Pki,
    port: u16,
    /// The `s_client` arguments that reach it (version and cipher level).
    client_args: Vec<String>,
}

impl Server {
    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// `openssl s_server -www` (the serial test server: one connection at a time) with `extra`;
/// `client` are the `s_client` arguments that reach it.
fn s_server(extra: &[&str], client: &[&str]) -> Server {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let Listening { peer, port } = openssl_s_server(&crt, &key, extra);
    Server {
        _peer: peer,
        pki,
        port,
        client_args: client.iter().map(|s| s.to_string()).collect(),
    }
}

fn scan_json(server: &Server) -> Value {
    scan_json_exit(&[&server.addr()], &[0, 1])
}

fn feat(v: &Value, name: &str) -> Option<bool> {
    v["session_features"][name].as_bool()
}

fn notes(v: &Value) -> String {
    serde_json::to_string_pretty(&v["session_features"]).unwrap()
}

/// The suites the scan found for `version`.
fn suites(v: &Value, version: &str) -> Vec<String> {
    v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["version"] == version)
        .and_then(|p| p["cipher_suites"].as_array())
        .map(|l| {
            l.iter()
                .map(|s| s["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn offered(v: &Value, version: &str) -> bool {
    v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["version"] == version && p["offered"] == true)
}

/// `openssl s_client` against `server` (trusting its CA) with `extra`, stdin `input` (kept open
/// 1.5 s): stdout and stderr together.
fn s_client(server: &Server, extra: &[&str], input: &[u8]) -> String {
    let r = run_with_stdin(
        Command::new(openssl())
            .args(["s_client", "-connect", &server.addr()])
            .args(["-CAfile", p(&server.pki.ca_cert())])
            .args(&server.client_args)
            .args(extra),
        input,
        Duration::from_secs(60),
    );
    format!("{}\n{}", r.stdout, r.stderr)
}

/// Whether `s_client -reconnect` resumed (at least four of its five reconnections), and whether
/// its sessions carried a ticket.
fn s_client_reused(server: &Server, extra: &[&str]) -> (bool, bool) {
    let out = s_client(server, &[&["-reconnect"], extra].concat(), b"");
    let reused = out.lines().filter(|l| l.starts_with("Reused,")).count();
    (reused >= 4, out.contains("TLS session ticket:"))
}

/// What `s_client` sees: (secure renegotiation supported, its `R` renegotiation completed).
fn s_client_renegotiation(server: &Server) -> (bool, bool) {
    let out = s_client(server, &[], b"R\n");
    let secure = out.contains("Secure Renegotiation IS supported");
    assert!(out.contains("RENEGOTIATING"), "{out}");
    // Each handshake verifies the server's certificate once (depth 0, the CA trusted); a refusal
    // is an error.
    let handshakes = out.lines().filter(|l| l.starts_with("depth=0")).count();
    let refused = out.contains("no renegotiation");
    assert!(refused != (handshakes >= 2), "{out}");
    (secure, !refused)
}

/// What `s_client` sees, compared with the scan: resumption by session ID and by ticket, secure
/// and client-initiated renegotiation.
fn agrees_with_s_client(server: &Server, v: &Value) {
    let (by_id, _) = s_client_reused(server, &["-no_ticket"]);
    let (reused, ticket) = s_client_reused(server, &[]);
    let by_ticket = reused && ticket;
    let (secure, client) = s_client_renegotiation(server);
    let n = notes(v);
    assert_eq!(feat(v, "session_id_resumption"), Some(by_id), "{n}");
    assert_eq!(feat(v, "ticket_resumption"), Some(by_ticket), "{n}");
    assert_eq!(feat(v, "secure_renegotiation"), Some(secure), "{n}");
    assert_eq!(feat(v, "client_renegotiation"), Some(client), "{n}");
}

/// Every TLS ≤ 1.2 session feature determined, and no "not tested" among the notes.
fn all_determined(v: &Value) {
    let n = notes(v);
    for f in [
        "secure_renegotiation",
        "client_renegotiation",
        "insecure_renegotiation",
        "session_id_resumption",
        "ticket_resumption",
        "session_tickets",
        "extended_master_secret",
    ] {
        assert!(feat(v, f).is_some(), "{f} is null: {n}");
    }
    assert!(!n.contains("not tested"), "{n}");
}

const LEGACY: [&str; 2] = ["-cipher", "ALL:@SECLEVEL=0"];

#[test]
fn tls11_only_server_openssl_defaults() {
    let server = s_server(
        &["-tls1_1", LEGACY[0], LEGACY[1]],
        &["-tls1_1", LEGACY[0], LEGACY[1]],
    );
    let v = scan_json(&server);
    assert!(offered(&v, "TLSv1.1") && !offered(&v, "TLSv1.2"), "{v}");
    all_determined(&v);
    agrees_with_s_client(&server, &v);
    let n = notes(&v);
    assert_eq!(feat(&v, "session_id_resumption"), Some(true), "{n}");
    assert_eq!(feat(&v, "ticket_resumption"), Some(true), "{n}");
    assert_eq!(feat(&v, "secure_renegotiation"), Some(true), "{n}");
    // OpenSSL 3.0 refuses client-initiated renegotiation by default, so legacy renegotiation too.
    assert_eq!(feat(&v, "client_renegotiation"), Some(false), "{n}");
    assert_eq!(feat(&v, "insecure_renegotiation"), Some(false), "{n}");
}

#[test]
fn tls10_only_server_with_client_and_legacy_renegotiation() {
    let server = s_server(
        &[
            "-tls1",
            LEGACY[0],
            LEGACY[1],
            "-client_renegotiation",
            "-legacy_renegotiation",
        ],
        &["-tls1", LEGACY[0], LEGACY[1]],
    );
    let v = scan_json(&server);
    assert!(offered(&v, "TLSv1.0") && !offered(&v, "TLSv1.1"), "{v}");
    all_determined(&v);
    agrees_with_s_client(&server, &v);
    let n = notes(&v);
    assert_eq!(feat(&v, "client_renegotiation"), Some(true), "{n}");
    // -legacy_renegotiation: a client without RFC 5746 may renegotiate.
    assert_eq!(feat(&v, "insecure_renegotiation"), Some(true), "{n}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "feature.insecure_renegotiation"),
        "{v}"
    );
}

#[test]
fn dhe_only_server() {
    let cipher = ["-cipher", "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"];
    let server = s_server(
        &[&["-no_tls1_3", "-client_renegotiation"], &cipher[..]].concat(),
        &["-tls1_2"],
    );
    let v = scan_json(&server);
    assert_eq!(
        suites(&v, "TLSv1.2"),
        ["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"],
        "{v}"
    );
    all_determined(&v);
    agrees_with_s_client(&server, &v);
    let n = notes(&v);
    assert_eq!(feat(&v, "session_id_resumption"), Some(true), "{n}");
    assert_eq!(feat(&v, "ticket_resumption"), Some(true), "{n}");
    assert_eq!(feat(&v, "client_renegotiation"), Some(true), "{n}");
    // Without -legacy_renegotiation, OpenSSL refuses a client that lacks RFC 5746.
    assert_eq!(feat(&v, "insecure_renegotiation"), Some(false), "{n}");
}

#[test]
fn no_ticket_means_ticket_resumption_false_not_null() {
    let server = s_server(
        &["-tls1_1", LEGACY[0], LEGACY[1], "-no_ticket"],
        &["-tls1_1", LEGACY[0], LEGACY[1]],
    );
    let v = scan_json(&server);
    all_determined(&v);
    agrees_with_s_client(&server, &v);
    let n = notes(&v);
    assert_eq!(feat(&v, "session_tickets"), Some(false), "{n}");
    assert_eq!(feat(&v, "ticket_resumption"), Some(false), "{n}");
    assert_eq!(feat(&v, "session_id_resumption"), Some(true), "{n}");
}
