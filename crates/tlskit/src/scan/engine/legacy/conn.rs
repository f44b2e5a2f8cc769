//! Drive the sans-IO [`Client`] over any async byte stream (a TCP connection, or one already
//! through a proxy or STARTTLS), every read and write bounded by one deadline.

use super::client::Client;
use super::types::{Config, Error, Event, Negotiated};
use tlskit_wire::alert::AlertDescription;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

/// Most bytes read on one connection (a bound against a server that never stops).
const MAX_BYTES: usize = 4 << 20;

/// Why a connection step did not complete. One line each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnError {
    /// The TLS client gave up.
    Tls(Error),
    /// The server closed the connection (FIN), or sent close_notify where data was awaited.
    Closed,
    /// The connection was reset (RST).
    Reset,
    /// The deadline passed.
    Timeout,
    /// A warning alert where a handshake message was awaited (no_renegotiation, typically).
    Warning(AlertDescription),
    /// Another socket error.
    Io(String),
    /// More than [`MAX_BYTES`] from the server.
    TooMuch,
}

impl std::fmt::Display for ConnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnError::Tls(e) => write!(f, "{e}"),
            ConnError::Closed => write!(f, "the server closed the connection"),
            ConnError::Reset => write!(f, "the server reset the connection"),
            ConnError::Timeout => write!(f, "no answer within the timeout"),
            ConnError::Warning(d) => write!(f, "the server answered with a {} warning", d.name()),
            ConnError::Io(e) => write!(f, "{e}"),
            ConnError::TooMuch => write!(f, "the server sent more than {MAX_BYTES} bytes"),
        }
    }
}

impl std::error::Error for ConnError {}

impl From<Error> for ConnError {
    fn from(e: Error) -> Self {
        ConnError::Tls(e)
    }
}

/// How a server answered a client-initiated renegotiation ([`Connection::ask_renegotiation`]).
///
/// Exhaustive: a server either goes into the new handshake or does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenegotiationAnswer {
    /// A ServerHello: the server went into the new handshake.
    Accepted,
    /// Why not (one line).
    Refused(String),
}

/// A TLS ≤ 1.2 connection of the scanner's client.
pub struct Connection<S> {
    io: S,
    client: Client,
    deadline: Instant,
    read_total: usize,
    eof: bool,
    /// NewSessionTicket contents seen so far (also in [`Negotiated::session`]).
    pub tickets: Vec<Vec<u8>>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// A connection over `io` offering `config`; nothing is sent until a step is awaited.
    pub fn new(io: S, config: Config, deadline: Instant) -> Self {
        Connection {
            io,
            client: Client::new(config),
            deadline,
            read_total: 0,
            eof: false,
            tickets: Vec::new(),
        }
    }

