//! The signature algorithm of a certificate ([`CertSignatureAlgorithm`]), typed from its OID
//! once when the certificate is read, and which of them are broken ([`WeakHash`]): chain
//! analysis, the grade, the policy and client simulation read the variant, never the name.
//!
//! The names are OpenSSL's (`openssl x509 -text`), as `cert show` and the scan report have always
//! written them; algorithms OpenSSL has no short name for here keep their dotted OID.

use serde::{Deserialize, Serialize};

/// A certificate's signature algorithm. serde writes the OpenSSL name (or the OID) as before.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum CertSignatureAlgorithm {
    /// md2WithRSAEncryption (1.2.840.113549.1.1.2), written as its OID.
    Md2Rsa,
    /// md4WithRSAEncryption (1.2.840.113549.1.1.3), written as its OID.
    Md4Rsa,
    /// md5WithRSAEncryption (1.2.840.113549.1.1.4).
    Md5Rsa,
    /// sha1WithRSAEncryption (1.2.840.113549.1.1.5).
    Sha1Rsa,
    /// The OIW sha1WithRSASignature (1.3.14.3.2.29), written as its OID.
    Sha1RsaOiw,
    /// rsassaPss (1.2.840.113549.1.1.10); the hash is in its parameters.
    RsaPss,
    /// sha224WithRSAEncryption.
    Sha224Rsa,
    /// sha256WithRSAEncryption.
    Sha256Rsa,
    /// sha384WithRSAEncryption.
    Sha384Rsa,
    /// sha512WithRSAEncryption.
    Sha512Rsa,
    /// ecdsa-with-SHA1.
    EcdsaSha1,
    /// ecdsa-with-SHA224.
    EcdsaSha224,
    /// ecdsa-with-SHA256.
    EcdsaSha256,
    /// ecdsa-with-SHA384.
    EcdsaSha384,
    /// ecdsa-with-SHA512.
    EcdsaSha512,
    /// ED25519.
    Ed25519,
    /// ED448.
    Ed448,
    /// dsaWithSHA1.
    DsaSha1,
    /// dsa_with_SHA256.
    DsaSha256,
    /// ML-DSA-44 (FIPS 204).
    MlDsa44,
    /// ML-DSA-65 (FIPS 204).
    MlDsa65,
    /// ML-DSA-87 (FIPS 204).
    MlDsa87,
    /// Any other algorithm, by its dotted OID.
    Other(String),
}

/// The known algorithms with their OIDs (RFC 8017 A.2.4, RFC 5758 3.2, RFC 8410 3, RFC 3279
/// 2.2.2, NIST CSOR for DSA-SHA256 and ML-DSA, OIW for 1.3.14.3.2.29).
const KNOWN: [(CertSignatureAlgorithm, &str); 22] = {
    use CertSignatureAlgorithm as A;
    [
        (A::Md2Rsa, "1.2.840.113549.1.1.2"),
        (A::Md4Rsa, "1.2.840.113549.1.1.3"),
        (A::Md5Rsa, "1.2.840.113549.1.1.4"),
        (A::Sha1Rsa, "1.2.840.113549.1.1.5"),
        (A::Sha1RsaOiw, "1.3.14.3.2.29"),
        (A::RsaPss, "1.2.840.113549.1.1.10"),
        (A::Sha256Rsa, "1.2.840.113549.1.1.11"),
        (A::Sha384Rsa, "1.2.840.113549.1.1.12"),
        (A::Sha512Rsa, "1.2.840.113549.1.1.13"),
        (A::Sha224Rsa, "1.2.840.113549.1.1.14"),
        (A::EcdsaSha1, "1.2.840.10045.4.1"),
        (A::EcdsaSha224, "1.2.840.10045.4.3.1"),
        (A::EcdsaSha256, "1.2.840.10045.4.3.2"),
        (A::EcdsaSha384, "1.2.840.10045.4.3.3"),
        (A::EcdsaSha512, "1.2.840.10045.4.3.4"),
        (A::Ed25519, "1.3.101.112"),
        (A::Ed448, "1.3.101.113"),
        (A::DsaSha1, "1.2.840.10040.4.3"),
        (A::DsaSha256, "2.16.840.1.101.3.4.3.2"),
        (A::MlDsa44, "2.16.840.1.101.3.4.3.17"),
        (A::MlDsa65, "2.16.840.1.101.3.4.3.18"),
        (A::MlDsa87, "2.16.840.1.101.3.4.3.19"),
    ]
};

/// A hash that makes a certificate signature forgeable, so modern clients refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeakHash {
    /// MD2 or MD4.
    Md2Md4,
    /// MD5.
    Md5,
    /// SHA-1 (chosen-prefix collisions since 2020, refused by browsers since 2017).
    Sha1,
}

impl WeakHash {
    /// "MD2/MD4", "MD5", "SHA-1".
    pub fn name(self) -> &'static str {
        match self {
            WeakHash::Md2Md4 => "MD2/MD4",
            WeakHash::Md5 => "MD5",
            WeakHash::Sha1 => "SHA-1",
        }
    }
}

