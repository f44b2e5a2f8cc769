//! `tlskit scan`'s certificate and server details (issue 12 item 6) against real servers: the
//! DH group of DHE suites named by the prime's value (`openssl s_server -dhparam` with RFC
//! 3526's group 14 written from the RFC's value, `gnutls-serv` with RFC 7919 ffdhe3072, and a
//! custom prime), in the JSON (`dh_group`, `dh_parameters`) and the text (`tlskit report`); the
//! extensions the server sends per version (`server_extensions`, TLS 1.3 EncryptedExtensions
//! included) and the session-ticket lifetime hint, against `openssl s_server` and nginx; the
//! embedded SCTs of a tlskit-issued certificate (none); `--dns` CAA records from dnsmasq on
//! loopback.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `tlskit scan --json` with only the given checks (and the enumeration they need).
fn scan_json(target: &str, checks: &str) -> Value {
    scan_json_exit(&["--checks", checks, target], &[0, 1])
}

/// The text `tlskit report` prints for a saved JSON report (the JSON read back).
fn report_text(v: &Value) -> String {
    let r = run_with_stdin(
        tlskit().args(["report", "-"]),
        v.to_string().as_bytes(),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.stdout
}

// ---------------------------------------------------------------------------------------------
// DH groups by value

/// RFC 3526 section 3, the 2048-bit MODP group (group 14): the prime as the RFC prints it.
const RFC3526_GROUP14: &str = "\
    FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74 020BBEA6 3B139B22 \
    514A0879 8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245 E485B576 625E7EC6 \
    F44C42E9 A637ED6B 0BFF5CB6 F406B7ED EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D \
    C2007CB8 A163BF05 98DA4836 1C55D39A 69163FA8 FD24CF5F 83655D23 DCA3AD96 1C62F356 208552BB \
    9ED52907 7096966D 670C354E 4ABC9804 F1746C08 CA18217C 32905E46 2E36CE3B E39E772C 180E8603 \
    9B2783A2 EC07A28F B5C55DF0 6F4C52C9 DE2BCBF6 95581718 3995497C EA956AE5 15D22618 98FA0510 \
    15728E5A 8AACAA68 FFFFFFFF FFFFFFFF";

/// A 2048-bit safe prime made once with `openssl dhparam 2048` for this test (no list names it).
const CUSTOM_DH_2048: &str = "\
-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA9z6aOHVWtrBrfSTnFYDYLS8uWEaQN8QA/mX97OdeEFddRzEseKgE
+P/eencZG7Dk9a5G8eAAaMpFtX3Hev9wwKhslYnV3N/5g3ne8RC7IZuVGej+/qtA
u8fPIY+HfgBQ05VOO+Czr5uu76gwCI3QMUgJAJyHr59ulL2ybgaDqRxrvJQErrnj
/jaJnNKqIBO3URcUXYCgLdxZ0ZeEj1yTIzFKGREpXvrFopNAu7FQwa6MnwNTz39a
SVvKHT7cGI0v3VFc5e/0So57bGicPuSQgHrHy8kUZa/UWQZvdDq1DXyqWcTGHWTn
Wo1cQ+TE+q3Qxnfoq/KszOvMOiy/ogi+FwIBAg==
-----END DH PARAMETERS-----
";

/// DER length octets.
fn der_len(n: usize) -> Vec<u8> {
    match n {
        0..=0x7f => vec![n as u8],
        0x80..=0xff => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

/// PKCS#3 DHParameter { prime, base 2 } as a PEM file (DER built here, PEM by `openssl dhparam`).
fn dhparam_pem(dir: &Path, name: &str, prime_hex: &str) -> PathBuf {
    let hex: String = prime_hex.chars().filter(|c| !c.is_whitespace()).collect();
    let mut prime: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    if prime[0] & 0x80 != 0 {
        prime.insert(0, 0);
    }
    let mut body = vec![0x02];
    body.extend(der_len(prime.len()));
    body.extend(&prime);
    body.extend([0x02, 0x01, 0x02]);
    let mut der = vec![0x30];
    der.extend(der_len(body.len()));
    der.extend(body);
    let der_path = dir.join(format!("{name}.der"));
    std::fs::write(&der_path, der).unwrap();
    let pem = dir.join(format!("{name}.pem"));
    let r = run_cmd(
        Command::new(openssl()).args([
            "dhparam",
            "-inform",
            "DER",
            "-in",
            p(&der_path),
            "-out",
            p(&pem),
        ]),
        Duration::from_secs(20),
    );
    assert_eq!(r.code, 0, "openssl dhparam: {}", r.stderr);
    pem
}

/// `openssl s_server` with TLS 1.2 DHE only and the DH parameters in `dh`.
fn s_server_dhe(crt: &Path, key: &Path, dh: &Path) -> Listening {
    openssl_s_server(
        crt,
        key,
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
            "-dhparam",
            p(dh),
        ],
    )
}

/// The `dh_group` of every DHE suite of the report, and its `dh_parameters`.
fn dh_groups(v: &Value) -> (Vec<Value>, Vec<Value>) {
    let suites = v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["cipher_suites"].as_array().unwrap().iter())
        .filter(|s| s["kx"] == "DH")
        .map(|s| s["dh_group"].clone())
        .collect();
    let params = v["dh_parameters"].as_array().cloned().unwrap_or_default();
    (suites, params)
}

#[test]
fn dh_group_rfc3526_group14_written_from_the_rfc_is_named() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let dh = dhparam_pem(pki.dir.path(), "group14", RFC3526_GROUP14);
    let srv = s_server_dhe(&crt, &key, &dh);
    let port = srv.port;
    let v = scan_json(&format!("127.0.0.1:{port}"), "logjam");
    let want = serde_json::json!({"name": "RFC 3526 group 14 (2048-bit MODP)", "kind": "well_known", "bits": 2048});
    let (suites, params) = dh_groups(&v);
    assert_eq!(suites.len(), 2, "{suites:?}");
    assert!(suites.iter().all(|g| *g == want), "{suites:?}");
    assert_eq!(
        params,
        vec![serde_json::json!({"group": want, "versions": ["TLSv1.2"]})]
    );
    // LOGJAM names the prime through the same lookup.
    let logjam = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "logjam")
        .unwrap();
    assert!(
        logjam["detail"]
            .as_str()
            .unwrap()
            .contains("RFC 3526 group 14 (2048-bit MODP)"),
        "{logjam}"
    );
    let text = report_text(&v);
    assert!(text.contains("DH parameters"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("RFC 3526 group 14 (2048-bit MODP)")
                && l.contains("well_known")
                && l.contains("TLSv1.2")),
        "{text}"
    );
}

