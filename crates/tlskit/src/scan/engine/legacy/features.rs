//! Session-feature probes on the TLS ≤ 1.2 client, for any server offering any TLS ≤ 1.2
//! version with any suite the client speaks: secure renegotiation (RFC 5746), client-initiated
//! renegotiation, insecure (legacy) renegotiation, resumption by session ID and by ticket,
//! extended master secret, encrypt-then-MAC and the heartbeat extension.
//!
//! Every connection is finished cleanly: for HTTP servers a request is sent and its answer read,
//! so a server that serves one connection at a time is never left waiting. Renegotiation is
//! probed last: `openssl s_server -www` (OpenSSL 3.0) sleeps one second after *any* renegotiation
//! on a connection, refused or completed, whatever the client sends next (its SSL_read reports
//! "retry" once the handshake is over, since it reads one record at a time; measured here:
//! renegotiation done in 13 ms, the page 1 s later, with the request pipelined behind our Finished
//! or sent after). So the renegotiation connections close as soon as the answer is known, and
//! nothing else waits behind them; the legacy-client probe runs only when the server accepted
//! client-initiated renegotiation (a server refusing it refuses both).

use super::client::{Config, Negotiated, RenegotiationIndication};
use super::conn::{ConnError, Connection};
use super::suite::SuiteParams;
use std::future::Future;
use tlskit_wire::version::Version;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;

/// A yes/no answer of one probe, or why it could not be determined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Yes,
    No(String),
    NotTested(String),
}

impl Verdict {
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
pub struct SessionFeatures {
    /// The version and suite of the first handshake.
    pub version: Version,
    pub suite: u16,
    pub secure_renegotiation: Verdict,
    /// The server completes a client-initiated (secure) renegotiation.
    pub client_renegotiation: Verdict,
    /// The server completes a renegotiation with a client that never indicated RFC 5746.
    pub insecure_renegotiation: Verdict,
    pub resumption_session_id: Verdict,
    pub resumption_ticket: Verdict,
    pub extended_master_secret: Verdict,
    /// Only determinable when the server accepts a CBC suite.
    pub encrypt_then_mac: Verdict,
    /// The server answered the heartbeat extension (and its mode).
    pub heartbeat: Option<u8>,
    /// Connections opened.
    pub connections: usize,
}

/// How to reach the server and what to offer.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The highest version to offer (the server picks ≤ this).
    pub version: Version,
    /// Suites the server is known to accept (any order; the server picks).
    pub suites: Vec<u16>,
    pub server_name: Option<String>,
    /// Send this as application data after each handshake and read the answer (for HTTP servers:
    /// `GET / HTTP/1.0`), so the server finishes its side of the connection.
    pub request: Option<Vec<u8>>,
    pub deadline: Instant,
}

impl Probe {
    fn config(&self) -> Config {
        let mut c = Config::new(self.version, self.suites.clone());
        c.server_name = self.server_name.clone();
        c.heartbeat = true;
        c
    }
}

async fn finish<S: AsyncRead + AsyncWrite + Unpin>(probe: &Probe, mut c: Connection<S>) {
    if let Some(req) = &probe.request {
        let _ = c.request(req, 1 << 20).await;
    }
    c.close().await;
}

/// Renegotiate to the end, then close at once.
async fn renegotiate<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Connection<S>,
) -> Result<(), ConnError> {
    c.renegotiate().await.map(|_| ())
}

fn why(e: &ConnError) -> String {
    e.to_string()
}

/// Run the probes. `connect` opens a fresh byte stream to the server (TCP, or through the
/// scan's proxy / STARTTLS) each time it is called.
pub async fn probe_session_features<S, F, Fut>(
    probe: &Probe,
    mut connect: F,
) -> Result<SessionFeatures, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<S, String>>,
{
    let connections = std::cell::Cell::new(0usize);
    let mut open = |config: Config| {
        connections.set(connections.get() + 1);
        let fut = connect();
        async move {
            fut.await
                .map(|s| Connection::new(s, config, probe.deadline))
        }
    };

    // 1. A full handshake with every extension offered; then a secure renegotiation on it.
    let mut c = open(probe.config()).await?;
    let first: Negotiated = c
        .handshake()
        .await
        .map_err(|e| format!("no TLS ≤ 1.2 handshake completed: {}", why(&e)))?;
    let secure_renegotiation = Verdict::from_bool(
        first.secure_renegotiation,
        "the server did not answer renegotiation_info",
    );
    let extended_master_secret = Verdict::from_bool(
        first.extended_master_secret,
        "the server did not answer extended_master_secret",
    );
    let mut encrypt_then_mac = if SuiteParams::of(first.suite).is_ok_and(|p| p.is_cbc()) {
        Verdict::from_bool(
            first.encrypt_then_mac,
            "the server did not answer encrypt_then_mac",
        )
    } else {
        Verdict::NotTested("the server chose a non-CBC suite".into())
    };
    let heartbeat = first.heartbeat;
    finish(probe, c).await;

    if matches!(encrypt_then_mac, Verdict::NotTested(_)) {
        encrypt_then_mac = etm_with_cbc(probe, &mut open).await?;
    }
    let resumption_session_id = by_session_id(probe, &mut open, &first).await?;
    let resumption_ticket = by_ticket(probe, &mut open, &first).await?;
    let (client_renegotiation, insecure_renegotiation) =
        renegotiation(probe, &mut open, &first).await?;

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
        heartbeat,
        connections: connections.get(),
    })
}

