//! The proxy's HTTP/1.1 logger: a streaming parser per direction that turns the decrypted bytes
//! into requests and responses (method, target, headers, form fields and bodies) — so the lab can
//! see the password a browser posts — with credential detection and optional redaction. Bytes that
//! are not HTTP are reported raw (text or hex). Memory per direction is bounded: a head of at most
//! 64 KiB, and at most [`BODY_KEEP`] bytes of each body.

use crate::http;
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

mod secrets;

use secrets::{find_credentials, json_sensitive_keys};
pub use secrets::{is_sensitive, mask_pairs};

/// Body bytes kept per message for the log (the rest is counted).
pub const BODY_KEEP: usize = 64 * 1024;
/// Raw (non-HTTP) bytes previewed per chunk.
pub const RAW_PREVIEW: usize = 256;
/// Raw bytes logged per direction before the logger only counts.
pub const RAW_LOG_LIMIT: usize = 64 * 1024;
/// What replaces a secret with `--redact`.
pub const MASK: &str = "********";

/// Which way the parser reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Client to server: requests.
    Request,
    /// Server to client: responses.
    Response,
}

/// One HTTP message as logged.
#[derive(Debug, Clone, Serialize)]
pub struct HttpMessage {
    /// `request` or `response`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub version: String,
    pub headers: Vec<(String, String)>,
    /// Query parameters of the request target, decoded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    pub body_bytes: u64,
    /// The body as text, when it is text (at most [`BODY_KEEP`] bytes of it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// The first bytes of a binary (or compressed) body, in hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_hex: Option<String>,
    /// Fields of an `application/x-www-form-urlencoded` body, decoded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub form: Vec<(String, String)>,
    /// A JSON body, parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<serde_json::Value>,
    /// The body was longer than what was kept.
    pub truncated: bool,
    /// The connection ended before the message did.
    pub incomplete: bool,
    /// Where credentials appear: `form field 'password'`, `header Authorization`, …
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<String>,
    /// Values are masked (`--redact`).
    pub redacted: bool,
}

/// What the parser found in a chunk of bytes.
#[derive(Debug, Clone)]
pub enum Event {
    Message(Box<HttpMessage>),
    /// Bytes that are not HTTP: how many, and the first of them.
    Raw {
        bytes: usize,
        preview: Vec<u8>,
    },
    /// The connection switched protocols (101, or a tunnel); the rest is logged raw.
    Switched(String),
}

enum State {
    Head,
    Body(u64),
    Chunked(http::ChunkedDecoder),
    UntilClose,
    Raw,
}

struct Building {
    msg: HttpMessage,
    body: Vec<u8>,
}

/// Request methods in flight, shared by the two directions of one connection (a response to HEAD
/// has no body, whatever its headers say).
pub type MethodQueue = Arc<Mutex<VecDeque<String>>>;

/// A streaming HTTP/1.1 parser for one direction.
pub struct HttpParser {
    side: Side,
    methods: MethodQueue,
    state: State,
    head: Vec<u8>,
    building: Option<Building>,
    raw_logged: usize,
    /// Messages completed so far.
    pub messages: u64,
}

impl HttpParser {
    pub fn new(side: Side, methods: MethodQueue) -> Self {
        HttpParser {
            side,
            methods,
            state: State::Head,
            head: Vec::new(),
            building: None,
            raw_logged: 0,
            messages: 0,
        }
    }

    /// Which direction this parser reads.
    pub fn side(&self) -> Side {
        self.side
    }

    /// A parser that treats everything as raw bytes (non-HTTP tunnels).
    pub fn raw(side: Side) -> Self {
        let mut p = Self::new(side, Arc::new(Mutex::new(VecDeque::new())));
        p.state = State::Raw;
        p
    }

    fn raw_event(&mut self, data: &[u8], out: &mut Vec<Event>) {
        if data.is_empty() {
            return;
        }
        if self.raw_logged >= RAW_LOG_LIMIT {
            out.push(Event::Raw {
                bytes: data.len(),
                preview: Vec::new(),
            });
            return;
        }
        let n = data.len().min(RAW_PREVIEW);
        self.raw_logged += n;
        out.push(Event::Raw {
            bytes: data.len(),
            preview: data[..n].to_vec(),
        });
    }