#[test]
fn dh_group_custom_prime_is_custom_with_its_size() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let dh = pki.dir.path().join("custom.pem");
    std::fs::write(&dh, CUSTOM_DH_2048).unwrap();
    let srv = s_server_dhe(&crt, &key, &dh);
    let port = srv.port;
    let v = scan_json(&format!("127.0.0.1:{port}"), "logjam");
    let want = serde_json::json!({"name": "custom 2048-bit", "kind": "custom", "bits": 2048});
    let (suites, params) = dh_groups(&v);
    assert!(
        !suites.is_empty() && suites.iter().all(|g| *g == want),
        "{suites:?}"
    );
    assert_eq!(params.len(), 1, "{params:?}");
    let text = report_text(&v);
    assert!(
        text.lines()
            .any(|l| l.contains("custom 2048-bit") && l.contains("DHE")
                || l.contains("custom 2048-bit") && l.contains("0x")),
        "a suite line names the group:\n{text}"
    );
}

#[test]
fn dh_group_gnutls_ffdhe3072_is_the_rfc7919_group() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let srv = gnutls_serv_http(
        &crt,
        &key,
        &[
            "--priority",
            "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:-GROUP-ALL:+GROUP-FFDHE3072",
            "--disable-client-cert",
        ],
    );
    let port = srv.port;
    let v = scan_json(&format!("127.0.0.1:{port}"), "logjam");
    let want = serde_json::json!({"name": "ffdhe3072", "kind": "ffdhe", "bits": 3072});
    let (suites, params) = dh_groups(&v);
    assert!(
        !suites.is_empty() && suites.iter().all(|g| *g == want),
        "{suites:?}"
    );
    assert_eq!(
        params,
        vec![serde_json::json!({"group": want, "versions": ["TLSv1.2"]})]
    );
    let text = report_text(&v);
    assert!(
        text.lines()
            .any(|l| l.contains("ffdhe3072") && l.contains("ffdhe") && l.contains("3072 bits")),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// The extensions the server sends, and the session-ticket lifetime hint

/// The extension ids of one version's `server_extensions` entry (with its error, if any).
fn extensions(v: &Value, version: &str) -> (Vec<u64>, Value) {
    let list = v["server_extensions"]
        .as_array()
        .unwrap_or_else(|| panic!("no server_extensions in {v}"));
    let e = list
        .iter()
        .find(|e| e["version"] == version)
        .unwrap_or_else(|| panic!("no {version} in {list:?}"));
    let ids = e["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            // Every name is the registry's.
            assert!(x["name"].as_str().is_some_and(|n| !n.is_empty()), "{x}");
            x["id"].as_u64().unwrap()
        })
        .collect();
    (ids, e["error"].clone())
}

