//! One benchmark connection: the shared context, failures by kind, per-worker statistics.

use super::*;

/// Answers larger than this are not read to the end in the handshake workloads.
pub(super) const MAX_ANSWER: usize = 1 << 20;
/// After the end of a run, connections still in flight get this long before they are cut.
pub(super) const GRACE: Duration = Duration::from_secs(2);
/// Chunk written per call when uploading.
pub(super) const UPLOAD_CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Connect,
    Tls,
    Timeout,
    Io,
    NoAnswer,
    Http,
}

impl Kind {
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Connect => "connect",
            Kind::Tls => "tls",
            Kind::Timeout => "timeout",
            Kind::Io => "io",
            Kind::NoAnswer => "no_answer",
            Kind::Http => "http",
        }
    }
}

#[derive(Debug)]
pub(super) struct Failure {
    pub(super) kind: Kind,
    pub(super) message: String,
}

impl Failure {
    pub(super) fn new(kind: Kind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }
    pub(super) fn into_error(self) -> Error {
        match self.kind {
            Kind::Tls => Error::tls(self.message),
            Kind::Http | Kind::NoAnswer => Error::protocol(self.message),
            _ => Error::network(self.message),
        }
    }
}

/// Everything a connection needs, shared by all of them.
pub(super) struct Ctx {
    pub(super) addr: SocketAddr,
    /// Set when a proxy applies: every connection is opened through it.
    pub(super) via_proxy: Option<net::Connector>,
    pub(super) name: ServerName<'static>,
    pub(super) connector: TlsConnector,
    pub(super) exchange: Exchange,
    /// Sent after each handshake in the handshake workloads (empty for raw).
    pub(super) request: Vec<u8>,
    pub(super) timeout: Duration,
    pub(super) err_ctx: ErrorContext,
}

/// A completed connection in a handshake workload.
pub(super) struct Sample {
    pub(super) handshake: Duration,
    pub(super) first_byte: Option<Duration>,
    pub(super) resumed: bool,
    pub(super) status: Option<u16>,
}

impl Ctx {
    /// TCP connect and TLS handshake, both before `deadline`. Returns the stream and the time the
    /// two took.
    pub(super) async fn open(
        &self,
        deadline: Instant,
    ) -> std::result::Result<(TlsStream<ReadAhead>, Duration), Failure> {
        let t0 = Instant::now();
        if let Some(c) = &self.via_proxy {
            let tcp = match tokio::time::timeout_at(deadline, c.connect_tcp(None)).await {
                Err(_) => {
                    return Err(Failure::new(
                        Kind::Timeout,
                        format!("connecting through the proxy to {} timed out", c.target),
                    ))
                }
                Ok(Err(e)) => return Err(Failure::new(Kind::Connect, e.message())),
                Ok(Ok(c)) => c.stream,
            };
            return self.tls_on(tcp, t0, deadline).await;
        }
        let tcp = match tokio::time::timeout_at(deadline, TcpStream::connect(self.addr)).await {
            Err(_) => {
                return Err(Failure::new(
                    Kind::Timeout,
                    format!("TCP connect to {} timed out", self.addr),
                ))
            }
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Kind::Connect,
                    net::connect_error(self.addr, &e).to_string(),
                ))
            }
            Ok(Ok(s)) => s,
        };
        let _ = tcp.set_nodelay(true);
        self.tls_on(tcp, t0, deadline).await
    }

    /// The TLS handshake on a connected stream, before `deadline`.
    pub(super) async fn tls_on(
        &self,
        tcp: TcpStream,
        t0: Instant,
        deadline: Instant,
    ) -> std::result::Result<(TlsStream<ReadAhead>, Duration), Failure> {
        let tls = match tokio::time::timeout_at(
            deadline,
            self.connector
                .connect(self.name.clone(), ReadAhead::new(tcp)),
        )
        .await
        {
            Err(_) => {
                return Err(Failure::new(
                    Kind::Timeout,
                    format!("TLS handshake with {} did not finish in time", self.addr),
                ))
            }
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Kind::Tls,
                    verify::io_error(&e, &self.err_ctx, "TLS handshake").to_string(),
                ))
            }
            Ok(Ok(s)) => s,
        };
        Ok((tls, t0.elapsed()))
    }

    /// One connection of a handshake workload: handshake, request, the whole answer.
    pub(super) async fn small_exchange(
        &self,
        buf: &mut [u8],
        deadline: Instant,
    ) -> std::result::Result<Sample, Failure> {
        let t0 = Instant::now();
        let (mut tls, handshake) = self.open(deadline).await?;
        let resumed = tls.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
        let io = |what: &str, e: std::io::Error| Failure::new(Kind::Io, format!("{what}: {e}"));
        if !self.request.is_empty() {
            let sent = async {
                tls.write_all(&self.request).await?;
                tls.flush().await
            };
            match tokio::time::timeout_at(deadline, sent).await {
                Err(_) => return Err(Failure::new(Kind::Timeout, "sending the request timed out")),
                Ok(Err(e)) => return Err(io("sending the request", e)),
                Ok(Ok(())) => {}
            }
        }
        let mut first_byte = None;
        let mut start = [0u8; 16];
        let mut total = 0usize;
        loop {
            match tokio::time::timeout_at(deadline, tls.read(buf)).await {
                Err(_) => {
                    let what = if total == 0 {
                        "waiting for the server's answer"
                    } else {
                        "reading the answer"
                    };
                    return Err(Failure::new(Kind::Timeout, format!("{what} timed out")));
                }
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => {
                    if first_byte.is_none() {
                        first_byte = Some(t0.elapsed());
                    }
                    if total < start.len() {
                        let k = (start.len() - total).min(n);
                        start[total..total + k].copy_from_slice(&buf[..k]);
                    }
                    total += n;
                    if total > MAX_ANSWER {
                        break;
                    }
                }
                // A server that closes without close_notify after answering: the answer is complete.
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof && total > 0 => break,
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Err(Failure::new(
                        Kind::NoAnswer,
                        "the server closed the connection without answering",
                    ))
                }
                Ok(Err(e)) if total > 0 && e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Ok(Err(e)) => return Err(io("reading the answer", e)),
            }
        }
        if total == 0 && matches!(self.exchange, Exchange::Raw) {
            return Err(Failure::new(
                Kind::NoAnswer,
                "the server closed the connection without sending anything",
            ));
        }
        let status = match self.exchange {
            Exchange::Http { .. } => Some(status_of(&start[..total.min(start.len())])),
            Exchange::Raw => None,
        };
        Ok(Sample {
            handshake,
            first_byte,
            resumed,
            status,
        })
    }
}

