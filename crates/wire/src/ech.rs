//! Encrypted Client Hello configurations (RFC 9849 §4): the `ECHConfigList` a server publishes in
//! its DNS HTTPS record (`ech=`), sends as `retry_configs` when it cannot decrypt an offer, and
//! that `openssl ech` writes in its PEM files (`-----BEGIN ECHCONFIG-----`).
//!
//! ```text
//! struct { HpkeKdfId kdf_id; HpkeAeadId aead_id; } HpkeSymmetricCipherSuite;
//! struct { uint8 config_id; HpkeKemId kem_id; opaque public_key<1..2^16-1>;
//!          HpkeSymmetricCipherSuite cipher_suites<4..2^16-4>; } HpkeKeyConfig;
//! struct { HpkeKeyConfig key_config; uint8 maximum_name_length;
//!          opaque public_name<1..255>; ECHConfigExtension extensions<0..2^16-1>; } ECHConfigContents;
//! struct { uint16 version; uint16 length; select (version) { case 0xfe0d: ECHConfigContents; } } ECHConfig;
//! ECHConfig ECHConfigList<4..2^16-1>;
//! ```
//!
//! And the `encrypted_client_hello` extension a client sends in its ClientHello (§5), which is
//! what anyone on the path sees of an offer ([`EchClientHello`]).
//!
//! Hand-written because no maintained crate exposes this format as plain data (rustls parses it
//! only inside its client); one implementation here serves the scanner, `connect` and the files.
//! Configurations of a version other than 0xfe0d are kept with their bytes, unparsed, as clients
//! must skip them.

use crate::codec::{put_u16, put_u8, Codec, DecodeError, LengthPrefix, Reader};

/// The ECHConfig version of RFC 9849 (0xfe0d).
pub const ECH_VERSION: u16 = 0xfe0d;

/// One HPKE symmetric cipher suite of a configuration (RFC 9180 KDF and AEAD ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HpkeSuite {
    /// The KDF id (0x0001 HKDF-SHA256 …).
    pub kdf: u16,
    /// The AEAD id (0x0001 AES-128-GCM …).
    pub aead: u16,
}

/// One extension of an ECHConfig: its type and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchConfigExtension {
    /// The extension type; the high bit set means clients must understand it (RFC 9849 §4.2).
    pub typ: u16,
    /// Its data.
    pub data: Vec<u8>,
}

impl EchConfigExtension {
    /// Whether a client that does not know this extension must skip the configuration.
    pub fn mandatory(&self) -> bool {
        self.typ & 0x8000 != 0
    }
}

/// An ECHConfig of version 0xfe0d.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchConfigContents {
    /// The id the client names in its offer, so the server finds the key.
    pub config_id: u8,
    /// The HPKE KEM id (RFC 9180: 0x0020 DHKEM(X25519, HKDF-SHA256) …).
    pub kem_id: u16,
    /// The server's HPKE public key.
    pub public_key: Vec<u8>,
    /// The symmetric suites the server accepts.
    pub cipher_suites: Vec<HpkeSuite>,
    /// The longest inner server name the server expects (for padding); 0 when not said.
    pub maximum_name_length: u8,
    /// The name the outer ClientHello's SNI carries (the client-facing server), as sent.
    pub public_name: Vec<u8>,
    /// Extensions of the configuration.
    pub extensions: Vec<EchConfigExtension>,
}

/// One entry of an ECHConfigList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EchConfig {
    /// Version 0xfe0d, parsed.
    V0xfe0d(EchConfigContents),
    /// Another version: its contents are opaque to this codec.
    Other {
        /// The version.
        version: u16,
        /// The contents, unparsed.
        contents: Vec<u8>,
    },
}

impl EchConfig {
    /// The configuration's version.
    pub fn version(&self) -> u16 {
        match self {
            EchConfig::V0xfe0d(_) => ECH_VERSION,
            EchConfig::Other { version, .. } => *version,
        }
    }
}

impl Codec for HpkeSuite {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, self.kdf);
        put_u16(out, self.aead);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(HpkeSuite {
            kdf: r.u16()?,
            aead: r.u16()?,
        })
    }
}

impl Codec for EchConfigExtension {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, self.typ);
        crate::codec::put_bytes_u16(out, &self.data);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(EchConfigExtension {
            typ: r.u16()?,
            data: r.bytes_u16()?.to_vec(),
        })
    }
}

