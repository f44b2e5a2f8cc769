//! `serve --http`: HTTP/1.1 over the TLS stream — the session page, or static files under a root
//! that requests cannot leave; request bodies bounded in memory, files streamed.

use super::{io_err, write_within, ConnectionLog, Counters};
use crate::error::{Error, Result};
use crate::http;
use crate::net::ReadAhead;
use crate::session::report::{Negotiated, SuiteReport};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite};
use tokio_rustls::server::TlsStream;

/// Request bodies up to this size are kept (and shown on the session page); larger ones are read
/// and discarded as they arrive, so an upload of any size costs no memory.
const MAX_BODY_KEPT: u64 = 1 << 20;

/// Files up to this size are read into memory at once; larger ones are streamed.
const SMALL_FILE: u64 = 64 * 1024;

/// Files are sent in chunks of this size, read ahead by a blocking reader thread.
const FILE_CHUNK: usize = 256 * 1024;

/// One parsed request with its body.
struct Request {
    head: http::RequestHead,
    body: Vec<u8>,
    /// Length of the body, also when it was too large to keep.
    body_len: u64,
}

async fn read_request<R: AsyncBufRead + Unpin>(
    r: &mut R,
    idle: Duration,
    c: &mut Counters,
) -> Result<Option<Request>> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = match tokio::time::timeout(
            idle,
            (&mut *r)
                .take(http::MAX_HEAD as u64)
                .read_until(b'\n', &mut line),
        )
        .await
        {
            Err(_) => {
                if head.is_empty() {
                    return Ok(None); // idle keep-alive connection: close quietly
                }
                return Err(Error::protocol("client stopped in the middle of a request"));
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof && head.is_empty() => {
                return Ok(None)
            }
            Ok(Err(e)) => return Err(io_err(e, "reading the HTTP request")),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            if head.is_empty() {
                return Ok(None);
            }
            return Err(Error::protocol(
                "client closed the connection in the middle of a request",
            ));
        }
        c.bytes_in += n as u64;
        head.extend_from_slice(&line);
        if head.len() > http::MAX_HEAD {
            return Err(Error::protocol("HTTP request head larger than 64 KiB"));
        }
        if line == b"\r\n" || line == b"\n" {
            if head.len() == line.len() {
                head.clear(); // tolerate stray blank lines between requests
                continue;
            }
            break;
        }
    }
    let head = http::parse_request_head(&head)?;
    let (body, body_len) = match http::request_framing(&head.headers)? {
        http::Framing::None | http::Framing::UntilClose => (Vec::new(), 0),
        http::Framing::Length(len) if len <= MAX_BODY_KEPT => {
            let mut body = vec![0u8; len as usize];
            tokio::time::timeout(idle, r.read_exact(&mut body))
                .await
                .map_err(|_| Error::protocol("client stopped sending the request body"))?
                .map_err(|e| io_err(e, "reading the request body"))?;
            (body, len)
        }
        http::Framing::Length(len) => {
            discard(r, len, idle).await?;
            (Vec::new(), len)
        }
        http::Framing::Chunked => read_chunked(r, idle).await?,
    };
    c.bytes_in += body_len;
    Ok(Some(Request {
        head,
        body,
        body_len,
    }))
}

/// Read a chunked request body with the one chunked decoder; keep at most [`MAX_BODY_KEPT`].
async fn read_chunked<R: AsyncBufRead + Unpin>(
    r: &mut R,
    idle: Duration,
) -> Result<(Vec<u8>, u64)> {
    let mut dec = http::ChunkedDecoder::new();
    let mut body = Vec::new();
    let mut len = 0u64;
    while !dec.done() {
        let buf = match tokio::time::timeout(idle, r.fill_buf()).await {
            Err(_) => return Err(Error::protocol("client stopped sending the request body")),
            Ok(Err(e)) => return Err(io_err(e, "reading the request body")),
            Ok(Ok([])) => {
                return Err(Error::protocol(
                    "client closed the connection in the middle of the request body",
                ))
            }
            Ok(Ok(b)) => b,
        };
        let used = dec.push(buf, &mut |b| {
            len += b.len() as u64;
            let room = (MAX_BODY_KEPT as usize).saturating_sub(body.len());
            body.extend_from_slice(&b[..b.len().min(room)]);
        })?;
        r.consume(used);
    }
    Ok((body, len))
}

