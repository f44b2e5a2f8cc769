//! The IANA *TLS Supported Groups* registry (formerly "EC Named Curve"), one line per group.
//!
//! Columns: code point, IANA name, OpenSSL's name ("" = none), kind, size bits, security bits,
//! deprecated.

use super::NamedGroup;

/// What kind of key exchange a group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKind {
    /// Short-Weierstrass / binary elliptic curves for ECDHE (secp256r1, sect163k1, brainpool…),
    /// and the explicit-curve placeholders.
    Ec,
    /// Montgomery curves X25519 / X448 (RFC 7748).
    Ecx,
    /// Finite-field Diffie-Hellman groups (RFC 7919).
    Ffdhe,
    /// A classical ECDHE group combined with a post-quantum KEM (X25519MLKEM768…).
    Hybrid,
    /// A pure post-quantum KEM (ML-KEM).
    Pqc,
}

impl GroupKind {
    pub fn name(&self) -> &'static str {
        match self {
            GroupKind::Ec => "EC",
            GroupKind::Ecx => "ECX",
            GroupKind::Ffdhe => "FFDHE",
            GroupKind::Hybrid => "hybrid",
            GroupKind::Pqc => "PQC",
        }
    }
}

use GroupKind::{Ec, Ecx, Ffdhe, Hybrid, Pqc};

const fn g(
    id: u16,
    name: &'static str,
    openssl: &'static str,
    kind: GroupKind,
    bits: u16,
    security_bits: u16,
    deprecated: bool,
) -> NamedGroup {
    NamedGroup {
        id,
        name,
        openssl_name: if openssl.is_empty() {
            None
        } else {
            Some(openssl)
        },
        kind,
        bits,
        security_bits,
        deprecated,
    }
}

