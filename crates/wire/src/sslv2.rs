//! SSL 2.0 framing and the messages needed to probe for it: a CLIENT-HELLO builder (pure SSLv2,
//! or the SSLv2-compatible hello carrying a TLS version), a SERVER-HELLO parser, and ERROR
//! recognition.
//!
//! SSLv2 records have a 2-byte header (high bit set, 15-bit length) or a 3-byte header (high
//! bit clear, 14-bit length, escape bit, then a padding byte). All fields inside messages are
//! big-endian; cipher specs are 3-byte "kinds".

use crate::codec::{put_u16, put_u8, Codec, DecodeError, Reader};

/// MSG-ERROR.
pub const MSG_ERROR: u8 = 0;
/// MSG-CLIENT-HELLO.
pub const MSG_CLIENT_HELLO: u8 = 1;
/// MSG-SERVER-HELLO.
pub const MSG_SERVER_HELLO: u8 = 4;

/// The SSLv2 version code.
pub const SSL2_VERSION: u16 = 0x0002;

/// SSL_CK_RC4_128_WITH_MD5.
pub const CK_RC4_128_WITH_MD5: u32 = 0x01_0080;
/// SSL_CK_RC4_128_EXPORT40_WITH_MD5.
pub const CK_RC4_128_EXPORT40_WITH_MD5: u32 = 0x02_0080;
/// SSL_CK_RC2_128_CBC_WITH_MD5.
pub const CK_RC2_128_CBC_WITH_MD5: u32 = 0x03_0080;
/// SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5.
pub const CK_RC2_128_CBC_EXPORT40_WITH_MD5: u32 = 0x04_0080;
/// SSL_CK_IDEA_128_CBC_WITH_MD5.
pub const CK_IDEA_128_CBC_WITH_MD5: u32 = 0x05_0080;
/// SSL_CK_DES_64_CBC_WITH_MD5.
pub const CK_DES_64_CBC_WITH_MD5: u32 = 0x06_0040;
/// SSL_CK_DES_192_EDE3_CBC_WITH_MD5.
pub const CK_DES_192_EDE3_CBC_WITH_MD5: u32 = 0x07_00c0;

/// Every SSLv2 cipher kind, strongest-looking first.
pub const ALL_CIPHER_KINDS: [u32; 7] = [
    CK_DES_192_EDE3_CBC_WITH_MD5,
    CK_IDEA_128_CBC_WITH_MD5,
    CK_RC2_128_CBC_WITH_MD5,
    CK_RC4_128_WITH_MD5,
    CK_DES_64_CBC_WITH_MD5,
    CK_RC2_128_CBC_EXPORT40_WITH_MD5,
    CK_RC4_128_EXPORT40_WITH_MD5,
];

/// The name of an SSLv2 cipher kind (OpenSSL spelling), if known.
pub fn cipher_kind_name(kind: u32) -> Option<&'static str> {
    Some(match kind {
        CK_RC4_128_WITH_MD5 => "RC4-MD5",
        CK_RC4_128_EXPORT40_WITH_MD5 => "EXP-RC4-MD5",
        CK_RC2_128_CBC_WITH_MD5 => "RC2-CBC-MD5",
        CK_RC2_128_CBC_EXPORT40_WITH_MD5 => "EXP-RC2-CBC-MD5",
        CK_IDEA_128_CBC_WITH_MD5 => "IDEA-CBC-MD5",
        CK_DES_64_CBC_WITH_MD5 => "DES-CBC-MD5",
        CK_DES_192_EDE3_CBC_WITH_MD5 => "DES-CBC3-MD5",
        _ => return None,
    })
}

/// The 3-byte cipher spec that carries TLS cipher suite `suite` in a v2-compatible hello.
pub fn cipher_spec_for_tls_suite(suite: u16) -> u32 {
    suite as u32
}

/// The TLS cipher suite in a 3-byte cipher spec, if it is one (first byte zero).
pub fn tls_suite_of_cipher_spec(spec: u32) -> Option<u16> {
    if spec >> 16 == 0 {
        Some(spec as u16)
    } else {
        None
    }
}

