//! HTTP/1.1 for the whole toolkit, in one place: request and response heads (parsed by `httparse`,
//! a well-kept parser, rather than by hand), message framing per RFC 9112 §6 (one Content-Length,
//! or chunked), the one chunked decoder (streaming; sizes read by `httparse::parse_chunk_size`,
//! which refuses sizes that do not fit in 64 bits), and small helpers (HTML escaping, forms).
//! Used by `connect --http`, `serve --http`, the proxy (its CONNECT head and its HTTP logger), the
//! lab's web server and the HTTP-proxy client in `net`. Every function takes hostile bytes and
//! returns an error rather than panicking.

use crate::error::{Error, Result};

/// Limits that keep a hostile peer from making us buffer without bound.
pub const MAX_HEAD: usize = 64 * 1024;
pub const MAX_HEADERS: usize = 100;
/// The longest chunk-size line (size and extensions) accepted.
pub const MAX_CHUNK_LINE: usize = 4096;

/// A request line and headers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequestHead {
    pub method: String,
    pub target: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
}

/// A status line and headers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResponseHead {
    pub version: String,
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
}

/// Case-insensitive header lookup (first match).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Where the head ends: the index just past the blank line, if present (bare LF line ends are
/// accepted, as `httparse` accepts them).
pub fn head_end(buf: &[u8]) -> Option<usize> {
    head_end_from(buf, 0)
}

/// [`head_end`] for a buffer that grows: `searched` bytes were already looked at without finding
/// the end, so only the new bytes (and the three before them, where a terminator may start) are
/// scanned. A reader that appends what arrives and asks again does linear work in total, not
/// quadratic, however small the pieces a peer sends.
pub fn head_end_from(buf: &[u8], searched: usize) -> Option<usize> {
    let start = searched.saturating_sub(3).min(buf.len());
    let mut i = start;
    // One pass over the line feeds: "\n\n" ends a head with bare LF line ends, "\r\n\r\n" one
    // with CRLF; the first blank line wins.
    while let Some(off) = buf[i..].iter().position(|b| *b == b'\n') {
        let n = i + off;
        match buf.get(n + 1) {
            Some(b'\n') => return Some(n + 2),
            Some(b'\r') if n > 0 && buf[n - 1] == b'\r' && buf.get(n + 2) == Some(&b'\n') => {
                return Some(n + 3)
            }
            _ => {}
        }
        i = n + 1;
    }
    None
}

/// How a head that does not parse is described: at most 80 characters, escaped.
fn first_line(head: &[u8]) -> String {
    let line = head.split(|b| *b == b'\n').next().unwrap_or(b"");
    let line = &line[..line.len().min(80)];
    crate::escape::bytes(line.strip_suffix(b"\r").unwrap_or(line))
}

fn version(v: Option<u8>) -> String {
    format!("HTTP/1.{}", v.unwrap_or(1))
}

fn owned_headers(headers: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).trim().to_string(),
            )
        })
        .collect()
}

fn head_error(what: &str, head: &[u8], e: httparse::Error) -> Error {
    match e {
        httparse::Error::TooManyHeaders => {
            Error::protocol(format!("{what} has more than {MAX_HEADERS} header fields"))
        }
        e => Error::protocol(format!(
            "{what} is not valid HTTP ({e}): {}",
            first_line(head)
        )),
    }
}

/// Parse a request head (the bytes up to and including the blank line).
pub fn parse_request_head(head: &[u8]) -> Result<RequestHead> {
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut storage);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(Error::protocol(format!(
                "the HTTP request head is incomplete: {}",
                first_line(head)
            )))
        }
        Err(e) => return Err(head_error("the HTTP request", head, e)),
    }
    Ok(RequestHead {
        method: req.method.unwrap_or_default().to_string(),
        target: req.path.unwrap_or_default().to_string(),
        version: version(req.version),
        headers: owned_headers(req.headers),
    })
}

/// Parse a response head.
pub fn parse_response_head(head: &[u8]) -> Result<ResponseHead> {
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut storage);
    match resp.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(Error::protocol(format!(
                "the server's HTTP response head is incomplete: {}",
                first_line(head)
            )))
        }
        Err(e) => return Err(head_error("the server's answer", head, e)),
    }
    Ok(ResponseHead {
        version: version(resp.version),
        status: resp.code.unwrap_or(0),
        reason: resp.reason.unwrap_or_default().to_string(),
        headers: owned_headers(resp.headers),
    })
}

/// How the body of a message is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body.
    None,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
    /// Until the connection closes (responses only).
    UntilClose,
}

/// The Content-Length of a message: `None` when absent; an error when it is not a number, or
/// when several fields (or a list) disagree — RFC 9112 §6.3 item 5: an unrecoverable error.
pub fn content_length(headers: &[(String, String)]) -> Result<Option<u64>> {
    let mut found: Option<u64> = None;
    for (_, v) in headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        for part in v.split(',') {
            let part = part.trim();
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::protocol(format!(
                    "invalid Content-Length {}",
                    crate::escape::quoted(v)
                )));
            }
            let n = part
                .parse::<u64>()
                .map_err(|_| Error::protocol("Content-Length too large"))?;
            if found.is_some_and(|f| f != n) {
                return Err(Error::protocol(
                    "two different Content-Length values (RFC 9112 §6.3: rejected)",
                ));
            }
            found = Some(n);
        }
    }
    Ok(found)
}