    fn switch_to_raw(&mut self, pending: Vec<u8>, rest: &[u8], out: &mut Vec<Event>) {
        self.state = State::Raw;
        let mut all = pending;
        all.extend_from_slice(rest);
        self.raw_event(&all, out);
    }

    /// Whether the head so far can still be HTTP of our side.
    fn plausible(&self) -> Option<bool> {
        let h = &self.head;
        match self.side {
            Side::Response => {
                let want = b"HTTP/";
                let n = h.len().min(want.len());
                if h[..n] != want[..n] {
                    return Some(false);
                }
                if h.len() < want.len() {
                    None
                } else {
                    Some(true)
                }
            }
            Side::Request => {
                for (i, b) in h.iter().enumerate() {
                    if *b == b' ' {
                        return Some(i > 0);
                    }
                    if !b.is_ascii_uppercase() || i >= 16 {
                        return Some(false);
                    }
                }
                None
            }
        }
    }

    /// Feed bytes; returns what completed.
    pub fn push(&mut self, mut data: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        while !data.is_empty() {
            match &mut self.state {
                State::Raw => {
                    let d = data;
                    data = &[];
                    self.raw_event(d, &mut out);
                }
                State::Head => {
                    if self.head.is_empty() {
                        // Blank lines between messages are allowed.
                        let skip = data
                            .iter()
                            .take_while(|b| **b == b'\r' || **b == b'\n')
                            .count();
                        data = &data[skip..];
                        if data.is_empty() {
                            break;
                        }
                    }
                    let before = self.head.len();
                    self.head.extend_from_slice(data);
                    match self.plausible() {
                        Some(false) => {
                            let pending = std::mem::take(&mut self.head);
                            self.switch_to_raw(pending, &[], &mut out);
                            data = &[];
                            continue;
                        }
                        None => {
                            data = &[];
                            continue;
                        }
                        Some(true) => {}
                    }
                    // What was there before had no blank line (it was searched, or is a short method or
                    // "HTTP/" prefix still being checked): search only from there on.
                    let Some(end) = http::head_end_from(&self.head, before) else {
                        if self.head.len() > http::MAX_HEAD {
                            let pending = std::mem::take(&mut self.head);
                            self.switch_to_raw(pending, &[], &mut out);
                        }
                        data = &[];
                        continue;
                    };
                    let used = end - before;
                    data = &data[used..];
                    let head = std::mem::take(&mut self.head);
                    let head = &head[..end];
                    if let Err(()) = self.start_message(head, &mut out) {
                        let rest = data;
                        data = &[];
                        self.switch_to_raw(head.to_vec(), rest, &mut out);
                    }
                }
                State::Body(rem) => {
                    let take = (*rem).min(data.len() as u64) as usize;
                    *rem -= take as u64;
                    let done = *rem == 0;
                    self.add_body(&data[..take]);
                    data = &data[take..];
                    if done {
                        self.complete(false, &mut out);
                    }
                }
                State::UntilClose => {
                    let d = data;
                    data = &[];
                    self.add_body(d);
                }
                State::Chunked(_) => {
                    data = self.chunked(data, &mut out);
                }
            }
        }
        out
    }

