//! tlskit-wire: a sans-IO codec for the TLS and SSL wire formats.
//!
//! No sockets, no async, no crypto: bytes in, typed values out, and back. Everything a scanner needs
//! to speak the first flight of any SSL/TLS version itself — including versions and suites that
//! modern libraries rightly refuse — lives here.
//!
//! * [`codec`]: the `Codec` trait (encode / read) every wire type implements, and a bounds-checked reader.
//! * [`version`]: protocol versions SSLv2 … TLS 1.3.
//! * [`record`]: the record layer, and reassembly of fragmented / coalesced handshake messages.
//! * [`handshake`], [`extensions`], [`client_hello`], [`alert`], [`sslv2`]: messages.
//! * [`registry`]: IANA cipher suites (with OpenSSL names), groups, signature schemes.
//! * [`ech`]: Encrypted Client Hello configurations (ECHConfigList).
//! * [`cipherstring`]: OpenSSL-style cipher strings (`ECDH+AES128:!aNULL`) evaluated over the registry.
//! * [`fingerprint`]: JA4 and JA4S of hellos (JA3 is [`client_hello::ClientHello::ja3_string`]).

pub mod alert;
pub mod cipherstring;
pub mod client_hello;
pub mod codec;
pub mod ech;
pub mod extensions;
pub mod fingerprint;
pub mod framing;
pub mod handshake;
pub mod key_exchange;
pub mod record;
pub mod registry;
pub mod sniff;
pub mod sslv2;
pub mod version;
