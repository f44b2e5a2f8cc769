//! A readable, serialisable description of a certificate ([`CertInfo`]), a text renderer for it,
//! RFC 6125 name matching ([`matches_name`]), and fetching the chain a TLS server sends
//! ([`fetch_chain`]) and checking it against trust anchors ([`verify_chain`]).
//!
//! Everything here is for *display*: fetching accepts any certificate so it can be shown.

use super::rehash::der;
use crate::error::{Error, Result};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::x509::X509Name;

/// Everything tlskit shows about one certificate. Serialises to the JSON that `tlskit cert show
/// --json` prints (field names are part of the interface).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertInfo {
    /// X.509 version: 1, 2 or 3.
    pub version: u32,
    /// Subject, RFC 4514 style (most specific first): `CN=localhost, O=Example, C=US`.
    pub subject: String,
    /// Issuer, same format.
    pub issuer: String,
    /// The subject's (first) common name, if any.
    pub common_name: Option<String>,
    /// Serial number, uppercase hex without separators (as `openssl x509 -serial` prints it).
    pub serial: String,
    /// Validity start, RFC 3339 UTC (`2025-01-31T12:00:00Z`).
    pub not_before: String,
    /// Validity end, RFC 3339 UTC.
    pub not_after: String,
    /// Whole days from now until `not_after` (rounded down; negative once expired).
    pub days_left: i64,
    /// Length of the validity period in whole days.
    pub validity_days: i64,
    pub expired: bool,
    pub not_yet_valid: bool,
    /// Subject alternative names of type dNSName (wildcards as written, `*.example.com`).
    pub san_dns: Vec<String>,
    /// iPAddress SANs, printed normally (`127.0.0.1`, `::1`).
    pub san_ip: Vec<String>,
    /// rfc822Name (e-mail) SANs.
    pub san_email: Vec<String>,
    /// uniformResourceIdentifier SANs.
    pub san_uri: Vec<String>,
    /// Any other SAN, as `type:value` (`otherName:1.3.6.1.4.1.311.20.2.3`, `dirName:CN=x`).
    pub san_other: Vec<String>,
    /// `RSA`, `RSA-PSS`, `ECDSA`, `Ed25519`, `Ed448`, `DSA`, `ML-DSA-65`, … or the OID.
    pub key_type: String,
    /// Key size in bits (RSA modulus, curve size; 256 for Ed25519; 0 when unknown).
    pub key_bits: u32,
    /// Named curve for EC keys (`P-256`, `P-384`, `P-521`, `secp256k1`).
    pub key_curve: Option<String>,
    /// Signature algorithm by OpenSSL's name: `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `ED25519`.
    pub signature_algorithm: String,
    /// Extended key usages by OpenSSL's short name (`serverAuth`, `clientAuth`, …) or OID.
    pub eku: Vec<String>,
    /// Key usages (`digitalSignature`, `keyEncipherment`, `keyCertSign`, `cRLSign`, …).
    pub key_usage: Vec<String>,
    /// basicConstraints cA (false when the extension is absent).
    pub is_ca: bool,
    /// basicConstraints pathLenConstraint.
    pub path_len: Option<u32>,
    /// Subject key identifier, colon hex.
    pub subject_key_id: Option<String>,
    /// Authority key identifier (keyIdentifier), colon hex.
    pub authority_key_id: Option<String>,
    /// SHA-256 over the DER certificate, uppercase colon hex (`openssl x509 -fingerprint -sha256`).
    pub sha256_fingerprint: String,
    /// SHA-1 fingerprint, same format (what older tools and browsers show).
    pub sha1_fingerprint: String,
    /// SHA-256 over the SubjectPublicKeyInfo, lowercase hex (the value to pin a key by).
    pub spki_sha256: String,
    /// Subject equals issuer and the certificate's signature verifies with its own key.
    pub self_signed: bool,
    /// TLS feature extension asks for OCSP stapling (status_request).
    pub must_staple: bool,
    /// OCSP responder URLs (Authority Information Access).
    pub ocsp_urls: Vec<String>,
    /// CA issuer certificate URLs (Authority Information Access).
    pub ca_issuer_urls: Vec<String>,
    /// CRL distribution point URLs.
    pub crl_urls: Vec<String>,
    /// Certificate policy OIDs (`2.23.140.1.2.1` = domain validated, …).
    pub policies: Vec<String>,
    /// Number of embedded Signed Certificate Timestamps (Certificate Transparency).
    pub sct_count: u32,
    /// Every extension in certificate order, with its name and criticality.
    pub extensions: Vec<ExtensionInfo>,
}

/// One extension of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionInfo {
    /// Short name (`basicConstraints`, `subjectAltName`, …) or the dotted OID when unknown.
    pub name: String,
    pub oid: String,
    pub critical: bool,
}

impl CertInfo {
    /// Describe a DER certificate, with validity judged against the current time.
    pub fn from_der(der: &[u8]) -> Result<CertInfo> {
        Self::from_der_at(der, OffsetDateTime::now_utc())
    }