/// ERROR codes.
pub const ERROR_NO_CIPHER: u16 = 0x0001;
/// NO-CERTIFICATE-ERROR.
pub const ERROR_NO_CERTIFICATE: u16 = 0x0002;
/// BAD-CERTIFICATE-ERROR.
pub const ERROR_BAD_CERTIFICATE: u16 = 0x0004;
/// UNSUPPORTED-CERTIFICATE-TYPE-ERROR.
pub const ERROR_UNSUPPORTED_CERTIFICATE_TYPE: u16 = 0x0006;

/// The name of an SSLv2 error code, if known.
pub fn error_name(code: u16) -> Option<&'static str> {
    Some(match code {
        ERROR_NO_CIPHER => "NO-CIPHER-ERROR",
        ERROR_NO_CERTIFICATE => "NO-CERTIFICATE-ERROR",
        ERROR_BAD_CERTIFICATE => "BAD-CERTIFICATE-ERROR",
        ERROR_UNSUPPORTED_CERTIFICATE_TYPE => "UNSUPPORTED-CERTIFICATE-TYPE-ERROR",
        _ => return None,
    })
}

/// Largest record body a 2-byte header can announce.
pub const MAX_RECORD_LEN_2: usize = 0x7fff;
/// Largest record body a 3-byte header can announce.
pub const MAX_RECORD_LEN_3: usize = 0x3fff;

/// An SSLv2 record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sslv2Record {
    /// Whether the header was the 3-byte form.
    pub three_byte_header: bool,
    /// The escape bit of a 3-byte header.
    pub is_escape: bool,
    /// The padding length of a 3-byte header.
    pub padding: u8,
    /// The record body (including padding, if any).
    pub body: Vec<u8>,
}

impl Sslv2Record {
    /// Incrementally parse one SSLv2 record from `buf`: `Ok(None)` if incomplete, else the
    /// record and the bytes it occupies. The maximum lengths the headers can express are small
    /// (32 KiB), so nothing needs a separate limit.
    pub fn parse(buf: &[u8]) -> Result<Option<(Sslv2Record, usize)>, DecodeError> {
        let (Some(&b0), Some(&b1)) = (buf.first(), buf.get(1)) else {
            return Ok(None);
        };
        if b0 & 0x80 != 0 {
            let len = (((b0 & 0x7f) as usize) << 8) | b1 as usize;
            let Some(body) = buf.get(2..2 + len) else {
                return Ok(None);
            };
            let rec = Sslv2Record {
                three_byte_header: false,
                is_escape: false,
                padding: 0,
                body: body.to_vec(),
            };
            return Ok(Some((rec, 2 + len)));
        }
        let Some(&padding) = buf.get(2) else {
            return Ok(None);
        };
        let len = (((b0 & 0x3f) as usize) << 8) | b1 as usize;
        if padding as usize > len {
            return Err(DecodeError::InvalidValue(
                "SSLv2 record padding longer than the record",
            ));
        }
        let Some(body) = buf.get(3..3 + len) else {
            return Ok(None);
        };
        let rec = Sslv2Record {
            three_byte_header: true,
            is_escape: b0 & 0x40 != 0,
            padding,
            body: body.to_vec(),
        };
        Ok(Some((rec, 3 + len)))
    }

    /// Wrap `body` in a 2-byte header. Bodies over 32 767 bytes are a caller bug; the length
    /// saturates.
    pub fn encode_2(body: &[u8]) -> Vec<u8> {
        let len = body.len().min(MAX_RECORD_LEN_2);
        let mut out = Vec::with_capacity(len + 2);
        put_u16(&mut out, 0x8000 | len as u16);
        out.extend_from_slice(body);
        out
    }

    /// The message type (first body byte), if any.
    pub fn message_type(&self) -> Option<u8> {
        self.body.first().copied()
    }
}

