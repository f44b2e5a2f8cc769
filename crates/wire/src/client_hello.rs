//! The ClientHello: a [`ClientHelloBuilder`] with full control over every field (any record
//! and hello version, any suites including SCSVs, any extensions in any order, padding), and
//! [`ClientHello`] parsing with the accessors a passive observer needs (SNI, ALPN, offered
//! versions, suites, groups, point formats) and a JA3 string.
//!
//! No randomness is generated here: pass the client random (and session id, key shares) in.

use std::fmt::Write as _;

use crate::codec::{put_bytes_u8, put_list_u16_of_u16, put_u16, Codec, DecodeError, Reader};
use crate::extensions::{
    self, find, is_grease, put_extensions, read_extensions, Extension, ExtensionType, KeyShareEntry,
};
use crate::framing::{frame, HandshakeType, RawHandshake};
use crate::record::{ContentType, Record};
use crate::version::Version;

/// A parsed (or to-be-encoded) ClientHello body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// `legacy_version` (client_version up to TLS 1.2; 0x0303 for TLS 1.3 clients).
    pub legacy_version: u16,
    /// The client random.
    pub random: [u8; 32],
    /// The session id (0–32 bytes).
    pub session_id: Vec<u8>,
    /// Offered cipher suites, in order (may include SCSVs and GREASE).
    pub cipher_suites: Vec<u16>,
    /// Offered compression methods.
    pub compression_methods: Vec<u8>,
    /// Extensions, in order. No extension block is encoded when empty.
    pub extensions: Vec<Extension>,
}

impl Codec for ClientHello {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, self.legacy_version);
        out.extend_from_slice(&self.random);
        put_bytes_u8(out, &self.session_id);
        put_list_u16_of_u16(out, &self.cipher_suites);
        put_bytes_u8(out, &self.compression_methods);
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
        let cipher_suites = r.list_u16_of_u16()?;
        let compression_methods = r.list_u8_of_u8()?;
        let extensions = if r.is_empty() {
            Vec::new()
        } else {
            read_extensions(r)?
        };
        Ok(ClientHello {
            legacy_version,
            random,
            session_id: session_id.to_vec(),
            cipher_suites,
            compression_methods,
            extensions,
        })
    }
}

impl ClientHello {
    /// Parse a ClientHello body, which must be consumed exactly.
    pub fn parse(body: &[u8]) -> Result<Self, DecodeError> {
        Self::read_exact(body, "ClientHello")
    }

    /// Parse a framed handshake message (4-byte header + body) that must be a ClientHello.
    pub fn parse_message(msg: &[u8]) -> Result<Self, DecodeError> {
        let raw = RawHandshake::read_exact(msg, "handshake message")?;
        if raw.typ != HandshakeType::ClientHello {
            return Err(DecodeError::UnexpectedMessage {
                expected: "ClientHello",
                got: raw.typ.to_u8(),
            });
        }
        Self::parse(&raw.body)
    }

    /// The framed handshake message.
    pub fn to_message(&self) -> Vec<u8> {
        frame(HandshakeType::ClientHello, &self.to_bytes())
    }

    /// The first extension of the given type.
    pub fn extension(&self, typ: impl Into<u16>) -> Option<&Extension> {
        find(&self.extensions, typ)
    }

    /// Whether an extension of the given type is present.
    pub fn has_extension(&self, typ: impl Into<u16>) -> bool {
        self.extension(typ).is_some()
    }

    fn typed<T>(
        &self,
        typ: ExtensionType,
        parse: impl FnOnce(&[u8]) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        self.extension(typ).map(|e| parse(&e.data)).transpose()
    }

    /// The first host_name in server_name, if present.
    pub fn server_name(&self) -> Result<Option<String>, DecodeError> {
        let Some(list) = self.typed(ExtensionType::ServerName, extensions::parse_server_name)?
        else {
            return Ok(None);
        };
        Ok(list.iter().find_map(|e| e.host_name()).map(str::to_owned))
    }

