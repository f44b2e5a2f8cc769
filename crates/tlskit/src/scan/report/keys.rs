//! The key exchange a suite probe saw and the key type of a certificate, as types. Their JSON
//! forms are the words the report has always written ("x25519", "DH 2048", "RSA 2048",
//! "static 256", "RSA export 512", "explicit curve"; "RSA 2048", "ECDSA P-256", "Ed25519"), so
//! the JSON stays byte-identical while grade, policy and renderers match on variants.

use crate::pki::inspect::CertInfo;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use tlskit_wire::registry;

/// The key exchange the server used with one suite, as seen in its flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyExchange {
    /// A named group: the TLS 1.3 key share, the ECDHE curve, or a DHE prime that is one of
    /// RFC 7919's (then the ffdhe group). JSON: its IANA name ("x25519", "ffdhe2048").
    Group(u16),
    /// Ephemeral finite-field Diffie-Hellman over a prime that is not RFC 7919's: "DH 2048".
    Dh {
        /// Bits of the prime.
        bits: u32,
    },
    /// RSA key transport with the certificate's key: "RSA 2048".
    Rsa {
        /// Bits of the certificate's RSA key.
        bits: u32,
    },
    /// Static DH or ECDH with the certificate's key: "static 256". Which of the two is the
    /// suite's key exchange (see [`super::SuiteResult::suite`]).
    Static {
        /// Bits of the certificate's key.
        bits: u32,
    },
    /// A temporary export-grade RSA key: "RSA export 512".
    RsaExport {
        /// Bits of the temporary key's modulus.
        bits: u32,
    },
    /// ECDHE over explicitly given curve parameters, no named group: "explicit curve".
    ExplicitCurve,
}

impl KeyExchange {
    /// Ephemeral DH over the prime `p` (big-endian): the ffdhe group when `p` is one of
    /// RFC 7919's, else [`KeyExchange::Dh`] with its size.
    pub fn from_dh_prime(p: &[u8]) -> KeyExchange {
        match crate::scan::data::dhprimes::DhGroup::of_prime(p) {
            crate::scan::data::dhprimes::DhGroup::Ffdhe(id) => KeyExchange::Group(id),
            _ => KeyExchange::Dh {
                bits: u32::try_from(tlskit_wire::handshake::bit_length(p)).unwrap_or(u32::MAX),
            },
        }
    }

    /// The registry entry of a named group (None for the other kinds and unknown code points).
    pub fn group(self) -> Option<&'static registry::NamedGroup> {
        match self {
            KeyExchange::Group(id) => registry::named_group(id),
            KeyExchange::Dh { .. }
            | KeyExchange::Rsa { .. }
            | KeyExchange::Static { .. }
            | KeyExchange::RsaExport { .. }
            | KeyExchange::ExplicitCurve => None,
        }
    }

    /// Bits of a finite-field Diffie-Hellman prime: a custom prime's size or an ffdhe group's;
    /// None for every other kind.
    pub fn dh_bits(self) -> Option<u32> {
        match self {
            KeyExchange::Dh { bits } => Some(bits),
            KeyExchange::Group(_) => self
                .group()
                .filter(|g| g.kind == registry::GroupKind::Ffdhe)
                .map(|g| g.bits as u32),
            KeyExchange::Rsa { .. }
            | KeyExchange::Static { .. }
            | KeyExchange::RsaExport { .. }
            | KeyExchange::ExplicitCurve => None,
        }
    }

    /// The JSON form read back (the inverse of `Display`).
    fn parse(s: &str) -> Option<KeyExchange> {
        let num = |t: &str| t.parse::<u32>().ok();
        if let Some(n) = s.strip_prefix("RSA export ") {
            return num(n).map(|bits| KeyExchange::RsaExport { bits });
        }
        if let Some(n) = s.strip_prefix("RSA ") {
            return num(n).map(|bits| KeyExchange::Rsa { bits });
        }
        if let Some(n) = s.strip_prefix("DH ") {
            return num(n).map(|bits| KeyExchange::Dh { bits });
        }
        if let Some(n) = s.strip_prefix("static ") {
            return num(n).map(|bits| KeyExchange::Static { bits });
        }
        if s == "explicit curve" {
            return Some(KeyExchange::ExplicitCurve);
        }
        group_id(s).map(KeyExchange::Group)
    }
}

