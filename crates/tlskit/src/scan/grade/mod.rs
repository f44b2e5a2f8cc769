//! The grade: A+ … F, or T (certificate not trusted) / M (certificate name mismatch), with every
//! reason. The rules are modelled on the SSL Labs *SSL Server Rating Guide*; they are tlskit's
//! own reading of it and are written down, rule by rule with the reason texts, in docs/GRADING.md.
//!
//! Three steps:
//! 1. A numeric score: 30 % protocol support, 30 % key exchange, 40 % cipher strength; the score
//!    gives a letter (≥ 80 A, ≥ 65 B, ≥ 50 C, ≥ 35 D, ≥ 20 E, else F).
//! 2. Caps: each rule that applies limits the letter (SSLv2 → F, RC4 → C, TLS 1.0 → B, …). The
//!    final letter is the worst of the score's letter and every cap. A- is the cap for warnings.
//! 3. Certificate trust: an untrusted, expired or SHA-1 certificate shows as T, a name mismatch
//!    as M (with `grade_ignoring_trust` holding the letter), unless the letter is F anyway. A
//!    plain A is raised to A+ when the configuration is exemplary (see [`aplus_blockers`]).
//!
//! Parts of the report filled by other checks (chain analysis, session features, known
//! weaknesses) are read defensively as JSON: what is missing is listed in `not_checked` and
//! cannot earn or cost a grade, except that it blocks A+.

use crate::scan::report::WeaknessId;
use crate::scan::report::{CertificateChain, KeyExchange, ScanReport, SuiteResult};
use tlskit_wire::registry::{self, GroupKind};
use tlskit_wire::version::Version;

pub use crate::scan::report::{Grade, GradeLetter, RuleHit};

/// The letter a score gives (≥ 80 A, ≥ 65 B, ≥ 50 C, ≥ 35 D, ≥ 20 E, else F).
fn letter_of_score(score: u8) -> GradeLetter {
    match score {
        80.. => GradeLetter::A,
        65..=79 => GradeLetter::B,
        50..=64 => GradeLetter::C,
        35..=49 => GradeLetter::D,
        20..=34 => GradeLetter::E,
        _ => GradeLetter::F,
    }
}

/// The rules that applied, each with its cap (a letter, or T / M for the certificate).
struct Hits(Vec<RuleHit>);

impl Hits {
    fn add(&mut self, id: &str, cap: GradeLetter, reason: impl Into<String>) {
        let reason = reason.into();
        if !self.0.iter().any(|h| h.id == id && h.reason == reason) {
            self.0.push(RuleHit {
                id: id.into(),
                cap,
                reason,
            });
        }
    }
}