    /// The offered ALPN protocols, if present.
    pub fn alpn(&self) -> Result<Option<Vec<Vec<u8>>>, DecodeError> {
        self.typed(ExtensionType::Alpn, extensions::parse_alpn)
    }

    /// The supported_versions list, if present.
    pub fn supported_versions(&self) -> Result<Option<Vec<u16>>, DecodeError> {
        self.typed(
            ExtensionType::SupportedVersions,
            extensions::parse_supported_versions_client,
        )
    }

    /// The encrypted_client_hello extension (RFC 9849 §5), if present: an ECH offer (or GREASE).
    pub fn ech(&self) -> Result<Option<crate::ech::EchClientHello>, DecodeError> {
        self.typed(
            ExtensionType::EncryptedClientHello,
            crate::ech::EchClientHello::parse,
        )
    }

    /// The versions offered: supported_versions if present and well-formed (GREASE included),
    /// else `[legacy_version]`.
    pub fn offered_versions(&self) -> Vec<u16> {
        match self.supported_versions() {
            Ok(Some(v)) => v,
            _ => vec![self.legacy_version],
        }
    }

    /// The highest known version offered (GREASE and unknown values ignored).
    pub fn max_version(&self) -> Option<Version> {
        self.offered_versions()
            .into_iter()
            .filter_map(Version::from_wire)
            .max()
    }

    /// supported_groups, if present.
    pub fn supported_groups(&self) -> Result<Option<Vec<u16>>, DecodeError> {
        self.typed(
            ExtensionType::SupportedGroups,
            extensions::parse_supported_groups,
        )
    }

    /// ec_point_formats, if present.
    pub fn ec_point_formats(&self) -> Result<Option<Vec<u8>>, DecodeError> {
        self.typed(
            ExtensionType::EcPointFormats,
            extensions::parse_ec_point_formats,
        )
    }

    /// signature_algorithms, if present.
    pub fn signature_algorithms(&self) -> Result<Option<Vec<u16>>, DecodeError> {
        self.typed(
            ExtensionType::SignatureAlgorithms,
            extensions::parse_signature_algorithms,
        )
    }

    /// key_share entries, if present.
    pub fn key_shares(&self) -> Result<Option<Vec<KeyShareEntry>>, DecodeError> {
        self.typed(ExtensionType::KeyShare, extensions::parse_key_share_client)
    }

    /// renegotiation_info's `renegotiated_connection`, if present.
    pub fn renegotiation_info(&self) -> Result<Option<Vec<u8>>, DecodeError> {
        self.typed(
            ExtensionType::RenegotiationInfo,
            extensions::parse_renegotiation_info,
        )
    }

    /// The JA3 fingerprint string:
    /// `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`, decimal values
    /// joined by `-`, GREASE values removed. (Hash it with MD5 for the usual JA3 digest.)
    /// A malformed supported_groups / ec_point_formats counts as empty.
    pub fn ja3_string(&self) -> String {
        fn join<T: Copy + Into<u32>>(out: &mut String, items: impl IntoIterator<Item = T>) {
            for (i, v) in items.into_iter().enumerate() {
                if i > 0 {
                    out.push('-');
                }
                let _ = write!(out, "{}", v.into());
            }
        }
        let mut s = String::new();
        let _ = write!(s, "{},", self.legacy_version);
        join(
            &mut s,
            self.cipher_suites
                .iter()
                .copied()
                .filter(|&c| !is_grease(c)),
        );
        s.push(',');
        join(
            &mut s,
            self.extensions
                .iter()
                .map(|e| e.typ)
                .filter(|&t| !is_grease(t)),
        );
        s.push(',');
        let groups = self.supported_groups().ok().flatten().unwrap_or_default();
        join(&mut s, groups.into_iter().filter(|&g| !is_grease(g)));
        s.push(',');
        join(
            &mut s,
            self.ec_point_formats().ok().flatten().unwrap_or_default(),
        );
        s
    }
}