/// Read and drop `len` bytes of a request body, chunk by chunk, straight from rustls' buffer.
async fn discard<R: AsyncBufRead + Unpin>(r: &mut R, mut len: u64, idle: Duration) -> Result<()> {
    while len > 0 {
        let n = match tokio::time::timeout(idle, r.fill_buf()).await {
            Err(_) => return Err(Error::protocol("client stopped sending the request body")),
            Ok(Err(e)) => return Err(io_err(e, "reading the request body")),
            Ok(Ok([])) => {
                return Err(Error::protocol(
                    "client closed the connection in the middle of the request body",
                ))
            }
            Ok(Ok(b)) => b.len().min(len.try_into().unwrap_or(usize::MAX)),
        };
        r.consume(n);
        len -= n as u64;
    }
    Ok(())
}

pub(super) async fn serve_http(
    tls: &mut TlsStream<ReadAhead>,
    root: Option<&Path>,
    idle: Duration,
    c: &mut Counters,
    log: &mut ConnectionLog,
) -> Result<()> {
    let session = SessionFacts::from_conn(tls.get_ref().1, log);
    // No BufReader: the TLS stream buffers plaintext itself, so a keep-alive connection waiting for
    // its next request holds no read buffer of ours.
    loop {
        let req = match read_request(tls, idle, c).await {
            Ok(Some(req)) => req,
            Ok(None) => return Ok(()),
            Err(e) => {
                let body = Body::Bytes(e.to_string().into_bytes());
                let how = Sending {
                    idle,
                    close: true,
                    head_only: false,
                };
                let _ = write_response(tls, 400, "text/plain; charset=utf-8", body, how, c).await;
                return Err(e);
            }
        };
        let close = http::header(&req.head.headers, "connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
            || req.head.version == "HTTP/1.0";
        let head_only = req.head.method == "HEAD";
        let (status, ctype, body) = match req.head.method.as_str() {
            "GET" | "HEAD" | "POST" => match root {
                Some(root) if req.head.method != "POST" => {
                    static_file(root, &req.head.target).await
                }
                _ => (
                    200,
                    "text/html; charset=utf-8".to_string(),
                    Body::Bytes(session_page(&session, &req).into_bytes()),
                ),
            },
            _ => (
                405,
                "text/plain; charset=utf-8".to_string(),
                Body::Bytes(b"method not allowed\n".to_vec()),
            ),
        };
        log.requests.push(format!(
            "{} {} {}",
            req.head.method, req.head.target, status
        ));
        let how = Sending {
            idle,
            close,
            head_only,
        };
        write_response(tls, status, &ctype, body, how, c).await?;
        if close {
            return Ok(());
        }
    }
}

/// A response body: bytes in memory, or a file streamed from disk.
enum Body {
    Bytes(Vec<u8>),
    File { file: std::fs::File, len: u64 },
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::File { len, .. } => *len,
        }
    }
}

/// How a response is sent: the idle bound on each write, and whether the connection closes after it.
struct Sending {
    idle: Duration,
    close: bool,
    head_only: bool,
}

async fn write_response<W: AsyncWrite + Unpin>(
    w: &mut W,
    status: u16,
    ctype: &str,
    body: Body,
    how: Sending,
    c: &mut Counters,
) -> Result<()> {
    let Sending {
        idle,
        close,
        head_only,
    } = how;
    let head = format!(
        "HTTP/1.1 {status} {}\r\nServer: tlskit/{}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: {}\r\n\r\n",
        http::reason(status),
        env!("CARGO_PKG_VERSION"),
        body.len(),
        if close { "close" } else { "keep-alive" }
    );
    let mut out = head.into_bytes();
    const WHAT: &str = "sending the HTTP response";
    match body {
        Body::Bytes(b) => {
            if !head_only {
                out.extend_from_slice(&b);
            }
            // Before a close, no flush of its own: close_notify follows in the same write.
            write_within(w, &out, !close, idle, WHAT).await?;
            c.bytes_out += out.len() as u64;
        }
        Body::File { file, len } => {
            write_within(w, &out, false, idle, WHAT).await?;
            c.bytes_out += out.len() as u64;
            if !head_only {
                send_file(w, file, len, idle, c).await?;
            }
            write_within(w, &[], true, idle, WHAT).await?;
        }
    }
    Ok(())
}

