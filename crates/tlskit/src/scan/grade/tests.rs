//! Unit tests of the grade: reports built by hand, each rule and its absence.

use super::*;
use crate::pki::chain::{analyse, ChainAnalysis, ChainInput, TrustResult, TrustStores};
use crate::scan::report::{EcCurve, GroupResult, KeyType, ProtocolResult};
use crate::scan::report::{Verdict, Vulnerability};

const VERSIONS: [&str; 6] = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

fn suite(name: &str, kx: &str) -> SuiteResult {
    let s = registry::cipher_suite_by_name(name).unwrap_or_else(|| panic!("unknown suite {name}"));
    SuiteResult::from_suite(s, Some(serde_json::from_value(kx.into()).unwrap()))
}

/// A leaf for `name` (pretending to be CA-issued) and a chain analysis of it saying trusted
/// and matching; tests change the analysis' fields.
fn leaf(name: &str) -> (crate::pki::inspect::CertInfo, ChainAnalysis) {
    let cert = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
    let der = cert.cert.der().clone();
    let mut info = crate::pki::inspect::CertInfo::from_der(&der).unwrap();
    info.self_signed = false;
    let stores = TrustStores::from_certs(&[], &[]);
    let input = ChainInput {
        chain: &[der],
        hostname: Some(name),
        ocsp_response: None,
        now: rustls_pki_types::UnixTime::now(),
    };
    let mut a = analyse(&input, &stores);
    a.trusted = true;
    a.trust.clear();
    a.self_signed_leaf = false;
    a.weak_signatures.clear();
    a.weak_keys.clear();
    a.missing_intermediate = false;
    assert_eq!(a.hostname_match, Some(true));
    (info, a)
}

/// A report offering `versions` with `suites` (each suite listed under every TLS ≤ 1.2 version
/// offered, TLS 1.3 suites under TLS 1.3), an ECDSA P-256 chain for `localhost`, and
/// analysis saying trusted + name match.
fn report(versions: &[&str], suites: &[SuiteResult]) -> ScanReport {
    let (info, analysis) = leaf("localhost");
    let protocols = VERSIONS
        .iter()
        .map(|v| {
            let offered = versions.contains(v);
            let cs: Vec<SuiteResult> = if !offered {
                Vec::new()
            } else {
                suites
                    .iter()
                    .filter(|s| {
                        let tls13 = s.kx == "any";
                        (*v == "TLSv1.3") == tls13
                    })
                    .cloned()
                    .collect()
            };
            ProtocolResult {
                version: crate::scan::report::version_name::parse(v).unwrap(),
                offered,
                cipher_suites: cs,
                server_order: Some(true),
                note: None,
                error: None,
            }
        })
        .collect::<Vec<_>>();
    ScanReport::for_tests(
        protocols,
        vec![GroupResult {
            id: 0x1d,
            name: "x25519".into(),
            kind: "ecx".into(),
            bits: 253,
            versions: vec![Version::Tls13],
        }],
        vec![CertificateChain {
            key_type: KeyType::Ecdsa(EcCurve::P256),
            found_with: vec!["test".into()],
            certificates: vec![info],
            analysis: Some(analysis),
        }],
    )
}

fn checked_vulns(r: &mut ScanReport) {
    r.vulnerabilities = [
        WeaknessId::Heartbleed,
        WeaknessId::CcsInjection,
        WeaknessId::Robot,
    ]
    .into_iter()
    .map(|id| Vulnerability::new(id, id.as_str(), &[], Verdict::NotVulnerable(String::new())))
    .collect();
}

/// The HTTP layer's answer with HSTS of `max_age` seconds (None: no HSTS header).
fn with_hsts(r: &mut ScanReport, max_age: Option<u64>) {
    use crate::scan::report::http::{Hsts, HttpReport};
    r.http = Some(HttpReport {
        status: Some(200),
        hsts: max_age.map(|max_age| Hsts {
            max_age,
            include_subdomains: false,
            preload: false,
        }),
        ..Default::default()
    });
}

fn modern() -> Vec<SuiteResult> {
    vec![
        suite("TLS_AES_128_GCM_SHA256", "x25519"),
        suite("TLS_AES_256_GCM_SHA384", "x25519"),
        suite("TLS_CHACHA20_POLY1305_SHA256", "x25519"),
        suite("ECDHE-ECDSA-AES128-GCM-SHA256", "x25519"),
        suite("ECDHE-ECDSA-AES256-GCM-SHA384", "x25519"),
    ]
}

