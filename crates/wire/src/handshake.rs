//! Handshake messages a scanner reads from servers — [`ServerHello`] (and HelloRetryRequest), [`Certificate`],
//! [`ServerKeyExchange`], [`CertificateRequest`], [`CertificateStatus`], [`NewSessionTicket`],
//! [`EncryptedExtensions`], [`Finished`], ServerHelloDone and HelloRequest — plus
//! [`HandshakeMessage`] to dispatch on the type.
//!
//! The ClientHello lives in [`crate::client_hello`], the framing in [`crate::framing`], the
//! ServerKeyExchange in [`crate::key_exchange`] (all re-exported here).

use crate::client_hello::ClientHello;
use crate::codec::{
    put_bytes_u16, put_bytes_u24, put_bytes_u8, put_prefixed, put_u16, put_u32, put_u8, Codec,
    DecodeError, LengthPrefix, Reader,
};
use crate::extensions::{
    self, find, put_extensions, read_extensions, Extension, ExtensionType, KeyShareEntry,
};
use crate::version::Version;

pub use crate::framing::{frame, HandshakeType, RawHandshake};
pub use crate::key_exchange::*;

/// The ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Last 8 bytes of ServerHello.random from a TLS 1.3 server negotiating TLS 1.2 (RFC 8446 §4.1.3).
pub const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// Last 8 bytes of ServerHello.random from a TLS 1.2+ server negotiating TLS 1.1 or below.
pub const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// A downgrade sentinel found in ServerHello.random.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DowngradeSentinel {
    /// `DOWNGRD\x01`: the server supports TLS 1.3 but negotiated TLS 1.2.
    Tls12,
    /// `DOWNGRD\x00`: the server supports TLS 1.2 (or 1.3) but negotiated TLS 1.1 or below.
    Tls11OrBelow,
}

/// A ServerHello, or (when [`ServerHello::is_hello_retry_request`]) a HelloRetryRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// `legacy_version` (the negotiated version up to TLS 1.2; 0x0303 in TLS 1.3).
    pub legacy_version: u16,
    /// The server random.
    pub random: [u8; 32],
    /// The session id (0–32 bytes).
    pub session_id: Vec<u8>,
    /// The selected cipher suite.
    pub cipher_suite: u16,
    /// The selected compression method (0 = null, 1 = DEFLATE).
    pub compression: u8,
    /// The extensions, in order. Encoded without an extension block when empty (as SSLv3 and
    /// many TLS 1.0 servers send it); an empty block on the wire also reads as empty.
    pub extensions: Vec<Extension>,
}

impl Codec for ServerHello {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, self.legacy_version);
        out.extend_from_slice(&self.random);
        put_bytes_u8(out, &self.session_id);
        put_u16(out, self.cipher_suite);
        put_u8(out, self.compression);
        if !self.extensions.is_empty() {
            put_extensions(out, &self.extensions);
        }
    }

    /// Reads the body (without the handshake header). The extension block is optional.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let legacy_version = r.u16()?;
        let random = r.array()?;
        let session_id = r.bytes_u8()?;
        if session_id.len() > 32 {
            return Err(DecodeError::TooLarge {
                what: "session id",
                len: session_id.len(),
                max: 32,
            });
        }
        let cipher_suite = r.u16()?;
        let compression = r.u8()?;
        let extensions = if r.is_empty() {
            Vec::new()
        } else {
            read_extensions(r)?
        };
        Ok(ServerHello {
            legacy_version,
            random,
            session_id: session_id.to_vec(),
            cipher_suite,
            compression,
            extensions,
        })
    }
}

impl ServerHello {
    /// Parse a ServerHello body, which must be consumed exactly.
    pub fn parse(body: &[u8]) -> Result<Self, DecodeError> {
        Self::read_exact(body, "ServerHello")
    }

    /// Parse a framed handshake message (4-byte header + body) that must be a ServerHello.
    pub fn parse_message(msg: &[u8]) -> Result<Self, DecodeError> {
        let raw = RawHandshake::read_exact(msg, "handshake message")?;
        if raw.typ != HandshakeType::ServerHello {
            return Err(DecodeError::UnexpectedMessage {
                expected: "ServerHello",
                got: raw.typ.to_u8(),
            });
        }
        Self::parse(&raw.body)
    }

    /// The framed handshake message (header + body).
    pub fn to_message(&self) -> Vec<u8> {
        frame(HandshakeType::ServerHello, &self.to_bytes())
    }

