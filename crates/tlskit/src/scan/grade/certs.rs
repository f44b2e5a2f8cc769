//! The certificate rules of the grade: trust, names, dates, signatures and keys of each chain.

use super::*;
use crate::scan::report::KeyType;

/// Certificate rules; returns whether trust could be judged for every chain.
pub(super) fn certificate_rules(
    report: &ScanReport,
    suites: &[(Version, &SuiteResult)],
    hits: &mut Hits,
    not_checked: &mut Vec<String>,
) -> bool {
    // Every suite but the anonymous ones needs a certificate (unknown suites are assumed to).
    let needs_cert = suites
        .iter()
        .any(|(_, s)| s.suite().is_none_or(|r| r.auth != registry::Auth::Null));
    if report.certificates.is_empty() {
        if needs_cert {
            not_checked.push("certificate: no certificate chain was obtained".into());
        }
        return false;
    }
    let many = report.certificates.len() > 1;
    let mut trust_checked = true;
    for chain in &report.certificates {
        let prefix = if many {
            format!("{} certificate: ", chain.key_type)
        } else {
            "certificate: ".to_string()
        };
        if !chain_rules(report, chain, &prefix, hits, not_checked) {
            trust_checked = false;
        }
    }
    trust_checked
}

fn chain_rules(
    report: &ScanReport,
    chain: &CertificateChain,
    prefix: &str,
    hits: &mut Hits,
    not_checked: &mut Vec<String>,
) -> bool {
    let Some(leaf) = chain.certificates.first() else {
        not_checked.push(format!("{prefix}unparsable, not judged"));
        return false;
    };
    key_rules(chain, prefix, hits);
    match &chain.analysis {
        Some(a) => {
            analysis_rules(a, leaf, prefix, hits, not_checked);
            revocation_rules(a, chain, prefix, hits);
            true
        }
        None => {
            unanalysed_rules(report, chain, leaf, prefix, hits, not_checked);
            false
        }
    }
}

/// The leaf's own key: its type and size.
fn key_rules(chain: &CertificateChain, prefix: &str, hits: &mut Hits) {
    // Key size: the leaf's own key.
    match &chain.key_type {
        KeyType::Rsa { bits } | KeyType::RsaPss { bits } | KeyType::Dsa { bits } => {
            let kt = chain.key_type.algorithm();
            if matches!(chain.key_type, KeyType::Dsa { .. }) {
                hits.add(
                    "cert.dsa_key",
                    GradeLetter::B,
                    format!("{prefix}DSA key (no longer supported by browsers)"),
                );
            }
            if *bits > 0 && *bits < 1024 {
                hits.add(
                    "cert.key_under_1024",
                    GradeLetter::F,
                    format!("{prefix}{kt} key of {bits} bits"),
                );
            } else if *bits > 0 && *bits < 2048 {
                hits.add(
                    "cert.key_under_2048",
                    GradeLetter::B,
                    format!("{prefix}{kt} key of {bits} bits (under 2048)"),
                );
            }
        }
        KeyType::Ecdsa(curve) if curve.bits() > 0 && curve.bits() < 224 => {
            hits.add(
                "cert.key_under_2048",
                GradeLetter::B,
                format!("{prefix}EC key of {} bits (under 224)", curve.bits()),
            );
        }
        KeyType::Ecdsa(_)
        | KeyType::Ed25519
        | KeyType::Ed448
        | KeyType::X25519
        | KeyType::X448
        | KeyType::MlDsa44
        | KeyType::MlDsa65
        | KeyType::MlDsa87
        | KeyType::Other(_)
        | KeyType::Unparsable => {}
    }
}