impl Codec for EchConfigContents {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u8(out, self.config_id);
        put_u16(out, self.kem_id);
        crate::codec::put_bytes_u16(out, &self.public_key);
        crate::codec::put_list(out, LengthPrefix::U16, &self.cipher_suites);
        put_u8(out, self.maximum_name_length);
        crate::codec::put_bytes_u8(out, &self.public_name);
        crate::codec::put_list(out, LengthPrefix::U16, &self.extensions);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let config_id = r.u8()?;
        let kem_id = r.u16()?;
        let public_key = r.bytes_u16()?.to_vec();
        if public_key.is_empty() {
            return Err(DecodeError::InvalidValue(
                "an ECHConfig with an empty public key",
            ));
        }
        let cipher_suites: Vec<HpkeSuite> = r.sub_u16()?.read_all()?;
        if cipher_suites.is_empty() {
            return Err(DecodeError::InvalidValue(
                "an ECHConfig without cipher suites",
            ));
        }
        let maximum_name_length = r.u8()?;
        let public_name = r.bytes_u8()?.to_vec();
        if public_name.is_empty() {
            return Err(DecodeError::InvalidValue(
                "an ECHConfig with an empty public_name",
            ));
        }
        let extensions = r.sub_u16()?.read_all()?;
        Ok(EchConfigContents {
            config_id,
            kem_id,
            public_key,
            cipher_suites,
            maximum_name_length,
            public_name,
            extensions,
        })
    }
}

impl Codec for EchConfig {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, self.version());
        match self {
            EchConfig::V0xfe0d(c) => {
                crate::codec::put_prefixed(out, LengthPrefix::U16, |o| c.encode(o))
            }
            EchConfig::Other { contents, .. } => crate::codec::put_bytes_u16(out, contents),
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let version = r.u16()?;
        let body = r.bytes_u16()?;
        match version {
            ECH_VERSION => Ok(EchConfig::V0xfe0d(EchConfigContents::read_exact(
                body,
                "ECHConfig",
            )?)),
            _ => Ok(EchConfig::Other {
                version,
                contents: body.to_vec(),
            }),
        }
    }
}

/// An ECHConfigList: the configurations in the server's order of preference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchConfigList(pub Vec<EchConfig>);

impl Codec for EchConfigList {
    fn encode(&self, out: &mut Vec<u8>) {
        crate::codec::put_list(out, LengthPrefix::U16, &self.0);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let list: Vec<EchConfig> = r.sub_u16()?.read_all()?;
        if list.is_empty() {
            return Err(DecodeError::InvalidValue("an empty ECHConfigList"));
        }
        Ok(EchConfigList(list))
    }
}

impl EchConfigList {
    /// Parse a whole ECHConfigList (its 2-byte length first), nothing after it.
    pub fn parse(bytes: &[u8]) -> Result<EchConfigList, DecodeError> {
        EchConfigList::read_exact(bytes, "ECHConfigList")
    }
}

/// The `encrypted_client_hello` extension of a ClientHello (RFC 9849 §5):
///
/// ```text
/// enum { outer(0), inner(1) } ECHClientHelloType;
/// struct { ECHClientHelloType type; select (type) {
///     case outer: HpkeSymmetricCipherSuite cipher_suite; uint8 config_id;
///                 opaque enc<0..2^16-1>; opaque payload<1..2^16-1>;
///     case inner: Empty; }; } ECHClientHello;
/// ```
///
/// On the wire only the outer form appears (the inner one travels encrypted inside the
/// payload). A GREASE offer (§6.2) has the same form with random contents: an observer cannot
/// tell it from a real one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EchClientHello {
    /// An offer: the inner ClientHello, encrypted.
    Outer {
        /// The HPKE suite the client chose from the configuration.
        suite: HpkeSuite,
        /// The configuration it used (the server finds its key by it).
        config_id: u8,
        /// The HPKE encapsulated key (empty after a HelloRetryRequest).
        enc: Vec<u8>,
        /// The encrypted inner ClientHello.
        payload: Vec<u8>,
    },
    /// The marker inside an inner ClientHello.
    Inner,
}

impl Codec for EchClientHello {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            EchClientHello::Outer {
                suite,
                config_id,
                enc,
                payload,
            } => {
                put_u8(out, 0);
                suite.encode(out);
                put_u8(out, *config_id);
                crate::codec::put_bytes_u16(out, enc);
                crate::codec::put_bytes_u16(out, payload);
            }
            EchClientHello::Inner => put_u8(out, 1),
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            0 => {
                let suite = HpkeSuite::read(r)?;
                let config_id = r.u8()?;
                let enc = r.bytes_u16()?.to_vec();
                let payload = r.bytes_u16()?.to_vec();
                if payload.is_empty() {
                    return Err(DecodeError::InvalidValue(
                        "an ECH offer with an empty payload",
                    ));
                }
                Ok(EchClientHello::Outer {
                    suite,
                    config_id,
                    enc,
                    payload,
                })
            }
            1 => Ok(EchClientHello::Inner),
            _ => Err(DecodeError::InvalidValue(
                "an encrypted_client_hello of unknown type",
            )),
        }
    }
}