    /// Whether this is a HelloRetryRequest (its random is the special value).
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HELLO_RETRY_REQUEST_RANDOM
    }

    /// The downgrade sentinel in the last 8 bytes of the random, if any.
    pub fn downgrade_sentinel(&self) -> Option<DowngradeSentinel> {
        match self.random[24..] {
            ref t if *t == DOWNGRADE_TLS12 => Some(DowngradeSentinel::Tls12),
            ref t if *t == DOWNGRADE_TLS11 => Some(DowngradeSentinel::Tls11OrBelow),
            _ => None,
        }
    }

    /// The first extension of the given type.
    pub fn extension(&self, typ: impl Into<u16>) -> Option<&Extension> {
        find(&self.extensions, typ)
    }

    /// Whether an extension of the given type is present.
    pub fn has_extension(&self, typ: impl Into<u16>) -> bool {
        self.extension(typ).is_some()
    }

    /// The supported_versions extension's version, if present and well-formed.
    pub fn supported_versions(&self) -> Result<Option<u16>, DecodeError> {
        self.extension(ExtensionType::SupportedVersions)
            .map(|e| extensions::parse_supported_versions_server(&e.data))
            .transpose()
    }

    /// The negotiated version: supported_versions if present (and well-formed), else
    /// `legacy_version`.
    pub fn selected_version(&self) -> u16 {
        self.supported_versions()
            .ok()
            .flatten()
            .unwrap_or(self.legacy_version)
    }

    /// [`ServerHello::selected_version`] as a known [`Version`].
    pub fn selected_protocol(&self) -> Option<Version> {
        Version::from_wire(self.selected_version())
    }

    /// The key_share entry of a TLS 1.3 ServerHello (not a HelloRetryRequest).
    pub fn key_share(&self) -> Result<Option<KeyShareEntry>, DecodeError> {
        if self.is_hello_retry_request() {
            return Ok(None);
        }
        self.extension(ExtensionType::KeyShare)
            .map(|e| extensions::parse_key_share_server(&e.data))
            .transpose()
    }

    /// The group the server chose: the key_share entry's group in a ServerHello, or the
    /// requested group in a HelloRetryRequest. `None` if absent or malformed.
    pub fn selected_group(&self) -> Option<u16> {
        let e = self.extension(ExtensionType::KeyShare)?;
        if self.is_hello_retry_request() {
            extensions::parse_key_share_hrr(&e.data).ok()
        } else {
            extensions::parse_key_share_server(&e.data)
                .ok()
                .map(|k| k.group)
        }
    }

    /// The protocol selected by ALPN (the list must hold exactly one name).
    pub fn alpn(&self) -> Result<Option<Vec<u8>>, DecodeError> {
        let Some(e) = self.extension(ExtensionType::Alpn) else {
            return Ok(None);
        };
        let mut list = extensions::parse_alpn(&e.data)?;
        if list.len() != 1 {
            return Err(DecodeError::InvalidValue(
                "a ServerHello ALPN list must hold exactly one protocol",
            ));
        }
        Ok(list.pop())
    }

    /// renegotiation_info's `renegotiated_connection` (empty on an initial handshake), if present.
    pub fn renegotiation_info(&self) -> Result<Option<Vec<u8>>, DecodeError> {
        self.extension(ExtensionType::RenegotiationInfo)
            .map(|e| extensions::parse_renegotiation_info(&e.data))
            .transpose()
    }

    /// ec_point_formats, if present.
    pub fn ec_point_formats(&self) -> Result<Option<Vec<u8>>, DecodeError> {
        self.extension(ExtensionType::EcPointFormats)
            .map(|e| extensions::parse_ec_point_formats(&e.data))
            .transpose()
    }

    /// The heartbeat mode, if the extension is present.
    pub fn heartbeat_mode(&self) -> Result<Option<u8>, DecodeError> {
        self.extension(ExtensionType::Heartbeat)
            .map(|e| extensions::parse_heartbeat(&e.data))
            .transpose()
    }

    /// The HelloRetryRequest cookie, if present.
    pub fn cookie(&self) -> Result<Option<Vec<u8>>, DecodeError> {
        self.extension(ExtensionType::Cookie)
            .map(|e| extensions::parse_cookie(&e.data))
            .transpose()
    }

    /// The SCT list from the ServerHello extension, if present.
    pub fn sct_list(&self) -> Result<Option<Vec<Vec<u8>>>, DecodeError> {
        self.extension(ExtensionType::SignedCertificateTimestamp)
            .map(|e| extensions::parse_sct_list(&e.data))
            .transpose()
    }

    /// The max_fragment_length code, if present.
    pub fn max_fragment_length(&self) -> Result<Option<u8>, DecodeError> {
        self.extension(ExtensionType::MaxFragmentLength)
            .map(|e| extensions::parse_max_fragment_length(&e.data))
            .transpose()
    }

    /// Whether the server acknowledged extended_master_secret.
    pub fn extended_master_secret(&self) -> bool {
        self.has_extension(ExtensionType::ExtendedMasterSecret)
    }

    /// Whether the server acknowledged encrypt_then_mac.
    pub fn encrypt_then_mac(&self) -> bool {
        self.has_extension(ExtensionType::EncryptThenMac)
    }

    /// Whether the server will send a NewSessionTicket (session_ticket acknowledged).
    pub fn session_ticket(&self) -> bool {
        self.has_extension(ExtensionType::SessionTicket)
    }

    /// Whether the server will staple an OCSP response (status_request acknowledged, TLS ≤ 1.2).
    pub fn status_request(&self) -> bool {
        self.has_extension(ExtensionType::StatusRequest)
    }

    /// Whether the server acknowledged server_name.
    pub fn server_name_acknowledged(&self) -> bool {
        self.has_extension(ExtensionType::ServerName)
    }

    /// Extension types sent more than once.
    pub fn duplicate_extensions(&self) -> Vec<u16> {
        extensions::duplicates(&self.extensions)
    }
}

