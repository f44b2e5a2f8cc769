//! The IANA *TLS SignatureScheme* registry, plus the TLS 1.2 `SignatureAndHashAlgorithm` pairs it
//! does not list (DSA, SHA-224, MD5) and the pre-RFC GOST code points. One line per scheme.
//!
//! Columns: code point, name, hash, signature, usable in TLS 1.3, legacy.

use super::SignatureScheme;

/// The hash of a signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlg {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sm3,
    /// GOST R 34.11-94.
    Gost94,
    /// GOST R 34.11-2012 (Streebog), 256 bit.
    Streebog256,
    /// GOST R 34.11-2012 (Streebog), 512 bit.
    Streebog512,
    /// The signature algorithm hashes internally (EdDSA, ML-DSA, GOST "intrinsic").
    Intrinsic,
}

impl HashAlg {
    pub fn name(&self) -> &'static str {
        match self {
            HashAlg::Md5 => "MD5",
            HashAlg::Sha1 => "SHA1",
            HashAlg::Sha224 => "SHA224",
            HashAlg::Sha256 => "SHA256",
            HashAlg::Sha384 => "SHA384",
            HashAlg::Sha512 => "SHA512",
            HashAlg::Sm3 => "SM3",
            HashAlg::Gost94 => "GOST94",
            HashAlg::Streebog256 => "STREEBOG256",
            HashAlg::Streebog512 => "STREEBOG512",
            HashAlg::Intrinsic => "intrinsic",
        }
    }
}

/// The signature algorithm of a signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SigAlg {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1,
    /// RSASSA-PSS with an rsaEncryption key.
    RsaPssRsae,
    /// RSASSA-PSS with an RSASSA-PSS key.
    RsaPssPss,
    Dsa,
    Ecdsa,
    Ed25519,
    Ed448,
    Sm2,
    /// GOST R 34.10-2001.
    Gost2001,
    /// GOST R 34.10-2012, 256 bit.
    Gost2012_256,
    /// GOST R 34.10-2012, 512 bit.
    Gost2012_512,
    /// ECCSI (RFC 6507).
    Eccsi,
    /// ISO/IEC 14888-3 identity-based signatures.
    IsoIbs1,
    IsoIbs2,
    IsoChineseIbs,
    MlDsa44,
    MlDsa65,
    MlDsa87,
}

impl SigAlg {
    pub fn name(&self) -> &'static str {
        match self {
            SigAlg::RsaPkcs1 => "RSA",
            SigAlg::RsaPssRsae => "RSA-PSS",
            SigAlg::RsaPssPss => "RSA-PSS-PSS",
            SigAlg::Dsa => "DSA",
            SigAlg::Ecdsa => "ECDSA",
            SigAlg::Ed25519 => "Ed25519",
            SigAlg::Ed448 => "Ed448",
            SigAlg::Sm2 => "SM2",
            SigAlg::Gost2001 => "GOST2001",
            SigAlg::Gost2012_256 => "GOST2012-256",
            SigAlg::Gost2012_512 => "GOST2012-512",
            SigAlg::Eccsi => "ECCSI",
            SigAlg::IsoIbs1 => "ISO-IBS1",
            SigAlg::IsoIbs2 => "ISO-IBS2",
            SigAlg::IsoChineseIbs => "ISO-CHINESE-IBS",
            SigAlg::MlDsa44 => "ML-DSA-44",
            SigAlg::MlDsa65 => "ML-DSA-65",
            SigAlg::MlDsa87 => "ML-DSA-87",
        }
    }
}

use HashAlg as H;
use SigAlg as S;

const fn ss(
    id: u16,
    name: &'static str,
    hash: HashAlg,
    sig: SigAlg,
    tls13: bool,
    legacy: bool,
) -> SignatureScheme {
    SignatureScheme {
        id,
        name,
        hash,
        sig,
        tls13,
        legacy,
        iana_assigned: true,
    }
}

const fn unassigned(mut s: SignatureScheme) -> SignatureScheme {
    s.iana_assigned = false;
    s
}