impl EchClientHello {
    /// Parse the extension's data, nothing after it.
    pub fn parse(data: &[u8]) -> Result<EchClientHello, DecodeError> {
        EchClientHello::read_exact(data, "encrypted_client_hello")
    }
}

/// The name of an HPKE KEM id (IANA "HPKE KEM Identifiers", RFC 9180 §7.1), or its hex.
pub fn kem_name(id: u16) -> String {
    match id {
        0x0010 => "DHKEM(P-256, HKDF-SHA256)".into(),
        0x0011 => "DHKEM(P-384, HKDF-SHA384)".into(),
        0x0012 => "DHKEM(P-521, HKDF-SHA512)".into(),
        0x0020 => "DHKEM(X25519, HKDF-SHA256)".into(),
        0x0021 => "DHKEM(X448, HKDF-SHA512)".into(),
        other => format!("0x{other:04x}"),
    }
}

/// The name of an HPKE KDF id (IANA "HPKE KDF Identifiers", RFC 9180 §7.2), or its hex.
pub fn kdf_name(id: u16) -> String {
    match id {
        0x0001 => "HKDF-SHA256".into(),
        0x0002 => "HKDF-SHA384".into(),
        0x0003 => "HKDF-SHA512".into(),
        other => format!("0x{other:04x}"),
    }
}

/// The name of an HPKE AEAD id (IANA "HPKE AEAD Identifiers", RFC 9180 §7.3), or its hex.
pub fn aead_name(id: u16) -> String {
    match id {
        0x0001 => "AES-128-GCM".into(),
        0x0002 => "AES-256-GCM".into(),
        0x0003 => "ChaCha20Poly1305".into(),
        0xffff => "Export-only".into(),
        other => format!("0x{other:04x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `openssl ech -public_name example.com` (OpenSSL 4.0.3): one X25519 configuration.
    const OPENSSL4: &str = "003efe0d003aad0020002077454f49b20e9cb3b6555eaa8653f0d7213fec3a18ac0b0dac93cbe89d8ba530000400010001000b6578616d706c652e636f6d0000";

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn parses_what_openssl_writes_and_encodes_it_back() {
        let bytes = hex(OPENSSL4);
        let list = EchConfigList::parse(&bytes).unwrap();
        assert_eq!(list.0.len(), 1);
        let EchConfig::V0xfe0d(c) = &list.0[0] else {
            panic!("{list:?}")
        };
        assert_eq!(c.config_id, 0xad);
        assert_eq!(kem_name(c.kem_id), "DHKEM(X25519, HKDF-SHA256)");
        assert_eq!(c.public_key.len(), 32);
        assert_eq!(
            c.cipher_suites,
            vec![HpkeSuite {
                kdf: 0x0001,
                aead: 0x0001
            }]
        );
        assert_eq!(c.public_name, b"example.com");
        assert!(c.extensions.is_empty());
        assert_eq!(list.to_bytes(), bytes);
    }

    #[test]
    fn other_versions_are_kept_and_bad_lists_fail() {
        let mut other = vec![0x00, 0x07, 0xfe, 0x0a, 0x00, 0x03, 1, 2, 3];
        let list = EchConfigList::parse(&other).unwrap();
        assert_eq!(list.0[0].version(), 0xfe0a);
        assert_eq!(list.to_bytes(), other);
        other.push(0);
        assert!(EchConfigList::parse(&other).is_err());
        assert!(EchConfigList::parse(&[0, 0]).is_err());
        assert!(EchConfigList::parse(&[]).is_err());
        // A 0xfe0d configuration whose contents end early.
        assert!(EchConfigList::parse(&[0, 5, 0xfe, 0x0d, 0, 1, 7]).is_err());
    }

    #[test]
    fn client_hello_offers_parse_and_encode_back() {
        // outer: HKDF-SHA256/AES-128-GCM, config 0x2c, a 3-byte enc, a 2-byte payload.
        let outer = [0, 0, 1, 0, 1, 0x2c, 0, 3, 9, 9, 9, 0, 2, 7, 7];
        let got = EchClientHello::parse(&outer).unwrap();
        assert_eq!(
            got,
            EchClientHello::Outer {
                suite: HpkeSuite { kdf: 1, aead: 1 },
                config_id: 0x2c,
                enc: vec![9, 9, 9],
                payload: vec![7, 7],
            }
        );
        assert_eq!(got.to_bytes(), outer);
        assert_eq!(EchClientHello::parse(&[1]).unwrap(), EchClientHello::Inner);
        assert!(EchClientHello::parse(&[1, 0]).is_err());
        assert!(EchClientHello::parse(&[2]).is_err());
        assert!(EchClientHello::parse(&outer[..outer.len() - 1]).is_err());
        // An empty payload.
        assert!(EchClientHello::parse(&[0, 0, 1, 0, 1, 0x2c, 0, 0, 0, 0]).is_err());
    }
}