    /// Describe a DER certificate, with validity judged at `now`.
    pub fn from_der_at(der: &[u8], now: OffsetDateTime) -> Result<CertInfo> {
        let (rest, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| Error::input(format!("not a valid X.509 certificate ({e})")))?;
        if !rest.is_empty() {
            return Err(Error::input(
                "not a valid X.509 certificate (trailing data after it)",
            ));
        }
        let tbs = &cert.tbs_certificate;
        let not_before = tbs.validity.not_before.to_datetime();
        let not_after = tbs.validity.not_after.to_datetime();
        let secs_left = (not_after - now).whole_seconds();

        let mut info = CertInfo {
            version: tbs.version.0 + 1,
            subject: format_name(&tbs.subject),
            issuer: format_name(&tbs.issuer),
            common_name: tbs
                .subject
                .iter_common_name()
                .next()
                .and_then(|a| attr_text(a.attr_value().header.tag().0, a.attr_value().data)),
            serial: serial_hex(&tbs.serial.to_bytes_be()),
            not_before: rfc3339(not_before),
            not_after: rfc3339(not_after),
            days_left: secs_left.div_euclid(86_400),
            validity_days: (not_after - not_before).whole_days(),
            expired: now > not_after,
            not_yet_valid: now < not_before,
            san_dns: Vec::new(),
            san_ip: Vec::new(),
            san_email: Vec::new(),
            san_uri: Vec::new(),
            san_other: Vec::new(),
            key_type: String::new(),
            key_bits: 0,
            key_curve: None,
            signature_algorithm: signature_name(&cert.signature_algorithm.algorithm.to_id_string()),
            eku: Vec::new(),
            key_usage: Vec::new(),
            is_ca: false,
            path_len: None,
            subject_key_id: None,
            authority_key_id: None,
            sha256_fingerprint: colon_hex(&Sha256::digest(der)),
            sha1_fingerprint: colon_hex(&sha1::Sha1::digest(der)),
            spki_sha256: hex::encode(Sha256::digest(tbs.subject_pki.raw)),
            self_signed: false,
            must_staple: false,
            ocsp_urls: Vec::new(),
            ca_issuer_urls: Vec::new(),
            crl_urls: Vec::new(),
            policies: Vec::new(),
            sct_count: 0,
            extensions: Vec::new(),
        };
        describe_key(&cert, &mut info);

        for ext in tbs.extensions() {
            let oid = ext.oid.to_id_string();
            info.extensions.push(ExtensionInfo {
                name: extension_name(&oid).unwrap_or(&oid).to_string(),
                oid: oid.clone(),
                critical: ext.critical,
            });
            match ext.parsed_extension() {
                ParsedExtension::SubjectAlternativeName(san) => {
                    for name in &san.general_names {
                        match name {
                            GeneralName::DNSName(d) => info.san_dns.push(d.to_string()),
                            GeneralName::IPAddress(b) => info.san_ip.push(format_ip(b)),
                            GeneralName::RFC822Name(e) => info.san_email.push(e.to_string()),
                            GeneralName::URI(u) => info.san_uri.push(u.to_string()),
                            other => info.san_other.push(general_name_text(other)),
                        }
                    }
                }
                ParsedExtension::KeyUsage(ku) => {
                    const NAMES: [&str; 9] = [
                        "digitalSignature",
                        "nonRepudiation",
                        "keyEncipherment",
                        "dataEncipherment",
                        "keyAgreement",
                        "keyCertSign",
                        "cRLSign",
                        "encipherOnly",
                        "decipherOnly",
                    ];
                    for (i, n) in NAMES.iter().enumerate() {
                        if (ku.flags >> i) & 1 == 1 {
                            info.key_usage.push(n.to_string());
                        }
                    }
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    for (set, name) in [
                        (eku.server_auth, "serverAuth"),
                        (eku.client_auth, "clientAuth"),
                        (eku.code_signing, "codeSigning"),
                        (eku.email_protection, "emailProtection"),
                        (eku.time_stamping, "timeStamping"),
                        (eku.ocsp_signing, "OCSPSigning"),
                        (eku.any, "anyExtendedKeyUsage"),
                    ] {
                        if set {
                            info.eku.push(name.to_string());
                        }
                    }
                    for o in &eku.other {
                        info.eku.push(o.to_id_string());
                    }
                }
                ParsedExtension::BasicConstraints(bc) => {
                    info.is_ca = bc.ca;
                    info.path_len = bc.path_len_constraint;
                }
                ParsedExtension::SubjectKeyIdentifier(k) => {
                    info.subject_key_id = Some(colon_hex(k.0));
                }
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    info.authority_key_id = a.key_identifier.as_ref().map(|k| colon_hex(k.0));
                }
                ParsedExtension::AuthorityInfoAccess(aia) => {
                    for ad in &aia.accessdescs {
                        let GeneralName::URI(uri) = &ad.access_location else {
                            continue;
                        };
                        match ad.access_method.to_id_string().as_str() {
                            "1.3.6.1.5.5.7.48.1" => info.ocsp_urls.push(uri.to_string()),
                            "1.3.6.1.5.5.7.48.2" => info.ca_issuer_urls.push(uri.to_string()),
                            _ => {}
                        }
                    }
                }
                ParsedExtension::CRLDistributionPoints(points) => {
                    for p in &points.points {
                        if let Some(x509_parser::extensions::DistributionPointName::FullName(
                            names,
                        )) = &p.distribution_point
                        {
                            for n in names {
                                if let GeneralName::URI(u) = n {
                                    info.crl_urls.push(u.to_string());
                                }
                            }
                        }
                    }
                }
                ParsedExtension::CertificatePolicies(policies) => {
                    info.policies = policies
                        .iter()
                        .map(|p| p.policy_id.to_id_string())
                        .collect();
                }
                ParsedExtension::SCT(scts) => info.sct_count = scts.len() as u32,
                _ => {
                    if oid == "1.3.6.1.5.5.7.1.24" {
                        info.must_staple = tls_feature_has_status_request(ext.value);
                    }
                }
            }
        }
        info.self_signed = tbs.subject.as_raw() == tbs.issuer.as_raw()
            && match (&info.subject_key_id, &info.authority_key_id) {
                (Some(s), Some(a)) => s == a,
                _ => true,
            }
            && verify_own_signature(der).unwrap_or(true);
        Ok(info)
    }

    /// `"ECDSA P-256"`, `"RSA 2048"`, `"Ed25519"`.
    pub fn key_description(&self) -> String {
        match (&self.key_curve, self.key_bits) {
            (Some(curve), _) => format!("{} {curve}", self.key_type),
            (None, bits)
                if bits > 0 && (self.key_type.starts_with("RSA") || self.key_type == "DSA") =>
            {
                format!("{} {bits}", self.key_type)
            }
            _ => self.key_type.clone(),
        }
    }

    /// One phrase about the validity window: `"valid, 812 days left"`, `"EXPIRED 3 days ago"`,
    /// `"NOT YET VALID (starts in 2 days)"`.
    pub fn validity_status(&self) -> String {
        self.validity_status_at(OffsetDateTime::now_utc())
    }

    fn validity_status_at(&self, now: OffsetDateTime) -> String {
        let parse = |s: &str| OffsetDateTime::parse(s, &Rfc3339).ok();
        // Rounded to the nearest day: `--not-before +7d` "starts in 7 days", not 6.
        let days = |d: time::Duration| (d.whole_seconds() + 43_200).div_euclid(86_400);
        let plural = |n: i64| {
            if n == 1 {
                "1 day".to_string()
            } else {
                format!("{n} days")
            }
        };
        if self.expired {
            match parse(&self.not_after).map(|t| days(now - t)).unwrap_or(0) {
                0 => "EXPIRED less than a day ago".to_string(),
                n => format!("EXPIRED {} ago", plural(n)),
            }
        } else if self.not_yet_valid {
            match parse(&self.not_before).map(|t| days(t - now)).unwrap_or(0) {
                0 => "NOT YET VALID, starts in less than a day".to_string(),
                n => format!("NOT YET VALID, starts in {}", plural(n)),
            }
        } else {
            match self.days_left {
                0 => "valid, expires within a day".to_string(),
                n => format!("valid, {} left", plural(n)),
            }
        }
    }

    /// All SANs in one list, typed like OpenSSL prints them (`DNS:x`, `IP Address:y`, `email:z`).
    pub fn san_list(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(self.san_dns.iter().map(|d| format!("DNS:{d}")));
        out.extend(self.san_ip.iter().map(|i| format!("IP:{i}")));
        out.extend(self.san_email.iter().map(|e| format!("email:{e}")));
        out.extend(self.san_uri.iter().map(|u| format!("URI:{u}")));
        out.extend(self.san_other.iter().cloned());
        out
    }

    /// Whether the extension with this short name is present and critical.
    pub fn is_critical(&self, name: &str) -> bool {
        self.extensions.iter().any(|e| e.name == name && e.critical)
    }

    /// RFC 6125 name check, see [`matches_name`].
    pub fn matches_name(&self, name: &str) -> bool {
        matches_name(self, name)
    }
}

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
    let sans = info.san_list();
    rows.push((
        "Names (SAN)",
        if sans.is_empty() && !info.is_ca {
            "none (modern clients will not accept this certificate for any host name)".to_string()
        } else if sans.is_empty() {
            "none".to_string()
        } else {
            sans.join(", ")
        },
    ));
    rows.push(("Public key", info.key_description()));
    rows.push(("Signature", info.signature_algorithm.clone()));
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
    let bc_present = info.extensions.iter().any(|e| e.name == "basicConstraints");
    let ca = if !bc_present {
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
    };
    rows.push(("CA", ca));
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
        rows.push((
            "Policies",
            info.policies
                .iter()
                .map(|p| match policy_name(p) {
                    Some(n) => format!("{p} ({n})"),
                    None => p.clone(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if info.sct_count > 0 {
        rows.push(("CT timestamps", info.sct_count.to_string()));
    }
    rows.push(("SHA-256", info.sha256_fingerprint.clone()));
    if verbose {
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

fn dns_matches(pattern: &str, reference: &str) -> bool {
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
fn attribute_name(oid: &str) -> Option<&'static str> {
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
fn attr_text(tag: u32, data: &[u8]) -> Option<String> {
    let tag = u8::try_from(tag).ok()?;
    match tag {
        // NumericString is ASCII too.
        0x12 => std::str::from_utf8(data).ok().map(str::to_owned),
        _ => super::rehash::directory_string_text(tag, data),
    }
}

fn escape_rfc4514(value: &str) -> String {
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

fn serial_hex(be: &[u8]) -> String {
    let s = hex::encode_upper(be);
    if s.is_empty() {
        "00".into()
    } else {
        s
    }
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

fn format_ip(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => Ipv4Addr::from(<[u8; 4]>::try_from(bytes).unwrap_or_default()).to_string(),
        16 => Ipv6Addr::from(<[u8; 16]>::try_from(bytes).unwrap_or_default()).to_string(),
        _ => format!("invalid({})", hex::encode(bytes)),
    }
}

fn general_name_text(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::OtherName(oid, _) => format!("otherName:{}", oid.to_id_string()),
        GeneralName::DirectoryName(n) => format!("dirName:{}", format_name(n)),
        GeneralName::RegisteredID(oid) => format!("registeredID:{}", oid.to_id_string()),
        GeneralName::X400Address(_) => "x400Address".into(),
        GeneralName::EDIPartyName(_) => "ediPartyName".into(),
        GeneralName::Invalid(tag, data) => format!("invalid[{}]:{}", tag.0, hex::encode(data)),
        GeneralName::DNSName(d) => format!("DNS:{d}"),
        GeneralName::IPAddress(b) => format!("IP:{}", format_ip(b)),
        GeneralName::RFC822Name(e) => format!("email:{e}"),
        GeneralName::URI(u) => format!("URI:{u}"),
    }
}

fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        "1.3.101.113" => "ED448",
        "1.2.840.10040.4.3" => "dsaWithSHA1",
        "2.16.840.1.101.3.4.3.2" => "dsa_with_SHA256",
        "2.16.840.1.101.3.4.3.17" => "ML-DSA-44",
        "2.16.840.1.101.3.4.3.18" => "ML-DSA-65",
        "2.16.840.1.101.3.4.3.19" => "ML-DSA-87",
        other => return other.to_string(),
    }
    .to_string()
}

fn extension_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.29.14" => "subjectKeyIdentifier",
        "2.5.29.15" => "keyUsage",
        "2.5.29.17" => "subjectAltName",
        "2.5.29.18" => "issuerAltName",
        "2.5.29.19" => "basicConstraints",
        "2.5.29.30" => "nameConstraints",
        "2.5.29.31" => "crlDistributionPoints",
        "2.5.29.32" => "certificatePolicies",
        "2.5.29.33" => "policyMappings",
        "2.5.29.35" => "authorityKeyIdentifier",
        "2.5.29.36" => "policyConstraints",
        "2.5.29.37" => "extendedKeyUsage",
        "2.5.29.54" => "inhibitAnyPolicy",
        "1.3.6.1.5.5.7.1.1" => "authorityInfoAccess",
        "1.3.6.1.5.5.7.1.11" => "subjectInfoAccess",
        "1.3.6.1.5.5.7.1.24" => "tlsFeature",
        "1.3.6.1.4.1.11129.2.4.2" => "ctPrecertificateSCTs",
        "1.3.6.1.4.1.11129.2.4.3" => "ctPrecertificatePoison",
        "2.16.840.1.113730.1.1" => "nsCertType",
        "2.16.840.1.113730.1.13" => "nsComment",
        _ => return None,
    })
}

fn policy_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.23.140.1.2.1" => "domain validated",
        "2.23.140.1.2.2" => "organization validated",
        "2.23.140.1.2.3" => "individual validated",
        "2.23.140.1.1" => "extended validation",
        "2.5.29.32.0" => "any policy",
        _ => return None,
    })
}