// IANA code points (RFC 6066, 7301, 5077, 7627, 5746, 8446).
const ALPN: u64 = 16;
const EC_POINT_FORMATS: u64 = 11;
const SESSION_TICKET: u64 = 35;
const EMS: u64 = 23;
const RENEGOTIATION_INFO: u64 = 0xff01;
const SUPPORTED_VERSIONS: u64 = 43;
const KEY_SHARE: u64 = 51;

#[test]
fn server_extensions_and_ticket_hint_of_openssl_s_server() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let srv = openssl_s_server(&crt, &key, &["-alpn", "http/1.1"]);
    let port = srv.port;
    // ticketbleed needs the session features, which bring the extensions along.
    let v = scan_json(
        &format!("127.0.0.1:{port}"),
        "ticketbleed,server_extensions",
    );
    let (tls13, err13) = extensions(&v, "TLSv1.3");
    assert_eq!(err13, Value::Null, "{tls13:?}");
    // ServerHello's, then EncryptedExtensions' (ALPN travels encrypted in TLS 1.3).
    assert_eq!(
        &tls13[..2]
            .iter()
            .filter(|x| [SUPPORTED_VERSIONS, KEY_SHARE].contains(x))
            .count(),
        &2,
        "{tls13:?}"
    );
    assert!(tls13.contains(&ALPN), "{tls13:?}");
    let (tls12, err12) = extensions(&v, "TLSv1.2");
    assert_eq!(err12, Value::Null);
    for id in [
        RENEGOTIATION_INFO,
        EMS,
        SESSION_TICKET,
        ALPN,
        EC_POINT_FORMATS,
    ] {
        assert!(tls12.contains(&id), "{id} missing from {tls12:?}");
    }
    assert!(!tls12.contains(&KEY_SHARE), "{tls12:?}");
    // OpenSSL's default session timeout, sent as the ticket's lifetime hint.
    assert_eq!(
        v["session_features"]["session_ticket"]["lifetime_hint_s"], 7200,
        "{}",
        v["session_features"]
    );
    // TLS 1.3: the NewSessionTicket's ticket_lifetime, from the decrypted post-handshake
    // records (the same timeout).
    assert_eq!(
        v["session_features"]["session_ticket"]["tls13_lifetime_s"], 7200,
        "{}",
        v["session_features"]
    );
    let text = report_text(&v);
    assert!(text.contains("Server extensions"), "{text}");
    assert!(
        text.lines().any(|l| l.contains("TLSv1.3")
            && l.contains("key_share")
            && l.contains("application_layer_protocol_negotiation")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("Ticket lifetime hint") && l.contains("7200 s")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("Ticket lifetime (TLS 1.3)") && l.contains("7200 s")),
        "{text}"
    );
}

