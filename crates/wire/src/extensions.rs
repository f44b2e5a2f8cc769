//! Hello extensions: the [`ExtensionType`] registry, the raw [`Extension`], and typed builders
//! (associated functions on [`Extension`]) and parsers (`parse_*` functions) for the extensions a
//! ClientHello builder sends and a scanner reads back from ServerHello / EncryptedExtensions /
//! HelloRetryRequest.
//!
//! Parsers take the extension's `data` and require it to be consumed exactly.

use std::fmt;

use crate::codec::{
    put_bytes_u16, put_bytes_u8, put_list_u16_of_u16, put_list_u8_of_u16, put_prefixed, put_u16,
    put_u8, Codec, DecodeError, LengthPrefix, Reader,
};

macro_rules! extension_types {
    ($( $(#[$doc:meta])* $variant:ident = $value:expr, $name:expr; )*) => {
        /// An extension type code point (IANA "TLS ExtensionType Values").
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ExtensionType {
            $( $(#[$doc])* $variant, )*
            /// Any other value.
            Unknown(u16),
        }

        impl ExtensionType {
            /// The wire value.
            pub fn to_u16(self) -> u16 {
                match self {
                    $( ExtensionType::$variant => $value, )*
                    ExtensionType::Unknown(v) => v,
                }
            }

            /// The IANA name (`server_name`, `key_share`, …); GREASE values are named `GREASE`,
            /// other unknown values `unknown`.
            pub fn name(self) -> &'static str {
                match self {
                    $( ExtensionType::$variant => $name, )*
                    ExtensionType::Unknown(v) if is_grease(v) => "GREASE",
                    ExtensionType::Unknown(_) => "unknown",
                }
            }
        }

        impl From<u16> for ExtensionType {
            fn from(v: u16) -> Self {
                match v {
                    $( $value => ExtensionType::$variant, )*
                    v => ExtensionType::Unknown(v),
                }
            }
        }
    };
}

extension_types! {
    /// server_name (0, RFC 6066).
    ServerName = 0, "server_name";
    /// max_fragment_length (1, RFC 6066).
    MaxFragmentLength = 1, "max_fragment_length";
    /// client_certificate_url (2).
    ClientCertificateUrl = 2, "client_certificate_url";
    /// trusted_ca_keys (3).
    TrustedCaKeys = 3, "trusted_ca_keys";
    /// truncated_hmac (4).
    TruncatedHmac = 4, "truncated_hmac";
    /// status_request (5, OCSP stapling).
    StatusRequest = 5, "status_request";
    /// user_mapping (6).
    UserMapping = 6, "user_mapping";
    /// client_authz (7).
    ClientAuthz = 7, "client_authz";
    /// server_authz (8).
    ServerAuthz = 8, "server_authz";
    /// cert_type (9).
    CertType = 9, "cert_type";
    /// supported_groups (10, formerly elliptic_curves).
    SupportedGroups = 10, "supported_groups";
    /// ec_point_formats (11).
    EcPointFormats = 11, "ec_point_formats";
    /// srp (12).
    Srp = 12, "srp";
    /// signature_algorithms (13).
    SignatureAlgorithms = 13, "signature_algorithms";
    /// use_srtp (14).
    UseSrtp = 14, "use_srtp";
    /// heartbeat (15, RFC 6520).
    Heartbeat = 15, "heartbeat";
    /// application_layer_protocol_negotiation (16, RFC 7301).
    Alpn = 16, "application_layer_protocol_negotiation";
    /// status_request_v2 (17).
    StatusRequestV2 = 17, "status_request_v2";
    /// signed_certificate_timestamp (18, RFC 6962).
    SignedCertificateTimestamp = 18, "signed_certificate_timestamp";
    /// client_certificate_type (19).
    ClientCertificateType = 19, "client_certificate_type";
    /// server_certificate_type (20).
    ServerCertificateType = 20, "server_certificate_type";
    /// padding (21, RFC 7685).
    Padding = 21, "padding";
    /// encrypt_then_mac (22, RFC 7366).
    EncryptThenMac = 22, "encrypt_then_mac";
    /// extended_master_secret (23, RFC 7627).
    ExtendedMasterSecret = 23, "extended_master_secret";
    /// token_binding (24).
    TokenBinding = 24, "token_binding";
    /// cached_info (25).
    CachedInfo = 25, "cached_info";
    /// compress_certificate (27, RFC 8879).
    CompressCertificate = 27, "compress_certificate";
    /// record_size_limit (28, RFC 8449).
    RecordSizeLimit = 28, "record_size_limit";
    /// delegated_credential (34).
    DelegatedCredential = 34, "delegated_credential";
    /// session_ticket (35, RFC 5077).
    SessionTicket = 35, "session_ticket";
    /// pre_shared_key (41).
    PreSharedKey = 41, "pre_shared_key";
    /// early_data (42).
    EarlyData = 42, "early_data";
    /// supported_versions (43).
    SupportedVersions = 43, "supported_versions";
    /// cookie (44).
    Cookie = 44, "cookie";
    /// psk_key_exchange_modes (45).
    PskKeyExchangeModes = 45, "psk_key_exchange_modes";
    /// certificate_authorities (47).
    CertificateAuthorities = 47, "certificate_authorities";
    /// oid_filters (48).
    OidFilters = 48, "oid_filters";
    /// post_handshake_auth (49).
    PostHandshakeAuth = 49, "post_handshake_auth";
    /// signature_algorithms_cert (50).
    SignatureAlgorithmsCert = 50, "signature_algorithms_cert";
    /// key_share (51).
    KeyShare = 51, "key_share";
    /// transparency_info (52).
    TransparencyInfo = 52, "transparency_info";
    /// application_settings (17513, ALPS as deployed by Chrome).
    ApplicationSettingsOld = 17513, "application_settings_old";
    /// application_settings (17613, new code point).
    ApplicationSettings = 17613, "application_settings";
    /// encrypted_client_hello (0xfe0d).
    EncryptedClientHello = 0xfe0d, "encrypted_client_hello";
    /// next_protocol_negotiation (13172, NPN, never standardised).
    NextProtocolNegotiation = 13172, "next_protocol_negotiation";
    /// renegotiation_info (0xff01, RFC 5746).
    RenegotiationInfo = 0xff01, "renegotiation_info";
}

impl From<ExtensionType> for u16 {
    fn from(t: ExtensionType) -> u16 {
        t.to_u16()
    }
}

impl fmt::Display for ExtensionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtensionType::Unknown(v) => write!(f, "{}(0x{v:04x})", self.name()),
            _ => f.write_str(self.name()),
        }
    }
}

