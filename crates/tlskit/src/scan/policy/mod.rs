//! Policies: what a TLS configuration must look like, as data, and the check of a scan report
//! against one. The built-in policies follow Mozilla's Server Side TLS guidelines 5.7 (modern,
//! intermediate, old); users write their own in the same JSON format (docs/POLICY.md).
//!
//! Every field of a policy is optional: what a policy does not mention is not checked. A policy
//! only *allows* (versions, suites, groups …) — offering less is fine — except for the fields
//! named `required`/`min`. Deviations of the rules listed in `advisory` are reported but do not
//! make the target non-compliant.

use crate::error::{Error, Result};
use crate::scan::report::{GradeLetter, ScanReport};
use crate::scan::report::{KeyType, SuiteId};
use serde::{Deserialize, Serialize};
use tlskit_wire::registry::{self, GroupKind};
use tlskit_wire::version::Version;

/// The built-in policies: name and JSON text (committed under docs/policies/).
pub const BUILTIN: [(&str, &str); 3] = [
    (
        "mozilla-modern",
        include_str!("../../../../../docs/policies/mozilla-modern.json"),
    ),
    (
        "mozilla-intermediate",
        include_str!("../../../../../docs/policies/mozilla-intermediate.json"),
    ),
    (
        "mozilla-old",
        include_str!("../../../../../docs/policies/mozilla-old.json"),
    ),
];

/// Every rule id a deviation can carry (and `advisory` may name).
pub const RULES: [&str; 15] = [
    "versions.allowed",
    "versions.required",
    "cipher_suites",
    "tls13_cipher_suites",
    "groups",
    "dh_min_bits",
    "ecdh_min_bits",
    "certificate.key_types",
    "certificate.rsa_min_bits",
    "certificate.ecdsa_curves",
    "certificate.signature_algorithms",
    "certificate.max_lifespan_days",
    "server_order_required",
    "ocsp_stapling",
    "min_grade",
];

/// A policy as written in JSON (see docs/POLICY.md).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Policy {
    /// Short name shown in reports: "mozilla-intermediate", "acme-internal".
    pub name: String,
    /// One line on what the policy is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the rules come from (a URL, a document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Free text for the policy's author; ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Versions allowed and required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Versions>,
    /// TLS ≤ 1.2 suites allowed, by OpenSSL or IANA name ([] = none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher_suites: Option<Vec<String>>,
    /// TLS 1.3 suites allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls13_cipher_suites: Option<Vec<String>>,
    /// Key-exchange groups allowed, by IANA or OpenSSL name (x25519/X25519, secp256r1/prime256v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    /// Also allow hybrid post-quantum groups (X25519MLKEM768 …) not listed in `groups`.
    #[serde(default)]
    pub allow_hybrid_groups: bool,
    /// Smallest finite-field Diffie-Hellman group (DHE parameters, ffdhe groups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dh_min_bits: Option<u32>,
    /// Smallest elliptic-curve group, in curve bits (X25519 and P-256 count as 256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecdh_min_bits: Option<u32>,
    /// Rules for the leaf certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateRules>,
    /// The server must choose suites by its own preference (TLS ≤ 1.2).
    #[serde(default)]
    pub server_order_required: bool,
    /// The server must staple an OCSP response.
    #[serde(default)]
    pub ocsp_stapling: bool,
    /// The tlskit grade must be at least this (A+ … F; T and M rank just above F, as the grade
    /// ranks them: [`GradeLetter`]'s order).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "min_grade"
    )]
    pub min_grade: Option<GradeLetter>,
    /// Rule ids whose deviations are reported but do not fail the check.
    #[serde(default)]
    pub advisory: Vec<String>,
}

/// A policy's `versions`: which may and which must be offered.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Versions {
    /// Versions that may be offered: SSLv3, TLSv1.0 (or TLSv1), TLSv1.1, TLSv1.2, TLSv1.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// Versions that must be offered.
    #[serde(default)]
    pub required: Vec<String>,
}

