//! Just enough HTTP/1.1 for a lab: parse request and response heads, decode chunked bodies,
//! escape HTML. Used by `serve --http`, `connect --http` and the proxy.

use crate::error::{Error, Result};

/// Limits that keep a hostile peer from making us buffer without bound.
pub const MAX_HEAD: usize = 64 * 1024;
pub const MAX_HEADERS: usize = 100;

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

/// Where the head ends: the index just past the blank line, if present.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| {
            // Be lenient with bare LF line endings.
            buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2)
        })
}

fn parse_headers<'a>(lines: impl Iterator<Item = &'a str>) -> Result<Vec<(String, String)>> {
    let mut headers = Vec::new();
    for line in lines {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').ok_or_else(|| {
            Error::protocol(format!(
                "malformed HTTP header line: {:?}",
                truncate(line, 80)
            ))
        })?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
        if headers.len() > MAX_HEADERS {
            return Err(Error::protocol("too many HTTP headers"));
        }
    }
    Ok(headers)
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Parse a request head (the bytes up to and including the blank line).
pub fn parse_request_head(head: &[u8]) -> Result<RequestHead> {
    let text =
        std::str::from_utf8(head).map_err(|_| Error::protocol("HTTP request head is not text"))?;
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("").trim_end_matches('\r');
    let mut parts = first.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::protocol(format!(
            "not an HTTP request line: {:?}",
            truncate(first, 80)
        )));
    };
    if !version.starts_with("HTTP/")
        || method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
    {
        return Err(Error::protocol(format!(
            "not an HTTP request line: {:?}",
            truncate(first, 80)
        )));
    }
    Ok(RequestHead {
        method: method.to_string(),
        target: target.to_string(),
        version: version.to_string(),
        headers: parse_headers(lines)?,
    })
}

/// Parse a response head.
pub fn parse_response_head(head: &[u8]) -> Result<ResponseHead> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("").trim_end_matches('\r');
    let mut parts = first.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let status = parts.next().and_then(|s| s.parse::<u16>().ok());
    let reason = parts.next().unwrap_or("").to_string();
    let (true, Some(status)) = (version.starts_with("HTTP/"), status) else {
        return Err(Error::protocol(format!(
            "the server's answer is not an HTTP response: {:?}",
            truncate(first, 80)
        )));
    };
    let headers: Vec<(String, String)> = parse_headers(lines)?;
    Ok(ResponseHead {
        version: version.to_string(),
        status,
        reason,
        headers,
    })
}

/// Decode a complete chunked body. Returns the payload and how many input bytes were used.
pub fn decode_chunked(mut data: &[u8]) -> Result<(Vec<u8>, usize)> {
    let total = data.len();
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| Error::protocol("truncated chunked body (missing chunk size line)"))?;
        let size_text = std::str::from_utf8(&data[..line_end]).unwrap_or("");
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| {
            Error::protocol(format!("bad chunk size {size_text:?} in chunked body"))
        })?;
        data = &data[line_end + 2..];
        if size == 0 {
            // Skip trailers up to the final blank line.
            let end = data
                .windows(2)
                .position(|w| w == b"\r\n")
                .map(|i| i + 2)
                .unwrap_or(data.len());
            data = &data[end..];
            return Ok((out, total - data.len()));
        }
        if data.len() < size + 2 {
            return Err(Error::protocol("truncated chunked body"));
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
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
    let body = if header(&head.headers, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        decode_chunked(rest)?.0
    } else if let Some(len) =
        header(&head.headers, "content-length").and_then(|v| v.trim().parse::<usize>().ok())
    {
        rest[..len.min(rest.len())].to_vec()
    } else {
        rest.to_vec()
    };
    Ok((head, body))
}

/// Escape text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

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