/// Whether `v` is a GREASE value (RFC 8701: 0x0a0a, 0x1a1a, …, 0xfafa), as used for cipher
/// suites, extensions, groups, signature algorithms and versions.
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && (v >> 8) == (v & 0xff)
}

/// Heartbeat mode: the peer may send heartbeat requests (RFC 6520).
pub const HEARTBEAT_PEER_ALLOWED_TO_SEND: u8 = 1;
/// Heartbeat mode: the peer must not send heartbeat requests.
pub const HEARTBEAT_PEER_NOT_ALLOWED_TO_SEND: u8 = 2;

/// ec_point_formats: uncompressed (0).
pub const POINT_FORMAT_UNCOMPRESSED: u8 = 0;
/// ec_point_formats: ansiX962_compressed_prime (1).
pub const POINT_FORMAT_COMPRESSED_PRIME: u8 = 1;
/// ec_point_formats: ansiX962_compressed_char2 (2).
pub const POINT_FORMAT_COMPRESSED_CHAR2: u8 = 2;

/// psk_key_exchange_modes: psk_ke (0).
pub const PSK_KE: u8 = 0;
/// psk_key_exchange_modes: psk_dhe_ke (1).
pub const PSK_DHE_KE: u8 = 1;

/// status_request type ocsp (1).
pub const STATUS_TYPE_OCSP: u8 = 1;

/// server_name name type host_name (0).
pub const NAME_TYPE_HOST_NAME: u8 = 0;

/// A hello extension: type and opaque data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extension {
    /// The extension type code point.
    pub typ: u16,
    /// The extension data (without the type and length).
    pub data: Vec<u8>,
}