/// The status code of an answer that starts `HTTP/1.x NNN`, or 0 when it is not HTTP.
pub(super) fn status_of(start: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(start);
    let mut parts = text.split(' ');
    match (parts.next(), parts.next()) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => code.parse().unwrap_or(0),
        _ => 0,
    }
}

/// What one worker of a handshake workload saw.
#[derive(Default)]
pub(super) struct WorkerStats {
    pub(super) handshake_us: Vec<u32>,
    pub(super) first_byte_us: Vec<u32>,
    pub(super) full: u64,
    pub(super) resumed: u64,
    pub(super) status: BTreeMap<u16, u64>,
    pub(super) errors: BTreeMap<Kind, (u64, String)>,
}

pub(super) fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

impl WorkerStats {
    pub(super) fn add(&mut self, s: Sample) {
        self.handshake_us.push(micros(s.handshake));
        if let Some(f) = s.first_byte {
            self.first_byte_us.push(micros(f));
        }
        if s.resumed {
            self.resumed += 1;
        } else {
            self.full += 1;
        }
        if let Some(st) = s.status {
            *self.status.entry(st).or_default() += 1;
        }
    }
    pub(super) fn fail(&mut self, f: Failure) {
        let e = self.errors.entry(f.kind).or_insert((0, f.message));
        e.0 += 1;
    }
    pub(super) fn merge(&mut self, o: WorkerStats) {
        self.handshake_us.extend(o.handshake_us);
        self.first_byte_us.extend(o.first_byte_us);
        self.full += o.full;
        self.resumed += o.resumed;
        for (k, v) in o.status {
            *self.status.entry(k).or_default() += v;
        }
        for (k, (n, msg)) in o.errors {
            self.errors.entry(k).or_insert((0, msg)).0 += n;
        }
    }
}

pub(super) fn errors_of(map: &BTreeMap<Kind, (u64, String)>) -> Errors {
    let mut e = Errors::default();
    for (k, (n, msg)) in map {
        e.total += n;
        e.by_kind.insert(k.name().to_string(), *n);
        e.first.insert(k.name().to_string(), msg.clone());
    }
    e
}