/// An SSLv2 CLIENT-HELLO. With `version` = 0x0002 it is a pure SSLv2 hello; with a TLS version
/// (0x0300 …) and TLS suites as `0x00XXYY` specs, it is the SSLv2-compatible hello old clients
/// sent to negotiate SSLv3/TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHelloV2 {
    /// CLIENT-VERSION.
    pub version: u16,
    /// CIPHER-SPECS-DATA as 24-bit values.
    pub cipher_specs: Vec<u32>,
    /// SESSION-ID-DATA (0 or 16 bytes).
    pub session_id: Vec<u8>,
    /// CHALLENGE-DATA (16–32 bytes).
    pub challenge: Vec<u8>,
}

impl ClientHelloV2 {
    /// A pure SSLv2 hello offering `cipher_specs` with the given challenge (16–32 bytes; the
    /// caller supplies the randomness).
    pub fn new(cipher_specs: Vec<u32>, challenge: Vec<u8>) -> Self {
        ClientHelloV2 {
            version: SSL2_VERSION,
            cipher_specs,
            session_id: Vec::new(),
            challenge,
        }
    }

    /// Whether the challenge length is within the 16–32 bytes the spec allows.
    pub fn challenge_len_valid(&self) -> bool {
        (16..=32).contains(&self.challenge.len())
    }

    /// The record: 2-byte header + message.
    pub fn to_record(&self) -> Vec<u8> {
        Sslv2Record::encode_2(&self.to_bytes())
    }

    /// Parse from a complete record's bytes (2-byte header).
    pub fn parse_record(buf: &[u8]) -> Result<Self, DecodeError> {
        match Sslv2Record::parse(buf)? {
            Some((rec, n)) if n == buf.len() => Self::read_exact(&rec.body, "SSLv2 CLIENT-HELLO"),
            Some((_, n)) => Err(DecodeError::TrailingBytes {
                what: "SSLv2 record",
                count: buf.len() - n,
            }),
            None => Err(DecodeError::Truncated {
                need: buf.len() + 1,
                have: buf.len(),
            }),
        }
    }
}

fn put_u24(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

fn read_specs(b: &[u8]) -> Result<Vec<u32>, DecodeError> {
    if b.len() % 3 != 0 {
        return Err(DecodeError::InvalidValue(
            "SSLv2 cipher specs not a multiple of 3 bytes",
        ));
    }
    Ok(b.chunks_exact(3)
        .map(|c| u32::from_be_bytes([0, c[0], c[1], c[2]]))
        .collect())
}

fn len16(n: usize) -> u16 {
    n.min(u16::MAX as usize) as u16
}

impl Codec for ClientHelloV2 {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u8(out, MSG_CLIENT_HELLO);
        put_u16(out, self.version);
        put_u16(out, len16(self.cipher_specs.len() * 3));
        put_u16(out, len16(self.session_id.len()));
        put_u16(out, len16(self.challenge.len()));
        self.cipher_specs.iter().for_each(|&s| put_u24(out, s));
        out.extend_from_slice(&self.session_id);
        out.extend_from_slice(&self.challenge);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let t = r.u8()?;
        if t != MSG_CLIENT_HELLO {
            return Err(DecodeError::UnexpectedMessage {
                expected: "SSLv2 CLIENT-HELLO",
                got: t,
            });
        }
        let version = r.u16()?;
        let specs_len = r.u16()? as usize;
        let sid_len = r.u16()? as usize;
        let chal_len = r.u16()? as usize;
        let cipher_specs = read_specs(r.take(specs_len)?)?;
        let session_id = r.take(sid_len)?.to_vec();
        let challenge = r.take(chal_len)?.to_vec();
        Ok(ClientHelloV2 {
            version,
            cipher_specs,
            session_id,
            challenge,
        })
    }
}

/// An SSLv2 SERVER-HELLO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHelloV2 {
    /// SESSION-ID-HIT.
    pub session_id_hit: u8,
    /// CERTIFICATE-TYPE (1 = X.509).
    pub certificate_type: u8,
    /// SERVER-VERSION (0x0002).
    pub version: u16,
    /// CERTIFICATE-DATA (DER).
    pub certificate: Vec<u8>,
    /// CIPHER-SPECS-DATA: the kinds the server supports among those offered.
    pub cipher_specs: Vec<u32>,
    /// CONNECTION-ID-DATA.
    pub connection_id: Vec<u8>,
}

