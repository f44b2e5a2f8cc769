//! `tlskit scan` through STARTTLS against real daemons (postfix, dovecot, vsftpd, PostgreSQL,
//! MariaDB, slapd, Prosody, INN, InspIRCd): every endpoint yields exactly the versions and suites
//! the daemon is configured for, and a STARTTLS port yields the same as the implicit-TLS port of the
//! same daemon.

use crate::common::*;
use crate::daemons::{Daemon, MiniSmtp};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// version → suite names, for offered versions.
type Found = BTreeMap<String, BTreeSet<String>>;

fn scan(d: &Daemon, label: &str) -> Value {
    let e = d.endpoint(label);
    let mut args: Vec<String> = vec![
        "scan".into(),
        "--json".into(),
        "--timeout".into(),
        "5".into(),
        "--no-progress".into(),
    ];
    args.extend(e.flags());
    args.push(format!("{}:{}", d.host, e.port));
    let r = run_cmd(tlskit().args(&args), Duration::from_secs(180));
    assert_eq!(
        r.code,
        0,
        "{} {label}: scan failed\nstdout:\n{}\nstderr:\n{}\ndaemon logs:\n{}",
        d.name,
        r.stdout,
        r.stderr,
        d.logs()
    );
    serde_json::from_str(&r.stdout).unwrap()
}

fn found(v: &Value) -> Found {
    v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["offered"] == true)
        .map(|p| {
            (
                p["version"].as_str().unwrap().to_string(),
                p["cipher_suites"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// What the daemon's policy says an ECDSA-certificate endpoint accepts.
fn expected(d: &Daemon) -> Found {
    let mut f = Found::new();
    for v in d.policy.versions {
        let suites: BTreeSet<String> = match *v {
            "TLSv1.3" => d.policy.tls13.iter().map(|s| s.to_string()).collect(),
            _ => d.policy.tls12_ecdsa.iter().map(|s| s.to_string()).collect(),
        };
        f.insert(v.to_string(), suites);
    }
    f
}

/// Scan each endpoint; all must equal the policy (and therefore each other).
fn check(d: &Daemon, labels: &[&str]) {
    let want = expected(d);
    for label in labels {
        let v = scan(d, label);
        assert_eq!(
            found(&v),
            want,
            "{} {label}: versions and suites differ from the configuration",
            d.name
        );
        let e = d.endpoint(label);
        if let Some(proto) = e.starttls {
            assert_eq!(v["target"]["starttls"], proto, "{v}");
            assert!(
                !v["starttls"]["lines"].as_array().unwrap().is_empty(),
                "the plaintext part is reported: {v}"
            );
        }
        assert_eq!(
            v["certificates"][0]["key_type"], "ECDSA P-256",
            "{} {label}",
            d.name
        );
    }
}

fn pki() -> Pki {
    Pki::new("ecdsa-p256")
}

#[test]
fn postfix_smtp_starttls_equals_smtps() {
    let d = crate::daemons::postfix(&pki());
    check(&d, &["smtp", "smtps"]);
}

#[test]
fn dovecot_imap_pop3_lmtp_sieve_equal_imaps_pop3s() {
    let d = crate::daemons::dovecot(&pki());
    check(&d, &["imap", "imaps", "pop3", "pop3s", "lmtp", "sieve"]);
}

#[test]
fn vsftpd_auth_tls_equals_implicit_ftps() {
    let d = crate::daemons::vsftpd(&pki());
    check(&d, &["ftp", "ftps"]);
}

#[test]
fn postgres_sslrequest() {
    let d = crate::daemons::postgres(&pki());
    check(&d, &["postgres"]);
}

#[test]
fn mariadb_ssl_request() {
    let d = crate::daemons::mariadb(&pki());
    check(&d, &["mysql"]);
}

#[test]
fn slapd_starttls_equals_ldaps() {
    let d = crate::daemons::slapd(&pki());
    check(&d, &["ldap", "ldaps"]);
}

#[test]
fn prosody_xmpp_client_and_server_streams() {
    let d = crate::daemons::prosody(&pki());
    let labels: Vec<&str> = d.endpoints.iter().map(|e| e.label).collect();
    check(&d, &labels);
}

#[test]
fn inn_nntp_starttls_equals_nntps() {
    let d = crate::daemons::inn(&pki());
    check(&d, &["nntp", "nntps"]);
}

#[test]
fn inspircd_irc_starttls_equals_ircs() {
    let d = crate::daemons::inspircd(&pki());
    let labels: Vec<&str> = d.endpoints.iter().map(|e| e.label).collect();
    check(&d, &labels);
}

#[test]
fn injected_plaintext_after_go_ahead_is_a_finding_minimal_server_written_for_the_test() {
    let d = crate::daemons::mini_smtp(&pki(), MiniSmtp::Inject);
    let v = scan(&d, "smtp");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "starttls.injection"),
        "no injection finding: {}",
        v["findings"]
    );
    let d = crate::daemons::mini_smtp(&pki(), MiniSmtp::Go);
    let v = scan(&d, "smtp");
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "starttls.injection"),
        "{}",
        v["findings"]
    );
}

#[test]
fn scan_of_a_server_without_starttls_is_one_clear_error() {
    let d = crate::daemons::mini_smtp(&pki(), MiniSmtp::Refuse);
    let e = d.endpoint("smtp");
    let r = run(&["scan", "-t", "smtp", &format!("{}:{}", d.host, e.port)]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.starts_with("tlskit: error:"))
            .count(),
        1,
        "{}",
        r.stderr
    );
}

/// Dovecot without DH parameters (issue 11 item 1): it accepts its ECDHE and RSA key-exchange
/// suites but drops the connection whenever it picks a DHE one. The enumeration goes on past
/// every dropped handshake: each suite the server completes is found, and the DHE ones are
/// reported as not determined (an `errors` entry naming them), never silently missing — and a
/// policy is then not "compliant".
#[test]
fn dovecot_without_dh_parameters_every_suite_found_or_reported() {
    let pki = Pki::new("rsa2048");
    let d = crate::daemons::dovecot_with(
        &pki,
        "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:\
         DHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-SHA",
    );
    let v = scan(&d, "imaps");
    let tls12: BTreeSet<String> = found(&v)["TLSv1.2"].clone();
    let want: BTreeSet<String> = [
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_CBC_SHA",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(
        tls12,
        want,
        "every suite dovecot completes is found\n{}",
        d.logs()
    );
    let p = v["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["version"] == "TLSv1.2")
        .unwrap();
    let err = p["error"].as_str().unwrap_or_else(|| panic!("{p}"));
    for dhe in [
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    ] {
        assert!(err.contains(dhe), "{err}");
    }
    assert!(err.contains("picks one of these and then fails"), "{err}");
    assert!(
        v["errors"].as_array().unwrap().iter().any(|e| e
            .as_str()
            .unwrap()
            .contains("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")),
        "{}",
        v["errors"]
    );
    // The log says why: DHE without parameters.
    assert!(d.logs().contains("no DH parameters provided"));
}