fn describe_key(cert: &X509Certificate<'_>, info: &mut CertInfo) {
    let spki = &cert.tbs_certificate.subject_pki;
    let alg = spki.algorithm.algorithm.to_id_string();
    let key = &spki.subject_public_key.data;
    let (ty, bits, curve): (&str, u32, Option<&str>) = match alg.as_str() {
        "1.2.840.113549.1.1.1" => ("RSA", rsa_bits(key), None),
        "1.2.840.113549.1.1.10" => ("RSA-PSS", rsa_bits(key), None),
        "1.2.840.10045.2.1" => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            let (name, bits) = match curve_oid.as_str() {
                "1.2.840.10045.3.1.7" => ("P-256", 256),
                "1.3.132.0.34" => ("P-384", 384),
                "1.3.132.0.35" => ("P-521", 521),
                "1.3.132.0.10" => ("secp256k1", 256),
                "1.2.840.10045.3.1.1" => ("P-192", 192),
                "1.3.132.0.33" => ("P-224", 224),
                _ => ("unknown curve", 0),
            };
            ("ECDSA", bits, Some(name))
        }
        "1.3.101.112" => ("Ed25519", 256, None),
        "1.3.101.113" => ("Ed448", 456, None),
        "1.3.101.110" => ("X25519", 256, None),
        "1.3.101.111" => ("X448", 448, None),
        "1.2.840.10040.4.1" => ("DSA", dsa_bits(spki.algorithm.parameters.as_ref()), None),
        "2.16.840.1.101.3.4.3.17" => ("ML-DSA-44", 0, None),
        "2.16.840.1.101.3.4.3.18" => ("ML-DSA-65", 0, None),
        "2.16.840.1.101.3.4.3.19" => ("ML-DSA-87", 0, None),
        _ => {
            info.key_type = alg.clone();
            return;
        }
    };
    info.key_type = ty.to_string();
    info.key_bits = bits;
    info.key_curve = curve.map(str::to_owned);
}