#[rustfmt::skip]
pub(super) static SIGNATURE_SCHEMES: &[SignatureScheme] = &[
    ss(0x0101, "rsa_pkcs1_md5", H::Md5, S::RsaPkcs1, false, true),
    ss(0x0102, "dsa_md5", H::Md5, S::Dsa, false, true),
    ss(0x0103, "ecdsa_md5", H::Md5, S::Ecdsa, false, true),
    ss(0x0201, "rsa_pkcs1_sha1", H::Sha1, S::RsaPkcs1, false, true),
    ss(0x0202, "dsa_sha1", H::Sha1, S::Dsa, false, true),
    ss(0x0203, "ecdsa_sha1", H::Sha1, S::Ecdsa, false, true),
    ss(0x0301, "rsa_pkcs1_sha224", H::Sha224, S::RsaPkcs1, false, true),
    ss(0x0302, "dsa_sha224", H::Sha224, S::Dsa, false, true),
    ss(0x0303, "ecdsa_sha224", H::Sha224, S::Ecdsa, false, true),
    ss(0x0401, "rsa_pkcs1_sha256", H::Sha256, S::RsaPkcs1, false, false),
    ss(0x0402, "dsa_sha256", H::Sha256, S::Dsa, false, true),
    ss(0x0403, "ecdsa_secp256r1_sha256", H::Sha256, S::Ecdsa, true, false),
    ss(0x0420, "rsa_pkcs1_sha256_legacy", H::Sha256, S::RsaPkcs1, true, false),
    ss(0x0501, "rsa_pkcs1_sha384", H::Sha384, S::RsaPkcs1, false, false),
    ss(0x0502, "dsa_sha384", H::Sha384, S::Dsa, false, true),
    ss(0x0503, "ecdsa_secp384r1_sha384", H::Sha384, S::Ecdsa, true, false),
    ss(0x0520, "rsa_pkcs1_sha384_legacy", H::Sha384, S::RsaPkcs1, true, false),
    ss(0x0601, "rsa_pkcs1_sha512", H::Sha512, S::RsaPkcs1, false, false),
    ss(0x0602, "dsa_sha512", H::Sha512, S::Dsa, false, true),
    ss(0x0603, "ecdsa_secp521r1_sha512", H::Sha512, S::Ecdsa, true, false),
    ss(0x0620, "rsa_pkcs1_sha512_legacy", H::Sha512, S::RsaPkcs1, true, false),
    ss(0x0704, "eccsi_sha256", H::Sha256, S::Eccsi, true, false),
    ss(0x0705, "iso_ibs1", H::Intrinsic, S::IsoIbs1, true, false),
    ss(0x0706, "iso_ibs2", H::Intrinsic, S::IsoIbs2, true, false),
    ss(0x0707, "iso_chinese_ibs", H::Intrinsic, S::IsoChineseIbs, true, false),
    ss(0x0708, "sm2sig_sm3", H::Sm3, S::Sm2, true, false),
    ss(0x0709, "gostr34102012_256a", H::Intrinsic, S::Gost2012_256, true, false),
    ss(0x070A, "gostr34102012_256b", H::Intrinsic, S::Gost2012_256, true, false),
    ss(0x070B, "gostr34102012_256c", H::Intrinsic, S::Gost2012_256, true, false),
    ss(0x070C, "gostr34102012_256d", H::Intrinsic, S::Gost2012_256, true, false),
    ss(0x070D, "gostr34102012_512a", H::Intrinsic, S::Gost2012_512, true, false),
    ss(0x070E, "gostr34102012_512b", H::Intrinsic, S::Gost2012_512, true, false),
    ss(0x070F, "gostr34102012_512c", H::Intrinsic, S::Gost2012_512, true, false),
    ss(0x0804, "rsa_pss_rsae_sha256", H::Sha256, S::RsaPssRsae, true, false),
    ss(0x0805, "rsa_pss_rsae_sha384", H::Sha384, S::RsaPssRsae, true, false),
    ss(0x0806, "rsa_pss_rsae_sha512", H::Sha512, S::RsaPssRsae, true, false),
    ss(0x0807, "ed25519", H::Intrinsic, S::Ed25519, true, false),
    ss(0x0808, "ed448", H::Intrinsic, S::Ed448, true, false),
    ss(0x0809, "rsa_pss_pss_sha256", H::Sha256, S::RsaPssPss, true, false),
    ss(0x080A, "rsa_pss_pss_sha384", H::Sha384, S::RsaPssPss, true, false),
    ss(0x080B, "rsa_pss_pss_sha512", H::Sha512, S::RsaPssPss, true, false),
    ss(0x081A, "ecdsa_brainpoolP256r1tls13_sha256", H::Sha256, S::Ecdsa, true, false),
    ss(0x081B, "ecdsa_brainpoolP384r1tls13_sha384", H::Sha384, S::Ecdsa, true, false),
    ss(0x081C, "ecdsa_brainpoolP512r1tls13_sha512", H::Sha512, S::Ecdsa, true, false),
    // TLS 1.2 pairs (hash "intrinsic"(8), signature gostr34102012_256(64)/_512(65)), RFC 9189.
    ss(0x0840, "gostr34102012_256_intrinsic", H::Intrinsic, S::Gost2012_256, false, true),
    ss(0x0841, "gostr34102012_512_intrinsic", H::Intrinsic, S::Gost2012_512, false, true),
    ss(0x0904, "mldsa44", H::Intrinsic, S::MlDsa44, true, false),
    ss(0x0905, "mldsa65", H::Intrinsic, S::MlDsa65, true, false),
    ss(0x0906, "mldsa87", H::Intrinsic, S::MlDsa87, true, false),
    // Pre-RFC GOST code points used by OpenSSL's GOST engine and CryptoPro.
    unassigned(ss(0xEDED, "gostr34102001_gostr3411", H::Gost94, S::Gost2001, false, true)),
    unassigned(ss(0xEEEE, "gostr34102012_256_gostr34112012_256", H::Streebog256, S::Gost2012_256, false, true)),
    unassigned(ss(0xEFEF, "gostr34102012_512_gostr34112012_512", H::Streebog512, S::Gost2012_512, false, true)),
];

/// OpenSSL's `-sigalgs` spelling `SIG+HASH` (`RSA+SHA256`, `ECDSA+SHA384`, `RSA-PSS+SHA256`,
/// `PSS+SHA256`, `DSA+SHA1`): the lowest code point with that signature and hash.
pub(super) fn by_openssl_pair(text: &str) -> Option<&'static SignatureScheme> {
    let (sig, hash) = text.split_once('+')?;
    let sig = match sig.trim().to_ascii_uppercase().as_str() {
        "RSA" => S::RsaPkcs1,
        "RSA-PSS" | "PSS" | "RSAPSS" => S::RsaPssRsae,
        "DSA" => S::Dsa,
        "ECDSA" => S::Ecdsa,
        "SM2" => S::Sm2,
        _ => return None,
    };
    let hash = match hash.trim().to_ascii_uppercase().replace('-', "").as_str() {
        "MD5" => H::Md5,
        "SHA1" => H::Sha1,
        "SHA224" => H::Sha224,
        "SHA256" => H::Sha256,
        "SHA384" => H::Sha384,
        "SHA512" => H::Sha512,
        "SM3" => H::Sm3,
        _ => return None,
    };
    SIGNATURE_SCHEMES
        .iter()
        .find(|s| s.sig == sig && s.hash == hash)
}
