//! Unit tests of the policy check: the built-in policies and deviations, one by one.

use super::*;
use crate::scan::report::{
    CertificateChain, ForwardSecrecy, GroupResult, ProtocolResult, SuiteResult,
};

const VERSION_NAMES: [&str; 6] = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

fn suite(name: &str, kx: &str) -> SuiteResult {
    SuiteResult::from_suite(
        registry::cipher_suite_by_name(name).unwrap(),
        Some(serde_json::from_value(kx.into()).unwrap()),
    )
}

fn leaf() -> crate::pki::inspect::CertInfo {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    crate::pki::inspect::CertInfo::from_der(cert.cert.der()).unwrap()
}

/// versions → suites (TLS 1.3 suites go under TLSv1.3).
fn report(offer: &[(&str, Vec<SuiteResult>)], groups: &[&str]) -> ScanReport {
    let protocols = VERSION_NAMES
        .iter()
        .map(|v| {
            let found = offer.iter().find(|(o, _)| o == v);
            ProtocolResult {
                version: crate::scan::report::version_name::parse(v).unwrap(),
                offered: found.is_some(),
                cipher_suites: found.map(|f| f.1.clone()).unwrap_or_default(),
                server_order: found.map(|_| false),
                note: None,
                error: None,
            }
        })
        .collect();
    let mut info = leaf();
    info.validity_days = 90;
    let groups = groups
        .iter()
        .map(|g| {
            let r = registry::named_group_by_name(g).unwrap();
            GroupResult {
                id: r.id,
                name: r.name.into(),
                kind: r.kind.name().into(),
                bits: r.bits,
                versions: vec![Version::Tls13],
            }
        })
        .collect();
    let chain = CertificateChain {
        key_type: KeyType::of(&info),
        found_with: vec![],
        certificates: vec![info],
        analysis: None,
    };
    ScanReport::for_tests(protocols, groups, vec![chain])
}

fn tls13() -> Vec<SuiteResult> {
    vec![
        suite("TLS_AES_128_GCM_SHA256", "x25519"),
        suite("TLS_AES_256_GCM_SHA384", "x25519"),
    ]
}

fn rules(r: &PolicyResult) -> Vec<&str> {
    r.deviations.iter().map(|d| d.rule.as_str()).collect()
}

#[test]
fn builtin_policies_parse_and_follow_mozilla_5_7() {
    for (name, _) in BUILTIN {
        let p = Policy::builtin(name).unwrap();
        assert_eq!(p.name, name);
    }
    assert_eq!(
        Policy::builtin("intermediate").unwrap().name,
        "mozilla-intermediate"
    );
    let i = Policy::builtin("mozilla-intermediate").unwrap();
    assert_eq!(i.cipher_suites.as_ref().unwrap().len(), 9);
    assert_eq!(
        i.versions.as_ref().unwrap().allowed.as_ref().unwrap(),
        &vec!["TLSv1.2".to_string(), "TLSv1.3".to_string()]
    );
    assert_eq!(
        Policy::builtin("old").unwrap().cipher_suites.unwrap().len(),
        26
    );
    assert!(Policy::builtin("mozilla-modern")
        .unwrap()
        .cipher_suites
        .unwrap()
        .is_empty());
    assert!(Policy::builtin("nonsense").is_none());
}

#[test]
fn intermediate_compliant_server() {
    let r = report(
        &[
            (
                "TLSv1.2",
                vec![
                    suite("ECDHE-ECDSA-AES128-GCM-SHA256", "x25519"),
                    suite("ECDHE-ECDSA-CHACHA20-POLY1305", "x25519"),
                ],
            ),
            ("TLSv1.3", tls13()),
        ],
        &["x25519", "secp256r1", "X25519MLKEM768"],
    );
    let res = check(&r, &Policy::builtin("mozilla-intermediate").unwrap());
    // Only the advisory OCSP rule is left unchecked (no chain analysis here).
    assert!(res.compliant, "{:#?}", res);
    assert!(res.deviations.is_empty(), "{:#?}", res.deviations);
    assert!(res
        .not_checked
        .iter()
        .any(|n| n.starts_with("ocsp_stapling")));
}

#[test]
fn intermediate_deviations_are_each_listed() {
    let r = report(
        &[
            ("TLSv1.0", vec![suite("AES128-SHA", "RSA 2048")]),
            (
                "TLSv1.2",
                vec![
                    suite("ECDHE-RSA-AES128-GCM-SHA256", "x25519"),
                    suite("AES128-SHA", "RSA 2048"),
                    suite("DHE-RSA-AES128-GCM-SHA256", "DH 1024"),
                ],
            ),
        ],
        &["x25519", "secp521r1"],
    );
    let res = check(&r, &Policy::builtin("mozilla-intermediate").unwrap());
    assert!(!res.compliant);
    let got = rules(&res);
    assert_eq!(got.iter().filter(|r| **r == "versions.allowed").count(), 1);
    assert_eq!(
        got.iter().filter(|r| **r == "cipher_suites").count(),
        1,
        "AES128-SHA once, only as seen in TLSv1.2: {:#?}",
        res.deviations
    );
    assert!(got.contains(&"dh_min_bits"));
    assert!(
        got.contains(&"groups"),
        "secp521r1 is not in Mozilla's list"
    );
    let d = res
        .deviations
        .iter()
        .find(|d| d.rule == "cipher_suites")
        .unwrap();
    assert_eq!(
        d.found,
        "AES128-SHA (TLS_RSA_WITH_AES_128_CBC_SHA) with TLSv1.2"
    );
    let v = res
        .deviations
        .iter()
        .find(|d| d.rule == "versions.allowed")
        .unwrap();
    assert_eq!(v.found, "TLSv1.0");
    assert_eq!(v.expected, "TLSv1.2, TLSv1.3");
}