impl Codec for Extension {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, self.typ);
        put_bytes_u16(out, &self.data);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let typ = r.u16()?;
        let data = r.bytes_u16()?.to_vec();
        Ok(Extension { typ, data })
    }
}

/// One key_share entry: a group and its key exchange bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyShareEntry {
    /// The named group.
    pub group: u16,
    /// The key exchange value (e.g. a 32-byte X25519 public key).
    pub key_exchange: Vec<u8>,
}

impl KeyShareEntry {
    /// An entry for `group` with the given public value.
    pub fn new(group: u16, key_exchange: impl Into<Vec<u8>>) -> Self {
        KeyShareEntry {
            group,
            key_exchange: key_exchange.into(),
        }
    }
}

impl Codec for KeyShareEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, self.group);
        put_bytes_u16(out, &self.key_exchange);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let group = r.u16()?;
        let key_exchange = r.bytes_u16()?.to_vec();
        Ok(KeyShareEntry {
            group,
            key_exchange,
        })
    }
}

/// One server_name entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerNameEntry {
    /// The name type (0 = host_name).
    pub name_type: u8,
    /// The name bytes.
    pub name: Vec<u8>,
}

impl ServerNameEntry {
    /// The host name as a string, if this is a host_name entry with UTF-8 bytes.
    pub fn host_name(&self) -> Option<&str> {
        if self.name_type == NAME_TYPE_HOST_NAME {
            std::str::from_utf8(&self.name).ok()
        } else {
            None
        }
    }
}

/// A ClientHello status_request (CertificateStatusRequest).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusRequest {
    /// The status type (1 = ocsp).
    pub status_type: u8,
    /// For OCSP: the encoded `ResponderID responder_id_list<0..2^16-1>` contents.
    pub responder_id_list: Vec<u8>,
    /// For OCSP: the encoded `Extensions request_extensions<0..2^16-1>` contents.
    pub request_extensions: Vec<u8>,
}

fn ext(typ: ExtensionType, data: Vec<u8>) -> Extension {
    Extension {
        typ: typ.to_u16(),
        data,
    }
}

fn build(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = Vec::new();
    f(&mut v);
    v
}

impl Extension {
    /// An extension with the given type and data.
    pub fn new(typ: impl Into<u16>, data: impl Into<Vec<u8>>) -> Self {
        Extension {
            typ: typ.into(),
            data: data.into(),
        }
    }

    /// An extension with empty data (extended_master_secret, encrypt_then_mac, early_data,
    /// post_handshake_auth, SCT in a ClientHello, …).
    pub fn empty(typ: impl Into<u16>) -> Self {
        Extension {
            typ: typ.into(),
            data: Vec::new(),
        }
    }

    /// The type as an [`ExtensionType`].
    pub fn ext_type(&self) -> ExtensionType {
        ExtensionType::from(self.typ)
    }

    /// ClientHello server_name with one host_name entry.
    pub fn server_name(host: &str) -> Self {
        ext(
            ExtensionType::ServerName,
            build(|o| {
                put_prefixed(o, LengthPrefix::U16, |o| {
                    put_u8(o, NAME_TYPE_HOST_NAME);
                    put_bytes_u16(o, host.as_bytes());
                })
            }),
        )
    }

    /// supported_groups.
    pub fn supported_groups(groups: &[u16]) -> Self {
        ext(
            ExtensionType::SupportedGroups,
            build(|o| put_list_u16_of_u16(o, groups)),
        )
    }

    /// ec_point_formats.
    pub fn ec_point_formats(formats: &[u8]) -> Self {
        ext(
            ExtensionType::EcPointFormats,
            build(|o| put_bytes_u8(o, formats)),
        )
    }

    /// signature_algorithms.
    pub fn signature_algorithms(schemes: &[u16]) -> Self {
        ext(
            ExtensionType::SignatureAlgorithms,
            build(|o| put_list_u16_of_u16(o, schemes)),
        )
    }