fn integer_bits(content: &[u8]) -> u32 {
    let trimmed: &[u8] = match content.iter().position(|b| *b != 0) {
        Some(p) => &content[p..],
        None => return 0,
    };
    (trimmed.len() as u32 - 1) * 8 + (8 - trimmed[0].leading_zeros())
}

fn rsa_bits(key: &[u8]) -> u32 {
    der::expect(key, der::SEQUENCE)
        .and_then(|(seq, _)| der::expect(seq.content, 0x02))
        .map(|(n, _)| integer_bits(n.content))
        .unwrap_or(0)
}

fn dsa_bits(params: Option<&x509_parser::der_parser::asn1_rs::Any<'_>>) -> u32 {
    // Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER }; parameters are the SEQUENCE body.
    params
        .and_then(|p| der::expect(p.data, 0x02))
        .map(|(p, _)| integer_bits(p.content))
        .unwrap_or(0)
}

fn tls_feature_has_status_request(value: &[u8]) -> bool {
    let Some((seq, _)) = der::expect(value, der::SEQUENCE) else {
        return false;
    };
    der::all(seq.content)
        .unwrap_or_default()
        .iter()
        .any(|i| i.tag == 0x02 && i.content == [5])
}

/// Verify a certificate's signature with its own public key: `Some(true/false)`, or `None`
/// when the algorithm is not one we can check.
fn verify_own_signature(cert_der: &[u8]) -> Option<bool> {
    let (cert, _) = der::expect(cert_der, der::SEQUENCE)?;
    let (tbs, rest) = der::expect(cert.content, der::SEQUENCE)?;
    let (sig_alg, rest) = der::expect(rest, der::SEQUENCE)?;
    let (sig, _) = der::expect(rest, 0x03)?;
    let signature = sig.content.get(1..)?;
    // tbsCertificate: [0] version?, serial, signature, issuer, validity, subject, spki, ...
    let fields = der::all(tbs.content)?;
    let spki = fields.get(if fields.first()?.tag == 0xa0 { 6 } else { 5 })?;
    let (spki_alg, rest) = der::expect(spki.content, der::SEQUENCE)?;
    let (key_bits, _) = der::expect(rest, 0x03)?;
    let public_key = key_bits.content.get(1..)?;
    let mut known = false;
    for alg in webpki::ALL_VERIFICATION_ALGS {
        if alg.public_key_alg_id().as_ref() != spki_alg.content
            || alg.signature_alg_id().as_ref() != sig_alg.content
        {
            continue;
        }
        known = true;
        if alg.verify_signature(public_key, tbs.raw, signature).is_ok() {
            return Some(true);
        }
    }
    if known {
        Some(false)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Fetching a server's chain.

/// Where to connect for [`fetch_chain`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub host: String,
    pub port: u16,
    /// SNI to send; `None` sends the host when it is a name, nothing when it is an IP address.
    pub servername: Option<String>,
    /// Limit for the TCP connect and for the handshake each.
    pub timeout: Duration,
    /// Outbound proxy and `--resolve` overrides.
    pub route: crate::net::Route,
}

/// What a server sent.
#[derive(Debug, Clone, Serialize)]
pub struct FetchedChain {
    /// `host:port` as given (IPv6 in brackets).
    pub target: String,
    /// The address connected to.
    pub peer: String,
    /// The SNI sent, if any.
    pub sni: Option<String>,
    /// Negotiated version (`TLSv1.3`), when the handshake completed.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite, when the handshake completed.
    pub cipher_suite: Option<String>,
    /// The handshake failed after the certificates arrived (e.g. the server wants a client
    /// certificate); the chain is still shown.
    pub handshake_error: Option<String>,
    /// The certificates in the order the server sent them (leaf first).
    #[serde(skip)]
    pub certs: Vec<CertificateDer<'static>>,
    /// The outbound proxy the connection went through (then `peer` is the proxy's address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::net::proxy::ProxyUse>,
}

/// Accepts any chain and keeps a copy: for display only, never for trust decisions.
#[derive(Debug)]
struct RecordingVerifier {
    seen: Mutex<Option<Vec<CertificateDer<'static>>>>,
    schemes: Vec<rustls::SignatureScheme>,
}

impl rustls::client::danger::ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(chain);
        }
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.schemes.clone()
    }
}