/// A policy's `certificate`: what the leaf certificate must be.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CertificateRules {
    /// "rsa", "ecdsa", "ed25519", "ed448", "dsa".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_types: Option<Vec<String>>,
    /// Smallest RSA key, in bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rsa_min_bits: Option<u32>,
    /// ECDSA key curves: prime256v1/P-256/secp256r1, secp384r1/P-384, secp521r1/P-521.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecdsa_curves: Option<Vec<String>>,
    /// Signature algorithm of the leaf certificate, as OpenSSL names it (sha256WithRSAEncryption,
    /// ecdsa-with-SHA256, rsassaPss, ED25519 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_algorithms: Option<Vec<String>>,
    /// Longest validity period (notAfter − notBefore) of the leaf, in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lifespan_days: Option<u32>,
}

pub use crate::scan::report::{Deviation, PolicyResult};

/// "TLSv1" → "TLSv1.0", "tls1.2" → "TLSv1.2".
fn normalise_version(v: &str) -> Option<Version> {
    let k = v.trim().to_ascii_lowercase().replace(['_', ' '], ".");
    let k = k
        .strip_prefix("tlsv")
        .or_else(|| k.strip_prefix("tls"))
        .map(|r| format!("tls{r}"))
        .unwrap_or(k);
    Some(match k.as_str() {
        "sslv2" | "ssl2" | "ssl2.0" | "sslv2.0" => Version::Ssl2,
        "sslv3" | "ssl3" | "ssl3.0" | "sslv3.0" => Version::Ssl3,
        "tls1" | "tls1.0" => Version::Tls10,
        "tls1.1" => Version::Tls11,
        "tls1.2" => Version::Tls12,
        "tls1.3" => Version::Tls13,
        _ => return None,
    })
}

/// "P-256" / "prime256v1" / "secp256r1" → "P-256".
fn normalise_curve(c: &str) -> Option<&'static str> {
    Some(match c.trim().to_ascii_lowercase().as_str() {
        "p-256" | "prime256v1" | "secp256r1" | "p256" => "P-256",
        "p-384" | "secp384r1" | "p384" => "P-384",
        "p-521" | "secp521r1" | "p521" => "P-521",
        "p-224" | "secp224r1" => "P-224",
        "p-192" | "prime192v1" | "secp192r1" => "P-192",
        "secp256k1" => "secp256k1",
        _ => return None,
    })
}

const KEY_TYPES: [&str; 6] = ["rsa", "rsa-pss", "ecdsa", "ed25519", "ed448", "dsa"];

fn usage(origin: &str, msg: impl std::fmt::Display) -> Error {
    Error::usage(format!("policy {origin}: {msg}"))
}

impl Policy {
    /// Parse and validate a policy; `origin` names it in errors (a file name or built-in name).
    pub fn from_json(text: &str, origin: &str) -> Result<Policy> {
        let p: Policy = serde_json::from_str(text).map_err(|e| {
            usage(
                origin,
                format!("{e} (the format is described in docs/POLICY.md)"),
            )
        })?;
        p.validate(origin)?;
        Ok(p)
    }

    /// A built-in policy by name: mozilla-modern, mozilla-intermediate, mozilla-old (the
    /// "mozilla-" prefix may be left out).
    pub fn builtin(name: &str) -> Option<Policy> {
        let n = name.trim().to_ascii_lowercase();
        let n = if n.starts_with("mozilla-") {
            n
        } else {
            format!("mozilla-{n}")
        };
        BUILTIN.iter().find(|(b, _)| *b == n).map(|(b, text)| {
            Policy::from_json(text, b).expect("built-in policies are valid (unit-tested)")
        })
    }

