//! What a cipher suite means for this client: key exchange, bulk cipher, MAC and PRF hash, taken
//! from the wire crate's suite registry (one table of suites in the project) and mapped to the
//! algorithms this client implements.

use tlskit_wire::registry::{self, Auth, Enc, Kx as RegKx, Mac};
use tlskit_wire::version::Version;

/// Key exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyExchange {
    /// The premaster secret encrypted to the certificate's RSA key.
    Rsa,
    /// Ephemeral finite-field Diffie-Hellman over whatever group the server sends (also
    /// anonymous DH).
    Dhe,
    /// Ephemeral elliptic-curve Diffie-Hellman (also anonymous ECDH).
    Ecdhe,
}

/// Block ciphers used in CBC mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockCipher {
    Aes128,
    Aes256,
    TripleDes,
    Camellia128,
    Camellia256,
    Aria128,
    Aria256,
    Seed,
}

impl BlockCipher {
    /// Key bytes.
    pub fn key_len(self) -> usize {
        match self {
            BlockCipher::Aes128
            | BlockCipher::Camellia128
            | BlockCipher::Aria128
            | BlockCipher::Seed => 16,
            BlockCipher::TripleDes => 24,
            BlockCipher::Aes256 | BlockCipher::Camellia256 | BlockCipher::Aria256 => 32,
        }
    }

    /// Block bytes (the CBC IV's length).
    pub fn block_len(self) -> usize {
        match self {
            BlockCipher::TripleDes => 8,
            _ => 16,
        }
    }
}

/// AEAD constructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AeadCipher {
    AesGcm { key_len: usize },
    AesCcm { key_len: usize, tag_len: usize },
    CamelliaGcm { key_len: usize },
    AriaGcm { key_len: usize },
    Chacha20Poly1305,
}

impl AeadCipher {
    /// Key bytes.
    pub fn key_len(self) -> usize {
        match self {
            AeadCipher::AesGcm { key_len }
            | AeadCipher::AesCcm { key_len, .. }
            | AeadCipher::CamelliaGcm { key_len }
            | AeadCipher::AriaGcm { key_len } => key_len,
            AeadCipher::Chacha20Poly1305 => 32,
        }
    }

    /// The implicit part of the nonce taken from the key block (RFC 5288, 6655, 7905).
    pub fn fixed_iv_len(self) -> usize {
        match self {
            AeadCipher::Chacha20Poly1305 => 12,
            _ => 4,
        }
    }

    /// Whether each record carries an 8-byte explicit nonce (all but ChaCha20-Poly1305).
    pub fn explicit_nonce(self) -> bool {
        self != AeadCipher::Chacha20Poly1305
    }

    /// Authentication tag bytes.
    pub fn tag_len(self) -> usize {
        match self {
            AeadCipher::AesCcm { tag_len, .. } => tag_len,
            _ => 16,
        }
    }
}

/// The bulk cipher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    /// NULL encryption (MAC only).
    Null,
    /// RC4 with a 128-bit key.
    Rc4,
    Cbc(BlockCipher),
    Aead(AeadCipher),
}

/// The record MAC of a non-AEAD suite (HMAC, or the SSLv3 MAC over the same hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacAlg {
    Md5,
    Sha1,
    Sha256,
    Sha384,
}

impl MacAlg {
    /// MAC bytes.
    pub fn output_len(self) -> usize {
        match self {
            MacAlg::Md5 => 16,
            MacAlg::Sha1 => 20,
            MacAlg::Sha256 => 32,
            MacAlg::Sha384 => 48,
        }
    }
}

/// Everything the client needs to know about a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SuiteParams {
    /// The IANA code point.
    pub id: u16,
    /// The key exchange.
    pub kx: KeyExchange,
    /// No certificate (anonymous DH / ECDH).
    pub anonymous: bool,
    /// The record protection.
    pub bulk: Bulk,
    /// `None` for AEAD suites.
    pub mac: Option<MacAlg>,
    /// The TLS 1.2 PRF uses SHA-384 (the suite's name ends in SHA384); SHA-256 otherwise.
    pub prf_sha384: bool,
    /// Oldest version the suite may be used with.
    pub min_version: Version,
}