/// `host:port`, with IPv6 addresses in brackets.
pub fn format_target(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s}s")
    }
}

/// Connect as `opts.route` says: through net::Connector when a proxy or an address override
/// applies (on a small runtime of its own, the stream handed back in blocking mode), else directly.
fn connect_routed(
    host: &str,
    opts: &FetchOptions,
) -> Result<(TcpStream, Option<crate::net::proxy::ProxyUse>)> {
    let target = crate::net::Target::new(host, opts.port);
    let connector =
        crate::net::Connector::new(target.clone(), opts.timeout).with_route(&opts.route);
    let overridden =
        crate::net::target::ResolveOverride::lookup(&connector.overrides, &target).is_some();
    if connector.proxy.is_none() && !overridden {
        return Ok((connect(host, opts.port, opts.timeout)?, None));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::other(format!("cannot start the async runtime: {e}")))?;
    let c = rt.block_on(connector.connect_tcp(None))?;
    let proxy = c.proxy.clone();
    let sock = c
        .stream
        .into_std()
        .and_then(|s| s.set_nonblocking(false).map(|_| s))
        .map_err(|e| Error::network(format!("socket error: {e}")))?;
    Ok((sock, proxy))
}

fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream> {
    let target = format_target(host, port);
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::network(format!(
                "cannot resolve host name {host}: {} (check the spelling, or use an IP address)",
                e.to_string()
                    .trim_start_matches("failed to lookup address information: ")
            ))
        })?
        .collect();
    if addrs.is_empty() {
        return Err(Error::network(format!("host name {host} has no addresses")));
    }
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some((addr, e)),
        }
    }
    let (addr, e) = last.expect("at least one address was tried");
    let shown = if addrs.len() == 1 && addr.ip().to_string() == host {
        target
    } else {
        format!("{target} ({})", addr)
    };
    use std::io::ErrorKind as K;
    let why = match e.kind() {
        K::ConnectionRefused => "connection refused (is a server listening?)".to_string(),
        K::TimedOut | K::WouldBlock => format!(
            "timed out after {} (is a firewall dropping packets? raise --timeout to wait longer)",
            seconds(timeout)
        ),
        _ if e.raw_os_error() == Some(libc::ENETUNREACH) => "network is unreachable".to_string(),
        _ if e.raw_os_error() == Some(libc::EHOSTUNREACH) => "no route to host".to_string(),
        _ => e.to_string(),
    };
    Err(Error::network(format!("cannot connect to {shown}: {why}")))
}

