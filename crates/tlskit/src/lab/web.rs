//! The lab's tiny HTTP side: read one bounded request from any stream (TLS or plain), write one
//! response, close. Every read has a deadline; heads and bodies have size limits.

use crate::http;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest request body read (OCSP requests are a few hundred bytes).
pub const MAX_BODY: usize = 64 * 1024;
/// Largest request head read.
pub const MAX_HEAD: usize = 16 * 1024;

/// One request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path and query as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// One response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn html(body: String) -> Response {
        Response::new(200, "text/html; charset=utf-8", body)
    }

    pub fn text(status: u16, body: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            body.as_bytes().to_vec(),
        )
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// Read one request within `deadline`: the head (at most [`MAX_HEAD`]) and a Content-Length
/// body (at most [`MAX_BODY`]). `Err` is a sentence for the log.
pub async fn read_request<S: AsyncRead + Unpin>(
    s: &mut S,
    deadline: Duration,
) -> Result<Request, String> {
    let work = async {
        let mut buf = Vec::with_capacity(1024);
        // Bytes already searched for the blank line (each piece is searched once).
        let mut searched = 0;
        let mut chunk = [0u8; 4096];
        let head_len = loop {
            if let Some(end) = http::head_end_from(&buf, searched) {
                break end;
            }
            if buf.len() > MAX_HEAD {
                return Err(format!("request head longer than {MAX_HEAD} bytes"));
            }
            let n = s
                .read(&mut chunk)
                .await
                .map_err(|e| format!("reading the request: {e}"))?;
            if n == 0 {
                return Err("the client closed without a request".to_string());
            }
            searched = buf.len();
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = http::parse_request_head(&buf[..head_len]).map_err(|e| e.to_string())?;
        let mut dec = None;
        let len = match http::request_framing(&head.headers).map_err(|e| e.to_string())? {
            http::Framing::Length(n) => usize::try_from(n).unwrap_or(usize::MAX),
            http::Framing::Chunked => {
                dec = Some(http::ChunkedDecoder::new());
                0
            }
            _ => 0,
        };
        if let Some(mut dec) = dec {
            return read_chunked(s, &mut dec, &buf[head_len..], &mut chunk)
                .await
                .map(|body| Request {
                    method: head.method,
                    target: head.target,
                    headers: head.headers,
                    body,
                });
        }
        if len > MAX_BODY {
            return Err(format!("a request body over {MAX_BODY} bytes"));
        }
        let mut body = buf[head_len..].to_vec();
        while body.len() < len {
            let n = s
                .read(&mut chunk)
                .await
                .map_err(|e| format!("reading the request body: {e}"))?;
            if n == 0 {
                return Err("the client closed in the middle of the body".to_string());
            }
            body.extend_from_slice(&chunk[..n]);
        }
        body.truncate(len);
        Ok(Request {
            method: head.method,
            target: head.target,
            headers: head.headers,
            body,
        })
    };
    match tokio::time::timeout(deadline, work).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "no complete request within {}",
            crate::net::fmt_duration(deadline)
        )),
    }
}

/// A chunked request body (at most [`MAX_BODY`] bytes), decoded by the one chunked decoder.
async fn read_chunked<S: AsyncRead + Unpin>(
    s: &mut S,
    dec: &mut http::ChunkedDecoder,
    first: &[u8],
    chunk: &mut [u8],
) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    let mut feed = |dec: &mut http::ChunkedDecoder, data: &[u8]| -> Result<(), String> {
        dec.push(data, &mut |b| {
            let room = (MAX_BODY + 1).saturating_sub(body.len());
            body.extend_from_slice(&b[..b.len().min(room)]);
        })
        .map_err(|e| e.to_string())?;
        Ok(())
    };
    feed(dec, first)?;
    while !dec.done() {
        let n = s
            .read(chunk)
            .await
            .map_err(|e| format!("reading the request body: {e}"))?;
        if n == 0 {
            return Err("the client closed in the middle of the body".to_string());
        }
        feed(dec, &chunk[..n])?;
    }
    if body.len() > MAX_BODY {
        return Err(format!("a request body over {MAX_BODY} bytes"));
    }
    Ok(body)
}

/// Write `r` (HTTP/1.1, Connection: close) and shut the stream down, within `deadline`.
pub async fn write_response<S: AsyncWrite + Unpin>(s: &mut S, r: &Response, deadline: Duration) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n",
        r.status,
        http::reason(r.status),
        r.content_type,
        r.body.len()
    );
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let work = async {
        s.write_all(head.as_bytes()).await?;
        s.write_all(&r.body).await?;
        s.flush().await?;
        s.shutdown().await
    };
    let _ = tokio::time::timeout(deadline, work).await;
}
