//! Relaying a connection: two pumps, one per direction, that copy bytes, feed the HTTP logger and
//! watch for idleness; and [`Prefixed`], a stream with bytes already read in front of it.

use super::httplog::{Event, HttpParser, MethodQueue, Side};
use super::{Closed, Proxy};
use crate::net;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

impl Proxy {
    /// Relay both directions concurrently, logging what passes.
    pub(super) async fn relay<C, U>(self: &Arc<Self>, id: u64, client: C, upstream: U) -> Closed
    where
        C: AsyncRead + AsyncWrite + Unpin + Send,
        U: AsyncRead + AsyncWrite + Unpin + Send,
    {
        let (cr, cw) = tokio::io::split(client);
        let (ur, uw) = tokio::io::split(upstream);
        let methods: MethodQueue = Arc::new(Mutex::new(VecDeque::new()));
        let activity = Activity {
            started: Instant::now(),
            last_ms: AtomicU64::new(0),
            secrets: Mutex::new(Vec::new()),
        };
        let (a, b) = tokio::join!(
            self.pump(
                id,
                cr,
                uw,
                HttpParser::new(Side::Request, methods.clone()),
                &activity
            ),
            self.pump(
                id,
                ur,
                cw,
                HttpParser::new(Side::Response, methods),
                &activity
            ),
        );
        let mut credentials = a.credentials;
        for c in b.credentials {
            if !credentials.contains(&c) {
                credentials.push(c);
            }
        }
        Closed {
            duration_ms: 0.0,
            bytes_client_to_server: a.bytes,
            bytes_server_to_client: b.bytes,
            requests: a.messages,
            responses: b.messages,
            credentials,
            error: a.error.or(b.error),
        }
    }

    async fn pump<R, W>(
        &self,
        id: u64,
        mut from: R,
        mut to: W,
        mut parser: HttpParser,
        activity: &Activity,
    ) -> PumpResult
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let side = parser.side();
        let mut buf = vec![0u8; 16 * 1024];
        let mut res = PumpResult::default();
        let idle = self.opts.idle_timeout;
        loop {
            let n = match tokio::time::timeout(idle, from.read(&mut buf)).await {
                Err(_) => {
                    if activity.idle_for() >= idle {
                        res.error = Some(format!(
                            "no traffic for {}; closed",
                            net::fmt_duration(idle)
                        ));
                        break;
                    }
                    continue;
                }
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => n,
                Ok(Err(e)) => {
                    if !quiet_end(&e) {
                        res.error = Some(format!(
                            "{}: {e}",
                            if side == Side::Request {
                                "client"
                            } else {
                                "upstream"
                            }
                        ));
                    }
                    break;
                }
            };
            activity.touch();
            res.bytes += n as u64;
            let events = parser.push(&buf[..n]);
            self.log_events(id, side, events, &mut res, activity);
            if let Err(e) = to.write_all(&buf[..n]).await {
                if !quiet_end(&e) {
                    res.error = Some(format!(
                        "writing to the {}: {e}",
                        if side == Side::Request {
                            "upstream"
                        } else {
                            "client"
                        }
                    ));
                }
                break;
            }
            let _ = to.flush().await;
        }
        let events = parser.finish();
        self.log_events(id, side, events, &mut res, activity);
        res.messages = parser.messages;
        let _ = tokio::time::timeout(Duration::from_secs(2), to.shutdown()).await;
        res
    }

    fn log_events(
        &self,
        id: u64,
        side: Side,
        events: Vec<Event>,
        res: &mut PumpResult,
        conn: &Activity,
    ) {
        for ev in events {
            match ev {
                Event::Message(m) => {
                    for c in &m.credentials {
                        if !res.credentials.contains(c) {
                            res.credentials.push(c.clone());
                        }
                    }
                    self.log.message(id, side, &m, &conn.secrets);
                }
                Event::Raw { bytes, preview } => self.log.raw(id, side, bytes, &preview),
                Event::Switched(note) => self.log.note(id, &note),
            }
        }
    }
}

#[derive(Default)]
struct PumpResult {
    bytes: u64,
    messages: u64,
    credentials: Vec<String>,
    error: Option<String>,
}

/// Per-connection state shared by the two pumps.
struct Activity {
    started: Instant,
    last_ms: AtomicU64,
    /// Credential values seen on this connection (only collected with --redact).
    secrets: Mutex<Vec<String>>,
}

impl Activity {
    fn touch(&self) {
        self.last_ms
            .store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
    fn idle_for(&self) -> Duration {
        self.started
            .elapsed()
            .saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
    }
}

fn quiet_end(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::UnexpectedEof | K::ConnectionReset | K::BrokenPipe | K::ConnectionAborted
    )
}

// ---------------------------------------------------------------------------------------------
// A stream with bytes already read in front of it (after a CONNECT head).

/// `prefix` is read first, then the inner stream; writes go to the inner stream.
pub struct Prefixed<S> {
    prefix: Vec<u8>,
    pos: usize,
    pub(super) inner: S,
}

impl<S> Prefixed<S> {
    pub fn new(prefix: Vec<u8>, inner: S) -> Self {
        Prefixed {
            prefix,
            pos: 0,
            inner,
        }
    }
    pub(super) fn pending(&self) -> &[u8] {
        &self.prefix[self.pos..]
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.pos < self.prefix.len() {
            let n = (self.prefix.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.prefix[start..start + n]);
            self.pos += n;
            if self.pos == self.prefix.len() {
                self.prefix = Vec::new();
                self.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