#[rustfmt::skip]
pub(super) static NAMED_GROUPS: &[NamedGroup] = &[
    g(0x0001, "sect163k1", "sect163k1", Ec, 163, 80, true),
    g(0x0002, "sect163r1", "sect163r1", Ec, 163, 80, true),
    g(0x0003, "sect163r2", "sect163r2", Ec, 163, 80, true),
    g(0x0004, "sect193r1", "sect193r1", Ec, 193, 96, true),
    g(0x0005, "sect193r2", "sect193r2", Ec, 193, 96, true),
    g(0x0006, "sect233k1", "sect233k1", Ec, 233, 112, true),
    g(0x0007, "sect233r1", "sect233r1", Ec, 233, 112, true),
    g(0x0008, "sect239k1", "sect239k1", Ec, 239, 112, true),
    g(0x0009, "sect283k1", "sect283k1", Ec, 283, 128, true),
    g(0x000A, "sect283r1", "sect283r1", Ec, 283, 128, true),
    g(0x000B, "sect409k1", "sect409k1", Ec, 409, 192, true),
    g(0x000C, "sect409r1", "sect409r1", Ec, 409, 192, true),
    g(0x000D, "sect571k1", "sect571k1", Ec, 571, 256, true),
    g(0x000E, "sect571r1", "sect571r1", Ec, 571, 256, true),
    g(0x000F, "secp160k1", "secp160k1", Ec, 160, 80, true),
    g(0x0010, "secp160r1", "secp160r1", Ec, 160, 80, true),
    g(0x0011, "secp160r2", "secp160r2", Ec, 160, 80, true),
    g(0x0012, "secp192k1", "secp192k1", Ec, 192, 96, true),
    g(0x0013, "secp192r1", "prime192v1", Ec, 192, 96, true),
    g(0x0014, "secp224k1", "secp224k1", Ec, 224, 112, true),
    g(0x0015, "secp224r1", "secp224r1", Ec, 224, 112, true),
    g(0x0016, "secp256k1", "secp256k1", Ec, 256, 128, true),
    g(0x0017, "secp256r1", "prime256v1", Ec, 256, 128, false),
    g(0x0018, "secp384r1", "secp384r1", Ec, 384, 192, false),
    g(0x0019, "secp521r1", "secp521r1", Ec, 521, 256, false),
    g(0x001A, "brainpoolP256r1", "brainpoolP256r1", Ec, 256, 128, false),
    g(0x001B, "brainpoolP384r1", "brainpoolP384r1", Ec, 384, 192, false),
    g(0x001C, "brainpoolP512r1", "brainpoolP512r1", Ec, 512, 256, false),
    g(0x001D, "x25519", "X25519", Ecx, 253, 128, false),
    g(0x001E, "x448", "X448", Ecx, 448, 224, false),
    g(0x001F, "brainpoolP256r1tls13", "brainpoolP256r1tls13", Ec, 256, 128, false),
    g(0x0020, "brainpoolP384r1tls13", "brainpoolP384r1tls13", Ec, 384, 192, false),
    g(0x0021, "brainpoolP512r1tls13", "brainpoolP512r1tls13", Ec, 512, 256, false),
    g(0x0022, "GC256A", "", Ec, 256, 128, false),
    g(0x0023, "GC256B", "", Ec, 256, 128, false),
    g(0x0024, "GC256C", "", Ec, 256, 128, false),
    g(0x0025, "GC256D", "", Ec, 256, 128, false),
    g(0x0026, "GC512A", "", Ec, 512, 256, false),
    g(0x0027, "GC512B", "", Ec, 512, 256, false),
    g(0x0028, "GC512C", "", Ec, 512, 256, false),
    g(0x0029, "curveSM2", "curveSM2", Ec, 256, 128, false),
    g(0x0100, "ffdhe2048", "ffdhe2048", Ffdhe, 2048, 103, false),
    g(0x0101, "ffdhe3072", "ffdhe3072", Ffdhe, 3072, 125, false),
    g(0x0102, "ffdhe4096", "ffdhe4096", Ffdhe, 4096, 150, false),
    g(0x0103, "ffdhe6144", "ffdhe6144", Ffdhe, 6144, 175, false),
    g(0x0104, "ffdhe8192", "ffdhe8192", Ffdhe, 8192, 192, false),
    g(0x0200, "MLKEM512", "MLKEM512", Pqc, 512, 128, false),
    g(0x0201, "MLKEM768", "MLKEM768", Pqc, 768, 192, false),
    g(0x0202, "MLKEM1024", "MLKEM1024", Pqc, 1024, 256, false),
    g(0x11EB, "SecP256r1MLKEM768", "SecP256r1MLKEM768", Hybrid, 256, 192, false),
    g(0x11EC, "X25519MLKEM768", "X25519MLKEM768", Hybrid, 253, 192, false),
    g(0x11ED, "SecP384r1MLKEM1024", "SecP384r1MLKEM1024", Hybrid, 384, 256, false),
    g(0x11EE, "curveSM2MLKEM768", "curveSM2MLKEM768", Hybrid, 256, 192, false),
    g(0x6399, "X25519Kyber768Draft00", "", Hybrid, 253, 192, true),
    g(0x639A, "SecP256r1Kyber768Draft00", "", Hybrid, 256, 192, true),
    g(0xFF01, "arbitrary_explicit_prime_curves", "", Ec, 0, 0, true),
    g(0xFF02, "arbitrary_explicit_char2_curves", "", Ec, 0, 0, true),
];

/// Other spellings accepted by `named_group_by_name`: OpenSSL's NIST aliases and common names.
#[rustfmt::skip]
pub(super) static GROUP_ALIASES: &[(&str, u16)] = &[
    ("K-163", 0x0001), ("B-163", 0x0003), ("K-233", 0x0006), ("B-233", 0x0007),
    ("K-283", 0x0009), ("B-283", 0x000A), ("K-409", 0x000B), ("B-409", 0x000C),
    ("K-571", 0x000D), ("B-571", 0x000E),
    ("P-192", 0x0013), ("P-224", 0x0015), ("P-256", 0x0017), ("P-384", 0x0018), ("P-521", 0x0019),
    ("secp256r1", 0x0017), ("prime256v1", 0x0017), ("prime192v1", 0x0013),
    ("curve25519", 0x001D), ("curve448", 0x001E),
    ("SM2", 0x0029),
    ("X25519Kyber768", 0x6399),
];