/// `HandshakeFailure` -> `handshake_failure`, as the RFCs and OpenSSL name alerts.
fn alert_name(alert: &rustls::AlertDescription) -> String {
    let debug = format!("{alert:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn describe_tls_error(target: &str, e: &rustls::Error, after_certificate: bool) -> Error {
    match e {
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            Error::tls(format!(
                "{target} did not answer with TLS (is it a plain-text port, e.g. HTTP or SMTP before STARTTLS?)"
            ))
        }
        rustls::Error::AlertReceived(alert) if after_certificate => Error::tls(format!(
            "{target} ended the handshake with alert {} after sending its certificate (it may require a client certificate)",
            alert_name(alert)
        )),
        rustls::Error::AlertReceived(alert) => Error::tls(format!(
            "{target} refused the TLS handshake with alert {} (it may only offer protocol versions or cipher suites tlskit does not speak, or want another SNI)",
            alert_name(alert)
        )),
        rustls::Error::PeerIncompatible(p) => Error::tls(format!(
            "{target} and tlskit have nothing in common: {p:?} (the server may only speak old TLS versions or ciphers)"
        )),
        other => Error::tls(format!("TLS handshake with {target} failed: {other}")),
    }
}

/// Connect to a TLS server and return the certificates it sends, accepting any chain (the caller
/// decides what to make of it, e.g. with [`verify_chain`]).
pub fn fetch_chain(opts: &FetchOptions) -> Result<FetchedChain> {
    let host = opts
        .host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(&opts.host)
        .to_string();
    let target = format_target(&host, opts.port);
    let (server_name, sni) = match &opts.servername {
        Some(name) => {
            let sn = ServerName::try_from(name.clone()).map_err(|_| {
                Error::usage(format!("--servername {name:?} is not a valid DNS name"))
            })?;
            let sent = matches!(sn, ServerName::DnsName(_)).then(|| name.clone());
            (sn, sent)
        }
        None => match host.parse::<IpAddr>() {
            Ok(ip) => (ServerName::IpAddress(ip.into()), None),
            Err(_) => {
                let sn = ServerName::try_from(host.clone()).map_err(|_| {
                    Error::usage(format!(
                        "{host:?} is not a valid host name (give --servername to choose the SNI)"
                    ))
                })?;
                (sn, Some(host.clone()))
            }
        },
    };

    let provider = crate::provider();
    let verifier = Arc::new(RecordingVerifier {
        seen: Mutex::new(None),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| Error::other(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let mut conn = rustls::ClientConnection::new(Arc::new(config), server_name.to_owned())
        .map_err(|e| Error::other(format!("cannot set up TLS: {e}")))?;

    let (mut sock, proxy) = connect_routed(&host, opts)?;
    let peer = sock
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| target.clone());
    let deadline = Instant::now() + opts.timeout;
    let mut handshake_error = None;
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            handshake_error = Some(Error::network(format!(
                "no TLS answer from {target} within {} (is it a TLS port? some servers wait for STARTTLS or plain text)",
                seconds(opts.timeout)
            )));
            break;
        }
        let _ = sock.set_read_timeout(Some(left));
        let _ = sock.set_write_timeout(Some(left));
        match conn.complete_io(&mut sock) {
            Ok((0, 0)) => {
                handshake_error = Some(Error::tls(format!(
                    "{target} closed the connection during the TLS handshake (it may not speak TLS, or it rejected tlskit's ClientHello)"
                )));
                break;
            }
            Ok(_) => {}
            Err(e) => {
                use std::io::ErrorKind as K;
                let err = if let Some(tls) = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                {
                    let got = verifier.seen.lock().map(|s| s.is_some()).unwrap_or(false);
                    describe_tls_error(&target, tls, got)
                } else {
                    match e.kind() {
                        K::WouldBlock | K::TimedOut => Error::network(format!(
                            "no TLS answer from {target} within {} (is it a TLS port? some servers wait for STARTTLS or plain text)",
                            seconds(opts.timeout)
                        )),
                        K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
                            Error::tls(format!(
                                "{target} closed the connection during the TLS handshake (it may not speak TLS, or it rejected tlskit's ClientHello)"
                            ))
                        }
                        _ => Error::network(format!("TLS handshake with {target} failed: {e}")),
                    }
                };
                handshake_error = Some(err);
                break;
            }
        }
    }
    let certs = verifier
        .seen
        .lock()
        .ok()
        .and_then(|mut s| s.take())
        .unwrap_or_default();
    if certs.is_empty() {
        return Err(handshake_error.unwrap_or_else(|| {
            Error::tls(format!(
                "{target} completed the handshake without sending a certificate"
            ))
        }));
    }
    let (tls_version, cipher_suite) = if handshake_error.is_none() {
        (
            conn.protocol_version().map(|v| match v {
                rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
                rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
                other => format!("{other:?}"),
            }),
            conn.negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite())),
        )
    } else {
        (None, None)
    };
    // Be polite: tell the server we are done.
    if handshake_error.is_none() {
        conn.send_close_notify();
        let _ = conn.complete_io(&mut sock);
    }
    Ok(FetchedChain {
        target,
        peer,
        sni,
        tls_version,
        cipher_suite,
        handshake_error: handshake_error.map(|e| e.to_string()),
        certs,
        proxy,
    })
}

