//! Session-feature probes on the TLS ≤ 1.2 client, for any server offering any TLS ≤ 1.2
//! version with any suite the client speaks: secure renegotiation (RFC 5746), client-initiated
//! renegotiation, insecure (legacy) renegotiation, resumption by session ID and by ticket,
//! extended master secret, encrypt-then-MAC and the heartbeat extension.
//!
//! Every connection is finished cleanly (close_notify; for HTTP servers a request can be sent and
//! its answer read first), so a server that serves one connection at a time is never left
//! waiting. A renegotiation is asked, not completed: the server's ServerHello answers the
//! question, and the connection is then shut without our second flight. `openssl s_server -www`
//! (OpenSSL 3.0, which clears SSL_MODE_AUTO_RETRY) sleeps a second whenever a renegotiation
//! completes inside its read (measured here with `openssl s_client` and `R`: renegotiation done,
//! the page 1 s later) and whenever it refuses one (no_renegotiation sent; the next connection
//! waited 1 s); a renegotiation that fails because the client left ends that connection at once
//! (a scan of a server accepting both renegotiations: no stall). A refusal cannot be made
//! cheap, so callers ask for renegotiation last. The legacy-client probe (insecure
//! renegotiation) runs only when the server did not refuse the secure one (a server refusing
//! client-initiated renegotiation refuses both).
//!
//! Each probe is its own function, so the scan can run them side by side on their own
//! connections; [`probe_session_features`] runs them all in turn, sharing the first handshake.

use super::conn::{ConnError, Connection, RenegotiationAnswer};
use super::suite::SuiteParams;
use super::types::{Config, Error, Negotiated, RenegotiationIndication};
use std::future::Future;
use std::time::Duration;
use tlskit_wire::version::Version;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;

/// A yes/no answer of one probe, or why it could not be determined.
///
/// Exhaustive: yes, no, or not determined is all a probe can say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The server does it.
    Yes,
    /// The server does not (what it did instead).
    No(String),
    /// Could not be determined (why).
    NotTested(String),
}

impl Verdict {
    /// The answer is [`Verdict::Yes`].
    pub fn is_yes(&self) -> bool {
        *self == Verdict::Yes
    }

    fn from_bool(b: bool, no: &str) -> Verdict {
        if b {
            Verdict::Yes
        } else {
            Verdict::No(no.to_string())
        }
    }
}

/// What the probes found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionFeatures {
    /// The version and suite of the first handshake.
    pub version: Version,
    /// (IANA code point.)
    pub suite: u16,
    /// The server answered renegotiation_info (RFC 5746).
    pub secure_renegotiation: Verdict,
    /// The server completes a client-initiated (secure) renegotiation.
    pub client_renegotiation: Verdict,
    /// The server completes a renegotiation with a client that never indicated RFC 5746.
    pub insecure_renegotiation: Verdict,
    /// The server resumes a session by its ID.
    pub resumption_session_id: Verdict,
    /// The server resumes a session by an RFC 5077 ticket.
    pub resumption_ticket: Verdict,
    /// The server agrees to the extended master secret (RFC 7627).
    pub extended_master_secret: Verdict,
    /// Only determinable when the server accepts a CBC suite.
    pub encrypt_then_mac: Verdict,
    /// The server answered the heartbeat extension (and its mode).
    pub heartbeat: Option<u8>,
    /// Connections opened.
    pub connections: usize,
}

/// How to reach the server and what to offer.
///
/// Exhaustive: callers build it with a literal, so a new field must be decided by each of them.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The highest version to offer (the server picks ≤ this).
    pub version: Version,
    /// Suites the server is known to accept (any order; the server picks).
    pub suites: Vec<u16>,
    /// SNI host name to send.
    pub server_name: Option<String>,
    /// Send this as application data after each handshake and read the answer (for HTTP servers:
    /// `GET / HTTP/1.0`), so the server finishes its side of the connection. `None`: only
    /// close_notify.
    pub request: Option<Vec<u8>>,
    /// Each connection's deadline is this long after it is opened.
    pub timeout: Duration,
    /// Answer a TLS 1.2 CertificateRequest with this certificate (`scan --client-cert`).
    pub client_cert: Option<std::sync::Arc<rustls::sign::CertifiedKey>>,
}

