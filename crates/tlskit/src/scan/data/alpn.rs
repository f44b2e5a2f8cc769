//! ALPN protocol ids the session-feature check asks about.

/// ALPN protocol ids worth asking about (IANA registry), common ones first.
pub const ALPN_CANDIDATES: [&str; 24] = [
    "h2",
    "http/1.1",
    "http/1.0",
    "spdy/3.1",
    "spdy/3",
    "spdy/2",
    "h2c",
    "acme-tls/1",
    "imap",
    "pop3",
    "managesieve",
    "ftp",
    "xmpp-client",
    "xmpp-server",
    "irc",
    "nntp",
    "nnsp",
    "smb",
    "postgresql",
    "mqtt",
    "dot",
    "coap",
    "sunrpc",
    "ntske/1",
];
/// An ALPN id no server knows.
pub const ALPN_UNKNOWN: &str = "tlskit-unknown/0";
