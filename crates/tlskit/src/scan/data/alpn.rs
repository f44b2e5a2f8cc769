//! ALPN protocol ids the session-feature check asks about.

/// ALPN protocol ids worth asking about, common ones first: every id of IANA's "TLS
/// Application-Layer Protocol Negotiation (ALPN) Protocol IDs" registry (RFC 7301, section 6;
/// the ids registered since: HTTP/0.9–3, SPDY, STUN/TURN, WebRTC, FTP, IMAP, POP3, ManageSieve,
/// CoAP, XMPP, ACME, MQTT, DNS over TLS and QUIC, NTS-KE, SunRPC, IRC, NNTP/NNSP, SIP, TDS 8.0,
/// DICOM, PostgreSQL, RADIUS, SMB), and `spdy/3.1`, which is not registered but was common with
/// NPN. The check eliminates what the server picks, so a longer list costs one probe per
/// protocol found plus one.
pub const ALPN_CANDIDATES: &[&str] = &[
    "h2",
    "http/1.1",
    "http/1.0",
    "http/0.9",
    "h3",
    "spdy/3.1",
    "spdy/3",
    "spdy/2",
    "spdy/1",
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
    "tds/8.0",
    "mqtt",
    "dot",
    "doq",
    "coap",
    "co",
    "sunrpc",
    "ntske/1",
    "sip/2",
    "dicom",
    "radius/1.0",
    "radius/1.1",
    "stun.turn",
    "stun.nat-discovery",
    "webrtc",
    "c-webrtc",
];
/// An ALPN id no server knows.
pub const ALPN_UNKNOWN: &str = "tlskit-unknown/0";
