//! TLS 1.3 checks that need finished handshakes, done with rustls driven by hand over the scan's
//! connections: resumption with a PSK from a NewSessionTicket, 0-RTT (early data) acceptance, and
//! ALPN / OCSP stapling when TLS 1.3 is all the server speaks (both travel encrypted in 1.3).
//!
//! Certificates are not verified here (a scan only looks); the early data sent is an idempotent
//! `HEAD / HTTP/1.1` request and only on direct TLS (never over STARTTLS).

use crate::scan::Ctx;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientSessionMemoryCache, ClientSessionStore, Resumption};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, HandshakeKind, NamedGroup,
    SignatureScheme,
};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Accepts any certificate, remembering whether an OCSP response was stapled.
#[derive(Debug)]
pub(crate) struct Look {
    ocsp: Mutex<Option<bool>>,
}

impl Look {
    pub(crate) fn new() -> Arc<Look> {
        Arc::new(Look {
            ocsp: Mutex::new(None),
        })
    }
}

impl ServerCertVerifier for Look {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut g) = self.ocsp.lock() {
            *g = Some(!ocsp_response.is_empty());
        }
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        _d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        _d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        crate::provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A session store that counts the TLS 1.3 tickets it is given.
#[derive(Debug)]
struct Counting {
    inner: ClientSessionMemoryCache,
    tickets: AtomicUsize,
    max_early_data: AtomicU32,
}

impl ClientSessionStore for Counting {
    fn set_kx_hint(&self, n: ServerName<'static>, g: NamedGroup) {
        self.inner.set_kx_hint(n, g)
    }
    fn kx_hint(&self, n: &ServerName<'_>) -> Option<NamedGroup> {
        self.inner.kx_hint(n)
    }
    fn set_tls12_session(
        &self,
        n: ServerName<'static>,
        v: rustls::client::Tls12ClientSessionValue,
    ) {
        self.inner.set_tls12_session(n, v)
    }
    fn tls12_session(&self, n: &ServerName<'_>) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.inner.tls12_session(n)
    }
    fn remove_tls12_session(&self, n: &ServerName<'static>) {
        self.inner.remove_tls12_session(n)
    }
    fn insert_tls13_ticket(
        &self,
        n: ServerName<'static>,
        v: rustls::client::Tls13ClientSessionValue,
    ) {
        self.tickets.fetch_add(1, Ordering::Relaxed);
        self.max_early_data
            .fetch_max(v.max_early_data_size(), Ordering::Relaxed);
        self.inner.insert_tls13_ticket(n, v)
    }
    fn take_tls13_ticket(
        &self,
        n: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.inner.take_tls13_ticket(n)
    }
}

/// What one rustls handshake showed.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub resumed: bool,
    pub alpn: Option<String>,
    pub ocsp: Option<bool>,
    pub early_data_sent: bool,
    pub early_data_accepted: bool,
}

fn server_name(ctx: &Ctx) -> Option<ServerName<'static>> {
    match &ctx.sni {
        Some(n) => ServerName::try_from(n.clone()).ok(),
        None => Some(ServerName::IpAddress(ctx.prober.addr().ip().into())),
    }
}

fn config(
    ctx: &Ctx,
    store: Option<Arc<Counting>>,
    alpn: &[String],
    look: Arc<Look>,
) -> Option<Arc<ClientConfig>> {
    let mut c = ClientConfig::builder_with_provider(crate::scan::engine::ffdhe::provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(look)
        // `--client-cert` answers a CertificateRequest, so a server that requires one lets
        // these handshakes finish.
        .with_client_cert_resolver(crate::scan::engine::client_cert::Recorder::new(
            ctx.client_cert.clone(),
        ));
    c.enable_sni = ctx.sni.is_some();
    c.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    match store {
        Some(s) => {
            c.resumption = Resumption::store(s);
            c.enable_early_data = true;
        }
        None => c.resumption = Resumption::disabled(),
    }
    Some(Arc::new(c))
}

/// Sees every byte of a connection (client to server?, bytes): the trace of the first
/// resumption handshake, which reads the NewSessionTickets.
type Tap = crate::session::client::Tap;

async fn flush(
    conn: &mut ClientConnection,
    stream: &mut TcpStream,
    deadline: Instant,
    tap: Option<&Tap>,
) -> Result<(), String> {
    while conn.wants_write() {
        let mut out = Vec::new();
        conn.write_tls(&mut out).map_err(|e| e.to_string())?;
        if let Some(t) = tap {
            t(true, &out);
        }
        match tokio::time::timeout_at(deadline, stream.write_all(&out)).await {
            Err(_) => return Err("no progress within the timeout".into()),
            Ok(Err(e)) => return Err(e.to_string()),
            Ok(Ok(())) => {}
        }
    }
    Ok(())
}

/// What [`pump`] says when nothing came before the deadline.
const NO_ANSWER: &str = "no answer within the timeout";

/// Read once and feed rustls. Ok(false): the server closed.
async fn pump(
    conn: &mut ClientConnection,
    stream: &mut TcpStream,
    deadline: Instant,
    tap: Option<&Tap>,
) -> Result<bool, String> {
    let mut buf = vec![0u8; 16 * 1024];
    let n = match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
        Err(_) => return Err(NO_ANSWER.into()),
        Ok(Err(e)) => return Err(e.to_string()),
        Ok(Ok(n)) => n,
    };
    if n == 0 {
        return Ok(false);
    }
    if let Some(t) = tap {
        t(false, &buf[..n]);
    }
    let mut rd = &buf[..n];
    while !rd.is_empty() {
        conn.read_tls(&mut rd).map_err(|e| e.to_string())?;
        conn.process_new_packets().map_err(|e| e.to_string())?;
    }
    // Drain any application data (the answer to early data, a banner) unread.
    let mut sink = [0u8; 4096];
    while let Ok(n) = conn.reader().read(&mut sink) {
        if n == 0 {
            break;
        }
    }
    Ok(true)
}