/// Padding policy for [`ClientHelloBuilder::padding`] (RFC 7685). Lengths are of the whole
/// handshake message including its 4-byte header (= the record payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// The F5 BIG-IP workaround: a hello of 256–511 bytes is padded to 512; others are untouched.
    F5Workaround,
    /// Pad to at least this many bytes (a hello already as long or longer is untouched). When
    /// fewer than 4 bytes are missing, an empty padding extension overshoots by up to 3.
    ToLength(usize),
}

/// The fixed client random used when none is given: recognisable, not secret. Callers that want
/// a real random pass one with [`ClientHelloBuilder::with_random`].
pub const DEFAULT_RANDOM: [u8; 32] = *b"tlskit-wire fixed client random!";

/// Groups offered by the presets: x25519, secp256r1, secp384r1, secp521r1, x448, ffdhe2048, ffdhe3072.
pub const DEFAULT_GROUPS: [u16; 7] = [0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101];

/// Signature schemes offered by the TLS 1.3 preset.
pub const DEFAULT_SIGNATURE_ALGORITHMS_TLS13: [u16; 12] = [
    0x0403, 0x0503, 0x0603, // ecdsa_secp{256,384,521}r1_sha{256,384,512}
    0x0807, 0x0808, // ed25519, ed448
    0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha{256,384,512}
    0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha{256,384,512}
    0x0401, // rsa_pkcs1_sha256 (certificates)
];

/// Signature schemes offered by the TLS 1.2 preset (adds PKCS#1, SHA-1, SHA-224 and DSA).
pub const DEFAULT_SIGNATURE_ALGORITHMS_TLS12: [u16; 21] = [
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401,
    0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202, 0x0402,
];

/// Builds ClientHellos with free choice of every field. Setting an extension that is already
/// present replaces it in place; otherwise it is appended. See [`ClientHelloBuilder::extension_order`]
/// to reorder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHelloBuilder {
    record_version: u16,
    legacy_version: u16,
    random: [u8; 32],
    session_id: Vec<u8>,
    cipher_suites: Vec<u16>,
    compression_methods: Vec<u8>,
    extensions: Vec<Extension>,
    padding: Option<Padding>,
    empty_extension_block: bool,
}

impl Default for ClientHelloBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientHelloBuilder {
    /// A bare hello: record version 0x0301, legacy_version 0x0303, [`DEFAULT_RANDOM`], no
    /// session id, no suites, compression `[0]`, no extensions.
    pub fn new() -> Self {
        ClientHelloBuilder {
            record_version: Version::Tls10.wire(),
            legacy_version: Version::Tls12.wire(),
            random: DEFAULT_RANDOM,
            session_id: Vec::new(),
            cipher_suites: Vec::new(),
            compression_methods: vec![0],
            extensions: Vec::new(),
            padding: None,
            empty_extension_block: false,
        }
    }

