//! A small certificate authority for labs: create a CA ([`create_ca`]), load it ([`Ca::load`]) and
//! issue server and client certificates ([`Ca::issue`]) with any validity window — labs need
//! expired and not-yet-valid certificates too.
//!
//! Files are written so that nothing is ever half-written: every output is staged in a temporary
//! file in its target directory (with its final mode set before any byte is written; private keys
//! get 0600), and only when all outputs of an operation are staged are they renamed into place.

mod create;
mod files;
mod issue;
mod names;
mod validity;

pub use create::*;
pub use files::*;
pub use issue::*;
pub use names::*;
pub use validity::*;

use super::inspect::CertInfo;
use crate::error::{file_error, Error, Result};
use crate::fsutil::{KEY_MODE, PUBLIC_MODE};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData, SanType, SerialNumber,
};
use rustls_pki_types::CertificateDer;
use serde::Serialize;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// Common name of a CA when none is given.
pub const DEFAULT_CA_NAME: &str = "tlskit lab CA";
/// Validity of a CA when none is given (about ten years).
pub const DEFAULT_CA_DAYS: u32 = 3650;
/// Validity of an issued certificate when none is given: 397 days fits the 398-day limit of the
/// CA/Browser Forum and Mozilla's root store policy (which `tlskit scan --policy` checks), counted
/// the RFC 5280 way (both ends inclusive), and so also Apple's 825-day limit for private CAs.
pub const DEFAULT_LEAF_DAYS: u32 = 397;
/// Longest validity Apple platforms accept for TLS server certificates, even from a private CA.
pub const APPLE_MAX_LEAF_DAYS: u32 = 825;
/// Longest validity the CA/Browser Forum and Mozilla allow for TLS server certificates.
pub const CABF_MAX_LEAF_DAYS: u32 = 398;
/// The name constraints of a lab CA (`tlskit lab`, `tlskit demo`): it can only vouch for names
/// under `.test` (RFC 2606), `localhost` and loopback addresses, never for a real site — so
/// trusting it in a browser cannot be abused against the rest of the web.
pub const LAB_NAME_CONSTRAINTS: &str = "DNS:.test,DNS:localhost,IP:127.0.0.0/8,IP:::1/128";
/// Environment variable naming the default CA directory.
pub const CA_DIR_ENV: &str = "TLSKIT_CA";
/// File names inside a CA directory.
pub const CA_CERT_FILE: &str = "ca.crt";
pub const CA_KEY_FILE: &str = "ca.key";
/// How far "now" is backdated when no start is given, so that a clock a little behind still
/// accepts a fresh certificate.
pub const BACKDATE: Duration = Duration::hours(1);

/// The key algorithms tlskit generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    EcdsaP256,
    EcdsaP384,
    Rsa2048,
    Rsa3072,
    Rsa4096,
    Ed25519,
}

impl KeyType {
    pub const ALL: [KeyType; 6] = [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
        KeyType::Ed25519,
    ];