#[test]
fn modern_wants_ecdsa_and_short_lifetimes() {
    let mut r = report(&[("TLSv1.3", tls13())], &["x25519"]);
    assert!(check(&r, &Policy::builtin("modern").unwrap()).compliant);
    r.certificates[0].certificates[0].validity_days = 825;
    r.certificates[0].key_type = KeyType::Rsa { bits: 2048 };
    r.certificates[0].certificates[0].signature_algorithm =
        crate::pki::sigalg::CertSignatureAlgorithm::from_name("sha256WithRSAEncryption");
    let res = check(&r, &Policy::builtin("modern").unwrap());
    let got = rules(&res);
    for want in [
        "certificate.key_types",
        "certificate.signature_algorithms",
        "certificate.max_lifespan_days",
    ] {
        assert!(got.contains(&want), "{want}: {got:?}");
    }
    // Intermediate accepts RSA 2048 but not 1024.
    r.certificates[0].certificates[0].validity_days = 90;
    assert!(check(&r, &Policy::builtin("intermediate").unwrap()).compliant);
    r.certificates[0].key_type = KeyType::Rsa { bits: 1024 };
    assert_eq!(
        rules(&check(&r, &Policy::builtin("intermediate").unwrap())),
        vec!["certificate.rsa_min_bits"]
    );
}

#[test]
fn old_requires_server_order() {
    let mut r = report(
        &[(
            "TLSv1.2",
            vec![
                suite("ECDHE-RSA-AES128-GCM-SHA256", "x25519"),
                suite("AES128-SHA", "RSA 2048"),
            ],
        )],
        &["x25519"],
    );
    r.certificates[0].key_type = KeyType::Rsa { bits: 2048 };
    r.certificates[0].certificates[0].signature_algorithm =
        crate::pki::sigalg::CertSignatureAlgorithm::from_name("sha256WithRSAEncryption");
    let res = check(&r, &Policy::builtin("old").unwrap());
    assert_eq!(rules(&res), vec!["server_order_required"]);
    r.protocols[4].server_order = Some(true);
    assert!(check(&r, &Policy::builtin("old").unwrap()).compliant);
}

#[test]
fn custom_policy_advisory_and_min_grade() {
    let p = Policy::from_json(
        r#"{"name": "lab", "versions": {"required": ["TLSv1.3"]}, "cipher_suites": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
            "min_grade": "A", "advisory": ["cipher_suites"]}"#,
        "lab.json",
    )
    .unwrap();
    let mut r = report(
        &[(
            "TLSv1.2",
            vec![
                suite("ECDHE-RSA-AES128-GCM-SHA256", "x25519"),
                suite("AES256-SHA", "RSA 2048"),
            ],
        )],
        &["x25519"],
    );
    r.forward_secrecy = ForwardSecrecy {
        all: false,
        some: true,
        suites_without: vec!["TLS_RSA_WITH_AES_256_CBC_SHA".into()],
    };
    r.grade = Some(crate::scan::grade::grade(&r).unwrap());
    assert_eq!(r.grade.as_ref().unwrap().grade, GradeLetter::AMinus);
    let res = check(&r, &p);
    assert_eq!(
        rules(&res),
        vec!["versions.required", "cipher_suites", "min_grade"]
    );
    assert!(res.deviations[1].advisory);
    assert!(!res.compliant);
}

#[test]
fn bad_policies_are_usage_errors_naming_the_problem() {
    let bad = |json: &str, needle: &str| {
        let e = Policy::from_json(json, "p.json").unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Usage);
        assert!(e.to_string().contains(needle), "{e}");
        assert!(e.to_string().starts_with("policy p.json: "), "{e}");
    };
    bad("{", "EOF");
    bad(r#"{"name": "x", "ciphers": []}"#, "unknown field `ciphers`");
    bad(
        r#"{"name": "x", "cipher_suites": ["NOPE-SHA"]}"#,
        "unknown cipher suite \"NOPE-SHA\"",
    );
    bad(
        r#"{"name": "x", "cipher_suites": ["TLS_AES_128_GCM_SHA256"]}"#,
        "is a TLS 1.3 suite",
    );
    bad(
        r#"{"name": "x", "versions": {"allowed": ["TLSv1.4"]}}"#,
        "unknown version",
    );
    bad(r#"{"name": "x", "groups": ["curve9"]}"#, "unknown group");
    bad(
        r#"{"name": "x", "advisory": ["everything"]}"#,
        "unknown rule",
    );
    bad(r#"{"name": "x", "min_grade": "T"}"#, "min_grade");
    bad(
        r#"{"name": "x", "min_grade": "Z"}"#,
        "\"min_grade\" \"Z\" is not one of",
    );
    assert!(Policy::load("/nonexistent/policy.json")
        .unwrap_err()
        .to_string()
        .contains("neither a built-in policy"));
    assert_eq!(normalise_version("TLSv1"), Some(Version::Tls10));
    assert_eq!(normalise_version("tls1_2"), Some(Version::Tls12));
}
