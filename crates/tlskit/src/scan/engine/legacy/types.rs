//! The legacy client's public vocabulary: what to offer ([`Config`]), what happened ([`Event`],
//! [`Negotiated`]), a session to resume ([`Session`]) and why it gave up ([`Error`]).

use tlskit_wire::alert::AlertDescription;
use tlskit_wire::version::Version;

/// How the client signals RFC 5746 support.
///
/// Exhaustive: RFC 5746 defines these two signals, and a legacy client sends neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenegotiationIndication {
    /// The renegotiation_info extension (SSLv3: the SCSV, which has no extensions).
    Extension,
    /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV in the suite list.
    Scsv,
    /// Nothing: a legacy client (for testing insecure renegotiation).
    None,
}

/// A session to resume.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Session {
    /// The version the session was made with.
    pub version: Version,
    /// Its cipher suite (IANA code point).
    pub suite: u16,
    /// The server's session ID (empty: none).
    pub session_id: Vec<u8>,
    /// RFC 5077 ticket (empty: none).
    pub ticket: Vec<u8>,
    /// The NewSessionTicket's ticket_lifetime_hint in seconds (0: unspecified), when one came.
    pub ticket_lifetime_hint: Option<u32>,
    /// The master secret to resume with.
    pub master_secret: Vec<u8>,
    /// The session used the extended master secret (RFC 7627).
    pub extended_master_secret: bool,
}

/// What to offer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The highest version offered (the ClientHello's version).
    pub version: Version,
    /// The cipher suites offered, in order (IANA code points).
    pub suites: Vec<u16>,
    /// Named groups for ECDHE (and RFC 7919 FFDHE groups, which TLS 1.2 servers may honour).
    pub groups: Vec<u16>,
    /// SNI host name (IP addresses are not sent).
    pub server_name: Option<String>,
    /// How RFC 5746 support is signalled.
    pub renegotiation: RenegotiationIndication,
    /// Offer the extended master secret (RFC 7627).
    pub extended_master_secret: bool,
    /// Offer encrypt-then-MAC (RFC 7366).
    pub encrypt_then_mac: bool,
    /// Offer the heartbeat extension (peer allowed to send).
    pub heartbeat: bool,
    /// Send an (empty) session_ticket extension asking for a ticket.
    pub session_ticket: bool,
    /// Offer to resume this session (by its ticket when it has one, else by its ID).
    pub resume: Option<Session>,
    /// Answer a TLS 1.2 CertificateRequest with this chain, signing the CertificateVerify with
    /// its key (`scan --client-cert`). `None`, or SSLv3 to TLS 1.1 (whose CertificateVerify
    /// needs a raw MD5+SHA-1 RSA signature no signer here makes): an empty Certificate.
    pub client_cert: Option<std::sync::Arc<rustls::sign::CertifiedKey>>,
}

impl Config {
    /// Offer `suites` at `version` with the usual extensions (secure renegotiation, EMS,
    /// encrypt-then-MAC, tickets) and the groups this client computes.
    pub fn new(version: Version, suites: Vec<u16>) -> Config {
        Config {
            version,
            suites,
            groups: vec![
                0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
            ],
            server_name: None,
            renegotiation: RenegotiationIndication::Extension,
            extended_master_secret: true,
            encrypt_then_mac: true,
            heartbeat: false,
            session_ticket: true,
            resume: None,
            client_cert: None,
        }
    }
}

/// Why the client gave up. One line each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The server sent a fatal alert (or close_notify during a handshake).
    Alert(AlertDescription),
    /// The server broke the protocol.
    Protocol(String),
    /// The server chose something this client cannot speak.
    Unsupported(String),
    /// A record failed its MAC, padding or tag.
    BadRecord,
    /// The server's Finished did not verify (different keys).
    BadFinished,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Alert(d) => write!(f, "the server sent a {} alert", d.name()),
            Error::Protocol(s) => write!(f, "protocol error: {s}"),
            Error::Unsupported(s) => write!(f, "{s}"),
            Error::BadRecord => write!(f, "a record from the server did not decrypt or verify"),
            Error::BadFinished => write!(f, "the server's Finished does not verify"),
        }
    }
}

impl std::error::Error for Error {}

/// What happened, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A handshake (first or renegotiation) finished on both sides.
    Established(Negotiated),
    /// Application data from the server, decrypted.
    ApplicationData(Vec<u8>),
    /// A warning alert (a fatal one ends the connection with [`Error::Alert`]).
    Warning(AlertDescription),
    /// The server sent close_notify.
    Closed,
    /// The server asked for a renegotiation (HelloRequest).
    HelloRequest,
    /// A heartbeat response's payload as received (for Heartbleed: longer than what was sent).
    HeartbeatResponse(Vec<u8>),
    /// A NewSessionTicket arrived.
    Ticket(Vec<u8>),
}

/// What a finished handshake negotiated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Negotiated {
    /// The version the server chose.
    pub version: Version,
    /// The cipher suite the server chose (IANA code point).
    pub suite: u16,
    /// The session was resumed (abbreviated handshake).
    pub resumed: bool,
    /// The server answered renegotiation_info (RFC 5746).
    pub secure_renegotiation: bool,
    /// The server agreed to the extended master secret (RFC 7627).
    pub extended_master_secret: bool,
    /// The server agreed to encrypt-then-MAC (RFC 7366).
    pub encrypt_then_mac: bool,
    /// The server's heartbeat mode, when it answered the extension.
    pub heartbeat: Option<u8>,
    /// The server promised a ticket (session_ticket extension in its ServerHello).
    pub ticket_promised: bool,
    /// The named group of an ECDHE exchange.
    pub group: Option<u16>,
    /// The DH prime's bits, for DHE.
    pub dh_bits: Option<usize>,
    /// This was a renegotiation.
    pub renegotiation: bool,
    /// The session, to resume later.
    pub session: Session,
}