impl Codec for ServerHelloV2 {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u8(out, MSG_SERVER_HELLO);
        put_u8(out, self.session_id_hit);
        put_u8(out, self.certificate_type);
        put_u16(out, self.version);
        put_u16(out, len16(self.certificate.len()));
        put_u16(out, len16(self.cipher_specs.len() * 3));
        put_u16(out, len16(self.connection_id.len()));
        out.extend_from_slice(&self.certificate);
        self.cipher_specs.iter().for_each(|&s| put_u24(out, s));
        out.extend_from_slice(&self.connection_id);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let t = r.u8()?;
        if t != MSG_SERVER_HELLO {
            return Err(DecodeError::UnexpectedMessage {
                expected: "SSLv2 SERVER-HELLO",
                got: t,
            });
        }
        let session_id_hit = r.u8()?;
        let certificate_type = r.u8()?;
        let version = r.u16()?;
        let cert_len = r.u16()? as usize;
        let specs_len = r.u16()? as usize;
        let cid_len = r.u16()? as usize;
        let certificate = r.take(cert_len)?.to_vec();
        let cipher_specs = read_specs(r.take(specs_len)?)?;
        let connection_id = r.take(cid_len)?.to_vec();
        Ok(ServerHelloV2 {
            session_id_hit,
            certificate_type,
            version,
            certificate,
            cipher_specs,
            connection_id,
        })
    }
}

impl ServerHelloV2 {
    /// The record: 2-byte header + message.
    pub fn to_record(&self) -> Vec<u8> {
        Sslv2Record::encode_2(&self.to_bytes())
    }
}

/// A message received from an SSLv2 server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sslv2Message {
    /// SERVER-HELLO.
    ServerHello(ServerHelloV2),
    /// ERROR with its code.
    Error(u16),
    /// Any other message type, raw.
    Other {
        /// The message type.
        msg_type: u8,
        /// The whole record body.
        body: Vec<u8>,
    },
}

impl Sslv2Message {
    /// Parse one record's body. A SERVER-HELLO may carry trailing padding-like garbage from odd
    /// servers; it is tolerated (the declared fields are what count).
    pub fn parse_body(body: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        match r.peek_u8() {
            None => Err(DecodeError::Truncated { need: 1, have: 0 }),
            Some(MSG_SERVER_HELLO) => Ok(Sslv2Message::ServerHello(ServerHelloV2::read(&mut r)?)),
            Some(MSG_ERROR) => {
                r.u8()?;
                Ok(Sslv2Message::Error(r.u16()?))
            }
            Some(t) => Ok(Sslv2Message::Other {
                msg_type: t,
                body: body.to_vec(),
            }),
        }
    }

    /// Incrementally parse one message from the start of `buf` (record header included):
    /// `Ok(None)` if incomplete.
    pub fn parse(buf: &[u8]) -> Result<Option<(Self, usize)>, DecodeError> {
        match Sslv2Record::parse(buf)? {
            None => Ok(None),
            Some((rec, n)) => {
                let body = rec
                    .body
                    .get(..rec.body.len().saturating_sub(rec.padding as usize))
                    .unwrap_or(&[]);
                Ok(Some((Self::parse_body(body)?, n)))
            }
        }
    }
}