impl SuiteParams {
    /// The parameters of suite `id`, or why this client cannot speak it.
    pub fn of(id: u16) -> Result<SuiteParams, String> {
        let s =
            registry::cipher_suite(id).ok_or_else(|| format!("unknown cipher suite 0x{id:04x}"))?;
        let unsupported = |what: &str| {
            Err(format!(
                "{} ({what}) is not spoken by the scanner's TLS client",
                s.name()
            ))
        };
        if s.tls13 || s.scsv {
            return unsupported("not a TLS ≤ 1.2 suite");
        }
        if s.export {
            return unsupported("export-grade");
        }
        let kx = match s.kx {
            RegKx::Rsa => KeyExchange::Rsa,
            RegKx::Dhe => KeyExchange::Dhe,
            RegKx::Ecdhe => KeyExchange::Ecdhe,
            _ => return unsupported("key exchange"),
        };
        let anonymous = s.auth == Auth::Null;
        if !matches!(s.auth, Auth::Rsa | Auth::Dss | Auth::Ecdsa | Auth::Null) {
            return unsupported("authentication");
        }
        let bulk = match s.enc {
            Enc::Null => Bulk::Null,
            Enc::Rc4_128 => Bulk::Rc4,
            Enc::TripleDes => Bulk::Cbc(BlockCipher::TripleDes),
            Enc::Seed => Bulk::Cbc(BlockCipher::Seed),
            Enc::Aes128Cbc => Bulk::Cbc(BlockCipher::Aes128),
            Enc::Aes256Cbc => Bulk::Cbc(BlockCipher::Aes256),
            Enc::Camellia128Cbc => Bulk::Cbc(BlockCipher::Camellia128),
            Enc::Camellia256Cbc => Bulk::Cbc(BlockCipher::Camellia256),
            Enc::Aria128Cbc => Bulk::Cbc(BlockCipher::Aria128),
            Enc::Aria256Cbc => Bulk::Cbc(BlockCipher::Aria256),
            Enc::Aes128Gcm => Bulk::Aead(AeadCipher::AesGcm { key_len: 16 }),
            Enc::Aes256Gcm => Bulk::Aead(AeadCipher::AesGcm { key_len: 32 }),
            Enc::Aes128Ccm => Bulk::Aead(AeadCipher::AesCcm {
                key_len: 16,
                tag_len: 16,
            }),
            Enc::Aes256Ccm => Bulk::Aead(AeadCipher::AesCcm {
                key_len: 32,
                tag_len: 16,
            }),
            Enc::Aes128Ccm8 => Bulk::Aead(AeadCipher::AesCcm {
                key_len: 16,
                tag_len: 8,
            }),
            Enc::Aes256Ccm8 => Bulk::Aead(AeadCipher::AesCcm {
                key_len: 32,
                tag_len: 8,
            }),
            Enc::Camellia128Gcm => Bulk::Aead(AeadCipher::CamelliaGcm { key_len: 16 }),
            Enc::Camellia256Gcm => Bulk::Aead(AeadCipher::CamelliaGcm { key_len: 32 }),
            Enc::Aria128Gcm => Bulk::Aead(AeadCipher::AriaGcm { key_len: 16 }),
            Enc::Aria256Gcm => Bulk::Aead(AeadCipher::AriaGcm { key_len: 32 }),
            Enc::Chacha20Poly1305 => Bulk::Aead(AeadCipher::Chacha20Poly1305),
            _ => return unsupported("bulk cipher"),
        };
        let mac = match s.mac {
            Mac::Aead => None,
            Mac::Md5 => Some(MacAlg::Md5),
            Mac::Sha1 => Some(MacAlg::Sha1),
            Mac::Sha256 => Some(MacAlg::Sha256),
            Mac::Sha384 => Some(MacAlg::Sha384),
            _ => return unsupported("MAC"),
        };
        if mac.is_none() != matches!(bulk, Bulk::Aead(_)) {
            return unsupported("MAC");
        }
        Ok(SuiteParams {
            id,
            kx,
            anonymous,
            bulk,
            mac,
            prf_sha384: s.iana.ends_with("SHA384"),
            min_version: s.min_version,
        })
    }

    /// Whether the suite's record protection is CBC (where encrypt-then-MAC applies).
    pub fn is_cbc(&self) -> bool {
        matches!(self.bulk, Bulk::Cbc(_))
    }
}

/// Every TLS ≤ 1.2 suite in the registry this client can complete, in registry order.
pub fn supported_suites() -> Vec<u16> {
    registry::cipher_suites()
        .iter()
        .filter(|s| SuiteParams::of(s.id).is_ok())
        .map(|s| s.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_families() {
        let p = SuiteParams::of(0xc030).unwrap(); // ECDHE-RSA-AES256-GCM-SHA384
        assert_eq!(p.kx, KeyExchange::Ecdhe);
        assert!(p.prf_sha384 && p.mac.is_none());
        let p = SuiteParams::of(0x000a).unwrap(); // DES-CBC3-SHA
        assert_eq!(p.bulk, Bulk::Cbc(BlockCipher::TripleDes));
        assert_eq!(p.mac, Some(MacAlg::Sha1));
        let p = SuiteParams::of(0x0016).unwrap(); // DHE-RSA-DES-CBC3-SHA
        assert_eq!(p.kx, KeyExchange::Dhe);
        let p = SuiteParams::of(0x0034).unwrap(); // ADH-AES128-SHA
        assert!(p.anonymous);
        let p = SuiteParams::of(0xc0a0).unwrap(); // AES128-CCM8
        assert_eq!(
            p.bulk,
            Bulk::Aead(AeadCipher::AesCcm {
                key_len: 16,
                tag_len: 8
            })
        );
        assert!(SuiteParams::of(0x1301).is_err());
        assert!(SuiteParams::of(0x008c).is_err()); // PSK
        assert!(supported_suites().len() > 100);
    }
}