    /// The sans-IO client (to queue records before the next step).
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Move the deadline (for a step that should give up sooner, or later).
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    /// Send whatever the client queued.
    pub async fn flush(&mut self) -> Result<(), ConnError> {
        let out = self.client.take_output();
        if out.is_empty() {
            return Ok(());
        }
        match tokio::time::timeout_at(self.deadline, self.io.write_all(&out)).await {
            Err(_) => Err(ConnError::Timeout),
            Ok(Err(e)) => Err(io_error(e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// The next event, reading (and flushing what the client queued) as needed.
    pub async fn next_event(&mut self) -> Result<Event, ConnError> {
        loop {
            if let Some(e) = self.client.next_event() {
                if let Event::Ticket(t) = &e {
                    self.tickets.push(t.clone());
                }
                return Ok(e);
            }
            self.flush().await?;
            if self.eof {
                return Err(ConnError::Closed);
            }
            if let Err(e) = self.read_and_feed().await? {
                // Tell the server why (best effort), then report.
                let _ = self.flush().await;
                return Err(e.into());
            }
        }
    }

    /// Read once and feed the client: the outer error is the transport's, the inner one the
    /// client's (what it queued is not sent). End of stream sets `eof` and feeds nothing.
    async fn read_and_feed(&mut self) -> Result<Result<(), Error>, ConnError> {
        let mut buf = vec![0u8; 16384];
        let n = match tokio::time::timeout_at(self.deadline, self.io.read(&mut buf)).await {
            Err(_) => return Err(ConnError::Timeout),
            Ok(Err(e)) => return Err(io_error(e)),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            self.eof = true;
            return Ok(Ok(()));
        }
        self.read_total += n;
        if self.read_total > MAX_BYTES {
            return Err(ConnError::TooMuch);
        }
        Ok(self.client.feed(&buf[..n]))
    }

    /// Run the handshake under way (the first one, or a renegotiation) to its end.
    async fn finish_handshake(&mut self) -> Result<Negotiated, ConnError> {
        loop {
            match self.next_event().await? {
                Event::Established(n) => return Ok(n),
                Event::Warning(d) => return Err(ConnError::Warning(d)),
                Event::Closed => return Err(ConnError::Closed),
                _ => {}
            }
        }
    }

    /// The full or abbreviated handshake, Finished verified.
    pub async fn handshake(&mut self) -> Result<Negotiated, ConnError> {
        self.finish_handshake().await
    }

    /// A client-initiated renegotiation, completed (a server that only reads one connection at
    /// a time, like `openssl s_server -www`, is never left waiting on a half-done one).
    pub async fn renegotiate(&mut self) -> Result<Negotiated, ConnError> {
        self.client.renegotiate()?;
        self.finish_handshake().await
    }

    /// Ask for a client-initiated renegotiation and read only the server's answer, giving up at
    /// `deadline` (or the connection's, if sooner): a ServerHello means accepted; a
    /// no_renegotiation warning, a fatal alert, close_notify or a closed connection mean refused;
    /// silence until the deadline is refused too (some servers ignore the request). The
    /// renegotiation is not finished: call [`Connection::abandon`] after an acceptance.
    /// (`openssl s_server -www`, OpenSSL 3.0, sleeps a second after a renegotiation that
    /// completes inside its read, but not after one that fails because the client left.)
    pub async fn ask_renegotiation(
        &mut self,
        deadline: Instant,
    ) -> Result<RenegotiationAnswer, ConnError> {
        self.client.renegotiate()?;
        self.flush().await?;
        let saved = self.deadline;
        self.deadline = saved.min(deadline);
        let answer = self.renegotiation_answer().await;
        self.deadline = saved;
        answer
    }

    /// The first refusal among the events queued so far (a warning before anything else).
    fn queued_refusal(&mut self) -> Option<RenegotiationAnswer> {
        while let Some(e) = self.client.next_event() {
            match e {
                Event::Warning(d) => {
                    return Some(RenegotiationAnswer::Refused(format!(
                        "the server answered with a {} warning",
                        d.name()
                    )))
                }
                Event::Closed => {
                    return Some(RenegotiationAnswer::Refused(
                        "the server answered with close_notify".into(),
                    ))
                }
                _ => {}
            }
        }
        None
    }

    async fn renegotiation_answer(&mut self) -> Result<RenegotiationAnswer, ConnError> {
        loop {
            if self.client.renegotiation_answered() {
                return Ok(RenegotiationAnswer::Accepted);
            }
            if let Some(r) = self.queued_refusal() {
                return Ok(r);
            }
            if self.eof {
                return Ok(RenegotiationAnswer::Refused(
                    "the server closed the connection".into(),
                ));
            }
            match self.read_and_feed().await {
                Ok(Ok(())) => {}
                // The ServerHello came, and something after it failed: still an acceptance.
                Ok(Err(_)) if self.client.renegotiation_answered() => {
                    return Ok(RenegotiationAnswer::Accepted)
                }
                Ok(Err(e)) => {
                    if let Some(r) = self.queued_refusal() {
                        // A no_renegotiation warning then close_notify (gnutls) in one read: the
                        // warning is the answer.
                        return Ok(r);
                    }
                    return match e {
                        Error::Alert(d) => Ok(RenegotiationAnswer::Refused(format!(
                            "the server answered with a {} alert",
                            d.name()
                        ))),
                        e => Err(e.into()),
                    };
                }
                Err(ConnError::Timeout) => {
                    return Ok(RenegotiationAnswer::Refused(
                        "the server did not answer the renegotiation request".into(),
                    ))
                }
                Err(ConnError::Reset) => {
                    return Ok(RenegotiationAnswer::Refused(
                        "the server reset the connection".into(),
                    ))
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Shut the connection down without sending what the client queued (a handshake left
    /// half-way ends with the server seeing the end of the stream).
    pub async fn abandon(mut self) {
        let _ = tokio::time::timeout_at(self.deadline, self.io.shutdown()).await;
    }

    /// Send `data` as application data and read the answer until the server closes (close_notify
    /// or FIN) or `max` bytes came. For `openssl s_server -www`: `GET / HTTP/1.0`.
    pub async fn request(&mut self, data: &[u8], max: usize) -> Result<Vec<u8>, ConnError> {
        self.client.send_application_data(data);
        let mut got = Vec::new();
        loop {
            match self.next_event().await {
                Ok(Event::ApplicationData(d)) => {
                    got.extend(d);
                    if got.len() >= max {
                        return Ok(got);
                    }
                }
                Ok(Event::Closed) | Err(ConnError::Closed) if !got.is_empty() => return Ok(got),
                Ok(Event::Closed) => return Err(ConnError::Closed),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Send a heartbeat request and wait for the response's payload (`None`: the server did not
    /// answer before the deadline or closed the connection).
    pub async fn heartbeat(
        &mut self,
        payload: &[u8],
        claimed_len: u16,
    ) -> Result<Option<Vec<u8>>, ConnError> {
        self.client.send_heartbeat(payload, claimed_len);
        loop {
            match self.next_event().await {
                Ok(Event::HeartbeatResponse(p)) => return Ok(Some(p)),
                Ok(Event::Closed) | Err(ConnError::Closed | ConnError::Timeout) => return Ok(None),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Send close_notify and shut the connection down.
    pub async fn close(mut self) {
        self.client.close_notify();
        let _ = self.flush().await;
        let _ = tokio::time::timeout_at(self.deadline, self.io.shutdown()).await;
    }

    /// The underlying stream.
    pub fn into_inner(self) -> S {
        self.io
    }
}

fn io_error(e: std::io::Error) -> ConnError {
    match e.kind() {
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
            ConnError::Reset
        }
        std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::UnexpectedEof => ConnError::Closed,
        _ => ConnError::Io(e.to_string()),
    }
}

/// A byte stream that keeps `guard` alive as long as it is open (the scan's connection slot).
pub struct Guarded<S, G> {
    io: S,
    _guard: G,
}

impl<S, G> Guarded<S, G> {
    /// `io`, holding `guard` until it is dropped.
    pub fn new(io: S, guard: G) -> Self {
        Guarded { io, _guard: guard }
    }
}

impl<S: AsyncRead + Unpin, G: Unpin> AsyncRead for Guarded<S, G> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin, G: Unpin> AsyncWrite for Guarded<S, G> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