fn ids(g: &Grade) -> Vec<&str> {
    g.rules.iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn nothing_offered_has_no_grade() {
    assert!(grade(&report(&[], &[])).is_none());
}

#[test]
fn modern_tls13_only_is_a_plus_when_everything_is_checked() {
    let mut r = report(&["TLSv1.3"], &modern());
    checked_vulns(&mut r);
    with_hsts(&mut r, Some(15_552_000));
    let g = grade(&r).unwrap();
    assert_eq!(g.grade, GradeLetter::APlus, "{:#?}", g);
    assert_eq!(g.protocol_score, 100);
    assert_eq!(g.key_exchange_score, 90, "x25519 ≈ RSA 3072");
    assert_eq!(
        g.cipher_score, 90,
        "AES-128 (80) and AES-256/ChaCha20 (100)"
    );
    assert_eq!(g.score, 93);
    assert!(g.not_checked.is_empty(), "{:?}", g.not_checked);
}

#[test]
fn a_plus_needs_hsts_of_180_days() {
    let reason = |max_age: Option<u64>, http: bool| {
        let mut r = report(&["TLSv1.3"], &modern());
        checked_vulns(&mut r);
        if http {
            with_hsts(&mut r, max_age);
        }
        let g = grade(&r).unwrap();
        assert_eq!(g.grade, GradeLetter::A, "{max_age:?}: {:#?}", g);
        // Missing or short HSTS caps nothing: no rule.
        assert!(g.rules.is_empty(), "{:?}", g.rules);
        g.reasons.last().unwrap().clone()
    };
    assert_eq!(
        reason(Some(15_551_999), true),
        "A+ not awarded: HSTS max-age 15551999 s is under 180 days (15552000 s)"
    );
    assert_eq!(reason(None, true), "A+ not awarded: no valid HSTS header");
    assert!(reason(None, false).starts_with("A+ not awarded: HSTS not checked"));
    let mut r = report(&["TLSv1.3"], &modern());
    checked_vulns(&mut r);
    with_hsts(&mut r, Some(31_536_000));
    r.http.as_mut().unwrap().error = Some("no HTTP answer".into());
    assert_eq!(grade(&r).unwrap().grade, GradeLetter::A);
}

#[test]
fn a_plus_is_withheld_with_reasons_when_checks_are_missing() {
    let r = report(&["TLSv1.2", "TLSv1.3"], &modern());
    let g = grade(&r).unwrap();
    assert_eq!(g.grade, GradeLetter::A);
    assert!(
        g.reasons
            .iter()
            .any(|x| x == "A+ not awarded: known weaknesses not checked"),
        "{:?}",
        g.reasons
    );
    assert!(
        g.reasons
            .iter()
            .any(|x| x == "A+ not awarded: secure renegotiation not confirmed"),
        "{:?}",
        g.reasons
    );
    assert!(g
        .not_checked
        .iter()
        .any(|x| x.contains("secure renegotiation")));
}

#[test]
fn sslv2_is_f_and_sslv3_is_c() {
    let mut s = modern();
    s.push(suite("AES128-SHA", "RSA 2048"));
    let g = grade(&report(&["SSLv2", "TLSv1.2"], &s)).unwrap();
    assert_eq!(g.grade, GradeLetter::F);
    assert!(ids(&g).contains(&"protocol.sslv2"));
    let g = grade(&report(&["SSLv3", "TLSv1.2"], &s)).unwrap();
    assert_eq!(g.grade, GradeLetter::C);
    assert!(
        g.reasons
            .iter()
            .any(|x| x == "C cap: SSLv3 is offered (POODLE, RFC 7568)"),
        "{:?}",
        g.reasons
    );
    assert_eq!(g.protocol_score, 90, "(100 + 80) / 2");
}

#[test]
fn tls10_caps_at_b_and_every_reason_is_listed() {
    let s = vec![
        suite("ECDHE-ECDSA-AES128-SHA", "x25519"),
        suite("AES128-SHA", "RSA 2048"),
        suite("DES-CBC3-SHA", "RSA 2048"),
    ];
    let g = grade(&report(&["TLSv1.0", "TLSv1.2"], &s)).unwrap();
    assert_eq!(g.grade, GradeLetter::C);
    let got = ids(&g);
    for id in [
        "suites.block64",
        "protocol.tls10_tls11",
        "suites.some_without_forward_secrecy",
        "suites.no_aead",
    ] {
        assert!(got.contains(&id), "{id} missing: {got:?}");
    }
    // Worst first.
    assert_eq!(g.rules[0].cap, GradeLetter::C);
    assert_eq!(
        g.cipher_score, 50,
        "3DES counts as 112 bits (20), AES-128 80"
    );
}

#[test]
fn rc4_export_null_anonymous() {
    let g = grade(&report(
        &["TLSv1.2"],
        &[
            suite("ECDHE-RSA-AES128-GCM-SHA256", "x25519"),
            suite("RC4-SHA", "RSA 2048"),
        ],
    ))
    .unwrap();
    assert_eq!(g.grade, GradeLetter::C);
    assert!(ids(&g).contains(&"suites.rc4"));
    let g = grade(&report(
        &["TLSv1.0"],
        &[
            suite("EXP-RC4-MD5", "RSA export 512"),
            suite("AES128-SHA", "RSA 2048"),
        ],
    ))
    .unwrap();
    assert_eq!(g.grade, GradeLetter::F);
    assert!(ids(&g).contains(&"suites.export"));
    assert_eq!(g.key_exchange_score, 40);
    let g = grade(&report(
        &["TLSv1.2"],
        &[
            suite("ECDHE-RSA-AES128-GCM-SHA256", "x25519"),
            suite("NULL-SHA256", "RSA 2048"),
        ],
    ))
    .unwrap();
    assert_eq!(g.grade, GradeLetter::F);
    assert!(ids(&g).contains(&"suites.null"));
    let g = grade(&report(
        &["TLSv1.2"],
        &[
            suite("ECDHE-RSA-AES128-GCM-SHA256", "x25519"),
            suite("ADH-AES128-SHA", "DH 2048"),
        ],
    ))
    .unwrap();
    assert_eq!(g.grade, GradeLetter::F);
    assert_eq!(g.key_exchange_score, 0);
}

#[test]
fn no_forward_secrecy_caps_at_b_and_weak_dh() {
    let g = grade(&report(
        &["TLSv1.2"],
        &[suite("AES128-GCM-SHA256", "RSA 2048")],
    ))
    .unwrap();
    assert_eq!(g.grade, GradeLetter::B);
    assert!(ids(&g).contains(&"suites.no_forward_secrecy"));
    let g = grade(&report(
        &["TLSv1.2"],
        &[suite("DHE-RSA-AES128-GCM-SHA256", "DH 1024")],
    ))
    .unwrap();
    assert_eq!(g.grade, GradeLetter::B);
    assert!(ids(&g).contains(&"kx.dh_under_2048"));
    let g = grade(&report(
        &["TLSv1.2"],
        &[suite("DHE-RSA-AES128-GCM-SHA256", "DH 768")],
    ))
    .unwrap();
    assert_eq!(g.grade, GradeLetter::F);
}

#[test]
fn certificate_trust_name_expiry_and_keys() {
    let mut r = report(&["TLSv1.3"], &modern());
    let trusted = r.certificates[0].analysis.clone().unwrap();
    let set = |r: &mut ScanReport, f: &dyn Fn(&mut ChainAnalysis)| {
        let mut a = trusted.clone();
        f(&mut a);
        r.certificates[0].analysis = Some(a);
    };
    set(&mut r, &|a| {
        a.trusted = false;
        a.trust = vec![TrustResult {
            store: crate::pki::chain::StoreId::Mozilla,
            description: String::new(),
            trusted: false,
            error: Some("unknown issuer".into()),
            path: vec![],
            legacy_only: false,
        }];
    });
    let g = grade(&r).unwrap();
    assert_eq!(g.grade, GradeLetter::T);
    assert_eq!(g.grade_ignoring_trust, Some(GradeLetter::A));
    assert!(
        g.reasons
            .iter()
            .any(|x| x.contains("not trusted by any trust store (unknown issuer)")),
        "{:?}",
        g.reasons
    );

    set(&mut r, &|a| a.hostname_match = Some(false));
    let g = grade(&r).unwrap();
    assert_eq!(g.grade, GradeLetter::M);
    assert!(
        g.reasons
            .iter()
            .any(|x| x == "M cap: certificate: does not cover localhost"),
        "{:?}",
        g.reasons
    );

    set(&mut r, &|a| {
        a.trusted = false;
        a.leaf_expired = true;
        a.hostname_match = Some(false);
    });
    assert_eq!(grade(&r).unwrap().grade, GradeLetter::T, "T wins over M");

    set(&mut r, &|a| {
        a.weak_signatures = vec!["CN=x is signed with sha1WithRSAEncryption".into()]
    });
    assert_eq!(grade(&r).unwrap().grade, GradeLetter::T);

    // F beats T: nothing to gain by fixing the certificate alone.
    let mut r2 = report(&["SSLv2", "TLSv1.3"], &modern());
    set(&mut r2, &|a| a.trusted = false);
    let g = grade(&r2).unwrap();
    assert_eq!(g.grade, GradeLetter::F);
    assert!(g.grade_ignoring_trust.is_none());

    let mut r = report(&["TLSv1.3"], &modern());
    r.certificates[0].key_type = KeyType::Rsa { bits: 1024 };
    let g = grade(&r).unwrap();
    assert_eq!(g.grade, GradeLetter::B);
    assert!(ids(&g).contains(&"cert.key_under_2048"));
    r.certificates[0].key_type = KeyType::Rsa { bits: 512 };
    assert_eq!(grade(&r).unwrap().grade, GradeLetter::F);
}

#[test]
fn without_chain_analysis_the_certificate_is_judged_by_itself() {
    let mut r = report(&["TLSv1.3"], &modern());
    r.certificates[0].analysis = None;
    let g = grade(&r).unwrap();
    assert_eq!(g.grade, GradeLetter::A, "{:?}", g.reasons);
    assert!(g
        .not_checked
        .iter()
        .any(|x| x.contains("trust not checked")));
    r.certificates[0].certificates[0].signature_algorithm =
        crate::pki::sigalg::CertSignatureAlgorithm::from_name("sha1WithRSAEncryption");
    assert_eq!(grade(&r).unwrap().grade, GradeLetter::T);
    r.certificates[0].certificates[0].signature_algorithm =
        crate::pki::sigalg::CertSignatureAlgorithm::from_name("ecdsa-with-SHA256");
    r.target.servername = Some("www.example.org".into());
    assert_eq!(grade(&r).unwrap().grade, GradeLetter::M);
}

#[test]
fn vulnerabilities_and_session_features_from_other_checks() {
    let mut r = report(&["TLSv1.2", "TLSv1.3"], &modern());
    checked_vulns(&mut r);
    r.vulnerabilities[0].vulnerable = Some(true);
    let g = grade(&r).unwrap();
    assert_eq!(g.grade, GradeLetter::F);
    assert!(ids(&g).contains(&"vuln.heartbleed"));
    r.vulnerabilities[0].vulnerable = None;
    let g = grade(&r).unwrap();
    assert!(g.not_checked.iter().any(|x| x.contains("heartbleed")));

    // The session features are read as typed fields.
    r.vulnerabilities[0].vulnerable = Some(false);
    r.session_features = Some(crate::scan::report::SessionFeatures {
        secure_renegotiation: Some(false),
        fallback_scsv: Some(true),
        compression: Some(true),
        ..Default::default()
    });
    let g = grade(&r).unwrap();
    assert!(ids(&g).contains(&"reneg.no_secure_renegotiation"));
    assert!(ids(&g).contains(&"compression"));
}

#[test]
fn score_to_letter_boundaries() {
    assert_eq!(letter_of_score(80), GradeLetter::A);
    assert_eq!(letter_of_score(79), GradeLetter::B);
    assert_eq!(letter_of_score(65), GradeLetter::B);
    assert_eq!(letter_of_score(50), GradeLetter::C);
    assert_eq!(letter_of_score(35), GradeLetter::D);
    assert_eq!(letter_of_score(20), GradeLetter::E);
    assert_eq!(letter_of_score(19), GradeLetter::F);
    assert_eq!(protocol_score(&[Version::Tls10, Version::Tls13]), 95);
    assert_eq!(kx_points(4096, false), 100);
    assert_eq!(kx_points(2048, true), 40);
}

#[test]
fn grade_letters_order_best_to_worst_and_keep_their_json_names() {
    // M and T rank between E and F (T below M), as the caps do; `max` is the worse.
    let names: Vec<&str> = GradeLetter::ALL.iter().map(|l| l.name()).collect();
    assert_eq!(names, ["A+", "A", "A-", "B", "C", "D", "E", "M", "T", "F"]);
    assert!(GradeLetter::ALL.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(GradeLetter::AMinus.max(GradeLetter::T), GradeLetter::T);
    for l in GradeLetter::ALL {
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(json, format!("\"{}\"", l.name()));
        assert_eq!(serde_json::from_str::<GradeLetter>(&json).unwrap(), l);
        assert_eq!(GradeLetter::from_name(l.name()), Some(l));
    }
    assert!(serde_json::from_str::<GradeLetter>("\"A++\"").is_err());
    assert_eq!(GradeLetter::from_name("a"), None);
}
