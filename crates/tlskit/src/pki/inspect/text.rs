//! The text rendering of a [`CertInfo`].

use super::*;

/// Render one certificate as aligned text. `verbose` adds fingerprints other than SHA-256, the
/// SPKI hash, and the full extension list.
pub fn render_text(info: &CertInfo, verbose: bool) -> String {
    let mut rows: Vec<(&str, String)> = Vec::new();
    rows.push(("Subject", info.subject.clone()));
    rows.push(("Issuer", info.issuer.clone()));
    rows.push(("Serial", info.serial.clone()));
    rows.push(("Not before", info.not_before.clone()));
    rows.push((
        "Not after",
        format!("{}  ({})", info.not_after, info.validity_status()),
    ));
    rows.push(("Names (SAN)", san_text(info)));
    rows.push(("Public key", info.key_description()));
    rows.push(("Signature", info.signature_algorithm.to_string()));
    if !info.key_usage.is_empty() {
        let crit = if info.is_critical("keyUsage") {
            " (critical)"
        } else {
            ""
        };
        rows.push(("Key usage", format!("{}{crit}", info.key_usage.join(", "))));
    }
    if !info.eku.is_empty() {
        rows.push(("Extended usage", info.eku.join(", ")));
    }
    rows.push(("CA", ca_text(info)));
    if let Some(s) = &info.subject_key_id {
        rows.push(("Subject key ID", s.clone()));
    }
    if let Some(a) = &info.authority_key_id {
        rows.push(("Authority key ID", a.clone()));
    }
    rows.push((
        "Self-signed",
        if info.self_signed { "yes" } else { "no" }.to_string(),
    ));
    if info.must_staple {
        rows.push((
            "Must-staple",
            "yes (the server must staple an OCSP response)".to_string(),
        ));
    }
    if !info.ocsp_urls.is_empty() {
        rows.push(("OCSP", info.ocsp_urls.join(", ")));
    }
    if !info.crl_urls.is_empty() {
        rows.push(("CRL", info.crl_urls.join(", ")));
    }
    if !info.policies.is_empty() {
        rows.push(("Policies", policies_text(&info.policies)));
    }
    if info.sct_count > 0 {
        rows.push(("CT timestamps", info.sct_count.to_string()));
    }
    rows.push(("SHA-256", info.sha256_fingerprint.clone()));
    if verbose {
        verbose_rows(info, &mut rows);
    }
    // One width for every certificate, so a chain lines up.
    let width = rows
        .iter()
        .map(|(k, _)| k.len() + 1)
        .max()
        .unwrap_or(0)
        .max(17);
    let mut out = String::new();
    for (k, v) in rows {
        out.push_str(&format!("  {:<width$} {v}\n", format!("{k}:")));
    }
    out
}

/// The SAN list, or why there is none.
fn san_text(info: &CertInfo) -> String {
    let sans = info.san_list();
    if sans.is_empty() && !info.is_ca {
        "none (modern clients will not accept this certificate for any host name)".to_string()
    } else if sans.is_empty() {
        "none".to_string()
    } else {
        sans.join(", ")
    }
}

/// Whether the certificate is a CA, with its path length and criticality.
fn ca_text(info: &CertInfo) -> String {
    let bc_present = info.extensions.iter().any(|e| e.name == "basicConstraints");
    if !bc_present {
        "no basicConstraints extension".to_string()
    } else if info.is_ca {
        let path = info
            .path_len
            .map(|p| format!(", pathlen {p}"))
            .unwrap_or_default();
        let crit = if info.is_critical("basicConstraints") {
            " (critical)"
        } else {
            ""
        };
        format!("yes{path}{crit}")
    } else {
        "no".to_string()
    }
}

/// Policy OIDs, each with its name when known.
fn policies_text(policies: &[String]) -> String {
    policies
        .iter()
        .map(|p| match policy_name(p) {
            Some(n) => format!("{p} ({n})"),
            None => p.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows `-v` adds: other fingerprints, the version, CA issuers, every extension.
fn verbose_rows(info: &CertInfo, rows: &mut Vec<(&str, String)>) {
    rows.push(("SHA-1", info.sha1_fingerprint.clone()));
    rows.push(("SPKI SHA-256", info.spki_sha256.clone()));
    rows.push(("Version", info.version.to_string()));
    if !info.ca_issuer_urls.is_empty() {
        rows.push(("CA issuers", info.ca_issuer_urls.join(", ")));
    }
    let exts: Vec<String> = info
        .extensions
        .iter()
        .map(|e| {
            if e.critical {
                format!("{} (critical)", e.name)
            } else {
                e.name.clone()
            }
        })
        .collect();
    rows.push((
        "Extensions",
        if exts.is_empty() {
            "none".into()
        } else {
            exts.join(", ")
        },
    ));
}