/// One TLS 1.3 handshake. `early` is sent as 0-RTT data when a ticket allows it. With
/// `wait_ticket`, keep reading (briefly) until the store has been given a new ticket. `tap`
/// sees every byte both ways.
async fn session(
    ctx: &Ctx,
    config: Arc<ClientConfig>,
    store: Option<&Counting>,
    look: &Look,
    early: Option<&[u8]>,
    wait_ticket: bool,
    tap: Option<&Tap>,
) -> Result<Seen, String> {
    Box::pin(session_inner(
        ctx,
        config,
        store,
        look,
        early,
        wait_ticket,
        tap,
    ))
    .await
}

async fn session_inner(
    ctx: &Ctx,
    config: Arc<ClientConfig>,
    store: Option<&Counting>,
    look: &Look,
    early: Option<&[u8]>,
    wait_ticket: bool,
    tap: Option<&Tap>,
) -> Result<Seen, String> {
    let name = server_name(ctx).ok_or("no usable server name")?;
    let deadline = Instant::now() + ctx.prober.timeout();
    let _slot = ctx.prober.slot().await;
    let mut stream = match tokio::time::timeout_at(deadline, ctx.prober.open()).await {
        Err(_) => return Err("connecting timed out".into()),
        Ok(Err(e)) => return Err(e.to_string()),
        Ok(Ok(c)) => c.stream,
    };
    let mut conn = ClientConnection::new(config, name).map_err(|e| e.to_string())?;
    let mut seen = Seen::default();
    if let (Some(data), Some(mut ed)) = (early, conn.early_data()) {
        if ed.write(data).is_ok() {
            seen.early_data_sent = true;
        }
    }
    let tickets_before = store
        .map(|s| s.tickets.load(Ordering::Relaxed))
        .unwrap_or(0);
    while conn.is_handshaking() {
        flush(&mut conn, &mut stream, deadline, tap).await?;
        if !conn.is_handshaking() {
            break;
        }
        if !pump(&mut conn, &mut stream, deadline, tap).await? {
            return Err("the server closed the connection during the handshake".into());
        }
    }
    flush(&mut conn, &mut stream, deadline, tap).await?;
    seen.resumed = conn.handshake_kind() == Some(HandshakeKind::Resumed);
    seen.alpn = conn
        .alpn_protocol()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    seen.early_data_accepted = conn.is_early_data_accepted();
    seen.ocsp = look.ocsp.lock().ok().and_then(|g| *g);
    if let (true, Some(s)) = (wait_ticket, store) {
        // Servers send tickets right after the handshake; do not wait long for one.
        let until = deadline.min(Instant::now() + Duration::from_millis(1500));
        while s.tickets.load(Ordering::Relaxed) == tickets_before {
            match pump(&mut conn, &mut stream, until, tap).await {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if e == NO_ANSWER => break,
                // An alert instead of tickets (certificate_required from a server that wants a
                // client certificate) is no "no ticket": the handshake failed.
                Err(e) => return Err(format!("after the handshake: {e}")),
            }
        }
    }
    conn.send_close_notify();
    let _ = flush(&mut conn, &mut stream, deadline, tap).await;
    let _ = tokio::time::timeout(Duration::from_millis(500), stream.shutdown()).await;
    Ok(seen)
}

/// TLS 1.3 resumption and 0-RTT.
#[derive(Debug, Clone, Default)]
pub struct Resumption13 {
    /// The server issued at least one ticket.
    pub tickets: Option<bool>,
    /// A second connection resumed with a ticket from the first.
    pub resumed: Option<bool>,
    /// Largest max_early_data_size announced in a ticket.
    pub max_early_data: u32,
    /// Early data was accepted on a resumed connection.
    pub early_data: Option<bool>,
    /// The first NewSessionTicket's ticket_lifetime in seconds (RFC 8446 section 4.6.1), read
    /// from the first connection's decrypted post-handshake records.
    pub lifetime_s: Option<u32>,
    pub notes: Vec<String>,
}