    /// The name used on the command line: `ecdsa-p256`, `rsa2048`, `ed25519`, …
    pub fn name(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::EcdsaP384 => "ecdsa-p384",
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
            KeyType::Ed25519 => "ed25519",
        }
    }

    /// How people write it: `ECDSA P-256`, `RSA 2048`, `Ed25519`.
    pub fn description(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ECDSA P-256",
            KeyType::EcdsaP384 => "ECDSA P-384",
            KeyType::Rsa2048 => "RSA 2048",
            KeyType::Rsa3072 => "RSA 3072",
            KeyType::Rsa4096 => "RSA 4096",
            KeyType::Ed25519 => "Ed25519",
        }
    }

    pub fn is_rsa(self) -> bool {
        matches!(self, KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096)
    }

    /// Parse a command-line name (a few common spellings are accepted).
    pub fn parse(s: &str) -> Result<KeyType> {
        let norm = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Ok(match norm.as_str() {
            "ecdsa-p256" | "ecdsa" | "p256" | "p-256" | "ec" | "ecdsa-p-256" | "prime256v1" => {
                KeyType::EcdsaP256
            }
            "ecdsa-p384" | "p384" | "p-384" | "ecdsa-p-384" | "secp384r1" => KeyType::EcdsaP384,
            "rsa2048" | "rsa-2048" | "rsa" => KeyType::Rsa2048,
            "rsa3072" | "rsa-3072" => KeyType::Rsa3072,
            "rsa4096" | "rsa-4096" => KeyType::Rsa4096,
            "ed25519" | "eddsa" => KeyType::Ed25519,
            _ => {
                return Err(Error::usage(format!(
                    "unknown key type {s:?}; choose one of: {}",
                    KeyType::ALL.map(KeyType::name).join(", ")
                )))
            }
        })
    }

    fn generate(self) -> Result<KeyPair> {
        let made = match self {
            KeyType::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            KeyType::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
            KeyType::Ed25519 => KeyPair::generate_for(&rcgen::PKCS_ED25519),
            KeyType::Rsa2048 => {
                KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
            }
            KeyType::Rsa3072 => {
                KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_3072)
            }
            KeyType::Rsa4096 => {
                KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_4096)
            }
        };
        made.map_err(|e| Error::other(format!("cannot generate a {} key: {e}", self.description())))
    }

    /// The key type of a certificate's public key, when it is one tlskit generates.
    pub fn of_certificate(info: &CertInfo) -> Option<KeyType> {
        match (
            info.key_type.as_str(),
            info.key_curve.as_deref(),
            info.key_bits,
        ) {
            ("ECDSA", Some("P-256"), _) => Some(KeyType::EcdsaP256),
            ("ECDSA", Some("P-384"), _) => Some(KeyType::EcdsaP384),
            ("RSA", _, 2048) => Some(KeyType::Rsa2048),
            ("RSA", _, 3072) => Some(KeyType::Rsa3072),
            ("RSA", _, 4096) => Some(KeyType::Rsa4096),
            ("Ed25519", _, _) => Some(KeyType::Ed25519),
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for KeyType {
    type Err = Error;
    fn from_str(s: &str) -> Result<KeyType> {
        KeyType::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-06-15 12:00:00 UTC);

    #[test]
    fn time_forms() {
        assert_eq!(parse_time("now", NOW).unwrap(), NOW);
        assert_eq!(parse_time("-30d", NOW).unwrap(), NOW - Duration::days(30));
        assert_eq!(parse_time("+2d", NOW).unwrap(), NOW + Duration::days(2));
        assert_eq!(parse_time("-12h", NOW).unwrap(), NOW - Duration::hours(12));
        assert_eq!(parse_time("+1w", NOW).unwrap(), NOW + Duration::days(7));
        assert_eq!(
            parse_time("2024-02-29", NOW).unwrap(),
            datetime!(2024-02-29 00:00:00 UTC)
        );
        assert_eq!(
            parse_time("2024-02-29T10:00:00+02:00", NOW).unwrap(),
            datetime!(2024-02-29 08:00:00 UTC)
        );
        assert_eq!(
            parse_time("2024-02-29 10:00:00Z", NOW).unwrap(),
            datetime!(2024-02-29 10:00:00 UTC)
        );
        assert_eq!(
            parse_time("20240229100000Z", NOW).unwrap(),
            datetime!(2024-02-29 10:00:00 UTC)
        );
        for bad in [
            "30d",
            "-30x",
            "yesterday",
            "2024-13-01",
            "",
            "-d",
            "1800-01-01",
        ] {
            assert!(parse_time(bad, NOW).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn validity_windows() {
        let v = Validity::resolve(None, None, None, 825, NOW).unwrap();
        assert_eq!(v.not_before, NOW - BACKDATE);
        assert_eq!(v.not_after - v.not_before, Duration::days(825));
        let expired = Validity::resolve(Some("-30d"), None, Some(1), 825, NOW).unwrap();
        assert!(expired.not_after < NOW);
        let ends = Validity::resolve(None, Some("-1d"), Some(10), 825, NOW).unwrap();
        assert_eq!(ends.not_after, NOW - Duration::days(1));
        assert_eq!(ends.not_before, NOW - Duration::days(11));
        assert!(Validity::resolve(Some("+2d"), Some("+1d"), None, 825, NOW).is_err());
        assert!(Validity::resolve(Some("+2d"), Some("+3d"), Some(1), 825, NOW).is_err());
        assert!(Validity::resolve(None, None, Some(0), 825, NOW).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(
            parse_name("WWW.Bank32.com.", false).unwrap(),
            SubjectName::Dns("www.bank32.com".into())
        );
        assert_eq!(
            parse_name("*.bank32.com", false).unwrap(),
            SubjectName::Dns("*.bank32.com".into())
        );
        assert_eq!(
            parse_name("::1", false).unwrap(),
            SubjectName::Ip("::1".parse().unwrap())
        );
        assert_eq!(
            parse_name("[::1]", false).unwrap(),
            SubjectName::Ip("::1".parse().unwrap())
        );
        assert_eq!(
            parse_name("10.9.0.80", false).unwrap(),
            SubjectName::Ip("10.9.0.80".parse().unwrap())
        );
        assert_eq!(
            parse_name("localhost", false).unwrap(),
            SubjectName::Dns("localhost".into())
        );
        for bad in [
            "*.*.x.com",
            "w*.x.com",
            "*.com",
            "bad name",
            "",
            "a..b",
            "-a.com",
            "1.2.3.999",
            "bücher.de",
            "a@b.com",
        ] {
            assert!(
                parse_name(bad, false).is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert_eq!(
            parse_name("alice", true).unwrap(),
            SubjectName::Plain("alice".into())
        );
        assert_eq!(
            parse_name("Alice Smith", true).unwrap(),
            SubjectName::Plain("Alice Smith".into())
        );
        assert_eq!(
            parse_name("alice@Example.COM", true).unwrap(),
            SubjectName::Email("alice@example.com".into())
        );
        assert!(parse_name("@example.com", true).is_err());
        assert_eq!(
            parse_name("host.example.com", true).unwrap(),
            SubjectName::Dns("host.example.com".into())
        );
    }

    #[test]
    fn ed25519_keys_are_written_as_pkcs8_v1() {
        let key = KeyType::Ed25519.generate().unwrap();
        let v1 = pkcs8_v1(key.serialized_der());
        assert_eq!(&v1[2..5], &[0x02, 0x01, 0x00], "version 0 (v1)");
        assert!(v1.len() < key.serialized_der().len(), "public key dropped");
        let der = rustls_pki_types::PrivateKeyDer::Pkcs8(v1.clone().into());
        let again = KeyPair::try_from(&der).unwrap();
        assert_eq!(again.der_bytes(), key.der_bytes());
        assert!(crate::provider().key_provider.load_private_key(der).is_ok());
        // Keys already in v1 form are left alone.
        let ec = KeyType::EcdsaP256.generate().unwrap();
        assert_eq!(pkcs8_v1(ec.serialized_der()), ec.serialized_der());
    }

    #[test]
    fn create_and_issue_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let ca_dir = dir.path().join("ca");
        let created = create_ca(&ca_dir, &CaOptions::new()).unwrap();
        assert!(created.info.is_ca);
        assert!(created.info.is_critical("basicConstraints"));
        let ca = Ca::load(&ca_dir, None).unwrap();
        let req = IssueRequest {
            names: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            common_name: None,
            server: true,
            client: false,
            key_type: None,
            validity: Validity::resolve(
                None,
                None,
                None,
                DEFAULT_LEAF_DAYS,
                OffsetDateTime::now_utc(),
            )
            .unwrap(),
        };
        let issued = ca.issue(&req).unwrap();
        assert_eq!(issued.info.common_name.as_deref(), Some("localhost"));
        assert_eq!(issued.info.san_ip, vec!["127.0.0.1", "::1"]);
        assert_eq!(issued.info.authority_key_id, created.info.subject_key_id);
        assert!(!issued.info.self_signed);
        let stores =
            crate::pki::chain::TrustStores::from_certs(&[], std::slice::from_ref(ca.cert_der()));
        let chain = [issued.cert.clone()];
        let input = crate::pki::chain::ChainInput::new(&chain, Some("::1"), None);
        let v = crate::pki::chain::analyse(&input, &stores);
        let custom = v
            .trust
            .iter()
            .find(|t| t.store == crate::pki::chain::StoreId::Custom)
            .unwrap();
        assert!(custom.trusted, "{custom:?}");
        assert_eq!(v.hostname_match, Some(true));
        // Refuses to overwrite without force.
        assert!(create_ca(&ca_dir, &CaOptions::new()).is_err());
    }
}