    /// signature_algorithms_cert.
    pub fn signature_algorithms_cert(schemes: &[u16]) -> Self {
        ext(
            ExtensionType::SignatureAlgorithmsCert,
            build(|o| put_list_u16_of_u16(o, schemes)),
        )
    }

    /// ClientHello supported_versions (a list).
    pub fn supported_versions_client(versions: &[u16]) -> Self {
        ext(
            ExtensionType::SupportedVersions,
            build(|o| put_list_u8_of_u16(o, versions)),
        )
    }

    /// ServerHello supported_versions (the selected version).
    pub fn supported_versions_server(version: u16) -> Self {
        ext(
            ExtensionType::SupportedVersions,
            version.to_be_bytes().to_vec(),
        )
    }

    /// ClientHello key_share (a list of entries; may be empty to ask for a HelloRetryRequest).
    pub fn key_share_client(entries: &[KeyShareEntry]) -> Self {
        ext(
            ExtensionType::KeyShare,
            build(|o| crate::codec::put_list(o, LengthPrefix::U16, entries)),
        )
    }

    /// ServerHello key_share (one entry).
    pub fn key_share_server(entry: &KeyShareEntry) -> Self {
        ext(ExtensionType::KeyShare, entry.to_bytes())
    }

    /// HelloRetryRequest key_share (the selected group only).
    pub fn key_share_hrr(group: u16) -> Self {
        ext(ExtensionType::KeyShare, group.to_be_bytes().to_vec())
    }

    /// psk_key_exchange_modes.
    pub fn psk_key_exchange_modes(modes: &[u8]) -> Self {
        ext(
            ExtensionType::PskKeyExchangeModes,
            build(|o| put_bytes_u8(o, modes)),
        )
    }

    /// renegotiation_info: empty `renegotiated_connection` on an initial handshake, the verify
    /// data on a renegotiation.
    pub fn renegotiation_info(renegotiated_connection: &[u8]) -> Self {
        ext(
            ExtensionType::RenegotiationInfo,
            build(|o| put_bytes_u8(o, renegotiated_connection)),
        )
    }

    /// application_layer_protocol_negotiation with the given protocol names (a ClientHello lists
    /// several, a ServerHello exactly one).
    pub fn alpn<P: AsRef<[u8]>>(protocols: &[P]) -> Self {
        ext(
            ExtensionType::Alpn,
            build(|o| {
                put_prefixed(o, LengthPrefix::U16, |o| {
                    protocols.iter().for_each(|p| put_bytes_u8(o, p.as_ref()))
                })
            }),
        )
    }

    /// session_ticket (empty to ask for a ticket, or a ticket to resume).
    pub fn session_ticket(ticket: &[u8]) -> Self {
        ext(ExtensionType::SessionTicket, ticket.to_vec())
    }

    /// ClientHello status_request asking for OCSP stapling, with no responder ids or extensions.
    pub fn status_request_ocsp() -> Self {
        ext(
            ExtensionType::StatusRequest,
            vec![STATUS_TYPE_OCSP, 0, 0, 0, 0],
        )
    }

    /// heartbeat with the given mode ([`HEARTBEAT_PEER_ALLOWED_TO_SEND`] …).
    pub fn heartbeat(mode: u8) -> Self {
        ext(ExtensionType::Heartbeat, vec![mode])
    }

    /// padding with `len` zero bytes.
    pub fn padding(len: usize) -> Self {
        ext(ExtensionType::Padding, vec![0; len])
    }

    /// cookie (echoed from a HelloRetryRequest).
    pub fn cookie(cookie: &[u8]) -> Self {
        ext(ExtensionType::Cookie, build(|o| put_bytes_u16(o, cookie)))
    }

    /// max_fragment_length (1 = 2^9, 2 = 2^10, 3 = 2^11, 4 = 2^12).
    pub fn max_fragment_length(code: u8) -> Self {
        ext(ExtensionType::MaxFragmentLength, vec![code])
    }

    /// record_size_limit.
    pub fn record_size_limit(limit: u16) -> Self {
        ext(ExtensionType::RecordSizeLimit, limit.to_be_bytes().to_vec())
    }
}

fn finish<T>(r: Reader<'_>, what: &'static str, v: T) -> Result<T, DecodeError> {
    r.expect_empty(what)?;
    Ok(v)
}