/// Grade a finished report. `None` when no version was accepted at all (nothing to grade).
pub fn grade(report: &ScanReport) -> Option<Grade> {
    let offered: Vec<Version> = report.offered_versions();
    if offered.is_empty() {
        return None;
    }
    let has = |v: Version| offered.contains(&v);
    let mut hits = Hits(Vec::new());
    let mut not_checked: Vec<String> = Vec::new();

    // TLS (not SSLv2) suites, each with its registry entry when known.
    let suites: Vec<(Version, &SuiteResult)> = report
        .protocols
        .iter()
        .filter(|p| p.offered && p.version != Version::Ssl2)
        .flat_map(|p| p.cipher_suites.iter().map(move |s| (p.version, s)))
        .collect();
    let ssl2_suites: Vec<&SuiteResult> = report
        .protocols
        .iter()
        .filter(|p| p.offered && p.version == Version::Ssl2)
        .flat_map(|p| p.cipher_suites.iter())
        .collect();

    // ---- 1. Scores.
    let protocol_score = protocol_score(&offered);
    let (key_exchange_score, kx_weakest) = key_exchange_score(report, &suites);
    let cipher_score = cipher_score(&suites, &ssl2_suites);
    let score =
        (0.3 * protocol_score as f64 + 0.3 * key_exchange_score as f64 + 0.4 * cipher_score as f64)
            .round() as u8;
    let score_letter = letter_of_score(score);

    // ---- 2. Caps.
    protocol_rules(&has, &mut hits);
    suite_rules(report, &suites, &mut hits);
    key_exchange_rules(report, &suites, &mut hits);
    let cert_checked = certificate_rules(report, &suites, &mut hits, &mut not_checked);
    let features = feature_rules(report, &offered, &mut hits, &mut not_checked);
    let vulns_checked = vulnerability_rules(report, &mut hits, &mut not_checked);

    let mut letter = score_letter;
    let mut trust: Option<GradeLetter> = None;
    for h in &hits.0 {
        match h.cap {
            GradeLetter::T => trust = Some(GradeLetter::T),
            GradeLetter::M => {
                if trust.is_none() {
                    trust = Some(GradeLetter::M)
                }
            }
            l @ (GradeLetter::APlus
            | GradeLetter::A
            | GradeLetter::AMinus
            | GradeLetter::B
            | GradeLetter::C
            | GradeLetter::D
            | GradeLetter::E
            | GradeLetter::F) => letter = letter.max(l),
        }
    }

    // ---- 3. A+ and trust.
    let mut aplus_notes = Vec::new();
    if letter == GradeLetter::A {
        let mut blockers = aplus_blockers(&has, &suites, &features, cert_checked, vulns_checked);
        blockers.extend(hsts_blocker(report));
        if blockers.is_empty() {
            letter = GradeLetter::APlus;
        } else {
            aplus_notes = blockers
                .into_iter()
                .map(|b| format!("A+ not awarded: {b}"))
                .collect();
        }
    }
    let (grade, ignoring) = match trust {
        Some(t) if letter != GradeLetter::F => (t, Some(letter)),
        _ => (letter, None),
    };

    // Worst cap first (F, T, M, E … A-); rules with the same cap stay in the order they applied.
    hits.0.sort_by_key(|h| std::cmp::Reverse(h.cap));
    let weakest = kx_weakest
        .map(|k| format!(", weakest key exchange {}", k.label))
        .unwrap_or_default();
    let mut reasons = vec![format!(
        "score {score} = 0.3 × {protocol_score} (protocol support) + 0.3 × {key_exchange_score} (key exchange{weakest}) + 0.4 × {cipher_score} (cipher strength) → {}",
        score_letter
    )];
    reasons.extend(
        hits.0
            .iter()
            .map(|h| format!("{} cap: {}", h.cap, h.reason)),
    );
    reasons.extend(aplus_notes);
    Some(Grade {
        grade,
        reasons,
        score,
        protocol_score,
        key_exchange_score,
        cipher_score,
        grade_ignoring_trust: ignoring,
        rules: hits.0,
        not_checked,
    })
}

// ---------------------------------------------------------------------------------------------
// Scores.

fn version_points(v: Version) -> u8 {
    match v {
        Version::Ssl2 => 0,
        Version::Ssl3 => 80,
        Version::Tls10 => 90,
        Version::Tls11 => 95,
        Version::Tls12 | Version::Tls13 => 100,
    }
}

/// (best + worst) / 2 over the versions offered.
fn protocol_score(offered: &[Version]) -> u8 {
    let pts: Vec<u8> = offered.iter().map(|v| version_points(*v)).collect();
    let best = pts.iter().copied().max().unwrap_or(0) as u16;
    let worst = pts.iter().copied().min().unwrap_or(0) as u16;
    ((best + worst) / 2) as u8
}

/// RSA-equivalent strength of a security level (NIST SP 800-57 part 1, table 2).
fn rsa_equivalent_of_security(sec: u16) -> u32 {
    match sec {
        256.. => 15360,
        192..=255 => 7680,
        128..=191 => 3072,
        112..=127 => 2048,
        80..=111 => 1024,
        _ => 512,
    }
}

/// RSA-equivalent strength of an elliptic-curve key of `bits` (X25519's 253 counts as 256).
fn rsa_equivalent_of_ec(bits: u32) -> u32 {
    match bits {
        500.. => 15360,
        384..=499 => 7680,
        250..=383 => 3072,
        224..=249 => 2048,
        160..=223 => 1024,
        _ => 512,
    }
}

/// What one key exchange is worth, in RSA-equivalent bits, and how to name it.
#[derive(Debug, Clone, PartialEq)]
struct Kx {
    bits: u32,
    label: String,
}

/// Strength of a named group in RSA-equivalent bits.
fn group_strength(id: u16) -> Option<u32> {
    let g = registry::named_group(id)?;
    Some(match g.kind {
        GroupKind::Ffdhe => g.bits as u32,
        _ => rsa_equivalent_of_security(g.security_bits),
    })
}