/// One certificate in a [`Certificate`] message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateEntry {
    /// The DER certificate (or raw public key).
    pub cert: Vec<u8>,
    /// TLS 1.3 per-certificate extensions (status_request, SCTs); always empty for TLS ≤ 1.2.
    pub extensions: Vec<Extension>,
}

/// A Certificate message, TLS ≤ 1.2 or TLS 1.3 format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// TLS 1.3: the certificate_request_context (empty from servers). `None` for TLS ≤ 1.2.
    pub request_context: Option<Vec<u8>>,
    /// The certificates, leaf first.
    pub entries: Vec<CertificateEntry>,
}

impl Certificate {
    /// A TLS ≤ 1.2 Certificate with the given DER certificates.
    pub fn tls12(certs: Vec<Vec<u8>>) -> Self {
        Certificate {
            request_context: None,
            entries: certs
                .into_iter()
                .map(|cert| CertificateEntry {
                    cert,
                    extensions: Vec::new(),
                })
                .collect(),
        }
    }

    /// Parse a TLS ≤ 1.2 (and SSLv3) Certificate body: `ASN.1Cert certificate_list<0..2^24-1>`.
    pub fn parse_tls12(body: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let mut list = r.sub_u24()?;
        let mut entries = Vec::new();
        while !list.is_empty() {
            let cert = list.bytes_u24()?;
            if cert.is_empty() {
                return Err(DecodeError::InvalidValue(
                    "an empty certificate in the chain",
                ));
            }
            entries.push(CertificateEntry {
                cert: cert.to_vec(),
                extensions: Vec::new(),
            });
        }
        r.expect_empty("Certificate")?;
        Ok(Certificate {
            request_context: None,
            entries,
        })
    }

    /// Parse a TLS 1.3 Certificate body: request context, then entries with extensions.
    pub fn parse_tls13(body: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let request_context = r.bytes_u8()?.to_vec();
        let mut list = r.sub_u24()?;
        let mut entries = Vec::new();
        while !list.is_empty() {
            let cert = list.bytes_u24()?;
            if cert.is_empty() {
                return Err(DecodeError::InvalidValue(
                    "an empty certificate in the chain",
                ));
            }
            let extensions = read_extensions(&mut list)?;
            entries.push(CertificateEntry {
                cert: cert.to_vec(),
                extensions,
            });
        }
        r.expect_empty("Certificate")?;
        Ok(Certificate {
            request_context: Some(request_context),
            entries,
        })
    }

    /// Parse in the format of the negotiated version (`0x0304` = TLS 1.3 format).
    pub fn parse(body: &[u8], version: u16) -> Result<Self, DecodeError> {
        if version == Version::Tls13.wire() {
            Self::parse_tls13(body)
        } else {
            Self::parse_tls12(body)
        }
    }

    /// The certificates' bytes, leaf first.
    pub fn certs(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().map(|e| e.cert.as_slice())
    }

    /// Encode the body: TLS 1.3 format if `request_context` is set, else TLS ≤ 1.2 format.
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some(ctx) = &self.request_context {
            put_bytes_u8(out, ctx);
        }
        put_prefixed(out, LengthPrefix::U24, |o| {
            for e in &self.entries {
                put_bytes_u24(o, &e.cert);
                if self.request_context.is_some() {
                    put_extensions(o, &e.extensions);
                }
            }
        });
    }
}
/// A TLS ≤ 1.2 CertificateRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    /// ClientCertificateType values (1 = rsa_sign, 2 = dss_sign, 64 = ecdsa_sign, …).
    pub cert_types: Vec<u8>,
    /// TLS 1.2: supported_signature_algorithms. `None` before TLS 1.2.
    pub signature_algorithms: Option<Vec<u16>>,
    /// DER-encoded distinguished names of acceptable CAs.
    pub ca_names: Vec<Vec<u8>>,
}