/// The code point of a group named as [`registry::group_name`] names it.
fn group_id(s: &str) -> Option<u16> {
    if let Some(g) = registry::named_group_by_name(s).filter(|g| g.name == s) {
        return Some(g.id);
    }
    let hex = s
        .strip_prefix("UNKNOWN_0x")
        .or_else(|| s.strip_prefix("GREASE_0x"))?;
    let id = u16::from_str_radix(hex, 16).ok()?;
    (registry::group_name(id) == s).then_some(id)
}

impl fmt::Display for KeyExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyExchange::Group(id) => f.write_str(&registry::group_name(*id)),
            KeyExchange::Dh { bits } => write!(f, "DH {bits}"),
            KeyExchange::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyExchange::Static { bits } => write!(f, "static {bits}"),
            KeyExchange::RsaExport { bits } => write!(f, "RSA export {bits}"),
            KeyExchange::ExplicitCurve => f.write_str("explicit curve"),
        }
    }
}

impl Serialize for KeyExchange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeyExchange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyExchange, D::Error> {
        let s = String::deserialize(d)?;
        KeyExchange::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown key exchange {s:?} (expected a group name, \"DH 2048\", \"RSA 2048\", \
                 \"static 256\", \"RSA export 512\" or \"explicit curve\")"
            ))
        })
    }
}

/// The named curve of an ECDSA key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcCurve {
    /// NIST P-192 (secp192r1).
    P192,
    /// NIST P-224 (secp224r1).
    P224,
    /// NIST P-256 (secp256r1, prime256v1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
    /// secp256k1.
    Secp256k1,
    /// A curve tlskit does not know.
    Unknown,
}

impl EcCurve {
    /// Every curve, for lookups by name.
    const ALL: [EcCurve; 7] = [
        EcCurve::P192,
        EcCurve::P224,
        EcCurve::P256,
        EcCurve::P384,
        EcCurve::P521,
        EcCurve::Secp256k1,
        EcCurve::Unknown,
    ];

    /// The curve's TLS named group (RFC 8422 section 5.1.1; secp192r1, secp224r1 and secp256k1
    /// from RFC 4492, since deprecated), None for an unknown curve.
    pub fn tls_group(self) -> Option<u16> {
        match self {
            EcCurve::P192 => Some(0x0013),
            EcCurve::P224 => Some(0x0015),
            EcCurve::Secp256k1 => Some(0x0016),
            EcCurve::P256 => Some(0x0017),
            EcCurve::P384 => Some(0x0018),
            EcCurve::P521 => Some(0x0019),
            EcCurve::Unknown => None,
        }
    }

    /// "P-256", "secp256k1", "unknown curve".
    pub fn name(self) -> &'static str {
        match self {
            EcCurve::P192 => "P-192",
            EcCurve::P224 => "P-224",
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
            EcCurve::Secp256k1 => "secp256k1",
            EcCurve::Unknown => "unknown curve",
        }
    }

    /// Field size in bits (0 when unknown).
    pub fn bits(self) -> u32 {
        match self {
            EcCurve::P192 => 192,
            EcCurve::P224 => 224,
            EcCurve::P256 | EcCurve::Secp256k1 => 256,
            EcCurve::P384 => 384,
            EcCurve::P521 => 521,
            EcCurve::Unknown => 0,
        }
    }

    /// The curve by the name [`EcCurve::name`] gives.
    fn by_name(s: &str) -> Option<EcCurve> {
        EcCurve::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// The type of a certificate's public key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// rsaEncryption: "RSA 2048" ("RSA" when the size could not be read).
    Rsa {
        /// Modulus bits (0: unknown).
        bits: u32,
    },
    /// RSASSA-PSS key: "RSA-PSS 2048".
    RsaPss {
        /// Modulus bits (0: unknown).
        bits: u32,
    },
    /// DSA: "DSA 2048".
    Dsa {
        /// Bits of p (0: unknown).
        bits: u32,
    },
    /// ECDSA on a curve: "ECDSA P-256".
    Ecdsa(EcCurve),
    /// "Ed25519".
    Ed25519,
    /// "Ed448".
    Ed448,
    /// An X25519 key (key agreement only): "X25519".
    X25519,
    /// An X448 key: "X448".
    X448,
    /// "ML-DSA-44".
    MlDsa44,
    /// "ML-DSA-65".
    MlDsa65,
    /// "ML-DSA-87".
    MlDsa87,
    /// Another algorithm, by its OID ("1.2.3.4").
    Other(String),
    /// No certificate of the chain could be parsed: "unparsable".
    Unparsable,
}