    fn chunked<'a>(&mut self, data: &'a [u8], out: &mut Vec<Event>) -> &'a [u8] {
        let State::Chunked(dec) = &mut self.state else {
            return data;
        };
        let mut body = Vec::new();
        let result = dec.push(data, &mut |b| body.extend_from_slice(b));
        let done = dec.done();
        self.add_body(&body);
        match result {
            Ok(used) => {
                if done {
                    self.complete(false, out);
                }
                &data[used..]
            }
            Err(_) => {
                // Not chunked after all: the message ends here, the rest is shown raw.
                self.complete(true, out);
                self.state = State::Raw;
                &[]
            }
        }
    }

    fn add_body(&mut self, bytes: &[u8]) {
        if let Some(b) = &mut self.building {
            b.msg.body_bytes += bytes.len() as u64;
            let room = BODY_KEEP.saturating_sub(b.body.len());
            b.body.extend_from_slice(&bytes[..bytes.len().min(room)]);
            if bytes.len() > room {
                b.msg.truncated = true;
            }
        }
    }

    fn start_message(&mut self, head: &[u8], out: &mut Vec<Event>) -> Result<(), ()> {
        match self.side {
            Side::Request => self.start_request(head, out),
            Side::Response => self.start_response(head, out),
        }
    }

    fn start_request(&mut self, head: &[u8], out: &mut Vec<Event>) -> Result<(), ()> {
        let h = http::parse_request_head(head).map_err(|_| ())?;
        let framing = http::request_framing(&h.headers);
        if let Ok(mut q) = self.methods.lock() {
            if q.len() < 1024 {
                q.push_back(h.method.clone());
            }
        }
        let mut msg = HttpMessage::empty("request", h.version, h.headers);
        msg.query = h
            .target
            .split_once('?')
            .map(|(_, q)| http::parse_form(q))
            .unwrap_or_default();
        msg.method = Some(h.method.clone());
        msg.target = Some(h.target);
        self.building = Some(Building {
            msg,
            body: Vec::new(),
        });
        if h.method == "CONNECT" {
            self.switch_after(
                out,
                "CONNECT inside the tunnel: the rest is logged raw".into(),
            );
            return Ok(());
        }
        self.enter(framing, out);
        Ok(())
    }

    fn start_response(&mut self, head: &[u8], out: &mut Vec<Event>) -> Result<(), ()> {
        let h = http::parse_response_head(head).map_err(|_| ())?;
        let informational = (100..200).contains(&h.status) && h.status != 101;
        let method = if informational {
            None
        } else {
            self.methods.lock().ok().and_then(|mut q| q.pop_front())
        };
        let framing = http::response_framing(h.status, method.as_deref(), &h.headers);
        let mut msg = HttpMessage::empty("response", h.version, h.headers);
        msg.status = Some(h.status);
        msg.reason = Some(h.reason);
        self.building = Some(Building {
            msg,
            body: Vec::new(),
        });
        if h.status == 101
            || (method.as_deref() == Some("CONNECT") && (200..300).contains(&h.status))
        {
            self.switch_after(
                out,
                format!(
                    "the connection switched protocols (status {}): the rest is logged raw",
                    h.status
                ),
            );
            return Ok(());
        }
        self.enter(framing, out);
        Ok(())
    }

    /// Complete the message just started and log the rest of the stream raw.
    fn switch_after(&mut self, out: &mut Vec<Event>, why: String) {
        self.complete(false, out);
        self.state = State::Raw;
        out.push(Event::Switched(why));
    }

    /// Read the body of the message just started, framed as its head says.
    fn enter(&mut self, framing: crate::Result<http::Framing>, out: &mut Vec<Event>) {
        match framing {
            Ok(http::Framing::None) => self.complete(false, out),
            Ok(http::Framing::Length(n)) => self.state = State::Body(n),
            Ok(http::Framing::Chunked) => self.state = State::Chunked(http::ChunkedDecoder::new()),
            Ok(http::Framing::UntilClose) => self.state = State::UntilClose,
            Err(e) => self.switch_after(
                out,
                format!("the message cannot be framed ({e}): the rest is logged raw"),
            ),
        }
    }

    fn complete(&mut self, incomplete: bool, out: &mut Vec<Event>) {
        if let Some(b) = self.building.take() {
            let mut msg = b.msg;
            msg.incomplete = incomplete;
            describe_body(&mut msg, &b.body);
            msg.credentials = find_credentials(&msg);
            self.messages += 1;
            out.push(Event::Message(Box::new(msg)));
        }
        if !matches!(self.state, State::Raw) {
            self.state = State::Head;
        }
    }

    /// The stream ended: flush a message in progress (a body read to the end is complete).
    pub fn finish(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        match self.state {
            State::UntilClose => self.complete(false, &mut out),
            State::Raw => {}
            _ => {
                if self.building.is_some() {
                    self.complete(true, &mut out);
                } else if !self.head.is_empty() {
                    let pending = std::mem::take(&mut self.head);
                    self.raw_event(&pending, &mut out);
                }
            }
        }
        out
    }
}