/// Strength of the key exchange a suite probe saw ("x25519", "DH 2048", "RSA 2048", "static 256",
/// "RSA export 512", "ffdhe2048").
fn kx_strength(s: &SuiteResult) -> Option<Kx> {
    let kx = s.key_exchange?;
    let bits = match kx {
        KeyExchange::RsaExport { bits } | KeyExchange::Rsa { bits } | KeyExchange::Dh { bits } => {
            bits
        }
        KeyExchange::Static { bits } => {
            let ec = s.suite().is_some_and(|r| r.kx == registry::Kx::Ecdh);
            if ec {
                rsa_equivalent_of_ec(bits)
            } else {
                bits
            }
        }
        KeyExchange::Group(id) => group_strength(id)?,
        KeyExchange::ExplicitCurve => return None,
    };
    Some(Kx {
        bits,
        label: kx.to_string(),
    })
}

fn kx_points(bits: u32, export: bool) -> u8 {
    let p = match bits {
        0 => 0,
        1..=511 => 20,
        512..=1023 => 40,
        1024..=2047 => 80,
        2048..=4095 => 90,
        _ => 100,
    };
    if export {
        p.min(40)
    } else {
        p
    }
}

/// The weakest key exchange decides; anonymous suites score 0, export suites at most 40.
fn key_exchange_score(report: &ScanReport, suites: &[(Version, &SuiteResult)]) -> (u8, Option<Kx>) {
    let mut weakest: Option<(u8, Kx)> = None;
    let mut consider = |points: u8, kx: Kx| {
        if weakest.as_ref().is_none_or(|(p, _)| points < *p) {
            weakest = Some((points, kx));
        }
    };
    for (_, s) in suites {
        let reg = s.suite();
        let anonymous = reg.map(|r| r.anonymous()).unwrap_or(false);
        let export = reg.map(|r| r.export).unwrap_or(false);
        if anonymous && !reg.is_some_and(|r| r.tls13) {
            consider(
                0,
                Kx {
                    bits: 0,
                    label: format!("anonymous {}", s.openssl_name.as_deref().unwrap_or(&s.name)),
                },
            );
            continue;
        }
        match kx_strength(s) {
            Some(kx) => consider(kx_points(kx.bits, export), kx),
            None if export => consider(
                40,
                Kx {
                    bits: 512,
                    label: "export key exchange".into(),
                },
            ),
            None => {}
        }
    }
    for g in &report.groups {
        if let Some(bits) = group_strength(g.id) {
            consider(
                kx_points(bits, false),
                Kx {
                    bits,
                    label: g.name.clone(),
                },
            );
        }
    }
    match weakest {
        Some((p, kx)) => (p, Some(kx)),
        // Nothing measurable (e.g. only SSLv2): judge by the certificate key.
        None => {
            let leaf_bits = report
                .certificates
                .iter()
                .filter(|c| !c.certificates.is_empty())
                .map(|c| {
                    if c.key_type.is_finite_field() {
                        c.key_type.bits()
                    } else {
                        rsa_equivalent_of_ec(c.key_type.bits())
                    }
                })
                .min();
            match leaf_bits {
                Some(b) => (kx_points(b, false), None),
                None => (0, None),
            }
        }
    }
}

/// Symmetric strength of a suite: OpenSSL's strength bits (3DES counts as 112), 0 for NULL.
fn suite_strength(s: &SuiteResult) -> u16 {
    match s.suite() {
        Some(r) if r.null_encryption() => 0,
        Some(r) => r.strength_bits(),
        None => s.bits,
    }
}

fn cipher_points(bits: u16) -> u8 {
    match bits {
        0 => 0,
        1..=127 => 20,
        128..=255 => 80,
        _ => 100,
    }
}

/// (strongest + weakest) / 2.
fn cipher_score(suites: &[(Version, &SuiteResult)], ssl2: &[&SuiteResult]) -> u8 {
    let pts: Vec<u8> = suites
        .iter()
        .map(|(_, s)| suite_strength(s))
        .chain(ssl2.iter().map(|s| s.bits))
        .map(cipher_points)
        .collect();
    let best = pts.iter().copied().max().unwrap_or(0) as u16;
    let worst = pts.iter().copied().min().unwrap_or(0) as u16;
    ((best + worst) / 2) as u8
}

// ---------------------------------------------------------------------------------------------
// Caps.