/// Step 2: encrypt-then-MAC needs a CBC suite: ask again with only the CBC ones.
async fn etm_with_cbc<S, O, OF>(probe: &Probe, open: &mut O) -> Result<Verdict, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    O: FnMut(Config) -> OF,
    OF: Future<Output = Result<Connection<S>, String>>,
{
    let cbc: Vec<u16> = probe
        .suites
        .iter()
        .copied()
        .filter(|s| SuiteParams::of(*s).is_ok_and(|p| p.is_cbc()))
        .collect();
    if cbc.is_empty() {
        return Ok(Verdict::NotTested(
            "the server accepts no CBC suite this client speaks".into(),
        ));
    }
    let mut config = probe.config();
    config.suites = cbc;
    let mut c = open(config).await?;
    Ok(match c.handshake().await {
        Ok(n) => {
            let v = Verdict::from_bool(
                n.encrypt_then_mac,
                "the server did not answer encrypt_then_mac",
            );
            finish(probe, c).await;
            v
        }
        Err(e) => Verdict::NotTested(format!("no CBC handshake: {}", why(&e))),
    })
}

/// Step 3: resumption by session ID (no ticket offered, so a ticket cannot stand in for it). A
/// server that issued a ticket often sent an empty session ID: get one from a handshake
/// without the ticket extension first.
async fn by_session_id<S, O, OF>(
    probe: &Probe,
    open: &mut O,
    first: &Negotiated,
) -> Result<Verdict, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    O: FnMut(Config) -> OF,
    OF: Future<Output = Result<Connection<S>, String>>,
{
    let mut by_id = Some(first.session.clone()).filter(|s| !s.session_id.is_empty());
    if by_id.is_none() {
        let mut config = probe.config();
        config.session_ticket = false;
        let mut c = open(config).await?;
        match c.handshake().await {
            Ok(n) => {
                finish(probe, c).await;
                by_id = Some(n.session).filter(|s| !s.session_id.is_empty());
            }
            Err(e) => {
                return Ok(Verdict::NotTested(format!(
                    "a handshake without tickets failed: {}",
                    why(&e)
                )))
            }
        }
    }
    let Some(mut s) = by_id else {
        return Ok(Verdict::No("the server sent an empty session ID".into()));
    };
    let mut config = probe.config();
    config.session_ticket = false;
    s.ticket.clear();
    config.resume = Some(s);
    resume(probe, open(config).await?).await
}

/// A resumption attempt on a fresh connection.
async fn resume<S: AsyncRead + AsyncWrite + Unpin>(
    probe: &Probe,
    mut c: Connection<S>,
) -> Result<Verdict, String> {
    Ok(match c.handshake().await {
        Ok(n) => {
            finish(probe, c).await;
            Verdict::from_bool(n.resumed, "the server started a full handshake")
        }
        Err(e) => Verdict::NotTested(format!("the resumption attempt failed: {}", why(&e))),
    })
}

/// Step 4: resumption by ticket (the session ID sent along is a fresh random one).
async fn by_ticket<S, O, OF>(
    probe: &Probe,
    open: &mut O,
    first: &Negotiated,
) -> Result<Verdict, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    O: FnMut(Config) -> OF,
    OF: Future<Output = Result<Connection<S>, String>>,
{
    if first.session.ticket.is_empty() {
        return Ok(Verdict::No(if first.ticket_promised {
            "the server promised a ticket but sent none".into()
        } else {
            "the server issued no session ticket".into()
        }));
    }
    let mut config = probe.config();
    let mut s = first.session.clone();
    s.session_id.clear();
    config.resume = Some(s);
    resume(probe, open(config).await?).await
}

/// A handshake, then a client-initiated renegotiation on it; closed either way. `refused`
/// words a failed handshake.
async fn handshake_and_renegotiate<S: AsyncRead + AsyncWrite + Unpin>(
    mut c: Connection<S>,
    refused: impl FnOnce(String) -> Verdict,
) -> Verdict {
    match c.handshake().await {
        Ok(_) => {
            let v = match renegotiate(&mut c).await {
                Ok(()) => Verdict::Yes,
                Err(e) => Verdict::No(why(&e)),
            };
            c.close().await;
            v
        }
        Err(e) => refused(why(&e)),
    }
}

/// Steps 5 and 6: client-initiated renegotiation with RFC 5746, then without.
async fn renegotiation<S, O, OF>(
    probe: &Probe,
    open: &mut O,
    first: &Negotiated,
) -> Result<(Verdict, Verdict), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    O: FnMut(Config) -> OF,
    OF: Future<Output = Result<Connection<S>, String>>,
{
    // Renegotiation, last: a server that refuses it may stall before its next connection
    // (`openssl s_server -www` sleeps a second after a refused renegotiation, whatever the
    // client does), and the refusal itself is seen at once.
    let client = if first.secure_renegotiation {
        let c = open(probe.config()).await?;
        handshake_and_renegotiate(c, |e| {
            Verdict::NotTested(format!("the handshake failed: {e}"))
        })
        .await
    } else {
        Verdict::NotTested("the server does not support secure renegotiation".into())
    };
    // Insecure renegotiation: a client that never indicated RFC 5746. A server that refuses
    // client-initiated renegotiation refuses this one too; ask only when it accepted the secure
    // one, or never answered RFC 5746.
    let insecure = match &client {
        Verdict::No(why) => Verdict::No(format!(
            "the server refuses client-initiated renegotiation ({why})"
        )),
        _ => {
            let mut config = probe.config();
            config.renegotiation = RenegotiationIndication::None;
            let c = open(config).await?;
            handshake_and_renegotiate(c, |e| {
                Verdict::No(format!("the server refuses clients without RFC 5746: {e}"))
            })
            .await
        }
    };
    Ok((client, insecure))
}
