//! `tlskit connect` through STARTTLS and on implicit-TLS ports, against real daemons started by
//! the tests on loopback (postfix, dovecot, vsftpd, PostgreSQL, MariaDB, slapd, Prosody, INN,
//! InspIRCd) with certificates from `tlskit cert`. Behaviours no real daemon shows on purpose
//! (a refusal, plaintext injected after the go-ahead) use a minimal SMTP server written for the
//! tests (`daemons::mini_smtp`), which relays the TLS part to a real `tlskit serve`.

use crate::common::*;
use crate::daemons::{Daemon, MiniSmtp};
use std::time::Duration;

fn pki() -> Pki {
    Pki::new("ecdsa-p256")
}

/// `tlskit connect` to one endpoint of a daemon, with the endpoint's flags and `extra`.
fn connect(d: &Daemon, label: &str, extra: &[&str]) -> Run {
    let e = d.endpoint(label);
    let mut args: Vec<String> = vec![
        "connect".into(),
        "-a".into(),
        d.ca().into(),
        "--read-timeout".into(),
        "0.5".into(),
    ];
    args.extend(e.flags());
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(d.host.to_string());
    args.push(e.port.to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

fn ok_json(d: &Daemon, label: &str, r: &Run) -> serde_json::Value {
    assert_eq!(
        r.code,
        0,
        "{} {label}: connect failed.\nstdout:\n{}\nstderr:\n{}\ndaemon logs:\n{}",
        d.name,
        r.stdout,
        r.stderr,
        d.logs()
    );
    r.json()
}

/// Connect to `label` with the default versions (TLSv1.3 expected) and with -p TLSv1_2 (one of the
/// configured TLSv1.2 suites expected); both verify the certificate. Returns the first report.
fn check(d: &Daemon, label: &str) -> serde_json::Value {
    let e = d.endpoint(label).clone();
    let j = ok_json(d, label, &connect(d, label, &["--json"]));
    assert_eq!(j["protocol"], "TLSv1.3", "{} {label}: {j}", d.name);
    assert_eq!(
        j["certificate"]["verified"], true,
        "{} {label}: {j}",
        d.name
    );
    assert_eq!(
        j["certificate"]["name_match"], true,
        "{} {label}: {j}",
        d.name
    );
    match e.starttls {
        Some(proto) => {
            let st = &j["starttls"];
            assert_eq!(st["protocol"], proto, "{} {label}: {st}", d.name);
            assert!(st["injected"].is_null(), "{} {label}: {st}", d.name);
            let lines = st["lines"].as_array().unwrap();
            assert!(
                lines.iter().any(|l| l[0] == "client"),
                "{} {label}: {st}",
                d.name
            );
            assert!(
                lines.iter().any(|l| l[0] == "server"),
                "{} {label}: {st}",
                d.name
            );
        }
        None => assert!(j["starttls"].is_null(), "{} {label}: {j}", d.name),
    }
    let j12 = ok_json(d, label, &connect(d, label, &["--json", "-p", "TLSv1_2"]));
    assert_eq!(j12["protocol"], "TLSv1.2", "{} {label}: {j12}", d.name);
    let suite = j12["cipher_suite"]["name"].as_str().unwrap().to_string();
    assert!(
        d.policy.tls12_ecdsa.contains(&suite.as_str()),
        "{} {label}: TLSv1.2 suite {suite} is not one of the configured {:?}",
        d.name,
        d.policy.tls12_ecdsa
    );
    j
}

fn caps(j: &serde_json::Value) -> Vec<String> {
    j["starttls"]["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn smtp_postfix_starttls_smtps_and_no_starttls() {
    let pki = pki();
    let d = crate::daemons::postfix(&pki);
    let j = check(&d, "smtp");
    assert!(caps(&j).iter().any(|c| c == "STARTTLS"), "{j}");
    assert!(
        j["starttls"]["lines"][0][1]
            .as_str()
            .unwrap()
            .starts_with("220 mail.tlskit.test ESMTP"),
        "{j}"
    );
    check(&d, "smtps");

    // Text mode: the plaintext part first, marked as unprotected, then the TLS report.
    let r = connect(&d, "smtp", &[]);
    r.ok();
    let plain = r.stdout.find("not protected by TLS").expect(&r.stdout);
    let banner = r
        .stdout
        .find("S: 220 mail.tlskit.test ESMTP")
        .expect(&r.stdout);
    let ehlo = r.stdout.find("C: EHLO [127.0.0.1]").expect(&r.stdout);
    let go = r.stdout.find("C: STARTTLS").expect(&r.stdout);
    let report = r
        .stdout
        .find("Protocol             TLSv1.3")
        .expect(&r.stdout);
    assert!(
        plain < banner && banner < ehlo && ehlo < go && go < report,
        "{}",
        r.stdout
    );

    // --starttls-name sets the EHLO name.
    let j = ok_json(
        &d,
        "smtp",
        &connect(
            &d,
            "smtp",
            &["--json", "--starttls-name", "client.tlskit.test"],
        ),
    );
    assert_eq!(
        j["starttls"]["lines"][1][1], "EHLO client.tlskit.test",
        "{j}"
    );

    // --send after STARTTLS goes over TLS: the server answers within the session.
    let j = ok_json(
        &d,
        "smtp",
        &connect(&d, "smtp", &["--json", "--send", "EHLO me\\r\\nQUIT\\r\\n"]),
    );
    let text = j["received"]["text"].as_str().unwrap();
    assert!(
        text.contains("250-mail.tlskit.test") && text.contains("221 2.0.0 Bye"),
        "{j}"
    );
    // … and after TLS the server no longer offers STARTTLS.
    assert!(!text.contains("STARTTLS"), "{text}");

    // --interactive carries the session on after TLS.
    let e = d.endpoint("smtp");
    let mut cmd = tlskit();
    cmd.args([
        "connect",
        "-i",
        "-t",
        "smtp",
        "-a",
        d.ca(),
        d.host,
        &e.port.to_string(),
    ]);
    let r = run_with_stdin(&mut cmd, b"EHLO me\r\nQUIT\r\n", Duration::from_secs(30));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("S: 220 mail.tlskit.test"), "{}", r.stdout);
    assert!(r.stdout.contains("221 2.0.0 Bye"), "{}", r.stdout);

    // A listener with TLS switched off: not offered, and the error lists what is.
    let r = connect(&d, "smtp-notls", &[]);
    r.failed_with(
        1,
        "does not offer STARTTLS (it offers: PIPELINING, SIZE 10240000",
    );
    assert!(r.stderr.contains("8BITMIME"), "{}", r.stderr);

    // STARTTLS against the implicit-TLS port: the server waits for a ClientHello in silence.
    let port = d.endpoint("smtps").port.to_string();
    run(&[
        "connect",
        "-t",
        "smtp",
        "--timeout",
        "1",
        "-a",
        d.ca(),
        d.host,
        &port,
    ])
    .failed_with(1, "try --no-starttls");
}

#[test]
fn imap_pop3_lmtp_sieve_dovecot() {
    let pki = pki();
    let d = crate::daemons::dovecot(&pki);
    let j = check(&d, "imap");
    assert!(
        caps(&j).iter().any(|c| c == "STARTTLS") && caps(&j).iter().any(|c| c == "IMAP4rev1"),
        "{j}"
    );
    check(&d, "imaps");
    let j = check(&d, "pop3");
    assert!(caps(&j).iter().any(|c| c == "STLS"), "{j}");
    check(&d, "pop3s");
    let j = check(&d, "lmtp");
    assert!(
        j["starttls"]["lines"][1][1]
            .as_str()
            .unwrap()
            .starts_with("LHLO "),
        "{j}"
    );
    let j = check(&d, "sieve");
    assert!(
        caps(&j)
            .iter()
            .any(|c| c.starts_with("IMPLEMENTATION Dovecot")),
        "{j}"
    );

    // Something that is not the protocol: a one-line error quoting what the server said.
    let port = d.endpoint("imap").port.to_string();
    run(&["connect", "-t", "smtp", "-a", d.ca(), d.host, &port])
        .failed_with(1, "does not speak SMTP: it said '* OK");
    let port = d.endpoint("pop3").port.to_string();
    run(&["connect", "-t", "imap", "-a", d.ca(), d.host, &port])
        .failed_with(1, "does not speak IMAP: it said '+OK");
}

#[test]
fn ftp_vsftpd_auth_tls_and_implicit() {
    let pki = pki();
    let d = crate::daemons::vsftpd(&pki);
    let j = check(&d, "ftp");
    assert!(caps(&j).iter().any(|c| c == "AUTH TLS"), "{j}");
    check(&d, "ftps");
}

#[test]
fn postgres_sslrequest() {
    let pki = pki();
    let d = crate::daemons::postgres(&pki);
    let j = check(&d, "postgres");
    assert!(
        j["starttls"]["lines"][1][1]
            .as_str()
            .unwrap()
            .starts_with("'S'"),
        "{j}"
    );
}

#[test]
fn mysql_mariadb_ssl_request() {
    let pki = pki();
    let d = crate::daemons::mariadb(&pki);
    let j = check(&d, "mysql");
    assert!(caps(&j).iter().any(|c| c == "SSL"), "{j}");
    assert!(
        j["starttls"]["lines"][0][1]
            .as_str()
            .unwrap()
            .contains("MariaDB"),
        "{j}"
    );
}

#[test]
fn ldap_slapd_starttls_and_ldaps() {
    let pki = pki();
    let d = crate::daemons::slapd(&pki);
    let j = check(&d, "ldap");
    assert!(
        j["starttls"]["lines"][1][1]
            .as_str()
            .unwrap()
            .contains("resultCode 0 success"),
        "{j}"
    );
    check(&d, "ldaps");
}

#[test]
fn xmpp_prosody_client_server_and_direct_tls() {
    let pki = pki();
    let d = crate::daemons::prosody(&pki);
    let j = check(&d, "xmpp");
    assert!(caps(&j).iter().any(|c| c == "starttls (required)"), "{j}");
    check(&d, "xmpp-server");
    check(&d, "xmpps");
    // Without the domain the server does not know "localhost": say so, and how to fix it.
    let port = d.endpoint("xmpp").port.to_string();
    let r = run(&["connect", "-t", "xmpp", "-a", d.ca(), d.host, &port]);
    r.failed_with(1, "host-unknown");
    assert!(r.stderr.contains("--starttls-name"), "{}", r.stderr);
}

#[test]
fn nntp_inn_starttls_and_nntps() {
    let pki = pki();
    let d = crate::daemons::inn(&pki);
    let j = check(&d, "nntp");
    assert!(caps(&j).iter().any(|c| c == "STARTTLS"), "{j}");
    check(&d, "nntps");
}

#[test]
fn irc_inspircd_starttls_and_ircs() {
    let pki = pki();
    let d = crate::daemons::inspircd(&pki);
    let j = check(&d, "irc");
    assert!(caps(&j).iter().any(|c| c == "tls"), "{j}");
    // Nothing is registered in clear: no NICK or USER before TLS.
    let lines = j["starttls"]["lines"].as_array().unwrap();
    assert!(
        !lines
            .iter()
            .any(|l| l[0] == "client" && (l[1].as_str().unwrap().starts_with("NICK"))),
        "{j}"
    );
    check(&d, "ircs");
}

#[test]
fn injected_plaintext_after_the_go_ahead_is_discarded_and_reported() {
    // A MINIMAL SERVER WRITTEN FOR THE TEST: it pipelines a line after "220 Ready to start TLS".
    let pki = pki();
    let d = crate::daemons::mini_smtp(&pki, MiniSmtp::Inject);
    let r = connect(&d, "smtp", &["--json"]);
    let j = ok_json(&d, "smtp", &r);
    assert_eq!(j["protocol"], "TLSv1.3");
    assert_eq!(j["certificate"]["verified"], true);
    assert_eq!(
        j["starttls"]["injected"], "250 injected by the test server\r\n",
        "{j}"
    );
    assert!(
        r.stderr.contains("tlskit: warning:") && r.stderr.contains("STARTTLS command injection"),
        "{}",
        r.stderr
    );
    let r = connect(&d, "smtp", &[]);
    r.ok();
    assert!(
        r.stdout
            .contains("bytes of plaintext after the go-ahead, before TLS — discarded"),
        "{}",
        r.stdout
    );
    // The same server without the injection: nothing reported.
    let clean = crate::daemons::mini_smtp(&pki, MiniSmtp::Go);
    let j = ok_json(&clean, "smtp", &connect(&clean, "smtp", &["--json"]));
    assert!(j["starttls"]["injected"].is_null(), "{j}");
}

#[test]
fn a_refused_starttls_is_one_line_error() {
    // A MINIMAL SERVER WRITTEN FOR THE TEST: it offers STARTTLS, then answers 454.
    let pki = pki();
    let d = crate::daemons::mini_smtp(&pki, MiniSmtp::Refuse);
    connect(&d, "smtp", &[]).failed_with(
        1,
        "refused STARTTLS: '454 4.7.0 TLS not available due to local problem'",
    );
}

#[test]
fn well_known_ports_choose_starttls_and_flags_are_checked() {
    // Nothing needs to listen: the choice is announced before connecting.
    let r = run(&["connect", "--timeout", "2", "localhost", "25"]);
    assert!(
        r.stderr.contains("tlskit: port 25 is usually SMTP: using STARTTLS (-t smtp); --no-starttls to speak TLS directly"),
        "{}",
        r.stderr
    );
    assert_ne!(r.code, 2, "{}", r.stderr);
    let r = run(&["connect", "--timeout", "2", "localhost", "5432"]);
    assert!(
        r.stderr
            .contains("port 5432 is usually PostgreSQL: using STARTTLS (-t postgres)"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "connect",
        "--no-starttls",
        "--timeout",
        "2",
        "localhost",
        "143",
    ]);
    assert!(!r.stderr.contains("usually"), "{}", r.stderr);

    run(&["connect", "-t", "gopher", "localhost", "70"]).failed_with(
        2,
        "unknown STARTTLS protocol 'gopher'; choose one of: smtp, lmtp",
    );
    let r = run(&["connect", "-t", "smtp", "--no-starttls", "localhost", "25"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    run(&["connect", "--starttls-name", "x", "localhost", "8443"])
        .failed_with(2, "--starttls-name needs STARTTLS");
}

#[test]
fn connect_help_explains_starttls() {
    let r = run_cmd(
        tlskit().args(["connect", "--help"]),
        Duration::from_secs(20),
    );
    r.ok();
    for needle in [
        "--starttls",
        "--starttls-name",
        "--no-starttls",
        "xmpp-server",
        "not protect",
    ] {
        assert!(r.stdout.contains(needle), "{needle}: {}", r.stdout);
    }
}