fn protocol_rules(has: &dyn Fn(Version) -> bool, hits: &mut Hits) {
    if has(Version::Ssl2) {
        hits.add(
            "protocol.sslv2",
            GradeLetter::F,
            "SSLv2 is offered (broken since 1996, enables DROWN)",
        );
    }
    if has(Version::Ssl3) {
        hits.add(
            "protocol.sslv3",
            GradeLetter::C,
            "SSLv3 is offered (POODLE, RFC 7568)",
        );
    }
    if !has(Version::Tls12) && !has(Version::Tls13) {
        hits.add(
            "protocol.no_tls12",
            GradeLetter::C,
            "neither TLSv1.2 nor TLSv1.3 is offered",
        );
    }
    let old: Vec<&str> = [Version::Tls10, Version::Tls11]
        .into_iter()
        .filter(|v| has(*v))
        .map(|v| v.name())
        .collect();
    if !old.is_empty() {
        hits.add(
            "protocol.tls10_tls11",
            GradeLetter::B,
            format!("{} offered (deprecated by RFC 8996)", old.join(" and ")),
        );
    }
}

fn short(s: &SuiteResult) -> String {
    s.openssl_name.clone().unwrap_or_else(|| s.name.clone())
}

/// Up to three names, then "and N more".
fn some_names(names: &[String]) -> String {
    let mut uniq: Vec<&String> = Vec::new();
    for n in names {
        if !uniq.contains(&n) {
            uniq.push(n);
        }
    }
    let shown: Vec<&str> = uniq.iter().take(3).map(|s| s.as_str()).collect();
    if uniq.len() > 3 {
        format!("{} and {} more", shown.join(", "), uniq.len() - 3)
    } else {
        shown.join(", ")
    }
}

fn suite_rules(report: &ScanReport, suites: &[(Version, &SuiteResult)], hits: &mut Hits) {
    let mut export = Vec::new();
    let mut null = Vec::new();
    let mut anon = Vec::new();
    let mut rc4 = Vec::new();
    let mut block64 = Vec::new();
    let mut aead = false;
    for (_, s) in suites {
        let Some(r) = s.suite() else {
            continue;
        };
        if r.export {
            export.push(short(s));
        }
        if r.null_encryption() {
            null.push(short(s));
        }
        if r.anonymous() && !r.tls13 {
            anon.push(short(s));
        }
        if r.is_rc4() {
            rc4.push(short(s));
        }
        if r.block_bits() == Some(64) {
            block64.push(short(s));
        }
        if r.is_aead() || r.tls13 {
            aead = true;
        }
    }
    if !export.is_empty() {
        hits.add(
            "suites.export",
            GradeLetter::F,
            format!(
                "export-grade suites are offered (FREAK/Logjam): {}",
                some_names(&export)
            ),
        );
    }
    if !null.is_empty() {
        hits.add(
            "suites.null",
            GradeLetter::F,
            format!(
                "suites without encryption are offered: {}",
                some_names(&null)
            ),
        );
    }
    if !anon.is_empty() {
        hits.add(
            "suites.anonymous",
            GradeLetter::F,
            format!(
                "anonymous suites (no server authentication) are offered: {}",
                some_names(&anon)
            ),
        );
    }
    if !rc4.is_empty() {
        hits.add(
            "suites.rc4",
            GradeLetter::C,
            format!("RC4 is offered (RFC 7465 forbids it): {}", some_names(&rc4)),
        );
    }
    if !block64.is_empty() {
        hits.add(
            "suites.block64",
            GradeLetter::C,
            format!(
                "64-bit block ciphers are offered (SWEET32): {}",
                some_names(&block64)
            ),
        );
    }
    let fs = &report.forward_secrecy;
    if !suites.is_empty() {
        if !fs.some {
            hits.add(
                "suites.no_forward_secrecy",
                GradeLetter::B,
                "no suite with forward secrecy is offered",
            );
        } else if !fs.all {
            let names: Vec<String> = suites
                .iter()
                .filter(|(_, s)| !s.forward_secrecy)
                .map(|(_, s)| short(s))
                .collect();
            hits.add(
                "suites.some_without_forward_secrecy",
                GradeLetter::AMinus,
                format!(
                    "suites without forward secrecy are offered: {}",
                    some_names(&names)
                ),
            );
        }
        if !aead {
            hits.add(
                "suites.no_aead",
                GradeLetter::AMinus,
                "no AEAD suite (GCM, CCM, ChaCha20-Poly1305) is offered",
            );
        }
    }
}