/// If `buf` starts with a complete SSLv2 ERROR record, its error code.
pub fn parse_error(buf: &[u8]) -> Option<u16> {
    match Sslv2Message::parse(buf) {
        Ok(Some((Sslv2Message::Error(code), _))) => Some(code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_hello_bytes() {
        let ch = ClientHelloV2::new(
            vec![CK_RC4_128_WITH_MD5, CK_DES_192_EDE3_CBC_WITH_MD5],
            vec![0xab; 16],
        );
        assert!(ch.challenge_len_valid());
        let rec = ch.to_record();
        let mut expect = vec![
            0x80,
            9 + 6 + 16,
            1,
            0,
            2,
            0,
            6,
            0,
            0,
            0,
            16,
            1,
            0,
            0x80,
            7,
            0,
            0xc0,
        ];
        expect.extend_from_slice(&[0xab; 16]);
        assert_eq!(rec, expect);
        assert_eq!(ClientHelloV2::parse_record(&rec).unwrap(), ch);
    }

    #[test]
    fn v2_compatible_hello() {
        let ch = ClientHelloV2 {
            version: 0x0301,
            cipher_specs: vec![
                cipher_spec_for_tls_suite(0x002f),
                cipher_spec_for_tls_suite(0x00ff),
                CK_RC4_128_WITH_MD5,
            ],
            session_id: vec![],
            challenge: vec![1; 32],
        };
        let back = ClientHelloV2::parse_record(&ch.to_record()).unwrap();
        assert_eq!(back.version, 0x0301);
        assert_eq!(tls_suite_of_cipher_spec(back.cipher_specs[0]), Some(0x002f));
        assert_eq!(tls_suite_of_cipher_spec(back.cipher_specs[2]), None);
    }

    #[test]
    fn server_hello_parse() {
        let sh = ServerHelloV2 {
            session_id_hit: 0,
            certificate_type: 1,
            version: 2,
            certificate: vec![0x30, 0x82, 0x01, 0x00],
            cipher_specs: vec![CK_RC4_128_WITH_MD5, CK_RC4_128_EXPORT40_WITH_MD5],
            connection_id: vec![5; 16],
        };
        let rec = sh.to_record();
        assert_eq!(&rec[..3], [0x80, (11 + 4 + 6 + 16) as u8, 4]);
        let (m, n) = Sslv2Message::parse(&rec).unwrap().unwrap();
        assert_eq!(n, rec.len());
        assert_eq!(m, Sslv2Message::ServerHello(sh));
        for cut in 0..rec.len() {
            assert_eq!(Sslv2Message::parse(&rec[..cut]).unwrap(), None);
        }
        assert_eq!(
            cipher_kind_name(CK_RC4_128_EXPORT40_WITH_MD5),
            Some("EXP-RC4-MD5")
        );
    }

    #[test]
    fn error_message() {
        let rec = [0x80, 3, 0, 0, 1];
        assert_eq!(parse_error(&rec), Some(ERROR_NO_CIPHER));
        assert_eq!(error_name(ERROR_NO_CIPHER), Some("NO-CIPHER-ERROR"));
        assert_eq!(parse_error(&[0x80, 3, 4, 0, 1]), None);
        assert_eq!(parse_error(&[22, 3, 1, 0, 2, 2, 40]), None);
    }

    #[test]
    fn three_byte_header() {
        // 3-byte header: length 5, escape bit, padding 2.
        let buf = [0x40, 5, 2, 7, 0, 1, 0xee, 0xee];
        let (rec, n) = Sslv2Record::parse(&buf).unwrap().unwrap();
        assert_eq!(n, 8);
        assert!(rec.three_byte_header && rec.is_escape);
        assert_eq!(rec.padding, 2);
        assert_eq!(
            Sslv2Message::parse(&buf).unwrap().unwrap().0,
            Sslv2Message::Other {
                msg_type: 7,
                body: vec![7, 0, 1]
            }
        );
        assert!(Sslv2Record::parse(&[0, 1, 5, 0]).is_err());
    }

    #[test]
    fn malformed_server_hello() {
        // Declared certificate length beyond the record.
        let body = [4, 0, 1, 0, 2, 0xff, 0xff, 0, 3, 0, 0];
        assert!(matches!(
            Sslv2Message::parse_body(&body),
            Err(DecodeError::Truncated { .. })
        ));
        // Cipher specs not a multiple of 3.
        let body = [4, 0, 1, 0, 2, 0, 0, 0, 2, 0, 0, 1, 2];
        assert!(matches!(
            Sslv2Message::parse_body(&body),
            Err(DecodeError::InvalidValue(_))
        ));
    }
}