/// Parse a ClientHello server_name list. (A ServerHello's server_name is empty: check
/// `data.is_empty()`.)
pub fn parse_server_name(data: &[u8]) -> Result<Vec<ServerNameEntry>, DecodeError> {
    let mut r = Reader::new(data);
    let mut list = r.sub_u16()?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let name_type = list.u8()?;
        let name = list.bytes_u16()?.to_vec();
        out.push(ServerNameEntry { name_type, name });
    }
    finish(r, "server_name extension", out)
}

/// Parse an ALPN protocol list (ClientHello: the offered list; ServerHello: one entry).
pub fn parse_alpn(data: &[u8]) -> Result<Vec<Vec<u8>>, DecodeError> {
    let mut r = Reader::new(data);
    let mut list = r.sub_u16()?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let p = list.bytes_u8()?;
        if p.is_empty() {
            return Err(DecodeError::InvalidValue("an empty ALPN protocol name"));
        }
        out.push(p.to_vec());
    }
    finish(r, "ALPN extension", out)
}

/// Parse a ClientHello supported_versions list.
pub fn parse_supported_versions_client(data: &[u8]) -> Result<Vec<u16>, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.list_u8_of_u16()?;
    finish(r, "supported_versions extension", v)
}

/// Parse a ServerHello supported_versions (the selected version).
pub fn parse_supported_versions_server(data: &[u8]) -> Result<u16, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.u16()?;
    finish(r, "supported_versions extension", v)
}

/// Parse a ClientHello key_share list.
pub fn parse_key_share_client(data: &[u8]) -> Result<Vec<KeyShareEntry>, DecodeError> {
    let mut r = Reader::new(data);
    let v = crate::codec::read_list(&mut r, LengthPrefix::U16)?;
    finish(r, "key_share extension", v)
}

/// Parse a ServerHello key_share (one entry).
pub fn parse_key_share_server(data: &[u8]) -> Result<KeyShareEntry, DecodeError> {
    KeyShareEntry::read_exact(data, "key_share extension")
}

/// Parse a HelloRetryRequest key_share (the selected group).
pub fn parse_key_share_hrr(data: &[u8]) -> Result<u16, DecodeError> {
    u16::read_exact(data, "key_share extension")
}

/// Parse renegotiation_info, returning `renegotiated_connection` (empty on an initial handshake).
pub fn parse_renegotiation_info(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.bytes_u8()?.to_vec();
    finish(r, "renegotiation_info extension", v)
}

/// Parse ec_point_formats.
pub fn parse_ec_point_formats(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.list_u8_of_u8()?;
    finish(r, "ec_point_formats extension", v)
}

/// Parse supported_groups.
pub fn parse_supported_groups(data: &[u8]) -> Result<Vec<u16>, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.list_u16_of_u16()?;
    finish(r, "supported_groups extension", v)
}

/// Parse signature_algorithms or signature_algorithms_cert.
pub fn parse_signature_algorithms(data: &[u8]) -> Result<Vec<u16>, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.list_u16_of_u16()?;
    finish(r, "signature_algorithms extension", v)
}

/// Parse psk_key_exchange_modes.
pub fn parse_psk_key_exchange_modes(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.list_u8_of_u8()?;
    finish(r, "psk_key_exchange_modes extension", v)
}

/// Parse heartbeat, returning the mode.
pub fn parse_heartbeat(data: &[u8]) -> Result<u8, DecodeError> {
    u8::read_exact(data, "heartbeat extension")
}

/// Parse max_fragment_length, returning the code.
pub fn parse_max_fragment_length(data: &[u8]) -> Result<u8, DecodeError> {
    u8::read_exact(data, "max_fragment_length extension")
}

/// Parse record_size_limit.
pub fn parse_record_size_limit(data: &[u8]) -> Result<u16, DecodeError> {
    u16::read_exact(data, "record_size_limit extension")
}

/// Parse cookie.
pub fn parse_cookie(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.bytes_u16()?.to_vec();
    finish(r, "cookie extension", v)
}