    /// A sane, modern-looking hello for `version` offering `suites`, with SNI for `host` (skipped
    /// when `None` or an IP address):
    ///
    /// * TLS 1.3: record 0x0301, legacy 0x0303; server_name, supported_groups
    ///   ([`DEFAULT_GROUPS`]), signature_algorithms, supported_versions `[0x0304]`,
    ///   psk_key_exchange_modes `[psk_dhe_ke]`, and an **empty** key_share list — add yours with
    ///   [`ClientHelloBuilder::key_shares`] (an empty list makes the server answer with a
    ///   HelloRetryRequest naming its group); plus ec_point_formats and renegotiation_info for
    ///   middlebox friendliness.
    /// * TLS 1.2: record 0x0301; server_name, renegotiation_info, supported_groups,
    ///   ec_point_formats, session_ticket, extended_master_secret, signature_algorithms.
    /// * TLS 1.0 / 1.1: as TLS 1.2 without signature_algorithms.
    /// * SSLv3 (and `Ssl2`, which cannot be expressed in this format — use
    ///   [`crate::sslv2::ClientHelloV2`]): record and legacy 0x0300, no extensions at all.
    pub fn for_version(version: Version, suites: &[u16], host: Option<&str>) -> Self {
        let sni = host.filter(|h| !h.is_empty() && h.parse::<std::net::IpAddr>().is_err());
        let mut b = Self::new().cipher_suites(suites.to_vec());
        match version {
            Version::Ssl2 | Version::Ssl3 => {
                b = b.record_version(0x0300).legacy_version(0x0300);
            }
            Version::Tls10 | Version::Tls11 | Version::Tls12 => {
                b = b.record_version(0x0301).legacy_version(version.wire());
                if let Some(h) = sni {
                    b = b.server_name(h);
                }
                b = b
                    .renegotiation_info(&[])
                    .supported_groups(&DEFAULT_GROUPS)
                    .ec_point_formats(&[extensions::POINT_FORMAT_UNCOMPRESSED])
                    .session_ticket(&[])
                    .extended_master_secret();
                if version == Version::Tls12 {
                    b = b.signature_algorithms(&DEFAULT_SIGNATURE_ALGORITHMS_TLS12);
                }
            }
            Version::Tls13 => {
                b = b.record_version(0x0301).legacy_version(0x0303);
                if let Some(h) = sni {
                    b = b.server_name(h);
                }
                b = b
                    .renegotiation_info(&[])
                    .supported_groups(&DEFAULT_GROUPS)
                    .ec_point_formats(&[extensions::POINT_FORMAT_UNCOMPRESSED])
                    .signature_algorithms(&DEFAULT_SIGNATURE_ALGORITHMS_TLS13)
                    .supported_versions(&[0x0304])
                    .psk_key_exchange_modes(&[extensions::PSK_DHE_KE])
                    .key_shares(&[]);
            }
        }
        b
    }

    /// The version in the record header (0x0301 by default; some servers reject other values).
    pub fn record_version(mut self, v: u16) -> Self {
        self.record_version = v;
        self
    }

    /// The hello's legacy_version / client_version.
    pub fn legacy_version(mut self, v: u16) -> Self {
        self.legacy_version = v;
        self
    }

    /// The client random (the caller supplies randomness).
    pub fn with_random(mut self, random: [u8; 32]) -> Self {
        self.random = random;
        self
    }

    /// The session id (0–32 bytes; longer ids are sent as given, for testing servers).
    pub fn session_id(mut self, id: impl Into<Vec<u8>>) -> Self {
        self.session_id = id.into();
        self
    }

    /// The cipher suites, in order (SCSVs such as 0x00ff and 0x5600 included as given).
    pub fn cipher_suites(mut self, suites: impl Into<Vec<u16>>) -> Self {
        self.cipher_suites = suites.into();
        self
    }

    /// The compression methods (default `[0]`; `[1, 0]` offers DEFLATE for CRIME checks).
    pub fn compression_methods(mut self, methods: impl Into<Vec<u8>>) -> Self {
        self.compression_methods = methods.into();
        self
    }

    /// Set an extension: replaces the first of the same type in place, else appends.
    pub fn extension(mut self, ext: Extension) -> Self {
        match self.extensions.iter_mut().find(|e| e.typ == ext.typ) {
            Some(slot) => *slot = ext,
            None => self.extensions.push(ext),
        }
        self
    }

    /// Set a raw extension by type and data (see [`ClientHelloBuilder::extension`]).
    pub fn raw_extension(self, typ: u16, data: impl Into<Vec<u8>>) -> Self {
        self.extension(Extension::new(typ, data))
    }

    /// Append an extension even if one of the same type exists (to test duplicate handling).
    pub fn push_extension(mut self, ext: Extension) -> Self {
        self.extensions.push(ext);
        self
    }

    /// Remove every extension of the given type.
    pub fn remove_extension(mut self, typ: impl Into<u16>) -> Self {
        let t = typ.into();
        self.extensions.retain(|e| e.typ != t);
        self
    }

    /// Reorder: the listed types first, in the listed order, then the others in their current
    /// order. Types not present are ignored.
    pub fn extension_order(mut self, order: &[u16]) -> Self {
        let rank = |t: u16| order.iter().position(|&o| o == t).unwrap_or(order.len());
        self.extensions.sort_by_key(|e| rank(e.typ));
        self
    }