/// Whether the transfer codings end in `chunked`; an error when they name `chunked` elsewhere.
fn chunked_last(headers: &[(String, String)]) -> Result<Option<bool>> {
    let codings: Vec<String> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("transfer-encoding"))
        .flat_map(|(_, v)| v.split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    let Some(last) = codings.last() else {
        return Ok(None);
    };
    if codings[..codings.len() - 1].iter().any(|c| c == "chunked") {
        return Err(Error::protocol(
            "Transfer-Encoding applies chunked more than once or not last",
        ));
    }
    Ok(Some(last == "chunked"))
}

/// The framing of a request body. Both Transfer-Encoding and Content-Length, a transfer coding
/// other than chunked, or bad lengths are refused (RFC 9112 §6.3: a request smuggling risk).
pub fn request_framing(headers: &[(String, String)]) -> Result<Framing> {
    let len = content_length(headers)?;
    match chunked_last(headers)? {
        Some(_) if len.is_some() => Err(Error::protocol(
            "both Transfer-Encoding and Content-Length (RFC 9112 §6.3: rejected)",
        )),
        Some(true) => Ok(Framing::Chunked),
        Some(false) => Err(Error::protocol(
            "a request Transfer-Encoding that does not end in chunked",
        )),
        None => Ok(match len {
            Some(0) | None => Framing::None,
            Some(n) => Framing::Length(n),
        }),
    }
}

/// The framing of a response body, given the request method it answers.
pub fn response_framing(
    status: u16,
    method: Option<&str>,
    headers: &[(String, String)],
) -> Result<Framing> {
    if (100..200).contains(&status) || status == 204 || status == 304 || method == Some("HEAD") {
        return Ok(Framing::None);
    }
    match chunked_last(headers)? {
        // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3 item 3).
        Some(true) => Ok(Framing::Chunked),
        Some(false) => Ok(Framing::UntilClose),
        None => Ok(match content_length(headers)? {
            Some(0) => Framing::None,
            Some(n) => Framing::Length(n),
            None => Framing::UntilClose,
        }),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ChunkState {
    Size(Vec<u8>),
    Data(u64),
    DataEnd(Vec<u8>),
    Trailer { line: Vec<u8>, total: usize },
    Done,
}

/// The one chunked-body decoder: feed it bytes as they arrive; it hands out the payload and stops
/// at the end of the body (trailers are read and dropped). Memory is bounded whatever the sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkedDecoder {
    state: ChunkState,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        ChunkedDecoder {
            state: ChunkState::Size(Vec::new()),
        }
    }
}

/// Take bytes up to and including the next LF into `line`; whether the LF was seen.
fn take_line(line: &mut Vec<u8>, data: &mut &[u8]) -> bool {
    let nl = data.iter().position(|b| *b == b'\n');
    let take = nl.map(|i| i + 1).unwrap_or(data.len());
    line.extend_from_slice(&data[..take]);
    *data = &data[take..];
    nl.is_some()
}

fn chunk_size(line: &[u8]) -> Result<u64> {
    // httparse wants CRLF; be lenient with a bare LF like the head parser is.
    let mut fixed;
    let mut line = line;
    if !line.ends_with(b"\r\n") {
        fixed = line[..line.len() - 1].to_vec();
        fixed.extend_from_slice(b"\r\n");
        line = &fixed;
    }
    let bad = || {
        Error::protocol(format!(
            "bad chunk size {} in a chunked body",
            crate::escape::bytes(&line[..line.len().saturating_sub(2).min(40)])
        ))
    };
    if !line.first().is_some_and(u8::is_ascii_hexdigit) {
        return Err(bad());
    }
    match httparse::parse_chunk_size(line) {
        Ok(httparse::Status::Complete((_, n))) => Ok(n),
        _ => Err(bad()),
    }
}