impl CertificateRequest {
    /// Parse a TLS ≤ 1.2 body; `version` ≥ 0x0303 expects the signature algorithm list.
    pub fn parse(body: &[u8], version: u16) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let cert_types = r.list_u8_of_u8()?;
        let signature_algorithms = if version >= Version::Tls12.wire() {
            Some(r.list_u16_of_u16()?)
        } else {
            None
        };
        let mut names = r.sub_u16()?;
        let mut ca_names = Vec::new();
        while !names.is_empty() {
            ca_names.push(names.bytes_u16()?.to_vec());
        }
        r.expect_empty("CertificateRequest")?;
        Ok(CertificateRequest {
            cert_types,
            signature_algorithms,
            ca_names,
        })
    }

    /// Encode the body.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_bytes_u8(out, &self.cert_types);
        if let Some(s) = &self.signature_algorithms {
            crate::codec::put_list_u16_of_u16(out, s);
        }
        put_prefixed(out, LengthPrefix::U16, |o| {
            self.ca_names.iter().for_each(|n| put_bytes_u16(o, n))
        });
    }
}

/// A TLS 1.3 CertificateRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequestTls13 {
    /// certificate_request_context.
    pub context: Vec<u8>,
    /// Extensions (signature_algorithms is mandatory).
    pub extensions: Vec<Extension>,
}

impl CertificateRequestTls13 {
    /// Parse the body.
    pub fn parse(body: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let context = r.bytes_u8()?.to_vec();
        let extensions = read_extensions(&mut r)?;
        r.expect_empty("CertificateRequest")?;
        Ok(CertificateRequestTls13 {
            context,
            extensions,
        })
    }
}

/// A CertificateStatus (stapled OCSP response).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateStatus {
    /// The status type (1 = ocsp).
    pub status_type: u8,
    /// The DER OCSPResponse.
    pub response: Vec<u8>,
}

impl Codec for CertificateStatus {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u8(out, self.status_type);
        put_bytes_u24(out, &self.response);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let status_type = r.u8()?;
        let response = r.bytes_u24()?.to_vec();
        Ok(CertificateStatus {
            status_type,
            response,
        })
    }
}

/// A TLS ≤ 1.2 NewSessionTicket (RFC 5077).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionTicket {
    /// Lifetime hint in seconds (0 = unspecified).
    pub lifetime_hint: u32,
    /// The opaque ticket.
    pub ticket: Vec<u8>,
}

impl Codec for NewSessionTicket {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u32(out, self.lifetime_hint);
        put_bytes_u16(out, &self.ticket);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let lifetime_hint = r.u32()?;
        let ticket = r.bytes_u16()?.to_vec();
        Ok(NewSessionTicket {
            lifetime_hint,
            ticket,
        })
    }
}

/// A TLS 1.3 NewSessionTicket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionTicketTls13 {
    /// Lifetime in seconds.
    pub lifetime: u32,
    /// ticket_age_add.
    pub age_add: u32,
    /// ticket_nonce.
    pub nonce: Vec<u8>,
    /// The ticket.
    pub ticket: Vec<u8>,
    /// Extensions (early_data).
    pub extensions: Vec<Extension>,
}

impl Codec for NewSessionTicketTls13 {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u32(out, self.lifetime);
        put_u32(out, self.age_add);
        put_bytes_u8(out, &self.nonce);
        put_bytes_u16(out, &self.ticket);
        put_extensions(out, &self.extensions);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let lifetime = r.u32()?;
        let age_add = r.u32()?;
        let nonce = r.bytes_u8()?.to_vec();
        let ticket = r.bytes_u16()?.to_vec();
        let extensions = read_extensions(r)?;
        Ok(NewSessionTicketTls13 {
            lifetime,
            age_add,
            nonce,
            ticket,
            extensions,
        })
    }
}

/// TLS 1.3 EncryptedExtensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedExtensions {
    /// The extensions.
    pub extensions: Vec<Extension>,
}

impl Codec for EncryptedExtensions {
    fn encode(&self, out: &mut Vec<u8>) {
        put_extensions(out, &self.extensions);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(EncryptedExtensions {
            extensions: read_extensions(r)?,
        })
    }
}

impl EncryptedExtensions {
    /// The first extension of the given type.
    pub fn extension(&self, typ: impl Into<u16>) -> Option<&Extension> {
        find(&self.extensions, typ)
    }
}

/// Finished: opaque verify_data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// verify_data (12 bytes up to TLS 1.2, 36 in SSLv3, hash length in TLS 1.3).
    pub verify_data: Vec<u8>,
}