/// Stream `len` bytes of `file`: a blocking thread reads ahead into a few buffers that go round
/// between it and this task (allocated once per file, not per chunk), so disk reads and TLS writes
/// overlap and the allocator is left alone.
async fn send_file<W: AsyncWrite + Unpin>(
    w: &mut W,
    file: std::fs::File,
    len: u64,
    idle: Duration,
    c: &mut Counters,
) -> Result<()> {
    const BUFFERS: usize = 3;
    let (full_tx, mut full_rx) =
        tokio::sync::mpsc::channel::<std::io::Result<(Vec<u8>, usize)>>(BUFFERS);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    for _ in 0..BUFFERS {
        let _ = empty_tx.send(vec![0u8; FILE_CHUNK]);
    }
    let reader = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut file = file.take(len);
        // Ends when the file is read, or when the sending task has gone (dropped its channels).
        while let Ok(mut buf) = empty_rx.recv() {
            let r = file.read(&mut buf).map(|n| (buf, n));
            let stop = !matches!(&r, Ok((_, n)) if *n > 0);
            if full_tx.blocking_send(r).is_err() || stop {
                return;
            }
        }
    });
    let mut sent = 0u64;
    let result = loop {
        match full_rx.recv().await {
            None | Some(Ok(_)) if sent >= len => break Ok(()),
            Some(Ok((_, 0))) => {
                break Err(Error::other(format!(
                    "the file shrank while it was being sent ({sent} of {len} bytes)"
                )));
            }
            Some(Ok((buf, n))) => {
                if let Err(e) = write_within(w, &buf[..n], false, idle, "sending the file").await {
                    break Err(e);
                }
                sent += n as u64;
                c.bytes_out += n as u64;
                let _ = empty_tx.send(buf);
            }
            Some(Err(e)) => break Err(Error::other(format!("reading the file: {e}"))),
            None => break Err(Error::other("the file reader stopped")),
        }
    };
    drop(full_rx);
    drop(empty_tx);
    let _ = reader.await;
    result
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html") | Some("htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("txt") | Some("md") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// A file under `root`, never outside it.
async fn static_file(root: &Path, target: &str) -> (u16, String, Body) {
    let text = |status: u16, msg: &str| {
        (
            status,
            "text/plain; charset=utf-8".to_string(),
            Body::Bytes(msg.as_bytes().to_vec()),
        )
    };
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = http::percent_decode(path, false);
    if decoded.split('/').any(|seg| seg == "..") || decoded.contains('\0') {
        return text(403, "forbidden\n");
    }
    let mut full = root.join(decoded.trim_start_matches('/'));
    if full.is_dir() {
        full = full.join("index.html");
    }
    let Ok(canon) = full.canonicalize() else {
        return text(404, "not found\n");
    };
    // `root` was made canonical once, when the server started.
    if !canon.starts_with(root) {
        return text(403, "forbidden\n");
    }
    // Small files are read at once (from the page cache this takes microseconds, less than a hop
    // to the blocking pool); large ones are streamed by send_file.
    let opened = std::fs::File::open(&canon).and_then(|f| {
        let meta = f.metadata()?;
        Ok((f, meta))
    });
    match opened {
        Ok((mut file, meta)) if meta.is_file() => {
            let ctype = content_type(&canon).to_string();
            if meta.len() <= SMALL_FILE {
                use std::io::Read;
                let mut bytes = Vec::with_capacity(meta.len() as usize);
                match file.read_to_end(&mut bytes) {
                    Ok(_) => (200, ctype, Body::Bytes(bytes)),
                    Err(_) => text(404, "not found\n"),
                }
            } else {
                (
                    200,
                    ctype,
                    Body::File {
                        file,
                        len: meta.len(),
                    },
                )
            }
        }
        _ => text(404, "not found\n"),
    }
}