fn lower_header(msg: &HttpMessage, name: &str) -> Option<String> {
    http::header(&msg.headers, name).map(|v| v.to_ascii_lowercase())
}

fn mostly_text(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(s) => s
            .chars()
            .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t'),
        // A cut in the middle of a UTF-8 sequence at the keep limit is still text.
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > b.len(),
    }
}

fn describe_body(msg: &mut HttpMessage, body: &[u8]) {
    if body.is_empty() {
        return;
    }
    let ctype = lower_header(msg, "content-type").unwrap_or_default();
    let encoding = lower_header(msg, "content-encoding").filter(|e| e != "identity");
    if encoding.is_some() {
        msg.body_hex = Some(hex_preview(body, 64));
        return;
    }
    if ctype.starts_with("application/x-www-form-urlencoded") {
        let text = String::from_utf8_lossy(body).into_owned();
        msg.form = http::parse_form(text.trim_end_matches(['\r', '\n']));
        msg.body_text = Some(text);
        return;
    }
    if ctype.starts_with("multipart/form-data") {
        if let Some(fields) = multipart_fields(&ctype_raw(msg), body) {
            // The fields stand for the body: its raw text would show every value unmasked.
            msg.form = fields;
            return;
        }
    }
    if ctype.contains("json") {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
            msg.json = Some(v);
        }
    }
    let texty = ctype.starts_with("text/")
        || ctype.contains("json")
        || ctype.contains("xml")
        || ctype.contains("javascript")
        || ctype.contains("x-www-form-urlencoded");
    if texty || mostly_text(body) {
        msg.body_text = Some(String::from_utf8_lossy(body).into_owned());
    } else {
        msg.body_hex = Some(hex_preview(body, 256));
    }
}

fn hex_preview(b: &[u8], n: usize) -> String {
    let mut s = String::new();
    for (i, x) in b.iter().take(n).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{x:02x}");
    }
    if b.len() > n {
        s.push_str(" …");
    }
    s
}

/// The Content-Type as sent (the multipart boundary is case-sensitive).
fn ctype_raw(msg: &HttpMessage) -> String {
    http::header(&msg.headers, "content-type")
        .unwrap_or("")
        .to_string()
}

/// The fields of a `multipart/form-data` body (RFC 7578): text fields with their values, file
/// fields as `<file NAME, N bytes>`. `None` when the body does not parse (it is then shown as
/// text or hex). Hand-written rather than with `multer` (async, stream-oriented): the logger
/// holds the whole bounded body, and splitting on the boundary is all it needs.
fn multipart_fields(ctype: &str, body: &[u8]) -> Option<Vec<(String, String)>> {
    let boundary = ctype.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })?;
    if boundary.is_empty() || boundary.len() > 200 {
        return None;
    }
    let delim = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut fields = Vec::new();
    for part in text.split(delim.as_str()).skip(1) {
        if part.starts_with("--") || fields.len() >= 256 {
            break;
        }
        let part = part
            .strip_prefix("\r\n")
            .or_else(|| part.strip_prefix('\n'))?;
        let (head, value) = part
            .split_once("\r\n\r\n")
            .or_else(|| part.split_once("\n\n"))?;
        let value = value
            .strip_suffix("\r\n")
            .or_else(|| value.strip_suffix('\n'))
            .unwrap_or(value);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let param = |name: &str| {
            disposition.split(';').skip(1).find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().trim_matches('"').to_string())
            })
        };
        let name = param("name").unwrap_or_default();
        let shown = match param("filename") {
            Some(f) => format!("<file {f}, {} bytes>", value.len()),
            None => value.to_string(),
        };
        fields.push((name, shown));
    }
    Some(fields)
}