    /// The extensions as currently configured, in order (padding is added at build time).
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// Mutable access to the extension list for arbitrary edits.
    pub fn extensions_mut(&mut self) -> &mut Vec<Extension> {
        &mut self.extensions
    }

    /// Encode an empty extension block (`00 00`) when there are no extensions, instead of
    /// omitting it.
    pub fn empty_extension_block(mut self, yes: bool) -> Self {
        self.empty_extension_block = yes;
        self
    }

    /// server_name with one host name.
    pub fn server_name(self, host: &str) -> Self {
        self.extension(Extension::server_name(host))
    }

    /// supported_groups.
    pub fn supported_groups(self, groups: &[u16]) -> Self {
        self.extension(Extension::supported_groups(groups))
    }

    /// ec_point_formats.
    pub fn ec_point_formats(self, formats: &[u8]) -> Self {
        self.extension(Extension::ec_point_formats(formats))
    }

    /// signature_algorithms.
    pub fn signature_algorithms(self, schemes: &[u16]) -> Self {
        self.extension(Extension::signature_algorithms(schemes))
    }

    /// signature_algorithms_cert.
    pub fn signature_algorithms_cert(self, schemes: &[u16]) -> Self {
        self.extension(Extension::signature_algorithms_cert(schemes))
    }

    /// supported_versions.
    pub fn supported_versions(self, versions: &[u16]) -> Self {
        self.extension(Extension::supported_versions_client(versions))
    }

    /// key_share with the given entries (the caller generates the keys; may be empty).
    pub fn key_shares(self, entries: &[KeyShareEntry]) -> Self {
        self.extension(Extension::key_share_client(entries))
    }

    /// psk_key_exchange_modes.
    pub fn psk_key_exchange_modes(self, modes: &[u8]) -> Self {
        self.extension(Extension::psk_key_exchange_modes(modes))
    }

    /// renegotiation_info (empty on an initial handshake).
    pub fn renegotiation_info(self, renegotiated_connection: &[u8]) -> Self {
        self.extension(Extension::renegotiation_info(renegotiated_connection))
    }

    /// application_layer_protocol_negotiation.
    pub fn alpn<P: AsRef<[u8]>>(self, protocols: &[P]) -> Self {
        self.extension(Extension::alpn(protocols))
    }

    /// session_ticket (empty, or a ticket to resume).
    pub fn session_ticket(self, ticket: &[u8]) -> Self {
        self.extension(Extension::session_ticket(ticket))
    }

    /// extended_master_secret.
    pub fn extended_master_secret(self) -> Self {
        self.extension(Extension::empty(ExtensionType::ExtendedMasterSecret))
    }

    /// encrypt_then_mac.
    pub fn encrypt_then_mac(self) -> Self {
        self.extension(Extension::empty(ExtensionType::EncryptThenMac))
    }

    /// status_request for OCSP stapling.
    pub fn status_request(self) -> Self {
        self.extension(Extension::status_request_ocsp())
    }

    /// signed_certificate_timestamp (empty in a ClientHello).
    pub fn signed_certificate_timestamp(self) -> Self {
        self.extension(Extension::empty(ExtensionType::SignedCertificateTimestamp))
    }

    /// heartbeat with the given mode (1 = peer_allowed_to_send).
    pub fn heartbeat(self, mode: u8) -> Self {
        self.extension(Extension::heartbeat(mode))
    }

    /// early_data (empty in a ClientHello).
    pub fn early_data(self) -> Self {
        self.extension(Extension::empty(ExtensionType::EarlyData))
    }

    /// post_handshake_auth.
    pub fn post_handshake_auth(self) -> Self {
        self.extension(Extension::empty(ExtensionType::PostHandshakeAuth))
    }

    /// max_fragment_length.
    pub fn max_fragment_length(self, code: u8) -> Self {
        self.extension(Extension::max_fragment_length(code))
    }