impl KeyType {
    /// The leaf key of a chain as the certificate parser read it (its documented names: RSA,
    /// RSA-PSS, ECDSA, Ed25519, Ed448, X25519, X448, DSA, ML-DSA-44/65/87, or the OID).
    pub fn of(info: &CertInfo) -> KeyType {
        let bits = info.key_bits;
        match info.key_type.as_str() {
            "RSA" => KeyType::Rsa { bits },
            "RSA-PSS" => KeyType::RsaPss { bits },
            "DSA" => KeyType::Dsa { bits },
            "ECDSA" => KeyType::Ecdsa(
                info.key_curve
                    .as_deref()
                    .and_then(EcCurve::by_name)
                    .unwrap_or(EcCurve::Unknown),
            ),
            other => KeyType::simple(other).unwrap_or_else(|| KeyType::Other(other.to_string())),
        }
    }

    /// The kinds whose JSON form is their name alone.
    fn simple(s: &str) -> Option<KeyType> {
        Some(match s {
            "Ed25519" => KeyType::Ed25519,
            "Ed448" => KeyType::Ed448,
            "X25519" => KeyType::X25519,
            "X448" => KeyType::X448,
            "ML-DSA-44" => KeyType::MlDsa44,
            "ML-DSA-65" => KeyType::MlDsa65,
            "ML-DSA-87" => KeyType::MlDsa87,
            "unparsable" => KeyType::Unparsable,
            _ => return None,
        })
    }

    /// Key size in bits as the certificate parser counts it (RSA modulus, DSA prime, curve
    /// size, 256 for Ed25519/X25519, 456 for Ed448, 448 for X448; 0 when unknown).
    pub fn bits(&self) -> u32 {
        match self {
            KeyType::Rsa { bits } | KeyType::RsaPss { bits } | KeyType::Dsa { bits } => *bits,
            KeyType::Ecdsa(c) => c.bits(),
            KeyType::Ed25519 | KeyType::X25519 => 256,
            KeyType::Ed448 => 456,
            KeyType::X448 => 448,
            KeyType::MlDsa44
            | KeyType::MlDsa65
            | KeyType::MlDsa87
            | KeyType::Other(_)
            | KeyType::Unparsable => 0,
        }
    }

    /// RSA or DSA: strength follows the modulus/prime size, not an elliptic curve's.
    pub fn is_finite_field(&self) -> bool {
        match self {
            KeyType::Rsa { .. } | KeyType::RsaPss { .. } | KeyType::Dsa { .. } => true,
            KeyType::Ecdsa(_)
            | KeyType::Ed25519
            | KeyType::Ed448
            | KeyType::X25519
            | KeyType::X448
            | KeyType::MlDsa44
            | KeyType::MlDsa65
            | KeyType::MlDsa87
            | KeyType::Other(_)
            | KeyType::Unparsable => false,
        }
    }

    /// The algorithm's name without the size or curve: "RSA", "RSA-PSS", "ECDSA", "Ed25519",
    /// the OID for others.
    pub fn algorithm(&self) -> &str {
        match self {
            KeyType::Rsa { .. } => "RSA",
            KeyType::RsaPss { .. } => "RSA-PSS",
            KeyType::Dsa { .. } => "DSA",
            KeyType::Ecdsa(_) => "ECDSA",
            KeyType::Ed25519 => "Ed25519",
            KeyType::Ed448 => "Ed448",
            KeyType::X25519 => "X25519",
            KeyType::X448 => "X448",
            KeyType::MlDsa44 => "ML-DSA-44",
            KeyType::MlDsa65 => "ML-DSA-65",
            KeyType::MlDsa87 => "ML-DSA-87",
            KeyType::Other(oid) => oid,
            KeyType::Unparsable => "unparsable",
        }
    }