// ---------------------------------------------------------------------------------------------
// Verifying a chain.

/// The outcome of [`verify_chain`].
#[derive(Debug, Clone, Serialize)]
pub struct ChainVerification {
    /// Whether the chain leads to a trust anchor (and, when a name was given, matches it).
    pub trusted: bool,
    /// What was trusted: `"system roots"` or the CA file/directory.
    pub anchors: String,
    /// The host name or address checked against the leaf's SAN, if any.
    pub name: Option<String>,
    /// Why verification failed, in words.
    pub error: Option<String>,
}

fn describe_webpki_error(e: &webpki::Error) -> String {
    use webpki::Error as E;
    match e {
        E::UnknownIssuer => {
            "not issued by a trusted CA (unknown issuer; pass the CA with -a/--ca)".into()
        }
        E::CertExpired { .. } => "the certificate has expired".into(),
        E::CertNotValidYet { .. } => "the certificate is not valid yet".into(),
        E::CertNotValidForName(_) => "the certificate is not valid for this name (check its SANs)".into(),
        E::InvalidSignatureForPublicKey => "a signature in the chain does not verify".into(),
        E::CaUsedAsEndEntity => "the leaf is a CA certificate, not a server certificate".into(),
        E::EndEntityUsedAsCa => "a non-CA certificate was used to issue another".into(),
        E::RequiredEkuNotFoundContext(_) => {
            "the leaf's extended key usage does not allow this use (serverAuth missing?)".into()
        }
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "the chain uses a signature algorithm that is not accepted (e.g. SHA-1 or RSA < 2048 bits)".into()
        }
        E::CertRevoked => "the certificate is revoked".into(),
        E::BadDer | E::BadDerTime => "a certificate in the chain is malformed".into(),
        other => format!("{other:?}"),
    }
}

/// Trust anchors to check a chain against, with a label for messages.
#[derive(Debug, Clone)]
pub struct Anchors {
    /// `"system roots"`, or the CA file or directory they came from.
    pub label: String,
    pub anchors: Vec<rustls_pki_types::TrustAnchor<'static>>,
}