/// A handshake message interpreted according to its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeMessage {
    /// HelloRequest (empty).
    HelloRequest,
    /// ClientHello.
    ClientHello(ClientHello),
    /// ServerHello or HelloRetryRequest.
    ServerHello(ServerHello),
    /// NewSessionTicket, TLS ≤ 1.2 form.
    NewSessionTicket(NewSessionTicket),
    /// NewSessionTicket, TLS 1.3 form.
    NewSessionTicketTls13(NewSessionTicketTls13),
    /// EncryptedExtensions.
    EncryptedExtensions(EncryptedExtensions),
    /// Certificate.
    Certificate(Certificate),
    /// ServerKeyExchange.
    ServerKeyExchange(ServerKeyExchange),
    /// CertificateRequest, TLS ≤ 1.2.
    CertificateRequest(CertificateRequest),
    /// CertificateRequest, TLS 1.3.
    CertificateRequestTls13(CertificateRequestTls13),
    /// ServerHelloDone (empty).
    ServerHelloDone,
    /// CertificateStatus.
    CertificateStatus(CertificateStatus),
    /// Finished.
    Finished(Finished),
    /// Any other message, uninterpreted.
    Unknown(RawHandshake),
}

/// What [`HandshakeMessage::parse`] needs to know to interpret version- and suite-dependent
/// messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseContext {
    /// The negotiated version's wire value (0x0304 selects TLS 1.3 formats).
    pub version: u16,
    /// The key exchange of the negotiated suite, for ServerKeyExchange.
    pub kx: KxHint,
}

impl Default for ParseContext {
    fn default() -> Self {
        ParseContext {
            version: Version::Tls12.wire(),
            kx: KxHint::Unknown,
        }
    }
}