impl ChunkedDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The body is complete.
    pub fn done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Decode what `data` holds, handing payload bytes to `sink`. Returns how many input bytes
    /// belong to the body (the rest, after the end, is the next message).
    pub fn push(&mut self, mut data: &[u8], sink: &mut dyn FnMut(&[u8])) -> Result<usize> {
        let total = data.len();
        while !data.is_empty() && !self.done() {
            match &mut self.state {
                ChunkState::Size(line) => {
                    if take_line(line, &mut data) {
                        let n = chunk_size(line)?;
                        self.state = if n == 0 {
                            ChunkState::Trailer {
                                line: Vec::new(),
                                total: 0,
                            }
                        } else {
                            ChunkState::Data(n)
                        };
                    } else if line.len() > MAX_CHUNK_LINE {
                        return Err(Error::protocol("chunk-size line longer than 4 KiB"));
                    }
                }
                ChunkState::Data(rem) => {
                    let take = (*rem).min(data.len() as u64) as usize;
                    *rem -= take as u64;
                    sink(&data[..take]);
                    data = &data[take..];
                    if *rem == 0 {
                        self.state = ChunkState::DataEnd(Vec::new());
                    }
                }
                ChunkState::DataEnd(line) => {
                    if take_line(line, &mut data) {
                        if line != b"\r\n" && line != b"\n" {
                            return Err(Error::protocol(
                                "chunk data longer than its size (no CRLF after it)",
                            ));
                        }
                        self.state = ChunkState::Size(Vec::new());
                    } else if line.len() > 2 {
                        return Err(Error::protocol(
                            "chunk data longer than its size (no CRLF after it)",
                        ));
                    }
                }
                ChunkState::Trailer { line, total } => {
                    let before = data.len();
                    let complete = take_line(line, &mut data);
                    *total += before - data.len();
                    if *total > MAX_HEAD {
                        return Err(Error::protocol("chunked trailer larger than 64 KiB"));
                    }
                    if complete {
                        if line == b"\r\n" || line == b"\n" {
                            self.state = ChunkState::Done;
                        } else {
                            line.clear();
                        }
                    }
                }
                ChunkState::Done => {}
            }
        }
        Ok(total - data.len())
    }
}

/// Decode a complete chunked body. Returns the payload and how many input bytes were used.
pub fn decode_chunked(data: &[u8]) -> Result<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut d = ChunkedDecoder::new();
    let used = d.push(data, &mut |b| out.extend_from_slice(b))?;
    if !d.done() {
        return Err(Error::protocol("truncated chunked body"));
    }
    Ok((out, used))
}

/// Split a full response (head + body, as read to EOF) into head and decoded body.
pub fn parse_full_response(bytes: &[u8]) -> Result<(ResponseHead, Vec<u8>)> {
    let end = head_end(bytes).ok_or_else(|| {
        Error::protocol(if bytes.is_empty() {
            "the server closed the connection without answering the HTTP request".to_string()
        } else {
            "the server's HTTP response has no complete header block".to_string()
        })
    })?;
    let head = parse_response_head(&bytes[..end])?;
    let rest = &bytes[end..];
    let body = match response_framing(head.status, Some("GET"), &head.headers)? {
        Framing::None => Vec::new(),
        Framing::Chunked => decode_chunked(rest)?.0,
        Framing::Length(n) => rest[..rest.len().min(n.try_into().unwrap_or(usize::MAX))].to_vec(),
        Framing::UntilClose => rest.to_vec(),
    };
    Ok((head, body))
}

/// Escape text for HTML: the crate's one escaper, [`crate::html::escape`].
pub use crate::html::escape as html_escape;

/// Decode `%xx` escapes (and `+` as space when `form` is true). Invalid escapes are kept as is.
pub fn percent_decode(s: &str, form: bool) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' && form { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parse `application/x-www-form-urlencoded` text into (name, value) pairs.
pub fn parse_form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(p, true), String::new()),
        })
        .collect()
}

/// The reason phrase for common status codes.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_head() {
        let h =
            parse_request_head(b"GET /a?b=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n").unwrap();
        assert_eq!(h.method, "GET");
        assert_eq!(h.target, "/a?b=1");
        assert_eq!(header(&h.headers, "host"), Some("x"));
        assert!(parse_request_head(b"\x16\x03\x01garbage\r\n\r\n").is_err());
    }

    /// The one-pass search agrees with the definition (the first "\r\n\r\n" or "\n\n", whichever
    /// ends first) on every short string over the bytes that matter, and searching a growing
    /// buffer piece by piece finds the same end.
    #[test]
    fn head_end_is_the_first_blank_line() {
        fn by_definition(buf: &[u8]) -> Option<usize> {
            let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
            let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
            match (crlf, lf) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
        let alphabet = [b'\r', b'\n', b'a'];
        for len in 0..=8u32 {
            for mut code in 0..3usize.pow(len) {
                let mut buf = Vec::new();
                for _ in 0..len {
                    buf.push(alphabet[code % 3]);
                    code /= 3;
                }
                let want = by_definition(&buf);
                assert_eq!(head_end(&buf), want, "{buf:?}");
                for cut in 0..=buf.len() {
                    if by_definition(&buf[..cut]).is_none() {
                        assert_eq!(head_end_from(&buf, cut), want, "{buf:?} after {cut}");
                    }
                }
            }
        }
    }

    #[test]
    fn chunked() {
        let (body, used) = decode_chunked(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").unwrap();
        assert_eq!(body, b"hello world");
        assert_eq!(used, 26);
        assert!(decode_chunked(b"5\r\nhel").is_err());
    }

    #[test]
    fn full_response() {
        let (h, b) =
            parse_full_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiXX").unwrap();
        assert_eq!(h.status, 200);
        assert_eq!(b, b"hi");
    }

    #[test]
    fn forms() {
        assert_eq!(
            parse_form("user=alice&password=s%3Dcr+et"),
            vec![
                ("user".into(), "alice".into()),
                ("password".into(), "s=cr et".into())
            ]
        );
        assert_eq!(percent_decode("%zz%4", false), "%zz%4");
    }
}
