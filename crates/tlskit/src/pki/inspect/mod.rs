//! A readable, serialisable description of a certificate ([`CertInfo`]), a text renderer for it,
//! and RFC 6125 name matching ([`matches_name`]); fetching the chain a server sends is
//! `session::fetch`, and [`crate::pki::chain::analyse`] judges such a chain.
//!
//! Everything here is for *display*: fetching accepts any certificate so it can be shown.

mod fields;
mod names;
mod text;

use fields::*;
pub use names::*;
pub use text::*;

use super::der;
use crate::error::{Error, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::x509::X509Name;

/// Everything tlskit shows about one certificate. Serialises to the JSON that `tlskit cert show
/// --json` prints (field names are part of the interface).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
    /// Signature algorithm; JSON has OpenSSL's name: `sha256WithRSAEncryption`,
    /// `ecdsa-with-SHA256`, `ED25519` (or the OID).
    pub signature_algorithm: crate::pki::sigalg::CertSignatureAlgorithm,
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
    /// Whether it is revoked: filled by the scanner's revocation check (absent elsewhere, and
    /// with `scan --no-revocation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::pki::revocation::Revocation>,
}

/// One extension of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
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
            signature_algorithm: crate::pki::sigalg::CertSignatureAlgorithm::from_oid(
                &cert.signature_algorithm.algorithm.to_id_string(),
            ),
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
            revocation: None,
        };
        describe_key(&cert, &mut info);

        for ext in tbs.extensions() {
            add_extension(&mut info, ext);
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

/// Record one extension in `info`: its name, and what it says for the fields tlskit shows.
fn add_extension(info: &mut CertInfo, ext: &x509_parser::extensions::X509Extension<'_>) {
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
        ParsedExtension::KeyUsage(ku) => info.key_usage = key_usage_names(ku),
        ParsedExtension::ExtendedKeyUsage(eku) => info.eku = eku_names(eku),
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
                if let Some(x509_parser::extensions::DistributionPointName::FullName(names)) =
                    &p.distribution_point
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

/// The keyUsage bits that are set, by their RFC 5280 names.
fn key_usage_names(ku: &x509_parser::extensions::KeyUsage) -> Vec<String> {
    let mut names = Vec::new();
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
            names.push(n.to_string());
        }
    }
    names
}

/// The extendedKeyUsage purposes: RFC 5280 names, unknown ones as dotted OIDs.
fn eku_names(eku: &x509_parser::extensions::ExtendedKeyUsage<'_>) -> Vec<String> {
    let mut names = Vec::new();
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
            names.push(name.to_string());
        }
    }
    for o in &eku.other {
        names.push(o.to_id_string());
    }
    names
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
        assert_eq!(info.signature_algorithm.name(), "ecdsa-with-SHA256");
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