    /// record_size_limit.
    pub fn record_size_limit(self, limit: u16) -> Self {
        self.extension(Extension::record_size_limit(limit))
    }

    /// pre_shared_key with raw data (identities and binders, built by the caller). Kept last at
    /// build time, as RFC 8446 requires.
    pub fn pre_shared_key(self, data: impl Into<Vec<u8>>) -> Self {
        self.extension(Extension::new(ExtensionType::PreSharedKey, data))
    }

    /// cookie (echoed from a HelloRetryRequest).
    pub fn cookie(self, cookie: &[u8]) -> Self {
        self.extension(Extension::cookie(cookie))
    }

    /// Add a padding extension at build time according to `policy` (placed last, or just
    /// before pre_shared_key).
    pub fn padding(mut self, policy: Padding) -> Self {
        self.padding = Some(policy);
        self
    }

    /// The ClientHello value this builder describes (without computed padding).
    pub fn hello(&self) -> ClientHello {
        ClientHello {
            legacy_version: self.legacy_version,
            random: self.random,
            session_id: self.session_id.clone(),
            cipher_suites: self.cipher_suites.clone(),
            compression_methods: self.compression_methods.clone(),
            extensions: self.extensions.clone(),
        }
    }

    fn final_extensions(&self) -> Vec<Extension> {
        let mut exts = self.extensions.clone();
        // pre_shared_key must be last.
        let psk = ExtensionType::PreSharedKey.to_u16();
        if let Some(i) = exts.iter().position(|e| e.typ == psk) {
            let e = exts.remove(i);
            exts.push(e);
        }
        let Some(policy) = self.padding else {
            return exts;
        };
        let mut probe = self.hello();
        probe.extensions = exts.clone();
        // Handshake header + body as it would be sent without padding.
        let len = 4 + probe.to_bytes().len();
        let target = match policy {
            Padding::F5Workaround if (256..512).contains(&len) => 512,
            Padding::F5Workaround => return exts,
            Padding::ToLength(n) if len < n => n,
            Padding::ToLength(_) => return exts,
        };
        // The padding extension's own header, plus a new extension block if there is none yet.
        let overhead = if exts.is_empty() { 6 } else { 4 };
        let pad = Extension::padding((target - len).saturating_sub(overhead));
        let at = if exts.last().is_some_and(|e| e.typ == psk) {
            exts.len() - 1
        } else {
            exts.len()
        };
        exts.insert(at, pad);
        exts
    }

    /// The ClientHello body (no handshake header).
    pub fn build_body(&self) -> Vec<u8> {
        let mut h = self.hello();
        h.extensions = self.final_extensions();
        let mut out = h.to_bytes();
        if h.extensions.is_empty() && self.empty_extension_block {
            out.extend_from_slice(&[0, 0]);
        }
        out
    }

    /// The ClientHello handshake message (4-byte header + body).
    pub fn build(&self) -> Vec<u8> {
        frame(HandshakeType::ClientHello, &self.build_body())
    }