/// Session details shown on the default page.
struct SessionFacts {
    negotiated: Negotiated,
    sni: Option<String>,
    client_cert: Option<String>,
    peer: String,
}

impl SessionFacts {
    fn from_conn(conn: &rustls::ServerConnection, log: &ConnectionLog) -> Self {
        SessionFacts {
            negotiated: Negotiated::from_state(conn),
            sni: conn.server_name().map(str::to_string),
            client_cert: log.client_certificate.clone(),
            peer: log.peer.clone(),
        }
    }
}

fn session_page(s: &SessionFacts, req: &Request) -> String {
    let e = http::html_escape;
    let n = &s.negotiated;
    let cs: &SuiteReport = &n.cipher_suite;
    let mut rows = vec![
        ("Client address", s.peer.clone()),
        (
            "Server name (SNI)",
            s.sni.clone().unwrap_or_else(|| "(none sent)".into()),
        ),
        ("Protocol", n.protocol.clone()),
        (
            "Cipher suite",
            format!(
                "{} (OpenSSL: {})",
                cs.name,
                cs.openssl_name.as_deref().unwrap_or("-")
            ),
        ),
        (
            "Encryption",
            format!("{}, {}-bit key, MAC {}", cs.enc, cs.bits, cs.mac),
        ),
        (
            "Key exchange group",
            n.key_exchange_group.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "Forward secrecy",
            if n.forward_secrecy {
                "yes".into()
            } else {
                "no".into()
            },
        ),
        ("ALPN", n.alpn.clone().unwrap_or_else(|| "(none)".into())),
        ("Handshake", n.handshake.replace('_', " ")),
        ("Compression", n.compression.clone()),
        (
            "Client certificate",
            s.client_cert.clone().unwrap_or_else(|| "(none)".into()),
        ),
    ];
    rows.push((
        "Request",
        format!(
            "{} {} {}",
            req.head.method, req.head.target, req.head.version
        ),
    ));
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tlskit serve</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td{border:1px solid #ccc;padding:4px 8px}td:first-child{font-weight:bold}</style></head><body>\n<h1>Hello over TLS</h1>\n<p id=\"summary\">",
    );
    html.push_str(&e(&format!("{} with {}", n.protocol, cs.name)));
    html.push_str("</p>\n<h2>This session</h2>\n<table id=\"session\">\n");
    for (k, v) in rows {
        html.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>\n", e(k), e(&v)));
    }
    html.push_str("</table>\n<h2>Request headers</h2>\n<table id=\"headers\">\n");
    for (k, v) in &req.head.headers {
        html.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>\n", e(k), e(v)));
    }
    html.push_str("</table>\n");
    if req.body.is_empty() && req.body_len > 0 {
        html.push_str(&format!(
            "<h2>Request body</h2>\n<p>{} bytes (read and discarded: larger than 1 MiB)</p>\n",
            req.body_len
        ));
    }
    if !req.body.is_empty() {
        let body = String::from_utf8_lossy(&req.body);
        html.push_str("<h2>Request body</h2>\n");
        let is_form = http::header(&req.head.headers, "content-type")
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if is_form {
            html.push_str("<table id=\"form\">\n");
            for (k, v) in http::parse_form(&body) {
                html.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>\n", e(&k), e(&v)));
            }
            html.push_str("</table>\n");
        } else {
            html.push_str(&format!("<pre>{}</pre>\n", e(&body)));
        }
    }
    html.push_str("<form method=\"post\" action=\"/login\"><p>A lab login form (what a proxy can see once TLS is terminated):</p>\n<input name=\"username\" placeholder=\"username\"> <input name=\"password\" type=\"password\" placeholder=\"password\"> <button type=\"submit\">Log in</button></form>\n");
    html.push_str("</body></html>\n");
    html
}