    /// The JSON form read back (the inverse of `Display`); anything else is an OID.
    fn parse(s: &str) -> KeyType {
        let sized = |rest: &str, make: fn(u32) -> KeyType| -> Option<KeyType> {
            if rest.is_empty() {
                return Some(make(0));
            }
            rest.strip_prefix(' ')?.parse::<u32>().ok().map(make)
        };
        let found = if let Some(rest) = s.strip_prefix("RSA-PSS") {
            sized(rest, |bits| KeyType::RsaPss { bits })
        } else if let Some(rest) = s.strip_prefix("RSA") {
            sized(rest, |bits| KeyType::Rsa { bits })
        } else if let Some(rest) = s.strip_prefix("DSA") {
            sized(rest, |bits| KeyType::Dsa { bits })
        } else if let Some(curve) = s.strip_prefix("ECDSA ") {
            EcCurve::by_name(curve).map(KeyType::Ecdsa)
        } else {
            KeyType::simple(s)
        };
        found.unwrap_or_else(|| KeyType::Other(s.to_string()))
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyType::Rsa { bits } | KeyType::RsaPss { bits } | KeyType::Dsa { bits }
                if *bits > 0 =>
            {
                write!(f, "{} {bits}", self.algorithm())
            }
            KeyType::Ecdsa(c) => write!(f, "ECDSA {}", c.name()),
            _ => f.write_str(self.algorithm()),
        }
    }
}

impl Serialize for KeyType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeyType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyType, D::Error> {
        String::deserialize(d).map(|s| KeyType::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_exchange_round_trips_its_json_words() {
        for (kx, text) in [
            (KeyExchange::Group(0x001d), "x25519"),
            (KeyExchange::Group(0x0017), "secp256r1"),
            (KeyExchange::Group(0x0100), "ffdhe2048"),
            (KeyExchange::Group(0x11ec), "X25519MLKEM768"),
            (KeyExchange::Group(0x7777), "UNKNOWN_0x7777"),
            (KeyExchange::Group(0x0a0a), "GREASE_0x0A0A"),
            (KeyExchange::Dh { bits: 1024 }, "DH 1024"),
            (KeyExchange::Rsa { bits: 2048 }, "RSA 2048"),
            (KeyExchange::Static { bits: 256 }, "static 256"),
            (KeyExchange::RsaExport { bits: 512 }, "RSA export 512"),
            (KeyExchange::ExplicitCurve, "explicit curve"),
        ] {
            let json = serde_json::to_string(&kx).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<KeyExchange>(&json).unwrap(), kx);
        }
        assert!(serde_json::from_str::<KeyExchange>("\"DH many\"").is_err());
        assert!(serde_json::from_str::<KeyExchange>("\"X25519\"").is_err());
    }

    #[test]
    fn dh_primes_are_named_ffdhe_only_when_they_are_rfc7919s() {
        let mut p = vec![0xFF; 8];
        p.extend([
            0xAD, 0xF8, 0x54, 0x58, 0xA2, 0xBB, 0x4A, 0x9A, 0xAF, 0xDC, 0x56, 0x20,
        ]);
        p.resize(256, 0xFF);
        assert_eq!(KeyExchange::from_dh_prime(&p), KeyExchange::Group(0x0100));
        assert_eq!(KeyExchange::from_dh_prime(&p).dh_bits(), Some(2048));
        let mut q = vec![0x00, 0xC0];
        q.resize(129, 0x01);
        assert_eq!(
            KeyExchange::from_dh_prime(&q),
            KeyExchange::Dh { bits: 1024 }
        );
        assert_eq!(KeyExchange::Group(0x001d).dh_bits(), None);
    }

    #[test]
    fn key_type_round_trips_its_json_words() {
        for (kt, text) in [
            (KeyType::Rsa { bits: 2048 }, "RSA 2048"),
            (KeyType::Rsa { bits: 0 }, "RSA"),
            (KeyType::RsaPss { bits: 3072 }, "RSA-PSS 3072"),
            (KeyType::Dsa { bits: 1024 }, "DSA 1024"),
            (KeyType::Ecdsa(EcCurve::P256), "ECDSA P-256"),
            (KeyType::Ecdsa(EcCurve::Unknown), "ECDSA unknown curve"),
            (KeyType::Ed25519, "Ed25519"),
            (KeyType::MlDsa65, "ML-DSA-65"),
            (KeyType::Other("1.2.3.4".into()), "1.2.3.4"),
            (KeyType::Unparsable, "unparsable"),
        ] {
            let json = serde_json::to_string(&kt).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<KeyType>(&json).unwrap(), kt);
        }
    }
}