/// Parse a ClientHello status_request. (In a ServerHello it is empty; in a TLS 1.3 Certificate
/// entry it carries a CertificateStatus — see [`crate::handshake::CertificateStatus`].)
pub fn parse_status_request(data: &[u8]) -> Result<StatusRequest, DecodeError> {
    let mut r = Reader::new(data);
    let status_type = r.u8()?;
    let (responder_id_list, request_extensions) = if status_type == STATUS_TYPE_OCSP {
        (r.bytes_u16()?.to_vec(), r.bytes_u16()?.to_vec())
    } else {
        (r.rest().to_vec(), Vec::new())
    };
    finish(
        r,
        "status_request extension",
        StatusRequest {
            status_type,
            responder_id_list,
            request_extensions,
        },
    )
}

/// Parse a SignedCertificateTimestampList (ServerHello / TLS 1.3 Certificate entry), returning
/// each serialized SCT. (In a ClientHello the extension is empty.)
pub fn parse_sct_list(data: &[u8]) -> Result<Vec<Vec<u8>>, DecodeError> {
    let mut r = Reader::new(data);
    let mut list = r.sub_u16()?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let sct = list.bytes_u16()?;
        if sct.is_empty() {
            return Err(DecodeError::InvalidValue("an empty SCT"));
        }
        out.push(sct.to_vec());
    }
    finish(r, "signed_certificate_timestamp extension", out)
}

/// Read a `u16`-length-prefixed extension block (as found at the end of hellos).
pub fn read_extensions(r: &mut Reader<'_>) -> Result<Vec<Extension>, DecodeError> {
    crate::codec::read_list(r, LengthPrefix::U16)
}

/// Write a `u16`-length-prefixed extension block.
pub fn put_extensions(out: &mut Vec<u8>, exts: &[Extension]) {
    crate::codec::put_list(out, LengthPrefix::U16, exts)
}

/// The first extension of type `typ` in `exts`.
pub fn find(exts: &[Extension], typ: impl Into<u16>) -> Option<&Extension> {
    let t = typ.into();
    exts.iter().find(|e| e.typ == t)
}