impl HandshakeMessage {
    /// Interpret a framed message. Types without a parser here are returned as
    /// [`HandshakeMessage::Unknown`].
    pub fn parse(raw: &RawHandshake, ctx: &ParseContext) -> Result<Self, DecodeError> {
        let body = raw.body.as_slice();
        let tls13 = ctx.version == Version::Tls13.wire();
        Ok(match raw.typ {
            HandshakeType::HelloRequest => {
                Reader::new(body).expect_empty("HelloRequest")?;
                HandshakeMessage::HelloRequest
            }
            HandshakeType::ClientHello => {
                HandshakeMessage::ClientHello(ClientHello::read_exact(body, "ClientHello")?)
            }
            HandshakeType::ServerHello => HandshakeMessage::ServerHello(ServerHello::parse(body)?),
            HandshakeType::NewSessionTicket if tls13 => HandshakeMessage::NewSessionTicketTls13(
                NewSessionTicketTls13::read_exact(body, "NewSessionTicket")?,
            ),
            HandshakeType::NewSessionTicket => HandshakeMessage::NewSessionTicket(
                NewSessionTicket::read_exact(body, "NewSessionTicket")?,
            ),
            HandshakeType::EncryptedExtensions => HandshakeMessage::EncryptedExtensions(
                EncryptedExtensions::read_exact(body, "EncryptedExtensions")?,
            ),
            HandshakeType::Certificate => {
                HandshakeMessage::Certificate(Certificate::parse(body, ctx.version)?)
            }
            HandshakeType::ServerKeyExchange => HandshakeMessage::ServerKeyExchange(
                ServerKeyExchange::parse(body, ctx.kx, ctx.version)?,
            ),
            HandshakeType::CertificateRequest if tls13 => {
                HandshakeMessage::CertificateRequestTls13(CertificateRequestTls13::parse(body)?)
            }
            HandshakeType::CertificateRequest => {
                HandshakeMessage::CertificateRequest(CertificateRequest::parse(body, ctx.version)?)
            }
            HandshakeType::ServerHelloDone => {
                Reader::new(body).expect_empty("ServerHelloDone")?;
                HandshakeMessage::ServerHelloDone
            }
            HandshakeType::CertificateStatus => HandshakeMessage::CertificateStatus(
                CertificateStatus::read_exact(body, "CertificateStatus")?,
            ),
            HandshakeType::Finished => HandshakeMessage::Finished(Finished {
                verify_data: body.to_vec(),
            }),
            _ => HandshakeMessage::Unknown(raw.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::unhex;

    /// RFC 8448 §3 "Simple 1-RTT Handshake": the server's ServerHello handshake message.
    const RFC8448_SERVER_HELLO: &str = "02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3
         4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d
         00 20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0
         4e 75 1f 0f 00 2b 00 02 03 04";

    #[test]
    fn parses_rfc8448_server_hello() {
        let msg = unhex(RFC8448_SERVER_HELLO).unwrap();
        let sh = ServerHello::parse_message(&msg).unwrap();
        assert_eq!(sh.legacy_version, 0x0303);
        assert_eq!(sh.cipher_suite, 0x1301);
        assert_eq!(sh.compression, 0);
        assert!(sh.session_id.is_empty());
        assert!(!sh.is_hello_retry_request());
        assert_eq!(sh.selected_version(), 0x0304);
        assert_eq!(sh.selected_protocol(), Some(Version::Tls13));
        assert_eq!(sh.selected_group(), Some(0x001d));
        assert_eq!(sh.key_share().unwrap().unwrap().key_exchange.len(), 32);
        assert_eq!(sh.downgrade_sentinel(), None);
        assert!(sh.has_extension(ExtensionType::SupportedVersions));
        assert!(!sh.has_extension(0xff01u16));
        assert_eq!(sh.renegotiation_info().unwrap(), None);
        assert_eq!(sh.to_message(), msg);
    }

    #[test]
    fn hello_retry_request() {
        let hrr = ServerHello {
            legacy_version: 0x0303,
            random: HELLO_RETRY_REQUEST_RANDOM,
            session_id: vec![7; 32],
            cipher_suite: 0x1302,
            compression: 0,
            extensions: vec![
                Extension::supported_versions_server(0x0304),
                Extension::key_share_hrr(0x0017),
                Extension::cookie(b"cookie!"),
            ],
        };
        let back = ServerHello::parse(&hrr.to_bytes()).unwrap();
        assert!(back.is_hello_retry_request());
        assert_eq!(back.selected_group(), Some(0x0017));
        assert_eq!(back.key_share().unwrap(), None);
        assert_eq!(back.cookie().unwrap().unwrap(), b"cookie!");
    }

    #[test]
    fn tls12_server_hello_without_extensions_and_sentinels() {
        // Hand-made SSLv3-style ServerHello: no extension block at all.
        let mut random = [0x11u8; 32];
        random[24..].copy_from_slice(b"DOWNGRD\x00");
        let mut body = vec![3, 0];
        body.extend_from_slice(&random);
        body.extend_from_slice(&[0, 0x00, 0x04, 0]);
        let sh = ServerHello::parse(&body).unwrap();
        assert_eq!(sh.selected_version(), 0x0300);
        assert_eq!(sh.cipher_suite, 0x0004);
        assert!(sh.extensions.is_empty());
        assert_eq!(
            sh.downgrade_sentinel(),
            Some(DowngradeSentinel::Tls11OrBelow)
        );
        assert_eq!(sh.to_bytes(), body);
        // An empty extension block reads the same.
        body.extend_from_slice(&[0, 0]);
        assert_eq!(ServerHello::parse(&body).unwrap(), sh);
        // Truncated block and trailing bytes are errors.
        body.push(0);
        assert!(ServerHello::parse(&body).is_err());
        random[31] = 1;
        let sh = ServerHello { random, ..sh };
        assert_eq!(sh.downgrade_sentinel(), Some(DowngradeSentinel::Tls12));
    }

    #[test]
    fn server_hello_tls12_extensions() {
        let sh = ServerHello {
            legacy_version: 0x0303,
            random: [1; 32],
            session_id: vec![2; 32],
            cipher_suite: 0xc02f,
            compression: 0,
            extensions: vec![
                Extension::renegotiation_info(&[]),
                Extension::ec_point_formats(&[0, 1, 2]),
                Extension::alpn(&["h2"]),
                Extension::empty(ExtensionType::ExtendedMasterSecret),
                Extension::heartbeat(1),
                Extension::empty(ExtensionType::SessionTicket),
            ],
        };
        let sh = ServerHello::parse(&sh.to_bytes()).unwrap();
        assert_eq!(sh.renegotiation_info().unwrap(), Some(vec![]));
        assert_eq!(sh.ec_point_formats().unwrap(), Some(vec![0, 1, 2]));
        assert_eq!(sh.alpn().unwrap(), Some(b"h2".to_vec()));
        assert!(sh.extended_master_secret());
        assert!(!sh.encrypt_then_mac());
        assert!(sh.session_ticket());
        assert_eq!(sh.heartbeat_mode().unwrap(), Some(1));
        assert_eq!(sh.selected_group(), None);
        assert_eq!(sh.selected_version(), 0x0303);
        assert!(sh.duplicate_extensions().is_empty());
    }

    #[test]
    fn rejects_long_session_id() {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0; 32]);
        body.push(33);
        body.extend_from_slice(&[0; 33 + 3]);
        assert!(matches!(
            ServerHello::parse(&body),
            Err(DecodeError::TooLarge {
                what: "session id",
                ..
            })
        ));
    }

    #[test]
    fn certificate_formats() {
        let c = Certificate::tls12(vec![vec![0x30, 1, 2], vec![0x30, 3]]);
        let b = c.to_bytes_helper();
        assert_eq!(b, [0, 0, 11, 0, 0, 3, 0x30, 1, 2, 0, 0, 2, 0x30, 3]);
        assert_eq!(Certificate::parse(&b, 0x0303).unwrap(), c);
        assert_eq!(
            Certificate::parse(&[0, 0, 0], 0x0300)
                .unwrap()
                .entries
                .len(),
            0
        );
        let c13 = Certificate {
            request_context: Some(vec![]),
            entries: vec![CertificateEntry {
                cert: vec![0x30, 9],
                extensions: vec![Extension::empty(18u16)],
            }],
        };
        let b = c13.to_bytes_helper();
        assert_eq!(Certificate::parse(&b, 0x0304).unwrap(), c13);
        assert_eq!(c13.certs().collect::<Vec<_>>(), [&[0x30, 9][..]]);
        assert!(Certificate::parse_tls12(&[0, 0, 4, 0, 0, 2, 0x30]).is_err()); // inner overflows outer
        assert!(Certificate::parse_tls12(&[0, 0, 3, 0, 0, 0]).is_err()); // empty cert
    }

    impl Certificate {
        fn to_bytes_helper(&self) -> Vec<u8> {
            let mut v = Vec::new();
            self.encode(&mut v);
            v
        }
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0]), 0);
        assert_eq!(bit_length(&[1]), 1);
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x00, 0x7f, 0xff]), 15);
        let mut p = vec![0u8];
        p.extend_from_slice(&[0xff; 128]);
        assert_eq!(bit_length(&p), 1024);
    }

    #[test]
    fn ske_ecdhe_tls12() {
        // named_curve x25519, 32-byte point, rsa_pss_rsae_sha256 signature of 4 bytes.
        let mut body = vec![3, 0, 0x1d, 32];
        body.extend_from_slice(&[0x42; 32]);
        body.extend_from_slice(&[0x08, 0x04, 0, 4, 1, 2, 3, 4]);
        let ske = ServerKeyExchange::parse(&body, KxHint::Ecdhe, 0x0303).unwrap();
        assert_eq!(ske.named_group(), Some(0x1d));
        let sig = ske.signature().unwrap();
        assert_eq!(sig.scheme, Some(0x0804));
        assert_eq!(sig.signature, [1, 2, 3, 4]);
        assert_eq!(
            ServerKeyExchange::parse(&body, KxHint::Unknown, 0x0303).unwrap(),
            ske
        );
        let mut enc = Vec::new();
        ske.encode(&mut enc);
        assert_eq!(enc, body);
        // TLS 1.0 format: no scheme.
        let mut body10 = body[..36].to_vec();
        body10.extend_from_slice(&[0, 2, 9, 9]);
        let ske = ServerKeyExchange::parse(&body10, KxHint::Ecdhe, 0x0301).unwrap();
        assert_eq!(ske.signature().unwrap().scheme, None);
        // Anonymous: no signature.
        let ske = ServerKeyExchange::parse(&body[..36], KxHint::Ecdhe, 0x0303).unwrap();
        assert_eq!(ske.signature(), None);
        // Trailing garbage.
        let mut bad = body.clone();
        bad.push(0);
        assert!(ServerKeyExchange::parse(&bad, KxHint::Ecdhe, 0x0303).is_err());
    }

    #[test]
    fn ske_dhe_reports_prime_bits() {
        let mut p = vec![0u8, 0xff];
        p.extend_from_slice(&[0xab; 127]); // 1024-bit prime with a leading zero byte
        let params = DheParams {
            p,
            g: vec![2],
            ys: vec![0x55; 128],
        };
        let ske = ServerKeyExchange::Dhe {
            params: params.clone(),
            signature: Some(SkeSignature {
                scheme: Some(0x0401),
                signature: vec![7; 256],
            }),
        };
        let mut body = Vec::new();
        ske.encode(&mut body);
        let back = ServerKeyExchange::parse(&body, KxHint::Dhe, 0x0303).unwrap();
        assert_eq!(back, ske);
        assert_eq!(back.dh_params().unwrap().prime_bits(), 1024);
        assert_eq!(back.dh_params().unwrap().prime().len(), 128);
        // The heuristic finds DHE too (not a valid ECDHE encoding: first byte 0 is no curve type).
        assert_eq!(
            ServerKeyExchange::parse(&body, KxHint::Unknown, 0x0303).unwrap(),
            ske
        );
    }

    #[test]
    fn ske_rsa_export_and_psk() {
        let ske = ServerKeyExchange::RsaExport {
            params: RsaParams {
                modulus: vec![0xc0; 64],
                exponent: vec![1, 0, 1],
            },
            signature: Some(SkeSignature {
                scheme: None,
                signature: vec![1; 64],
            }),
        };
        let mut body = Vec::new();
        ske.encode(&mut body);
        let back = ServerKeyExchange::parse(&body, KxHint::RsaExport, 0x0301).unwrap();
        assert_eq!(back, ske);
        if let ServerKeyExchange::RsaExport { params, .. } = back {
            assert_eq!(params.modulus_bits(), 512);
        }
        let psk = ServerKeyExchange::parse(&[0, 2, b'h', b'i'], KxHint::Psk, 0x0303).unwrap();
        assert_eq!(
            psk,
            ServerKeyExchange::Psk {
                identity_hint: b"hi".to_vec()
            }
        );
    }

    #[test]
    fn ske_explicit_prime_curve() {
        // curve_type 1 with six tiny vectors, then a point.
        let body = [1, 1, 0xa, 1, 0xb, 1, 0xc, 2, 4, 1, 1, 0xd, 1, 1, 3, 4, 9, 9];
        let ske = ServerKeyExchange::parse(&body, KxHint::Ecdhe, 0x0302).unwrap();
        match &ske {
            ServerKeyExchange::Ecdhe {
                params,
                signature: None,
            } => {
                assert_eq!(params.curve_type, 1);
                assert_eq!(params.named_group, None);
                assert_eq!(params.explicit_curve, body[1..14]);
                assert_eq!(params.public, [4, 9, 9]);
            }
            other => panic!("unexpected {other:?}"),
        }
        let mut enc = Vec::new();
        ske.encode(&mut enc);
        assert_eq!(enc, body);
    }

    #[test]
    fn certificate_request_and_friends() {
        let cr = CertificateRequest {
            cert_types: vec![1, 64],
            signature_algorithms: Some(vec![0x0401, 0x0403]),
            ca_names: vec![vec![0x30, 0], vec![0x30, 1, 5]],
        };
        let mut b = Vec::new();
        cr.encode(&mut b);
        assert_eq!(CertificateRequest::parse(&b, 0x0303).unwrap(), cr);
        let cr11 = CertificateRequest {
            signature_algorithms: None,
            ..cr.clone()
        };
        let mut b = Vec::new();
        cr11.encode(&mut b);
        assert_eq!(CertificateRequest::parse(&b, 0x0302).unwrap(), cr11);

        let cs = CertificateStatus {
            status_type: 1,
            response: vec![0x30, 0x03, 1, 2, 3],
        };
        assert_eq!(
            CertificateStatus::read_exact(&cs.to_bytes(), "cs").unwrap(),
            cs
        );
        let t = NewSessionTicket {
            lifetime_hint: 7200,
            ticket: vec![9; 100],
        };
        assert_eq!(
            NewSessionTicket::read_exact(&t.to_bytes(), "nst").unwrap(),
            t
        );
        let t13 = NewSessionTicketTls13 {
            lifetime: 1,
            age_add: 2,
            nonce: vec![0],
            ticket: vec![1, 2],
            extensions: vec![Extension::new(42u16, vec![0, 0, 0x40, 0])],
        };
        assert_eq!(
            NewSessionTicketTls13::read_exact(&t13.to_bytes(), "nst").unwrap(),
            t13
        );
    }

    #[test]
    fn dispatch() {
        let ctx = ParseContext::default();
        let m = |t: HandshakeType, b: &[u8]| {
            HandshakeMessage::parse(&RawHandshake::new(t, b.to_vec()), &ctx)
        };
        assert_eq!(
            m(HandshakeType::ServerHelloDone, &[]).unwrap(),
            HandshakeMessage::ServerHelloDone
        );
        assert!(m(HandshakeType::ServerHelloDone, &[0]).is_err());
        assert_eq!(
            m(HandshakeType::HelloRequest, &[]).unwrap(),
            HandshakeMessage::HelloRequest
        );
        assert_eq!(
            m(HandshakeType::Finished, &[1; 12]).unwrap(),
            HandshakeMessage::Finished(Finished {
                verify_data: vec![1; 12]
            })
        );
        assert!(matches!(
            m(HandshakeType::Unknown(99), &[1]).unwrap(),
            HandshakeMessage::Unknown(_)
        ));
        assert!(matches!(
            m(HandshakeType::EncryptedExtensions, &[0, 0]).unwrap(),
            HandshakeMessage::EncryptedExtensions(_)
        ));
        assert_eq!(HandshakeType::from(2).name(), "server_hello");
        assert!(matches!(
            ServerHello::parse_message(&[14, 0, 0, 0]),
            Err(DecodeError::UnexpectedMessage { got: 14, .. })
        ));
    }
}