    /// The handshake message wrapped in handshake records of the configured record version
    /// (several records if it exceeds 2^14 bytes).
    pub fn build_record(&self) -> Vec<u8> {
        Record::fragment(ContentType::Handshake, self.record_version, &self.build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::unhex;
    use crate::extensions::KeyShareEntry;

    /// The ClientHello from RFC 8448 §3 (Simple 1-RTT Handshake), as a handshake message.
    const RFC8448_CLIENT_HELLO: &str = "01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a
         6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00
         00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19
         01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43
         d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c 00 2b 00 03 02 03 04 00
         0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06
         02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01";

    #[test]
    fn parses_rfc8448_client_hello() {
        let msg = unhex(RFC8448_CLIENT_HELLO).unwrap();
        let ch = ClientHello::parse_message(&msg).unwrap();
        assert_eq!(ch.legacy_version, 0x0303);
        assert_eq!(ch.cipher_suites, [0x1301, 0x1303, 0x1302]);
        assert_eq!(ch.compression_methods, [0]);
        assert_eq!(ch.server_name().unwrap().as_deref(), Some("server"));
        assert_eq!(ch.offered_versions(), [0x0304]);
        assert_eq!(ch.max_version(), Some(Version::Tls13));
        assert_eq!(
            ch.supported_groups().unwrap().unwrap(),
            [0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104]
        );
        let ks = ch.key_shares().unwrap().unwrap();
        assert_eq!(ks.len(), 1);
        assert_eq!(ks[0].group, 0x1d);
        assert_eq!(ch.renegotiation_info().unwrap(), Some(vec![]));
        assert_eq!(ch.alpn().unwrap(), None);
        assert_eq!(ch.to_message(), msg);
        assert_eq!(
            ch.ja3_string(),
            "771,4865-4867-4866,0-65281-10-35-51-43-13-45-28,29-23-24-25-256-257-258-259-260,"
        );

        // Rebuild it with the builder, field by field, in the same extension order.
        let b = ClientHelloBuilder::new()
            .with_random(ch.random)
            .cipher_suites(vec![0x1301, 0x1303, 0x1302])
            .server_name("server")
            .renegotiation_info(&[])
            .supported_groups(&[0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104])
            .session_ticket(&[])
            .key_shares(&ks)
            .supported_versions(&[0x0304])
            .signature_algorithms(&[
                0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
                0x0201, 0x0402, 0x0502, 0x0602, 0x0202,
            ])
            .psk_key_exchange_modes(&[1])
            .record_size_limit(0x4001);
        assert_eq!(b.build(), msg);
    }

    #[test]
    fn ja3_removes_grease() {
        let ch = ClientHelloBuilder::new()
            .legacy_version(0x0303)
            .cipher_suites(vec![0x0a0a, 0x1301, 0xc02f])
            .raw_extension(0x1a1a, vec![])
            .server_name("a.example")
            .supported_groups(&[0x2a2a, 0x1d, 0x17])
            .ec_point_formats(&[0])
            .hello();
        assert_eq!(ch.ja3_string(), "771,4865-49199,0-10-11,29-23,0");
        let bare = ClientHelloBuilder::for_version(Version::Ssl3, &[4, 5], None).hello();
        assert_eq!(bare.ja3_string(), "768,4-5,,,");
    }

    #[test]
    fn presets() {
        let b = ClientHelloBuilder::for_version(Version::Ssl3, &[0x000a], Some("example.com"));
        let msg = b.build();
        let ch = ClientHello::parse_message(&msg).unwrap();
        assert!(ch.extensions.is_empty());
        assert_eq!(ch.legacy_version, 0x0300);
        assert_eq!(&b.build_record()[..3], [22, 3, 0]);
        // No extension block at all: body ends with the compression methods.
        assert_eq!(&msg[msg.len() - 2..], [1, 0]);

        let ch = ClientHello::parse_message(
            &ClientHelloBuilder::for_version(Version::Tls12, &[0xc02f], Some("example.com"))
                .build(),
        )
        .unwrap();
        assert_eq!(ch.legacy_version, 0x0303);
        assert_eq!(ch.server_name().unwrap().as_deref(), Some("example.com"));
        assert!(ch.has_extension(ExtensionType::SignatureAlgorithms));
        assert!(ch.has_extension(ExtensionType::ExtendedMasterSecret));
        assert!(ch.has_extension(ExtensionType::RenegotiationInfo));
        assert!(!ch.has_extension(ExtensionType::SupportedVersions));

        let ch = ClientHello::parse_message(
            &ClientHelloBuilder::for_version(Version::Tls10, &[0x002f], Some("192.0.2.1")).build(),
        )
        .unwrap();
        assert_eq!(ch.legacy_version, 0x0301);
        assert!(
            !ch.has_extension(ExtensionType::ServerName),
            "no SNI for IP addresses"
        );
        assert!(!ch.has_extension(ExtensionType::SignatureAlgorithms));

        let b = ClientHelloBuilder::for_version(Version::Tls13, &[0x1301], Some("example.com"))
            .key_shares(&[KeyShareEntry::new(0x1d, vec![1; 32])])
            .session_id(vec![3; 32]);
        let ch = ClientHello::parse_message(&b.build()).unwrap();
        assert_eq!(ch.legacy_version, 0x0303);
        assert_eq!(ch.offered_versions(), [0x0304]);
        assert_eq!(ch.key_shares().unwrap().unwrap()[0].group, 0x1d);
        assert_eq!(ch.session_id, [3; 32]);
        assert_eq!(&b.build_record()[..3], [22, 3, 1]);
    }

    #[test]
    fn f5_padding() {
        // Find a hello in the 256..512 window: a TLS 1.2 preset with ~60 suites.
        let suites: Vec<u16> = (1..=60).collect();
        let b = ClientHelloBuilder::for_version(Version::Tls12, &suites, Some("example.com"));
        let plain = b.build().len();
        assert!((256..512).contains(&plain), "{plain}");
        let padded = b.clone().padding(Padding::F5Workaround).build();
        assert_eq!(padded.len(), 512);
        let ch = ClientHello::parse_message(&padded).unwrap();
        assert_eq!(
            ch.extensions.last().unwrap().typ,
            ExtensionType::Padding.to_u16()
        );
        // Outside the window nothing changes.
        let small = ClientHelloBuilder::new()
            .cipher_suites(vec![1])
            .padding(Padding::F5Workaround);
        assert_eq!(
            small.build(),
            ClientHelloBuilder::new().cipher_suites(vec![1]).build()
        );
        // ToLength on a hello with no extensions adds a block, and lands exactly.
        let b = ClientHelloBuilder::new()
            .cipher_suites(vec![1])
            .padding(Padding::ToLength(300));
        assert_eq!(b.build().len(), 300);
        // pre_shared_key stays last.
        let b = ClientHelloBuilder::new()
            .pre_shared_key(vec![0; 10])
            .extended_master_secret()
            .padding(Padding::ToLength(512));
        let ch = ClientHello::parse_message(&b.build()).unwrap();
        let types: Vec<u16> = ch.extensions.iter().map(|e| e.typ).collect();
        assert_eq!(types, [23, 21, 41]);
        assert_eq!(b.build().len(), 512);
    }

    #[test]
    fn extension_control() {
        let b = ClientHelloBuilder::new()
            .extended_master_secret()
            .encrypt_then_mac()
            .server_name("x")
            .server_name("y")
            .push_extension(Extension::empty(23u16))
            .extension_order(&[0, 22]);
        let types: Vec<u16> = b.extensions().iter().map(|e| e.typ).collect();
        assert_eq!(types, [0, 22, 23, 23]);
        let ch = ClientHello::parse_message(&b.build()).unwrap();
        assert_eq!(ch.server_name().unwrap().as_deref(), Some("y"));
        let b = b.remove_extension(23u16);
        assert_eq!(b.extensions().len(), 2);
        // Explicit empty extension block.
        let body = ClientHelloBuilder::new()
            .empty_extension_block(true)
            .build_body();
        assert_eq!(&body[body.len() - 2..], [0, 0]);
        assert!(ClientHello::parse(&body).unwrap().extensions.is_empty());
    }

    #[test]
    fn large_hello_spans_records() {
        let b = ClientHelloBuilder::new().raw_extension(0xffaa, vec![0x55; 20000]);
        let wire = b.build_record();
        let mut mr = crate::record::MessageReader::new();
        mr.push(&wire);
        match mr.next_message().unwrap().unwrap() {
            crate::record::Message::Handshake { message, .. } => {
                let ch = ClientHello::parse(&message.body).unwrap();
                assert_eq!(ch.extension(0xffaau16).unwrap().data.len(), 20000);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rejects_malformed() {
        assert!(ClientHello::parse(&[3, 3]).is_err());
        let mut body = ClientHelloBuilder::new()
            .cipher_suites(vec![1, 2])
            .build_body();
        body[35] = 3; // odd cipher suite length
        assert!(ClientHello::parse(&body).is_err());
    }
}