    /// `--policy NAME|FILE`: a built-in name, else a JSON file.
    pub fn load(arg: &str) -> Result<Policy> {
        if let Some(p) = Policy::builtin(arg) {
            return Ok(p);
        }
        let path = std::path::Path::new(arg);
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::usage(format!(
                    "--policy '{arg}' is neither a built-in policy ({}) nor an existing file",
                    names.join(", ")
                ))
            } else {
                Error::usage(format!("cannot read policy file {arg}: {e}"))
            }
        })?;
        Policy::from_json(&text, arg)
    }

    fn validate(&self, origin: &str) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(usage(origin, "\"name\" must not be empty"));
        }
        if let Some(v) = &self.versions {
            for name in v.allowed.iter().flatten().chain(v.required.iter()) {
                if normalise_version(name).is_none() {
                    return Err(usage(origin, format!("unknown version \"{name}\" (use SSLv3, TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3)")));
                }
            }
        }
        for s in self.cipher_suites.iter().flatten() {
            match registry::cipher_suite_by_name(s) {
                Some(r) if r.tls13 => {
                    return Err(usage(origin, format!("\"{s}\" is a TLS 1.3 suite: list it under \"tls13_cipher_suites\"")))
                }
                Some(r) if r.scsv => return Err(usage(origin, format!("\"{s}\" is a signalling value, not a cipher suite"))),
                Some(_) => {}
                None => return Err(usage(origin, format!("unknown cipher suite \"{s}\" (use OpenSSL or IANA names; `tlskit ciphers` lists them)"))),
            }
        }
        for s in self.tls13_cipher_suites.iter().flatten() {
            match registry::cipher_suite_by_name(s) {
                Some(r) if r.tls13 => {}
                Some(_) => {
                    return Err(usage(
                        origin,
                        format!("\"{s}\" is not a TLS 1.3 suite: list it under \"cipher_suites\""),
                    ))
                }
                None => return Err(usage(origin, format!("unknown TLS 1.3 suite \"{s}\""))),
            }
        }
        for g in self.groups.iter().flatten() {
            if registry::named_group_by_name(g).is_none() {
                return Err(usage(origin, format!("unknown group \"{g}\" (use IANA or OpenSSL names: x25519, secp256r1, ffdhe2048 …)")));
            }
        }
        if let Some(c) = &self.certificate {
            for k in c.key_types.iter().flatten() {
                if !KEY_TYPES.contains(&k.to_ascii_lowercase().as_str()) {
                    return Err(usage(
                        origin,
                        format!(
                            "unknown certificate key type \"{k}\" (use {})",
                            KEY_TYPES.join(", ")
                        ),
                    ));
                }
            }
            for cv in c.ecdsa_curves.iter().flatten() {
                if normalise_curve(cv).is_none() {
                    return Err(usage(
                        origin,
                        format!("unknown curve \"{cv}\" (use prime256v1, secp384r1, secp521r1)"),
                    ));
                }
            }
        }
        for a in &self.advisory {
            if !RULES.contains(&a.as_str()) {
                return Err(usage(
                    origin,
                    format!(
                        "\"advisory\" names unknown rule \"{a}\" (rules: {})",
                        RULES.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// `"min_grade"`: a letter A+ … F (T and M are verdicts on the certificate, not a level to
/// ask for).
fn min_grade<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<GradeLetter>, D::Error> {
    let Some(name) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    match GradeLetter::from_name(&name) {
        Some(g) if !g.is_trust_verdict() => Ok(Some(g)),
        Some(_) | None => Err(serde::de::Error::custom(format!(
            "\"min_grade\" \"{}\" is not one of A+, A, A-, B, C, D, E, F",
            crate::escape::short(&name, 40)
        ))),
    }
}

struct Out<'a> {
    policy: &'a Policy,
    deviations: Vec<Deviation>,
    not_checked: Vec<String>,
}

impl Out<'_> {
    fn dev(
        &mut self,
        rule: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.deviations.push(Deviation {
            rule: rule.into(),
            expected: expected.into(),
            found: found.into(),
            message: message.into(),
            advisory: self.policy.advisory.iter().any(|a| a == rule),
        });
    }
}

fn suite_label(id: SuiteId, name: &str) -> String {
    match id.suite() {
        Some(s) => match s.openssl {
            Some(o) => format!("{o} ({})", s.iana),
            None => s.iana.to_string(),
        },
        None => name.to_string(),
    }
}

fn join(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Check a report against a policy.
pub fn check(report: &ScanReport, policy: &Policy) -> PolicyResult {
    let mut out = Out {
        policy,
        deviations: Vec::new(),
        not_checked: Vec::new(),
    };
    let offered: Vec<Version> = report.offered_versions();
    let allowed_versions: Option<Vec<Version>> = policy
        .versions
        .as_ref()
        .and_then(|v| v.allowed.as_ref())
        .map(|a| a.iter().filter_map(|x| normalise_version(x)).collect());
    version_rules(policy, &offered, allowed_versions.as_deref(), &mut out);
    // Suites are judged only in versions the policy allows (a disallowed version is one deviation).
    let in_scope = |v: Version| allowed_versions.as_ref().is_none_or(|a| a.contains(&v));
    suite_rules(report, policy, &in_scope, &mut out);
    group_rules(report, policy, &mut out);
    key_exchange_rules(report, policy, &in_scope, &mut out);
    certificate_rules(report, policy, &mut out);
    order_rules(report, policy, &in_scope, &mut out);
    stapling_and_grade_rules(report, policy, &mut out);

    let compliant = !out.deviations.iter().any(|d| !d.advisory);
    PolicyResult {
        policy: policy.name.clone(),
        compliant,
        deviations: out.deviations,
        not_checked: out.not_checked,
    }
}

/// Versions allowed and required.
fn version_rules(
    policy: &Policy,
    offered: &[Version],
    allowed_versions: Option<&[Version]>,
    out: &mut Out,
) {
    if let Some(allowed) = allowed_versions {
        let expected = join(
            &allowed
                .iter()
                .map(|s| s.name().to_string())
                .collect::<Vec<_>>(),
        );
        for v in offered {
            if !allowed.contains(v) {
                out.dev(
                    "versions.allowed",
                    &expected,
                    v.name(),
                    format!("disable {}: the policy allows {expected}", v.name()),
                );
            }
        }
    }
    if let Some(v) = &policy.versions {
        for r in v.required.iter().filter_map(|x| normalise_version(x)) {
            if !offered.contains(&r) {
                let r = r.name();
                out.dev(
                    "versions.required",
                    format!("{r} offered"),
                    format!("{r} not offered"),
                    format!("enable {r}: the policy requires it"),
                );
            }
        }
    }
}

/// TLS ≤ 1.2 and TLS 1.3 suites.
fn suite_rules(
    report: &ScanReport,
    policy: &Policy,
    in_scope: &dyn Fn(Version) -> bool,
    out: &mut Out,
) {
    // TLS ≤ 1.2 suites.
    if let Some(allowed) = &policy.cipher_suites {
        let ids: Vec<u16> = allowed
            .iter()
            .filter_map(|n| registry::cipher_suite_by_name(n))
            .map(|s| s.id)
            .collect();
        let expected = if allowed.is_empty() {
            "no TLS ≤ 1.2 suite".to_string()
        } else {
            allowed.join(", ")
        };
        let mut seen: Vec<(SuiteId, String, Vec<&str>)> = Vec::new();
        for p in report
            .protocols
            .iter()
            .filter(|p| p.offered && p.version != Version::Tls13 && in_scope(p.version))
        {
            for s in &p.cipher_suites {
                if s.id.tls().is_some_and(|id| ids.contains(&id)) {
                    continue;
                }
                match seen.iter_mut().find(|(id, _, _)| *id == s.id) {
                    Some(e) => e.2.push(p.version.name()),
                    None => seen.push((s.id, s.name.clone(), vec![p.version.name()])),
                }
            }
        }
        for (id, name, versions) in seen {
            let found = format!("{} with {}", suite_label(id, &name), versions.join(", "));
            out.dev(
                "cipher_suites",
                &expected,
                &found,
                format!("remove {found}: not allowed by the policy"),
            );
        }
    }
    if let Some(allowed) = &policy.tls13_cipher_suites {
        let ids: Vec<u16> = allowed
            .iter()
            .filter_map(|n| registry::cipher_suite_by_name(n))
            .map(|s| s.id)
            .collect();
        if let Some(p) = report
            .protocols
            .iter()
            .find(|p| p.offered && p.version == Version::Tls13 && in_scope(p.version))
        {
            for s in p
                .cipher_suites
                .iter()
                .filter(|s| !s.id.tls().is_some_and(|id| ids.contains(&id)))
            {
                out.dev(
                    "tls13_cipher_suites",
                    join(allowed),
                    s.name.clone(),
                    format!("remove {}: not allowed by the policy", s.name),
                );
            }
        }
    }
}

/// Groups.
fn group_rules(report: &ScanReport, policy: &Policy, out: &mut Out) {
    // Groups.
    if let Some(allowed) = &policy.groups {
        let ids: Vec<u16> = allowed
            .iter()
            .filter_map(|n| registry::named_group_by_name(n))
            .map(|g| g.id)
            .collect();
        for g in &report.groups {
            let hybrid = registry::named_group(g.id).is_some_and(|r| r.kind == GroupKind::Hybrid);
            if ids.contains(&g.id) || (hybrid && policy.allow_hybrid_groups) {
                continue;
            }
            let found = format!(
                "{} with {}",
                g.name,
                g.versions
                    .iter()
                    .map(|v| v.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out.dev(
                "groups",
                join(allowed),
                &found,
                format!("remove group {found}: not allowed by the policy"),
            );
        }
    }
}

/// Key-exchange sizes: DH primes and EC curves.
fn key_exchange_rules(
    report: &ScanReport,
    policy: &Policy,
    in_scope: &dyn Fn(Version) -> bool,
    out: &mut Out,
) {
    // Key-exchange sizes.
    if let Some(min) = policy.dh_min_bits {
        let mut seen: Vec<String> = Vec::new();
        for p in report
            .protocols
            .iter()
            .filter(|p| p.offered && in_scope(p.version))
        {
            for s in &p.cipher_suites {
                let Some(kx) = s.key_exchange else { continue };
                if let Some(b) = kx.dh_bits().filter(|b| *b < min) {
                    let what = format!("{kx} ({b} bits)");
                    if !seen.contains(&what) {
                        seen.push(what);
                    }
                }
            }
        }
        for g in &report.groups {
            if let Some(r) = registry::named_group(g.id)
                .filter(|r| r.kind == GroupKind::Ffdhe && (r.bits as u32) < min)
            {
                let what = format!("{} ({} bits)", g.name, r.bits);
                if !seen.contains(&what) {
                    seen.push(what);
                }
            }
        }
        for w in seen {
            out.dev(
                "dh_min_bits",
                format!("at least {min} bits"),
                w.clone(),
                format!("use Diffie-Hellman parameters of at least {min} bits instead of {w}"),
            );
        }
    }
    if let Some(min) = policy.ecdh_min_bits {
        for g in &report.groups {
            let Some(r) = registry::named_group(g.id) else {
                continue;
            };
            if matches!(r.kind, GroupKind::Ec | GroupKind::Ecx)
                && (r.security_bits as u32) * 2 < min
            {
                out.dev(
                    "ecdh_min_bits",
                    format!("at least {min}-bit curves"),
                    format!("{} ({} bits)", g.name, r.bits),
                    format!("remove curve {}: smaller than {min} bits", g.name),
                );
            }
        }
    }
}

/// The leaf certificate of each chain.
fn certificate_rules(report: &ScanReport, policy: &Policy, out: &mut Out) {
    // Certificates.
    if let Some(c) = &policy.certificate {
        if report.certificates.is_empty() {
            out.not_checked
                .push("certificate rules: no certificate was obtained".into());
        }
        for chain in &report.certificates {
            let Some(leaf) = chain.certificates.first() else {
                continue;
            };
            let what = format!(
                "{} certificate {}",
                chain.key_type,
                leaf.common_name
                    .clone()
                    .unwrap_or_else(|| leaf.subject.clone())
            );
            let kt = &chain.key_type;
            if let Some(types) = &c.key_types {
                if !types.iter().any(|t| t.eq_ignore_ascii_case(kt.algorithm())) {
                    out.dev(
                        "certificate.key_types",
                        join(types),
                        kt.to_string(),
                        format!("{what}: use a {} key", types.join(" or ")),
                    );
                }
            }
            if let Some(min) = c.rsa_min_bits {
                if let KeyType::Rsa { bits } | KeyType::RsaPss { bits } = kt {
                    if *bits < min {
                        out.dev(
                            "certificate.rsa_min_bits",
                            format!("at least {min} bits"),
                            format!("{bits} bits"),
                            format!("{what}: use an RSA key of at least {min} bits"),
                        );
                    }
                }
            }
            if let (Some(curves), KeyType::Ecdsa(curve)) = (&c.ecdsa_curves, kt) {
                let ok: Vec<&str> = curves.iter().filter_map(|x| normalise_curve(x)).collect();
                if !normalise_curve(curve.name()).is_some_and(|h| ok.contains(&h)) {
                    out.dev(
                        "certificate.ecdsa_curves",
                        join(curves),
                        curve.name(),
                        format!("{what}: use a key on {}", curves.join(" or ")),
                    );
                }
            }
            if let Some(algs) = &c.signature_algorithms {
                if !algs
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(leaf.signature_algorithm.name()))
                {
                    out.dev(
                        "certificate.signature_algorithms",
                        join(algs),
                        leaf.signature_algorithm.to_string(),
                        format!("{what}: have it signed with {}", algs.join(" or ")),
                    );
                }
            }
            if let Some(max) = c.max_lifespan_days {
                if leaf.validity_days > max as i64 {
                    out.dev(
                        "certificate.max_lifespan_days",
                        format!("at most {max} days"),
                        format!("{} days", leaf.validity_days),
                        format!("{what}: issue certificates valid for at most {max} days"),
                    );
                }
            }
        }
    }
}

/// Server order.
fn order_rules(
    report: &ScanReport,
    policy: &Policy,
    in_scope: &dyn Fn(Version) -> bool,
    out: &mut Out,
) {
    // Server order.
    if policy.server_order_required {
        for p in report
            .protocols
            .iter()
            .filter(|p| p.offered && p.version != Version::Tls13 && in_scope(p.version))
        {
            if p.server_order == Some(false) {
                out.dev(
                    "server_order_required",
                    "the server's order",
                    format!("the client's order with {}", p.version),
                    format!(
                        "make the server choose suites by its own preference with {}",
                        p.version
                    ),
                );
            }
        }
    }
}

/// OCSP stapling (from the chain analysis) and the lowest grade.
fn stapling_and_grade_rules(report: &ScanReport, policy: &Policy, out: &mut Out) {
    // OCSP stapling (from the chain analysis).
    if policy.ocsp_stapling {
        for chain in &report.certificates {
            match chain.analysis.as_ref().map(|a| a.ocsp_stapled) {
                Some(true) => {}
                Some(false) => out.dev(
                    "ocsp_stapling",
                    "a stapled OCSP response",
                    "none",
                    format!("{} certificate: staple OCSP responses", chain.key_type),
                ),
                None => out.not_checked.push(format!(
                    "ocsp_stapling: {} certificate not analysed",
                    chain.key_type
                )),
            }
        }
    }

    // Grade.
    if let Some(min) = policy.min_grade {
        match &report.grade {
            Some(g) => {
                // The order runs best to worst: a greater letter is a worse grade.
                if g.grade > min {
                    out.dev(
                        "min_grade",
                        format!("{min} or better"),
                        g.grade.to_string(),
                        format!(
                            "raise the grade from {} to at least {min} (see the grade's reasons)",
                            g.grade
                        ),
                    );
                }
            }
            None => out
                .not_checked
                .push("min_grade: the report has no grade".into()),
        }
    }
}

#[cfg(test)]
mod tests;
