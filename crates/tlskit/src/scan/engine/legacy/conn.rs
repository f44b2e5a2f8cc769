//! Drive the sans-IO [`Client`] over any async byte stream (a TCP connection, or one already
//! through a proxy or STARTTLS), every read and write bounded by one deadline.

use super::client::{Client, Config, Error, Event, Negotiated};
use tlskit_wire::alert::AlertDescription;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

/// Most bytes read on one connection (a bound against a server that never stops).
const MAX_BYTES: usize = 4 << 20;

/// Why a connection step did not complete. One line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnError {
    Tls(Error),
    /// The server closed the connection (FIN), or sent close_notify where data was awaited.
    Closed,
    Reset,
    Timeout,
    /// A warning alert where a handshake message was awaited (no_renegotiation, typically).
    Warning(AlertDescription),
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
            let mut buf = [0u8; 16384];
            let n = match tokio::time::timeout_at(self.deadline, self.io.read(&mut buf)).await {
                Err(_) => return Err(ConnError::Timeout),
                Ok(Err(e)) => return Err(io_error(e)),
                Ok(Ok(n)) => n,
            };
            if n == 0 {
                self.eof = true;
                continue;
            }
            self.read_total += n;
            if self.read_total > MAX_BYTES {
                return Err(ConnError::TooMuch);
            }
            let fed = self.client.feed(&buf[..n]);
            if let Err(e) = fed {
                // Tell the server why (best effort), then report.
                let _ = self.flush().await;
                return Err(e.into());
            }
        }
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