#[test]
fn server_extensions_and_ticket_hint_of_nginx() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["localhost"], &[]);
    let (short, long) = (free_port(), free_port());
    let block = |port: u16, timeout: &str| {
        format!(
            "  server {{ listen 127.0.0.1:{port} ssl http2; server_name localhost;\n    \
             ssl_session_tickets on; ssl_session_timeout {timeout};\n    \
             ssl_certificate {}; ssl_certificate_key {};\n    return 200 \"ok\\n\"; }}\n",
            p(&crt),
            p(&key)
        )
    };
    let servers = format!("{}{}", block(short, "30m"), block(long, "2d"));
    let _nginx = Nginx::start(&servers, &[short, long]);
    let v = scan_json(
        &format!("127.0.0.1:{short}"),
        "ticketbleed,server_extensions",
    );
    let (tls13, err13) = extensions(&v, "TLSv1.3");
    assert_eq!(err13, Value::Null, "{tls13:?}");
    assert!(
        tls13.contains(&KEY_SHARE) && tls13.contains(&ALPN),
        "{tls13:?}"
    );
    let (tls12, _) = extensions(&v, "TLSv1.2");
    for id in [RENEGOTIATION_INFO, EMS, SESSION_TICKET, ALPN] {
        assert!(tls12.contains(&id), "{id} missing from {tls12:?}");
    }
    // nginx sends ssl_session_timeout as the hint.
    assert_eq!(
        v["session_features"]["session_ticket"]["lifetime_hint_s"], 1800,
        "{}",
        v["session_features"]
    );
    assert_eq!(
        v["session_features"]["session_ticket"]["tls13_lifetime_s"], 1800,
        "{}",
        v["session_features"]
    );
    let long_finding = |v: &Value| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "feature.ticket_lifetime_long" && f["severity"] == "low")
    };
    assert!(!long_finding(&v));
    let v = scan_json(
        &format!("127.0.0.1:{long}"),
        "ticketbleed,server_extensions",
    );
    assert_eq!(
        v["session_features"]["session_ticket"]["lifetime_hint_s"],
        172800
    );
    // Within RFC 8446's 7 days: no finding for TLS 1.3.
    assert_eq!(
        v["session_features"]["session_ticket"]["tls13_lifetime_s"],
        172800
    );
    assert!(long_finding(&v), "{}", v["findings"]);
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "feature.tls13_ticket_lifetime_over_max"),
        "{}",
        v["findings"]
    );
}

// ---------------------------------------------------------------------------------------------
// Embedded SCTs: tlskit-issued certificates have none (a public certificate with two is the
// fixture of crates/tlskit/src/pki/chain/sct.rs's unit test).

#[test]
fn scts_of_a_tlskit_issued_certificate_are_none_and_dns_caa_from_dnsmasq() {
    let pki = Pki::new("rsa2048");
    let (crt, key) = pki.issue("srv", &["www.example.test"], &[]);
    let srv = openssl_s_server(&crt, &key, &[]);
    let port = srv.port;
    // dnsmasq serves CAA (type 257) for example.test only: www.example.test climbs to it. The
    // record: flags 128, tag "issue", value "ca.example.net" (RFC 8659 section 4.1 layout).
    let mut caa = String::from("80");
    caa.push_str("05");
    caa.push_str(&hex(b"issue"));
    caa.push_str(&hex(b"ca.example.net"));
    let (_dns, dns_port) = dnsmasq(pki.dir.path(), &[format!("example.test,257,{caa}")]);
    let scan = |name: &str| {
        scan_json_exit(
            &[
                "--checks",
                "null,dns",
                "--resolve",
                &format!("{name}:{port}:127.0.0.1"),
                "--dns",
                "--dns-server",
                &format!("127.0.0.1:{dns_port}"),
                &format!("{name}:{port}"),
            ],
            &[0, 1],
        )
    };
    let v = scan("www.example.test");
    let a = &v["certificates"][0]["analysis"];
    assert_eq!(a["sct_count"], 0, "{a}");
    assert_eq!(a["scts"], serde_json::json!([]), "{a}");
    assert_eq!(
        v["dns"],
        serde_json::json!({
            "name": "www.example.test",
            "caa": [{"flags": 128, "tag": "issue", "value": "ca.example.net"}],
            "caa_found_at": "example.test"
        })
    );
    assert!(!v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "dns.no_caa"));
    let text = report_text(&v);
    assert!(
        text.contains("CAA (www.example.test, found at example.test)")
            && text.contains("128 issue \"ca.example.net\""),
        "{text}"
    );
    // No CAA anywhere: a Low finding.
    let v = scan("www.nothing.test");
    assert_eq!(v["dns"]["caa_found_at"], Value::Null, "{}", v["dns"]);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "dns.no_caa" && f["severity"] == "low"),
        "{}",
        v["findings"]
    );
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