impl Probe {
    fn config(&self) -> Config {
        let mut c = Config::new(self.version, self.suites.clone());
        c.server_name = self.server_name.clone();
        c.client_cert = self.client_cert.clone();
        c.heartbeat = true;
        c
    }
}

/// A fresh connection offering `config`, its deadline `probe.timeout` after it is open.
/// `connect` bounds its own wait (the scan's waits for a connection slot first, which is no
/// part of the connection's time).
async fn open<S, C, CF>(probe: &Probe, connect: &C, config: Config) -> Result<Connection<S>, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    C: Fn() -> CF,
    CF: Future<Output = Result<S, String>>,
{
    let io = connect().await?;
    Ok(Connection::new(io, config, Instant::now() + probe.timeout))
}

async fn finish<S: AsyncRead + AsyncWrite + Unpin>(probe: &Probe, mut c: Connection<S>) {
    if let Some(req) = &probe.request {
        let _ = c.request(req, 1 << 20).await;
    }
    c.close().await;
}

/// A full handshake offering `config`, then closed: what it negotiated.
async fn full_handshake<S, C, CF>(
    probe: &Probe,
    connect: &C,
    config: Config,
) -> Result<Negotiated, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    C: Fn() -> CF,
    CF: Future<Output = Result<S, String>>,
{
    let mut c = open(probe, connect, config).await?;
    match c.handshake().await {
        Ok(n) => {
            finish(probe, c).await;
            Ok(n)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Run the probes in turn, sharing the first handshake. `connect` opens a fresh byte stream to
/// the server (TCP, or through the scan's proxy / STARTTLS) each time it is called. Err: not
/// even the first handshake completed.
pub async fn probe_session_features<S, C, CF>(
    probe: &Probe,
    connect: C,
) -> Result<SessionFeatures, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    C: Fn() -> CF,
    CF: Future<Output = Result<S, String>>,
{
    let connections = std::cell::Cell::new(0usize);
    let counted = || {
        connections.set(connections.get() + 1);
        connect()
    };

    // 1. A full handshake with every extension offered.
    let first = full_handshake(probe, &counted, probe.config())
        .await
        .map_err(|e| format!("no TLS ≤ 1.2 handshake completed: {e}"))?;
    let secure_renegotiation = Verdict::from_bool(
        first.secure_renegotiation,
        "the server did not answer renegotiation_info",
    );
    let extended_master_secret = Verdict::from_bool(
        first.extended_master_secret,
        "the server did not answer extended_master_secret",
    );
    let encrypt_then_mac = if SuiteParams::of(first.suite).is_ok_and(|p| p.is_cbc()) {
        Verdict::from_bool(
            first.encrypt_then_mac,
            "the server did not answer encrypt_then_mac",
        )
    } else {
        etm_with_cbc(probe, &counted).await
    };
    let resumption_session_id = resumption_by_session_id(probe, &counted, Some(&first)).await;
    let (resumption_ticket, _) = resumption_by_ticket(probe, &counted, Some(&first)).await;
    let (client_renegotiation, insecure_renegotiation) = renegotiation(probe, &counted).await;

    Ok(SessionFeatures {
        version: first.version,
        suite: first.suite,
        secure_renegotiation,
        client_renegotiation,
        insecure_renegotiation,
        resumption_session_id,
        resumption_ticket,
        extended_master_secret,
        encrypt_then_mac,
        heartbeat: first.heartbeat,
        connections: connections.get(),
    })
}

/// Encrypt-then-MAC needs a CBC suite: ask with only the CBC ones.
async fn etm_with_cbc<S, C, CF>(probe: &Probe, connect: &C) -> Verdict
where
    S: AsyncRead + AsyncWrite + Unpin,
    C: Fn() -> CF,
    CF: Future<Output = Result<S, String>>,
{
    let cbc: Vec<u16> = probe
        .suites
        .iter()
        .copied()
        .filter(|s| SuiteParams::of(*s).is_ok_and(|p| p.is_cbc()))
        .collect();
    if cbc.is_empty() {
        return Verdict::NotTested("the server accepts no CBC suite this client speaks".into());
    }
    let mut config = probe.config();
    config.suites = cbc;
    match full_handshake(probe, connect, config).await {
        Ok(n) => Verdict::from_bool(
            n.encrypt_then_mac,
            "the server did not answer encrypt_then_mac",
        ),
        Err(e) => Verdict::NotTested(format!("no CBC handshake: {e}")),
    }
}

/// Resumption by session ID (no ticket offered, so a ticket cannot stand in for it). `first`: a
/// finished handshake whose session ID to resume; without one, or when its ID is empty (a
/// server that issued a ticket often sends none), a handshake without the ticket extension
/// comes first.
pub async fn resumption_by_session_id<S, C, CF>(
    probe: &Probe,
    connect: &C,
    first: Option<&Negotiated>,
) -> Verdict
where
    S: AsyncRead + AsyncWrite + Unpin,
    C: Fn() -> CF,
    CF: Future<Output = Result<S, String>>,
{
    let mut by_id = first
        .map(|n| n.session.clone())
        .filter(|s| !s.session_id.is_empty());
    if by_id.is_none() {
        let mut config = probe.config();
        config.session_ticket = false;
        match full_handshake(probe, connect, config).await {
            Ok(n) => by_id = Some(n.session).filter(|s| !s.session_id.is_empty()),
            Err(e) => {
                return Verdict::NotTested(format!("a handshake without tickets failed: {e}"))
            }
        }
    }
    let Some(mut s) = by_id else {
        return Verdict::No("the server sent an empty session ID".into());
    };
    let mut config = probe.config();
    config.session_ticket = false;
    s.ticket.clear();
    config.resume = Some(s);
    resume(probe, connect, config).await
}

/// A resumption attempt on a fresh connection.
async fn resume<S, C, CF>(probe: &Probe, connect: &C, config: Config) -> Verdict
where
    S: AsyncRead + AsyncWrite + Unpin,
    C: Fn() -> CF,
    CF: Future<Output = Result<S, String>>,
{
    match full_handshake(probe, connect, config).await {
        Ok(n) => Verdict::from_bool(n.resumed, "the server started a full handshake"),
        Err(e) => Verdict::NotTested(format!("the resumption attempt failed: {e}")),
    }
}

/// Resumption by ticket (the session ID sent along is a fresh random one). `first`: a finished
/// handshake that asked for a ticket; without one, such a handshake comes first. Also the
/// ticket's lifetime hint in seconds (RFC 5077 section 3.3; 0: unspecified), when a ticket came.
pub async fn resumption_by_ticket<S, C, CF>(
    probe: &Probe,
    connect: &C,
    first: Option<&Negotiated>,
) -> (Verdict, Option<u32>)
where
    S: AsyncRead + AsyncWrite + Unpin,
    C: Fn() -> CF,
    CF: Future<Output = Result<S, String>>,
{
    let own;
    let first = match first {
        Some(n) => n,
        None => match full_handshake(probe, connect, probe.config()).await {
            Ok(n) => {
                own = n;
                &own
            }
            Err(e) => {
                return (
                    Verdict::NotTested(format!("a handshake asking for a ticket failed: {e}")),
                    None,
                )
            }
        },
    };
    if first.session.ticket.is_empty() {
        let why = if first.ticket_promised {
            "the server promised a ticket but sent none"
        } else {
            "the server issued no session ticket"
        };
        return (Verdict::No(why.into()), None);
    }
    let hint = first.session.ticket_lifetime_hint;
    let mut config = probe.config();
    let mut s = first.session.clone();
    s.session_id.clear();
    config.resume = Some(s);
    (resume(probe, connect, config).await, hint)
}

/// What one renegotiation connection found.
enum Asked {
    /// The handshake completed, and the server answered the renegotiation request.
    Answered {
        /// The first handshake had the server's renegotiation_info.
        secure: bool,
        verdict: Verdict,
    },
    /// The handshake completed without the server's renegotiation_info, and a secure
    /// renegotiation was wanted: nothing asked.
    NoRfc5746,
    /// The handshake failed (the error), or the answer could not be read.
    HandshakeFailed(ConnError),
    Failed(String),
}

/// A handshake offering `config`, then a client-initiated renegotiation on it (only when the
/// server answered RFC 5746, if `need_secure`); the connection is shut either way.
async fn handshake_and_ask<S, C, CF>(
    probe: &Probe,
    connect: &C,
    config: Config,
    need_secure: bool,
) -> Asked
where
    S: AsyncRead + AsyncWrite + Unpin,
    C: Fn() -> CF,
    CF: Future<Output = Result<S, String>>,
{
    let mut c = match open(probe, connect, config).await {
        Ok(c) => c,
        Err(e) => return Asked::Failed(e),
    };
    let started = Instant::now();
    let n = match c.handshake().await {
        Ok(n) => n,
        Err(e) => return Asked::HandshakeFailed(e),
    };
    if need_secure && !n.secure_renegotiation {
        c.close().await;
        return Asked::NoRfc5746;
    }
    // A server that ignores the request stays silent: wait for about as long as the handshake
    // took, several times over (its answer costs it a signature, as the handshake did), not the
    // whole timeout.
    let patience = (started.elapsed() * 8 + Duration::from_millis(500)).min(probe.timeout);
    let answer = c.ask_renegotiation(Instant::now() + patience).await;
    let verdict = match answer {
        Ok(RenegotiationAnswer::Accepted) => {
            c.abandon().await;
            Verdict::Yes
        }
        Ok(RenegotiationAnswer::Refused(why)) => {
            c.close().await;
            Verdict::No(why)
        }
        Err(e) => {
            c.close().await;
            return Asked::Failed(format!("reading the answer to the renegotiation: {e}"));
        }
    };
    Asked::Answered {
        secure: n.secure_renegotiation,
        verdict,
    }
}

/// Whether a failed handshake is the server refusing what was offered (rather than a transport
/// problem, which decides nothing).
fn is_refusal(e: &ConnError) -> bool {
    matches!(
        e,
        ConnError::Tls(Error::Alert(_)) | ConnError::Closed | ConnError::Warning(_)
    )
}

/// Client-initiated renegotiation, (secure with RFC 5746, insecure without). A server without
/// RFC 5746 can only renegotiate insecurely: then both are the legacy client's answer.
pub async fn renegotiation<S, C, CF>(probe: &Probe, connect: &C) -> (Verdict, Verdict)
where
    S: AsyncRead + AsyncWrite + Unpin,
    C: Fn() -> CF,
    CF: Future<Output = Result<S, String>>,
{
    let first = handshake_and_ask(probe, connect, probe.config(), true).await;
    // The handshake with RFC 5746 completed: a failure without it is the server's refusal.
    let handshake_ok = matches!(first, Asked::Answered { .. } | Asked::NoRfc5746);
    let secure = match first {
        Asked::Answered { verdict, .. } => Some(verdict),
        Asked::NoRfc5746 => None,
        Asked::HandshakeFailed(e) => Some(Verdict::NotTested(format!("the handshake failed: {e}"))),
        Asked::Failed(e) => Some(Verdict::NotTested(e)),
    };
    // A server that refuses client-initiated renegotiation refuses it from a legacy client too.
    if let Some(Verdict::No(why)) = &secure {
        let insecure = Verdict::No(
            "the server refuses client-initiated renegotiation even with RFC 5746".into(),
        );
        return (Verdict::No(why.clone()), insecure);
    }
    let mut config = probe.config();
    config.renegotiation = RenegotiationIndication::None;
    let insecure = match handshake_and_ask(probe, connect, config, false).await {
        Asked::Answered { secure: true, .. } => Verdict::NotTested(
            "the server answered renegotiation_info to a client that did not offer it".into(),
        ),
        Asked::Answered { verdict, .. } => verdict,
        Asked::NoRfc5746 => Verdict::NotTested("nothing asked".into()),
        Asked::HandshakeFailed(e) if handshake_ok && is_refusal(&e) => {
            Verdict::No(format!("the server refuses clients without RFC 5746: {e}"))
        }
        Asked::HandshakeFailed(e) => {
            Verdict::NotTested(format!("the handshake without RFC 5746 failed: {e}"))
        }
        Asked::Failed(e) => Verdict::NotTested(e),
    };
    match secure {
        Some(v) => (v, insecure),
        // Without RFC 5746 the only client-initiated renegotiation there is is the insecure one.
        None => (insecure.clone(), insecure),
    }
}