impl Anchors {
    /// Anchors from CA certificates; certificates that cannot be anchors are ignored.
    pub fn from_certs(certs: &[CertificateDer<'_>], label: impl Into<String>) -> Anchors {
        Anchors {
            label: label.into(),
            anchors: certs
                .iter()
                .filter_map(|c| {
                    webpki::anchor_from_trusted_cert(c)
                        .ok()
                        .map(|a| a.to_owned())
                })
                .collect(),
        }
    }

    /// Anchors from a CA file (PEM bundle or DER) or a directory of CA certificates.
    pub fn from_path(path: &std::path::Path) -> Result<Anchors> {
        let certs = super::load::load_trust(path)?;
        let anchors = Anchors::from_certs(&certs, path.display().to_string());
        if anchors.anchors.is_empty() {
            return Err(Error::input(format!(
                "{} holds no certificate usable as a trust anchor",
                path.display()
            )));
        }
        Ok(anchors)
    }

    /// The platform's trusted roots; the Mozilla set built into tlskit when none can be read.
    pub fn system() -> Anchors {
        let found = rustls_native_certs::load_native_certs();
        let anchors = Anchors::from_certs(&found.certs, "system roots");
        if !anchors.anchors.is_empty() {
            return anchors;
        }
        Anchors {
            label: "Mozilla roots built into tlskit (no system store found)".to_string(),
            anchors: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }
    }
}

/// Check `chain` (leaf first) against `anchors` at the current time, for server authentication
/// (client authentication when the leaf is a client-only certificate). With `name`, the leaf must
/// also be valid for that DNS name or IP address.
pub fn verify_chain(
    chain: &[CertificateDer<'static>],
    anchors: &Anchors,
    name: Option<&str>,
) -> ChainVerification {
    let mut result = ChainVerification {
        trusted: false,
        anchors: anchors.label.clone(),
        name: name.map(str::to_owned),
        error: None,
    };
    let Some(leaf) = chain.first() else {
        result.error = Some("no certificate".into());
        return result;
    };
    if anchors.anchors.is_empty() {
        result.error = Some(format!("no usable trust anchors in {}", anchors.label));
        return result;
    }
    let ee = match webpki::EndEntityCert::try_from(leaf) {
        Ok(ee) => ee,
        Err(e) => {
            result.error = Some(describe_webpki_error(&e));
            return result;
        }
    };
    let client_only = CertInfo::from_der(leaf.as_ref())
        .map(|i| {
            i.eku.iter().any(|e| e == "clientAuth")
                && !i
                    .eku
                    .iter()
                    .any(|e| e == "serverAuth" || e == "anyExtendedKeyUsage")
        })
        .unwrap_or(false);
    let usage = if client_only {
        webpki::KeyUsage::client_auth()
    } else {
        webpki::KeyUsage::server_auth()
    };
    if let Err(e) = ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors.anchors,
        &chain[1..],
        UnixTime::now(),
        usage,
        None,
        None,
    ) {
        result.error = Some(describe_webpki_error(&e));
        return result;
    }
    if let Some(n) = name {
        let bare = n
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(n);
        let ok = match ServerName::try_from(bare.to_string()) {
            Ok(sn) => ee.verify_is_valid_for_subject_name(&sn).is_ok(),
            Err(_) => false,
        };
        if !ok {
            result.error = Some(format!(
                "the certificate is not valid for {bare} (its SANs do not include it)"
            ));
            return result;
        }
    }
    result.trusted = true;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info_with(dns: &[&str], ips: &[&str]) -> CertInfo {
        let der = {
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            for d in dns {
                params
                    .subject_alt_names
                    .push(rcgen::SanType::DnsName((*d).try_into().unwrap()));
            }
            for i in ips {
                params
                    .subject_alt_names
                    .push(rcgen::SanType::IpAddress(i.parse().unwrap()));
            }
            let key = rcgen::KeyPair::generate().unwrap();
            params.self_signed(&key).unwrap().der().to_vec()
        };
        CertInfo::from_der(&der).unwrap()
    }

    #[test]
    fn seed_lab_wildcard_semantics() {
        let info = info_with(&["*.bank32.com", "www.bank32.com"], &[]);
        assert!(matches_name(&info, "www.bank32.com"));
        assert!(matches_name(&info, "abc.bank32.com"));
        assert!(matches_name(&info, "ABC.Bank32.COM."));
        assert!(!matches_name(&info, "bank32.com"));
        assert!(!matches_name(&info, "a.b.bank32.com"));
        assert!(!matches_name(&info, "bank33.com"));
        assert!(!matches_name(&info, "*.bank32.com"));
        assert!(!matches_name(&info, ""));
    }

    #[test]
    fn partial_and_single_label_wildcards_never_match() {
        assert!(!dns_matches("w*.example.com", "www.example.com"));
        assert!(!dns_matches("*.com", "example.com"));
        assert!(!dns_matches("*.*.example.com", "a.b.example.com"));
        assert!(dns_matches("*.example.com", "a.example.com"));
    }

    #[test]
    fn ip_addresses_match_only_ip_sans() {
        let info = info_with(&["127.0.0.1.nip.io", "localhost"], &["127.0.0.1", "::1"]);
        assert!(matches_name(&info, "127.0.0.1"));
        assert!(matches_name(&info, "::1"));
        assert!(matches_name(&info, "[::1]"));
        assert!(matches_name(&info, "0:0:0:0:0:0:0:1"));
        assert!(!matches_name(&info, "127.0.0.2"));
        assert!(matches_name(&info, "localhost"));
        // A DNS SAN spelled like an address does not make an IP match.
        let dns_only = info_with(&["localhost"], &[]);
        assert!(!matches_name(&dns_only, "127.0.0.1"));
    }

    #[test]
    fn describes_an_rcgen_certificate() {
        let info = info_with(&["example.com"], &["10.0.0.1"]);
        assert_eq!(info.version, 3);
        assert_eq!(info.san_dns, vec!["example.com"]);
        assert_eq!(info.san_ip, vec!["10.0.0.1"]);
        assert_eq!(info.key_type, "ECDSA");
        assert_eq!(info.key_curve.as_deref(), Some("P-256"));
        assert_eq!(info.key_description(), "ECDSA P-256");
        assert_eq!(info.signature_algorithm, "ecdsa-with-SHA256");
        assert!(info.self_signed);
        assert_eq!(info.sha256_fingerprint.len(), 32 * 3 - 1);
        assert!(render_text(&info, true).contains("IP:10.0.0.1"));
    }

    #[test]
    fn rfc4514_escaping() {
        assert_eq!(escape_rfc4514("a,b"), "a\\,b");
        assert_eq!(escape_rfc4514(" x "), "\\ x\\ ");
        assert_eq!(escape_rfc4514("#1"), "\\#1");
    }

    #[test]
    fn integer_bits_counts_significant_bits() {
        assert_eq!(integer_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(integer_bits(&[0x01, 0x00]), 9);
        assert_eq!(integer_bits(&[0x00]), 0);
    }
}