/// Connect, collect a ticket, resume with it; then, when the ticket allows early data (and the
/// target is direct TLS), resume again sending a HEAD request as 0-RTT data.
pub async fn resumption(ctx: &Ctx, early_data: Option<Vec<u8>>) -> Resumption13 {
    let mut r = Resumption13::default();
    let store = Arc::new(Counting {
        inner: ClientSessionMemoryCache::new(8),
        tickets: AtomicUsize::new(0),
        max_early_data: AtomicU32::new(0),
    });
    let look = Arc::new(Look {
        ocsp: Mutex::new(None),
    });
    let Some(cfg) = config(ctx, Some(store.clone()), &[], look.clone()) else {
        r.notes
            .push("TLSv1.3 resumption: no client configuration".into());
        return r;
    };
    // The first connection is traced: its key log hands the traffic secrets to the tracer,
    // which opens the post-handshake records, so the tickets' lifetime can be read (rustls
    // keeps it to itself). A clone of the configuration shares the verifier and the client
    // certificate resolver, so the second connection may resume the first's session.
    let tracer = crate::session::trace::Tracer::recording(Arc::new(|_| {}));
    let mut traced = (*cfg).clone();
    traced.key_log = Arc::new(crate::session::trace::TraceKeyLog {
        tracer: tracer.clone(),
        inner: Arc::new(rustls::NoKeyLog),
    });
    let tap = tracer.tap();
    let first = session(
        ctx,
        Arc::new(traced),
        Some(&store),
        &look,
        None,
        true,
        Some(&tap),
    );
    if let Err(e) = first.await {
        r.notes
            .push(format!("TLSv1.3 resumption: first handshake failed: {e}"));
        return r;
    }
    r.lifetime_s = ticket_lifetime(&tracer.messages());
    let got = store.tickets.load(Ordering::Relaxed);
    r.tickets = Some(got > 0);
    r.max_early_data = store.max_early_data.load(Ordering::Relaxed);
    if got == 0 {
        r.resumed = Some(false);
        r.early_data = Some(false);
        r.notes.push("TLSv1.3: the server sent no session ticket, so neither PSK resumption nor 0-RTT is possible".into());
        return r;
    }
    match session(ctx, cfg.clone(), Some(&store), &look, None, true, None).await {
        Ok(s) => r.resumed = Some(s.resumed),
        Err(e) => r
            .notes
            .push(format!("TLSv1.3 resumption: second handshake failed: {e}")),
    }
    if r.max_early_data == 0 {
        r.early_data = Some(false);
        return r;
    }
    let Some(data) = early_data else {
        r.notes.push(format!(
            "0-RTT: the server's tickets allow {} bytes of early data; not sent (STARTTLS target: early data would be a protocol command)",
            r.max_early_data
        ));
        return r;
    };
    // The previous connection used up a ticket; the store still holds the newer ones.
    match session(ctx, cfg, Some(&store), &look, Some(&data), false, None).await {
        Ok(s) if s.early_data_sent => r.early_data = Some(s.early_data_accepted),
        Ok(_) => r
            .notes
            .push("0-RTT: no ticket allowing early data was left to try".into()),
        Err(e) => r.notes.push(format!("0-RTT: handshake failed: {e}")),
    }
    r
}

/// The ticket_lifetime of the first NewSessionTicket the server sent among traced messages.
fn ticket_lifetime(
    messages: &[(bool, tlskit_wire::handshake::HandshakeType, Vec<u8>)],
) -> Option<u32> {
    use tlskit_wire::codec::Codec;
    use tlskit_wire::handshake::{HandshakeType, NewSessionTicketTls13};
    messages
        .iter()
        .filter(|(c2s, t, _)| !c2s && *t == HandshakeType::NewSessionTicket)
        .find_map(|(_, _, body)| NewSessionTicketTls13::read_exact(body, "NewSessionTicket").ok())
        .map(|t| t.lifetime)
}

/// One TLS 1.3 handshake offering `alpn`: the protocol chosen (Ok(None): none), or the error.
pub async fn alpn(ctx: &Ctx, alpn: &[String]) -> Result<Option<String>, String> {
    let look = Arc::new(Look {
        ocsp: Mutex::new(None),
    });
    let cfg = config(ctx, None, alpn, look.clone()).ok_or("no client configuration")?;
    session(ctx, cfg, None, &look, None, false, None)
        .await
        .map(|s| s.alpn)
}

/// Whether a TLS 1.3 handshake carries a stapled OCSP response.
pub async fn ocsp(ctx: &Ctx) -> Result<bool, String> {
    let look = Arc::new(Look {
        ocsp: Mutex::new(None),
    });
    let cfg = config(ctx, None, &[], look.clone()).ok_or("no client configuration")?;
    session(ctx, cfg, None, &look, None, false, None)
        .await
        .map(|s| s.ocsp.unwrap_or(false))
}