/// What the chain analysis found: trust, dates, signatures, keys, name, completeness, OCSP.
fn analysis_rules(
    a: &crate::pki::chain::ChainAnalysis,
    leaf: &crate::pki::inspect::CertInfo,
    prefix: &str,
    hits: &mut Hits,
    not_checked: &mut Vec<String>,
) {
    if !a.trusted {
        let why = a
            .trust
            .iter()
            .find_map(|t| t.error.as_ref())
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        hits.add(
            "cert.untrusted",
            GradeLetter::T,
            format!("{prefix}not trusted by any trust store{why}"),
        );
    }
    if a.leaf_expired {
        hits.add(
            "cert.expired",
            GradeLetter::T,
            format!("{prefix}expired ({})", leaf.not_after),
        );
    }
    if a.leaf_not_yet_valid {
        hits.add(
            "cert.not_yet_valid",
            GradeLetter::T,
            format!("{prefix}not valid before {}", leaf.not_before),
        );
    }
    if !a.weak_signatures.is_empty() {
        hits.add(
            "cert.weak_signature",
            GradeLetter::T,
            format!("{prefix}weak signature: {}", some_names(&a.weak_signatures)),
        );
    }
    if !a.weak_keys.is_empty() {
        hits.add(
            "cert.chain_weak_key",
            GradeLetter::B,
            format!(
                "{prefix}weak key in the chain: {}",
                some_names(&a.weak_keys)
            ),
        );
    }
    match a.hostname_match {
        Some(false) => {
            let name = a.hostname.as_deref().unwrap_or("the name scanned");
            hits.add(
                "cert.hostname_mismatch",
                GradeLetter::M,
                format!("{prefix}does not cover {name}"),
            );
        }
        None => not_checked.push(format!("{prefix}host name not checked (no name to check)")),
        _ => {}
    }
    if a.missing_intermediate {
        hits.add(
            "cert.incomplete_chain",
            GradeLetter::B,
            format!("{prefix}the chain is incomplete (an intermediate certificate is missing)"),
        );
    }
}

/// A revoked certificate scores zero, so the grade is F: the SSL Labs *SSL Server Rating Guide*
/// (2009q, "Certificate inspection": "use of a revoked certificate" gives the certificate
/// category a zero score, and a zero in any category makes the overall score zero).
fn revocation_rules(
    a: &crate::pki::chain::ChainAnalysis,
    chain: &CertificateChain,
    prefix: &str,
    hits: &mut Hits,
) {
    use crate::pki::chain::RevocationStatus;
    let revoked: Vec<(usize, &crate::pki::chain::Revocation)> = chain
        .certificates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.revocation.as_ref().map(|r| (i, r)))
        .filter(|(_, r)| r.status == RevocationStatus::Revoked)
        .collect();
    let leaf_revoked = revoked.iter().any(|(i, _)| *i == 0);
    if a.ocsp_status.as_deref() == Some("revoked") && !leaf_revoked {
        hits.add(
            "cert.revoked",
            GradeLetter::F,
            format!("{prefix}revoked (stapled OCSP response)"),
        );
    }
    for (i, r) in revoked {
        let which = match i {
            0 => String::new(),
            _ => format!(
                "intermediate {} ",
                chain.certificates[i]
                    .common_name
                    .clone()
                    .unwrap_or_else(|| chain.certificates[i].subject.clone())
            ),
        };
        let by = r.source.map(|s| s.name()).unwrap_or("?");
        hits.add(
            "cert.revoked",
            GradeLetter::F,
            format!("{prefix}{which}revoked ({by})"),
        );
    }
}

/// Without the chain analysis: what the certificates say by themselves.
fn unanalysed_rules(
    report: &ScanReport,
    chain: &CertificateChain,
    leaf: &crate::pki::inspect::CertInfo,
    prefix: &str,
    hits: &mut Hits,
    not_checked: &mut Vec<String>,
) {
    if leaf.expired {
        hits.add(
            "cert.expired",
            GradeLetter::T,
            format!("{prefix}expired ({})", leaf.not_after),
        );
    }
    if leaf.not_yet_valid {
        hits.add(
            "cert.not_yet_valid",
            GradeLetter::T,
            format!("{prefix}not valid before {}", leaf.not_before),
        );
    }
    let weak: Vec<String> = chain
        .certificates
        .iter()
        .filter(|c| !c.self_signed && c.signature_algorithm.weak_hash().is_some())
        .map(|c| {
            format!(
                "{} is signed with {}",
                c.common_name.clone().unwrap_or_else(|| c.subject.clone()),
                c.signature_algorithm
            )
        })
        .collect();
    if !weak.is_empty() {
        hits.add(
            "cert.weak_signature",
            GradeLetter::T,
            format!("{prefix}weak signature: {}", some_names(&weak)),
        );
    }
    match &report.target.servername {
        Some(name) if !leaf.matches_name(name) => {
            hits.add("cert.hostname_mismatch", GradeLetter::M, format!("{prefix}does not cover {name}"));
        }
        Some(_) => {}
        None => not_checked.push(format!("{prefix}host name not checked (no name to check: the target is an IP address or no SNI was sent)")),
    }
    not_checked.push(format!(
        "{prefix}trust not checked (no chain analysis in the report)"
    ));
}