fn key_exchange_rules(report: &ScanReport, suites: &[(Version, &SuiteResult)], hits: &mut Hits) {
    let mut dh: Option<u32> = None;
    let mut ec_weak: Vec<String> = Vec::new();
    for (_, s) in suites {
        if let Some(KeyExchange::Dh { bits }) = s.key_exchange {
            dh = Some(dh.map_or(bits, |d| d.min(bits)));
        }
    }
    for g in &report.groups {
        if let Some(reg) = registry::named_group(g.id) {
            match reg.kind {
                GroupKind::Ffdhe => {
                    dh = Some(dh.map_or(reg.bits as u32, |d| d.min(reg.bits as u32)))
                }
                GroupKind::Ec | GroupKind::Ecx if reg.security_bits < 112 => {
                    ec_weak.push(g.name.clone())
                }
                GroupKind::Ec | GroupKind::Ecx | GroupKind::Hybrid | GroupKind::Pqc => {}
            }
        }
    }
    if let Some(bits) = dh {
        if bits < 1024 {
            hits.add(
                "kx.dh_under_1024",
                GradeLetter::F,
                format!("Diffie-Hellman parameters of {bits} bits (Logjam)"),
            );
        } else if bits < 2048 {
            hits.add(
                "kx.dh_under_2048",
                GradeLetter::B,
                format!("Diffie-Hellman parameters of {bits} bits (under 2048)"),
            );
        }
    }
    if !ec_weak.is_empty() {
        hits.add(
            "kx.weak_curve",
            GradeLetter::B,
            format!(
                "elliptic curves under 224 bits are accepted: {}",
                some_names(&ec_weak)
            ),
        );
    }
}

/// What the session-feature checks said, as far as the grade needs it.
#[derive(Debug, Default, Clone)]
struct Features {
    secure_renegotiation: Option<bool>,
    fallback_scsv: Option<bool>,
}

fn feature_rules(
    report: &ScanReport,
    offered: &[Version],
    hits: &mut Hits,
    not_checked: &mut Vec<String>,
) -> Features {
    let legacy = offered
        .iter()
        .filter(|v| !matches!(v, Version::Tls13 | Version::Ssl2))
        .count();
    let sf = report.session_features.as_ref();
    let mut f = Features::default();
    if legacy > 0 {
        f.secure_renegotiation = sf.and_then(|x| x.secure_renegotiation);
        match f.secure_renegotiation {
            Some(false) => hits.add(
                "reneg.no_secure_renegotiation",
                GradeLetter::C,
                "secure renegotiation (RFC 5746) is not supported",
            ),
            None => not_checked.push("secure renegotiation: not checked".into()),
            Some(true) => {}
        }
        if sf.and_then(|x| x.insecure_renegotiation) == Some(true) {
            hits.add(
                "reneg.insecure",
                GradeLetter::F,
                "insecure client-initiated renegotiation is allowed (CVE-2009-3555)",
            );
        }
        match sf.and_then(|x| x.compression) {
            Some(true) => hits.add(
                "compression",
                GradeLetter::C,
                "TLS compression is enabled (CRIME)",
            ),
            None => not_checked.push("TLS compression: not checked".into()),
            Some(false) => {}
        }
    }
    if legacy >= 2 {
        f.fallback_scsv = sf.and_then(|x| x.fallback_scsv);
        match f.fallback_scsv {
            Some(false) => hits.add(
                "fallback_scsv.missing",
                GradeLetter::AMinus,
                "TLS_FALLBACK_SCSV is not supported (downgrade protection, RFC 7507)",
            ),
            None => not_checked.push("TLS_FALLBACK_SCSV: not checked".into()),
            Some(true) => {}
        }
    }
    f
}

/// Known weaknesses and their caps. Returns whether every weakness was decided.
fn vulnerability_rules(
    report: &ScanReport,
    hits: &mut Hits,
    not_checked: &mut Vec<String>,
) -> bool {
    if report.vulnerabilities.is_empty() {
        not_checked.push(
            "known weaknesses (Heartbleed, CCS injection, ROBOT, POODLE …): not checked".into(),
        );
        return false;
    }
    let mut all_decided = true;
    for v in &report.vulnerabilities {
        match v.vulnerable {
            Some(true) => {
                let detail = if v.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", v.detail)
                };
                let text = format!("vulnerable to {}{detail}", v.name);
                if let Some(l) = vulnerability_cap(v.id) {
                    hits.add(&format!("vuln.{}", v.id), l, text);
                }
            }
            Some(false) => {}
            None => {
                all_decided = false;
                not_checked.push(format!("{}: could not be determined", v.name));
            }
        }
    }
    all_decided
}

