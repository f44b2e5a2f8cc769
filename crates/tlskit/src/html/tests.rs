//! The HTML page's unit tests: escaping, and each section rendered from a built report.

use super::*;

use crate::pki::chain::{analyse, ChainInput, TrustStores};
use crate::scan::report::WeaknessId;
use crate::scan::report::{
    CertificateChain, KeyExchange, KeyType, SuiteResult, Verdict, Vulnerability,
};
use tlskit_wire::registry;

const EVIL: &str = "<script>alert(1)</script>\"'&";

fn suite(name: &str, kx: Option<KeyExchange>) -> SuiteResult {
    SuiteResult::from_suite(registry::cipher_suite_by_name(name).unwrap(), kx)
}

/// A report with peer-controlled strings everywhere they can be, read back from its JSON
/// as `tlskit report --html` reads it.
fn evil_report() -> serde_json::Value {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let der = cert.cert.der().clone();
    let mut info = crate::pki::inspect::CertInfo::from_der(&der).unwrap();
    let input = ChainInput {
        chain: &[der],
        hostname: Some(EVIL),
        ocsp_response: None,
        now: rustls_pki_types::UnixTime::now(),
    };
    let mut analysis = analyse(&input, &TrustStores::from_certs(&[], &[]));
    analysis.hostname = Some(EVIL.into());
    analysis.hostname_match = Some(false);
    (info.subject, info.issuer) = (EVIL.into(), EVIL.into());
    (info.not_before, info.not_after) = (EVIL.into(), EVIL.into());
    info.san_dns = vec![EVIL.into()];
    let tls12 = ProtocolResult {
        version: Version::Tls12,
        offered: true,
        cipher_suites: vec![
            suite(
                "ECDHE-RSA-AES128-GCM-SHA256",
                Some(KeyExchange::Group(0x001d)),
            ),
            suite("DES-CBC3-SHA", None),
        ],
        server_order: Some(true),
        note: Some(EVIL.into()),
        error: None,
    };
    let tls11 = ProtocolResult {
        version: Version::Tls11,
        offered: false,
        cipher_suites: Vec::new(),
        server_order: None,
        note: None,
        error: Some(EVIL.into()),
    };
    let chain = CertificateChain {
        key_type: KeyType::Other(EVIL.into()),
        found_with: vec![EVIL.into()],
        certificates: vec![info],
        analysis: Some(analysis),
    };
    let mut r = ScanReport::for_tests(vec![tls11, tls12], Vec::new(), vec![chain]);
    r.tool = EVIL.into();
    r.target.host = EVIL.into();
    r.target.ip = EVIL.into();
    r.target.servername = Some(EVIL.into());
    r.target.starttls = Some(EVIL.into());
    r.started_at = EVIL.into();
    let mut g = crate::scan::grade::grade(&r).unwrap();
    g.reasons = vec![EVIL.into()];
    g.not_checked = vec![EVIL.into()];
    r.grade = Some(g);
    r.findings = vec![
        Finding::new(Severity::Info, "a", "an info"),
        Finding::new(Severity::Critical, EVIL, EVIL),
        Finding::new(Severity::Medium, "m", "a medium"),
    ];
    r.vulnerabilities = vec![Vulnerability::new(
        WeaknessId::Robot,
        EVIL,
        &[],
        Verdict::Undetermined(EVIL.into()),
    )];
    r.errors = vec![EVIL.into()];
    r.client_auth = Some(crate::scan::report::ClientAuth {
        requested: Some(true),
        required: Some(true),
        ca_names: vec![EVIL.into()],
        signature_algorithms: vec![crate::scan::report::ClientSigAlg {
            id: 1,
            name: EVIL.into(),
        }],
        ..Default::default()
    });
    r.client_simulation = Some(vec![
        crate::scan::report::SimulatedClient::failed(EVIL, EVIL),
        crate::scan::report::SimulatedClient {
            cipher_suite: Some(EVIL.into()),
            group: Some(EVIL.into()),
            protocol: Some(Version::Tls13),
            error: None,
            ..crate::scan::report::SimulatedClient::failed(EVIL, "")
        },
    ]);
    r.dns = Some(crate::scan::report::dns::DnsReport {
        name: EVIL.into(),
        caa: vec![crate::net::dns::CaaRecord {
            flags: 0,
            tag: EVIL.into(),
            value: EVIL.into(),
        }],
        caa_found_at: Some(EVIL.into()),
        error: None,
    });
    serde_json::to_value(&r).unwrap()
}

#[test]
fn every_report_string_is_escaped() {
    let entries = vec![
        Entry::from_json(&evil_report()).unwrap(),
        Entry::from_json(&serde_json::json!({"target": EVIL, "ip": EVIL, "error": EVIL})).unwrap(),
    ];
    let page = render_page(&entries, EVIL);
    assert!(page.contains("<th>CAA records of"), "{page}");
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("alert(1)</"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
    // The summary links to each section.
    assert!(page.contains("href=\"#t0\"") && page.contains("id=\"t1\""));
}

#[test]
fn findings_worst_first_and_strengths() {
    let page = render_page(&[Entry::from_json(&evil_report()).unwrap()], "t");
    let crit = page.find("sev-critical\">critical").unwrap();
    let med = page.find("sev-medium\">medium").unwrap();
    let info = page.find("sev-info\">info").unwrap();
    assert!(crit < med && med < info);
    assert!(page.contains("<svg") && page.contains("1 strong (forward secret AEAD)"));
    assert!(page.contains("1 weak"));
}

#[test]
fn control_characters_are_shown_not_passed() {
    assert_eq!(escape("a\u{1b}[31mb"), "a\\u{1b}[31mb");
}
