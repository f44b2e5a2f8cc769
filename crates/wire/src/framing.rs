//! Handshake framing: the handshake message types (IANA "TLS HandshakeType") and
//! [`RawHandshake`] (type u8 + u24 length + body), below every message parser — the
//! ClientHello ([`crate::client_hello`]), the server's messages ([`crate::handshake`]) and the
//! record layer's reassembly ([`crate::record`]) all build on it, and it depends on none of them.

use crate::codec::{put_bytes_u24, put_u8, Codec, DecodeError, Reader};

macro_rules! handshake_types {
    ($( $variant:ident = $value:expr, $name:expr; )*) => {
        /// A handshake message type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum HandshakeType {
            $( #[doc = $name] $variant, )*
            /// Any other value.
            Unknown(u8),
        }

        impl HandshakeType {
            /// The wire value.
            pub fn to_u8(self) -> u8 {
                match self {
                    $( HandshakeType::$variant => $value, )*
                    HandshakeType::Unknown(v) => v,
                }
            }

            /// The RFC name (`server_hello`, …), `unknown` otherwise.
            pub fn name(self) -> &'static str {
                match self {
                    $( HandshakeType::$variant => $name, )*
                    HandshakeType::Unknown(_) => "unknown",
                }
            }
        }

        impl From<u8> for HandshakeType {
            fn from(v: u8) -> Self {
                match v {
                    $( $value => HandshakeType::$variant, )*
                    v => HandshakeType::Unknown(v),
                }
            }
        }
    };
}

handshake_types! {
    HelloRequest = 0, "hello_request";
    ClientHello = 1, "client_hello";
    ServerHello = 2, "server_hello";
    HelloVerifyRequest = 3, "hello_verify_request";
    NewSessionTicket = 4, "new_session_ticket";
    EndOfEarlyData = 5, "end_of_early_data";
    HelloRetryRequestDraft = 6, "hello_retry_request";
    EncryptedExtensions = 8, "encrypted_extensions";
    Certificate = 11, "certificate";
    ServerKeyExchange = 12, "server_key_exchange";
    CertificateRequest = 13, "certificate_request";
    ServerHelloDone = 14, "server_hello_done";
    CertificateVerify = 15, "certificate_verify";
    ClientKeyExchange = 16, "client_key_exchange";
    Finished = 20, "finished";
    CertificateUrl = 21, "certificate_url";
    CertificateStatus = 22, "certificate_status";
    SupplementalData = 23, "supplemental_data";
    KeyUpdate = 24, "key_update";
    CompressedCertificate = 25, "compressed_certificate";
    MessageHash = 254, "message_hash";
}

/// A framed handshake message whose body has not been interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHandshake {
    /// The message type.
    pub typ: HandshakeType,
    /// The body (without the 4-byte header).
    pub body: Vec<u8>,
}

impl RawHandshake {
    /// A message of type `typ` with the given body.
    pub fn new(typ: HandshakeType, body: Vec<u8>) -> Self {
        RawHandshake { typ, body }
    }
}

impl Codec for RawHandshake {
    /// The 4-byte header and the body (the form hashed into the transcript).
    fn encode(&self, out: &mut Vec<u8>) {
        put_u8(out, self.typ.to_u8());
        put_bytes_u24(out, &self.body);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let typ = HandshakeType::from(r.u8()?);
        let body = r.bytes_u24()?.to_vec();
        Ok(RawHandshake { typ, body })
    }
}

/// Frame `body` as a handshake message of type `typ`.
pub fn frame(typ: HandshakeType, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 4);
    put_u8(&mut out, typ.to_u8());
    put_bytes_u24(&mut out, body);
    out
}
