//! Names: RFC 6125 host name matching and RFC 4514 distinguished names.

use super::*;

/// RFC 6125 host name check through the SAN only (the subject CN is ignored, as browsers,
/// rustls and Python's ssl do).
///
/// * DNS names compare case-insensitively; a trailing dot is ignored.
/// * A wildcard only counts as the whole left-most label (`*.bank32.com`) and stands for exactly
///   one label: it matches `www.bank32.com`, not `bank32.com` or `a.b.bank32.com`. Patterns like
///   `w*.x.com`, and wildcards over a single label (`*.com`), never match.
/// * IP addresses (`127.0.0.1`, `::1`, `[::1]`) only match iPAddress SANs.
pub fn matches_name(info: &CertInfo, name: &str) -> bool {
    let trimmed = name.trim();
    let bare = trimmed
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(trimmed);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return info
            .san_ip
            .iter()
            .any(|s| s.parse::<IpAddr>().ok() == Some(ip));
    }
    let reference = bare.trim_end_matches('.').to_ascii_lowercase();
    if reference.is_empty() || reference.contains('*') || reference.split('.').any(str::is_empty) {
        return false;
    }
    info.san_dns
        .iter()
        .any(|pattern| dns_matches(pattern, &reference))
}

pub(super) fn dns_matches(pattern: &str, reference: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    if let Some(rest) = pattern.strip_prefix("*.") {
        if rest.contains('*') || !rest.contains('.') || rest.split('.').any(str::is_empty) {
            return false;
        }
        match reference.split_once('.') {
            Some((first, tail)) => !first.is_empty() && tail == rest,
            None => false,
        }
    } else {
        !pattern.contains('*') && pattern == reference
    }
}

// ---------------------------------------------------------------------------------------------
// Names, keys, algorithms.

/// Short name of a name attribute type, or the dotted OID.
pub(super) fn attribute_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.4" => "SN",
        "2.5.4.42" => "GN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.12" => "title",
        "2.5.4.15" => "businessCategory",
        "2.5.4.17" => "postalCode",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.97" => "organizationIdentifier",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        _ => return None,
    })
}

/// Text of a directory string, whatever its ASN.1 string type.
pub(super) fn attr_text(tag: u32, data: &[u8]) -> Option<String> {
    let tag = u8::try_from(tag).ok()?;
    match tag {
        // NumericString is ASCII too.
        0x12 => std::str::from_utf8(data).ok().map(str::to_owned),
        _ => crate::pki::der::directory_string_text(tag, data),
    }
}

pub(super) fn escape_rfc4514(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push_str(&format!("\\{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A name as an RFC 4514 style string, most specific RDN first: `CN=localhost, O=Lab, C=US`.
pub fn format_name(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let oid = atv.attr_type().to_id_string();
                    let key = attribute_name(&oid).map(str::to_owned).unwrap_or(oid);
                    let value = atv.attr_value();
                    match attr_text(value.header.tag().0, value.data) {
                        Some(text) => format!("{key}={}", escape_rfc4514(&text)),
                        None => format!("{key}=#{}", hex::encode(value.data)),
                    }
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}