impl HttpMessage {
    fn empty(kind: &'static str, version: String, headers: Vec<(String, String)>) -> Self {
        HttpMessage {
            kind,
            method: None,
            target: None,
            status: None,
            reason: None,
            version,
            headers,
            query: Vec::new(),
            body_bytes: 0,
            body_text: None,
            body_hex: None,
            form: Vec::new(),
            json: None,
            truncated: false,
            incomplete: false,
            credentials: Vec::new(),
            redacted: false,
        }
    }

    /// The first line: `POST /login HTTP/1.1` or `HTTP/1.1 200 OK`.
    pub fn start_line(&self) -> String {
        match self.kind {
            "request" => format!(
                "{} {} {}",
                self.method.as_deref().unwrap_or("?"),
                self.target.as_deref().unwrap_or("?"),
                self.version
            ),
            _ => format!(
                "{} {} {}",
                self.version,
                self.status.unwrap_or(0),
                self.reason.as_deref().unwrap_or("")
            ),
        }
    }

    /// The message as log lines (without prefix). Bodies are cut at `max_body` characters.
    pub fn render_lines(&self, max_body: usize) -> Vec<String> {
        let mut lines = vec![self.start_line().trim_end().to_string()];
        for (k, v) in &self.headers {
            let mut line = format!("  {k}: {v}");
            if !self.redacted && k.eq_ignore_ascii_case("authorization") {
                if let Some(creds) = v
                    .strip_prefix("Basic ")
                    .and_then(crate::base64::decode_lenient)
                {
                    line.push_str(&format!(
                        "   (decodes to {})",
                        String::from_utf8_lossy(&creds)
                    ));
                }
            }
            if is_sensitive(k) {
                line.push_str("   <-- credential");
            }
            lines.push(line);
        }
        for (k, v) in &self.query {
            let mark = if is_sensitive(k) {
                "   <-- credential"
            } else {
                ""
            };
            lines.push(format!("  query {k} = {v}{mark}"));
        }
        if !self.form.is_empty() {
            for (k, v) in &self.form {
                let mark = if is_sensitive(k) {
                    "   <-- credential"
                } else {
                    ""
                };
                lines.push(format!("  form {k} = {v}{mark}"));
            }
        } else if let Some(t) = &self.body_text {
            let shown: String = t.chars().take(max_body).collect();
            let more = t.chars().count().saturating_sub(max_body);
            lines.push(format!("  body ({} bytes):", self.body_bytes));
            for l in shown.lines() {
                lines.push(format!("    {l}"));
            }
            if more > 0 || self.truncated {
                lines.push(format!(
                    "    … ({} more bytes not shown)",
                    self.body_bytes.saturating_sub(shown.len() as u64)
                ));
            }
        } else if let Some(h) = &self.body_hex {
            let enc = http::header(&self.headers, "content-encoding")
                .map(|e| format!(", {e}-encoded"))
                .unwrap_or_default();
            lines.push(format!("  body ({} bytes{enc}): {h}", self.body_bytes));
        }
        if let Some(j) = &self.json {
            let keys = {
                let mut k = Vec::new();
                json_sensitive_keys(j, &mut k);
                k
            };
            if !keys.is_empty() {
                lines.push(format!("  JSON credentials: {}", keys.join(", ")));
            }
        }
        if self.incomplete {
            lines.push("  (the connection ended before the message was complete)".into());
        }
        lines
    }
}

/// Text of raw bytes for the log: printable text as is (control bytes escaped), else hex.
pub fn raw_preview(b: &[u8]) -> String {
    let printable = b
        .iter()
        .filter(|c| {
            c.is_ascii_graphic() || **c == b' ' || **c == b'\n' || **c == b'\r' || **c == b'\t'
        })
        .count();
    if !b.is_empty() && printable * 10 >= b.len() * 9 {
        let s = crate::escape::bytes(b);
        format!("text \"{s}\"")
    } else {
        format!("hex {}", hex_preview(b, b.len()))
    }
}

#[cfg(test)]
mod tests;