impl CertSignatureAlgorithm {
    /// The algorithm a dotted OID names.
    pub fn from_oid(oid: &str) -> CertSignatureAlgorithm {
        KNOWN
            .iter()
            .find(|(_, o)| *o == oid)
            .map(|(a, _)| a.clone())
            .unwrap_or_else(|| CertSignatureAlgorithm::Other(oid.to_string()))
    }

    /// The algorithm a name written by [`Self::name`] stands for (a saved report or `cert show
    /// --json` read back): the OpenSSL name or a dotted OID.
    pub fn from_name(name: &str) -> CertSignatureAlgorithm {
        KNOWN
            .iter()
            .find(|(a, o)| a.name() == name || *o == name)
            .map(|(a, _)| a.clone())
            .unwrap_or_else(|| CertSignatureAlgorithm::Other(name.to_string()))
    }

    /// OpenSSL's name (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `ED25519`), or the OID.
    pub fn name(&self) -> &str {
        use CertSignatureAlgorithm as A;
        match self {
            A::Md2Rsa => "1.2.840.113549.1.1.2",
            A::Md4Rsa => "1.2.840.113549.1.1.3",
            A::Md5Rsa => "md5WithRSAEncryption",
            A::Sha1Rsa => "sha1WithRSAEncryption",
            A::Sha1RsaOiw => "1.3.14.3.2.29",
            A::RsaPss => "rsassaPss",
            A::Sha224Rsa => "sha224WithRSAEncryption",
            A::Sha256Rsa => "sha256WithRSAEncryption",
            A::Sha384Rsa => "sha384WithRSAEncryption",
            A::Sha512Rsa => "sha512WithRSAEncryption",
            A::EcdsaSha1 => "ecdsa-with-SHA1",
            A::EcdsaSha224 => "ecdsa-with-SHA224",
            A::EcdsaSha256 => "ecdsa-with-SHA256",
            A::EcdsaSha384 => "ecdsa-with-SHA384",
            A::EcdsaSha512 => "ecdsa-with-SHA512",
            A::Ed25519 => "ED25519",
            A::Ed448 => "ED448",
            A::DsaSha1 => "dsaWithSHA1",
            A::DsaSha256 => "dsa_with_SHA256",
            A::MlDsa44 => "ML-DSA-44",
            A::MlDsa65 => "ML-DSA-65",
            A::MlDsa87 => "ML-DSA-87",
            A::Other(oid) => oid,
        }
    }

    /// The broken hash the algorithm signs with, if any (`None` for RSA-PSS: its hash is in the
    /// parameters, and no CA signs PSS with SHA-1).
    pub fn weak_hash(&self) -> Option<WeakHash> {
        use CertSignatureAlgorithm as A;
        match self {
            A::Md2Rsa | A::Md4Rsa => Some(WeakHash::Md2Md4),
            A::Md5Rsa => Some(WeakHash::Md5),
            A::Sha1Rsa | A::Sha1RsaOiw | A::EcdsaSha1 | A::DsaSha1 => Some(WeakHash::Sha1),
            A::RsaPss
            | A::Sha224Rsa
            | A::Sha256Rsa
            | A::Sha384Rsa
            | A::Sha512Rsa
            | A::EcdsaSha224
            | A::EcdsaSha256
            | A::EcdsaSha384
            | A::EcdsaSha512
            | A::Ed25519
            | A::Ed448
            | A::DsaSha256
            | A::MlDsa44
            | A::MlDsa65
            | A::MlDsa87
            | A::Other(_) => None,
        }
    }
}

impl std::fmt::Display for CertSignatureAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl From<CertSignatureAlgorithm> for String {
    fn from(a: CertSignatureAlgorithm) -> String {
        a.name().to_string()
    }
}

impl From<String> for CertSignatureAlgorithm {
    fn from(name: String) -> CertSignatureAlgorithm {
        CertSignatureAlgorithm::from_name(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_weak_hashes() {
        for (a, oid) in KNOWN.iter() {
            assert_eq!(&CertSignatureAlgorithm::from_oid(oid), a);
            assert_eq!(&CertSignatureAlgorithm::from_name(a.name()), a);
            let json = serde_json::to_string(a).unwrap();
            assert_eq!(
                &serde_json::from_str::<CertSignatureAlgorithm>(&json).unwrap(),
                a
            );
        }
        let other = CertSignatureAlgorithm::from_oid("1.2.3.4");
        assert_eq!(other.name(), "1.2.3.4");
        assert_eq!(other.weak_hash(), None);
        assert_eq!(
            CertSignatureAlgorithm::from_name("ecdsa-with-SHA1").weak_hash(),
            Some(WeakHash::Sha1)
        );
        assert_eq!(
            CertSignatureAlgorithm::from_oid("1.2.840.113549.1.1.2").weak_hash(),
            Some(WeakHash::Md2Md4)
        );
        assert_eq!(CertSignatureAlgorithm::Sha256Rsa.weak_hash(), None);
    }
}