/// Extension types that occur more than once in `exts` (a protocol violation worth reporting).
pub fn duplicates(exts: &[Extension]) -> Vec<u16> {
    let mut seen = std::collections::BTreeSet::new();
    let mut dups = Vec::new();
    for e in exts {
        if !seen.insert(e.typ) && !dups.contains(&e.typ) {
            dups.push(e.typ);
        }
    }
    dups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grease() {
        for hi in 0..16u16 {
            let v = (hi << 12) | 0x0a00 | (hi << 4) | 0x0a;
            assert!(is_grease(v), "{v:04x}");
        }
        assert!(!is_grease(0x0a1a));
        assert!(!is_grease(0x001d));
        assert_eq!(ExtensionType::from(0x2a2a).name(), "GREASE");
    }

    #[test]
    fn type_codes_round_trip() {
        for v in [
            0u16, 1, 5, 10, 11, 13, 16, 21, 23, 35, 43, 51, 0xff01, 0xfe0d, 0x1234,
        ] {
            assert_eq!(ExtensionType::from(v).to_u16(), v);
        }
        assert_eq!(
            ExtensionType::from(0xff01),
            ExtensionType::RenegotiationInfo
        );
        assert_eq!(ExtensionType::KeyShare.to_string(), "key_share");
        assert_eq!(ExtensionType::from(0x1234).to_string(), "unknown(0x1234)");
    }

    #[test]
    fn server_name_bytes() {
        let e = Extension::server_name("example.ulfheim.net");
        // From RFC 8448-style / tls13.xargs.org ClientHello.
        let expect =
            crate::codec::unhex("0000 0018 0016 00 0013 6578616d706c652e756c666865696d2e6e6574")
                .unwrap();
        assert_eq!(e.to_bytes(), expect);
        let names = parse_server_name(&e.data).unwrap();
        assert_eq!(names[0].host_name(), Some("example.ulfheim.net"));
    }

    #[test]
    fn typed_round_trips() {
        let e = Extension::alpn(&["h2", "http/1.1"]);
        assert_eq!(e.data, b"\x00\x0c\x02h2\x08http/1.1");
        assert_eq!(
            parse_alpn(&e.data).unwrap(),
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );

        let e = Extension::supported_versions_client(&[0x0304, 0x0303]);
        assert_eq!(e.data, [4, 3, 4, 3, 3]);
        assert_eq!(
            parse_supported_versions_client(&e.data).unwrap(),
            [0x0304, 0x0303]
        );
        assert_eq!(
            parse_supported_versions_server(&Extension::supported_versions_server(0x0304).data)
                .unwrap(),
            0x0304
        );

        let ks = [
            KeyShareEntry::new(0x1d, vec![9; 32]),
            KeyShareEntry::new(0x17, vec![4; 65]),
        ];
        let e = Extension::key_share_client(&ks);
        assert_eq!(parse_key_share_client(&e.data).unwrap(), ks);
        assert_eq!(
            parse_key_share_server(&Extension::key_share_server(&ks[0]).data).unwrap(),
            ks[0]
        );
        assert_eq!(
            parse_key_share_hrr(&Extension::key_share_hrr(0x17).data).unwrap(),
            0x17
        );
        assert_eq!(
            parse_key_share_client(&Extension::key_share_client(&[]).data).unwrap(),
            []
        );

        assert_eq!(
            Extension::renegotiation_info(&[]).to_bytes(),
            [0xff, 1, 0, 1, 0]
        );
        assert_eq!(parse_renegotiation_info(&[3, 1, 2, 3]).unwrap(), [1, 2, 3]);
        assert_eq!(
            parse_ec_point_formats(&Extension::ec_point_formats(&[0, 1, 2]).data).unwrap(),
            [0, 1, 2]
        );
        assert_eq!(
            parse_supported_groups(&Extension::supported_groups(&[0x1d, 0x17]).data).unwrap(),
            [0x1d, 0x17]
        );
        assert_eq!(
            parse_signature_algorithms(&Extension::signature_algorithms(&[0x0804]).data).unwrap(),
            [0x0804]
        );
        assert_eq!(parse_heartbeat(&Extension::heartbeat(1).data).unwrap(), 1);
        assert_eq!(
            parse_cookie(&Extension::cookie(b"abc").data).unwrap(),
            b"abc"
        );
        assert_eq!(
            parse_psk_key_exchange_modes(&Extension::psk_key_exchange_modes(&[1]).data).unwrap(),
            [1]
        );
        assert_eq!(
            parse_record_size_limit(&Extension::record_size_limit(16385).data).unwrap(),
            16385
        );
        assert_eq!(
            parse_max_fragment_length(&Extension::max_fragment_length(2).data).unwrap(),
            2
        );
        let sr = parse_status_request(&Extension::status_request_ocsp().data).unwrap();
        assert_eq!(sr.status_type, STATUS_TYPE_OCSP);
        assert_eq!(
            parse_sct_list(&[0, 5, 0, 3, 1, 2, 3]).unwrap(),
            vec![vec![1, 2, 3]]
        );
    }

    #[test]
    fn parsers_reject_malformed() {
        assert!(matches!(
            parse_supported_versions_server(&[3, 4, 0]),
            Err(DecodeError::TrailingBytes { .. })
        ));
        assert!(matches!(
            parse_alpn(&[0, 1, 0]),
            Err(DecodeError::InvalidValue(_))
        ));
        assert!(matches!(
            parse_alpn(&[0, 5, 2, b'h']),
            Err(DecodeError::Truncated { .. })
        ));
        assert!(matches!(
            parse_supported_groups(&[0, 3, 0, 0x1d, 0]),
            Err(DecodeError::InvalidValue(_))
        ));
        assert!(parse_renegotiation_info(&[]).is_err());
        assert!(parse_sct_list(&[0, 2, 0, 0]).is_err());
    }

    #[test]
    fn duplicate_detection() {
        let exts = [
            Extension::empty(23u16),
            Extension::empty(22u16),
            Extension::empty(23u16),
        ];
        assert_eq!(duplicates(&exts), [23]);
        assert!(find(&exts, ExtensionType::EncryptThenMac).is_some());
    }
}