/// The cap for a weakness reported vulnerable. `None`: no cap (the suite rules already cover it,
/// or SSL Labs no longer caps for it).
fn vulnerability_cap(id: WeaknessId) -> Option<GradeLetter> {
    match id {
        // Ticketbleed: SSL Labs grades it F, like Heartbleed.
        WeaknessId::Heartbleed
        | WeaknessId::CcsInjection
        | WeaknessId::Ticketbleed
        | WeaknessId::Robot
        | WeaknessId::Drown
        | WeaknessId::Freak => Some(GradeLetter::F),
        WeaknessId::Poodle | WeaknessId::Sweet32 | WeaknessId::Crime | WeaknessId::Rc4 => {
            Some(GradeLetter::C)
        }
        WeaknessId::Logjam => Some(GradeLetter::B),
        // Lucky Thirteen: "potentially" from the suites alone; testssl.sh rates it LOW and SSL
        // Labs does not grade it. BREACH: SSL Labs does not cap for HTTP compression either.
        WeaknessId::Beast
        | WeaknessId::Lucky13
        | WeaknessId::Null
        | WeaknessId::Anonymous
        | WeaknessId::StaticRsa
        | WeaknessId::Breach => None,
    }
}

/// Why an A is not an A+ (empty: it is). A+ needs: TLS 1.3 offered; nothing older than TLS 1.2;
/// every suite with forward secrecy and AEAD; TLS_FALLBACK_SCSV confirmed when two or more
/// versions up to TLS 1.2 are offered; secure renegotiation confirmed with TLS 1.2; a chain
/// analysis (trust checked); and the known weaknesses checked and absent. HSTS is the
/// condition [`hsts_blocker`] adds.
fn aplus_blockers(
    has: &dyn Fn(Version) -> bool,
    suites: &[(Version, &SuiteResult)],
    f: &Features,
    cert_checked: bool,
    vulns_checked: bool,
) -> Vec<String> {
    let mut b = Vec::new();
    if !has(Version::Tls13) {
        b.push("TLSv1.3 is not offered".to_string());
    }
    if [Version::Ssl2, Version::Ssl3, Version::Tls10, Version::Tls11]
        .into_iter()
        .any(has)
    {
        b.push("versions older than TLSv1.2 are offered".to_string());
    }
    let weak: Vec<String> = suites
        .iter()
        .filter(|(_, s)| {
            let r = s.suite();
            !(s.forward_secrecy && r.is_some_and(|r| r.is_aead() || r.tls13))
        })
        .map(|(_, s)| short(s))
        .collect();
    if !weak.is_empty() {
        b.push(format!(
            "suites without forward secrecy or AEAD are offered: {}",
            some_names(&weak)
        ));
    }
    let legacy = [
        Version::Ssl3,
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
    ]
    .into_iter()
    .filter(|v| has(*v))
    .count();
    if legacy >= 2 && f.fallback_scsv != Some(true) {
        b.push("TLS_FALLBACK_SCSV support not confirmed".to_string());
    }
    if has(Version::Tls12) && f.secure_renegotiation != Some(true) {
        b.push("secure renegotiation not confirmed".to_string());
    }
    if !cert_checked {
        b.push("certificate trust not checked".to_string());
    }
    if !vulns_checked {
        b.push("known weaknesses not checked".to_string());
    }
    b
}

/// Why HSTS keeps an A from an A+ (`None`: it does not). Like SSL Labs, an A+ needs a
/// Strict-Transport-Security header with a max-age of at least 180 days (15552000 s); a missing
/// HSTS caps nothing (a finding says so), and where the HTTP layer did not run or failed, HSTS is
/// not known, so no A+.
fn hsts_blocker(report: &ScanReport) -> Option<String> {
    use crate::scan::report::http::HSTS_MIN_AGE_APLUS;
    let Some(http) = &report.http else {
        return Some(
            "HSTS not checked (the HTTP layer did not run: --no-http, STARTTLS, or no sign of HTTP)"
                .into(),
        );
    };
    if http.error.is_some() {
        return Some("HSTS not determined (the HTTP request failed)".into());
    }
    match &http.hsts {
        None => Some("no valid HSTS header".into()),
        Some(h) if h.max_age < HSTS_MIN_AGE_APLUS => Some(format!(
            "HSTS max-age {} s is under 180 days ({HSTS_MIN_AGE_APLUS} s)",
            h.max_age
        )),
        Some(_) => None,
    }
}

mod certs;
use certs::certificate_rules;

#[cfg(test)]
mod tests;
