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
                    let Some(end) = http::head_end(&self.head) else {
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

/// Whether a field or header name is likely to carry a secret.
pub fn is_sensitive(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    const PARTS: [&str; 16] = [
        "pass",
        "pwd",
        "secret",
        "token",
        "auth",
        "credential",
        "session",
        "cookie",
        "apikey",
        "api_key",
        "api-key",
        "private",
        "otp",
        "cvv",
        "cvc",
        "signature",
    ];
    const EXACT: [&str; 6] = ["pin", "key", "code", "ssn", "sid", "jwt"];
    PARTS.iter().any(|p| n.contains(p)) || EXACT.contains(&n.as_str())
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

fn find_credentials(msg: &HttpMessage) -> Vec<String> {
    let mut out = Vec::new();
    for (k, _) in &msg.headers {
        if is_sensitive(k) {
            out.push(format!("header {k}"));
        }
    }
    for (k, _) in &msg.query {
        if is_sensitive(k) {
            out.push(format!("query parameter '{k}'"));
        }
    }
    for (k, _) in &msg.form {
        if is_sensitive(k) {
            out.push(format!("form field '{k}'"));
        }
    }
    if let Some(j) = &msg.json {
        let mut keys = Vec::new();
        json_sensitive_keys(j, &mut keys);
        for k in keys {
            out.push(format!("JSON field '{k}'"));
        }
    }
    out.dedup();
    out
}

fn json_sensitive_keys(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                if is_sensitive(k) && !v.is_object() && !v.is_array() {
                    out.push(k.clone());
                }
                json_sensitive_keys(v, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_sensitive_keys(x, out)),
        _ => {}
    }
}

fn json_sensitive_values(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match v {
                    serde_json::Value::String(s) if is_sensitive(k) => out.push(s.clone()),
                    serde_json::Value::Number(n) if is_sensitive(k) => out.push(n.to_string()),
                    _ => json_sensitive_values(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_sensitive_values(x, out)),
        _ => {}
    }
}

fn json_scrub(v: &mut serde_json::Value, fix: &dyn Fn(&mut String)) {
    match v {
        serde_json::Value::String(s) => fix(s),
        serde_json::Value::Object(m) => m.values_mut().for_each(|x| json_scrub(x, fix)),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| json_scrub(x, fix)),
        _ => {}
    }
}

/// Form-style URL encoding (spaces as `+`), as a browser would send the value.
fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn json_mask(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                if is_sensitive(k) && !v.is_object() && !v.is_array() {
                    *v = serde_json::Value::String(MASK.into());
                } else {
                    json_mask(v);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(json_mask),
        _ => {}
    }
}

/// Mask the values of sensitive `name=value` pairs in URL-encoded text, keeping everything else.
pub fn mask_pairs(raw: &str) -> String {
    raw.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_sensitive(&http::percent_decode(k, true)) => format!("{k}={MASK}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn mask_header(name: &str, value: &str) -> String {
    let lname = name.to_ascii_lowercase();
    if lname == "authorization" || lname == "proxy-authorization" {
        if let Some((scheme, _)) = value.split_once(' ') {
            return format!("{scheme} {MASK}");
        }
    }
    if lname == "cookie" {
        // Keep the cookie names, mask their values.
        return value
            .split(';')
            .map(|c| match c.split_once('=') {
                Some((k, _)) => format!("{k}={MASK}"),
                None => c.to_string(),
            })
            .collect::<Vec<_>>()
            .join(";");
    }
    if lname == "set-cookie" {
        // name=value; attributes — mask the value only.
        let (first, rest) = value.split_once(';').unwrap_or((value, ""));
        let first = match first.split_once('=') {
            Some((k, _)) => format!("{k}={MASK}"),
            None => MASK.to_string(),
        };
        return if rest.is_empty() {
            first
        } else {
            format!("{first};{rest}")
        };
    }
    MASK.to_string()
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

    /// Mask every credential value (`--redact`): sensitive headers, query parameters, form and
    /// JSON fields, and `name=value` pairs in text bodies.
    pub fn redact(&mut self) {
        self.redacted = true;
        for (k, v) in &mut self.headers {
            if is_sensitive(k) {
                *v = mask_header(k, v);
            }
        }
        if let Some(t) = &mut self.target {
            if let Some((path, q)) = t.split_once('?') {
                *t = format!("{path}?{}", mask_pairs(q));
            }
        }
        for (k, v) in self.query.iter_mut().chain(self.form.iter_mut()) {
            if is_sensitive(k) {
                *v = MASK.to_string();
            }
        }
        if let Some(j) = &mut self.json {
            json_mask(j);
            self.body_text = Some(j.to_string());
        } else if let Some(b) = &mut self.body_text {
            // Lines that look URL-encoded (no spaces or markup) may hold name=value secrets.
            let looks_encoded = |l: &str| l.contains('=') && !l.contains([' ', '<', '>', '"', '{']);
            *b = b
                .lines()
                .map(|l| {
                    if looks_encoded(l) {
                        mask_pairs(l)
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
        }
    }

    /// The secret values this message carries (for `--redact` to scrub them wherever they
    /// reappear, e.g. echoed in a response page). Values shorter than 3 characters are ignored.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in &self.headers {
            if !is_sensitive(k) {
                continue;
            }
            let lk = k.to_ascii_lowercase();
            if lk == "cookie" || lk == "set-cookie" {
                let pairs: Vec<&str> = if lk == "cookie" {
                    v.split(';').collect()
                } else {
                    v.split(';').take(1).collect()
                };
                for c in pairs {
                    if let Some((_, val)) = c.split_once('=') {
                        out.push(val.trim().to_string());
                    }
                }
                continue;
            }
            if !v.contains(' ') {
                out.push(v.clone());
            }
            if let Some((scheme, token)) = v.split_once(' ') {
                out.push(token.trim().to_string());
                if scheme.eq_ignore_ascii_case("basic") {
                    if let Some(decoded) =
                        decode_base64(token).map(|d| String::from_utf8_lossy(&d).into_owned())
                    {
                        if let Some((_, pass)) = decoded.split_once(':') {
                            out.push(pass.to_string());
                        }
                        out.push(decoded);
                    }
                }
            }
        }
        for (k, v) in self.query.iter().chain(self.form.iter()) {
            if is_sensitive(k) {
                out.push(v.clone());
            }
        }
        if let Some(j) = &self.json {
            json_sensitive_values(j, &mut out);
        }
        out.retain(|s| s.chars().count() >= 3 && s != MASK);
        out.sort();
        out.dedup();
        out
    }

    /// Replace every occurrence of the given secrets (also HTML-escaped or URL-encoded) in the
    /// message's text with the mask.
    pub fn scrub(&mut self, secrets: &[String]) {
        if secrets.is_empty() {
            return;
        }
        let mut variants: Vec<String> = Vec::new();
        for s in secrets {
            variants.push(s.clone());
            variants.push(http::html_escape(s));
            variants.push(url_encode(s));
        }
        // Longest first, so a secret containing another is masked whole.
        variants.sort_by_key(|v| std::cmp::Reverse(v.len()));
        variants.dedup();
        let fix = |t: &mut String| {
            for v in &variants {
                if !v.is_empty() && t.contains(v.as_str()) {
                    *t = t.replace(v.as_str(), MASK);
                }
            }
        };
        if let Some(t) = &mut self.target {
            fix(t);
        }
        if let Some(t) = &mut self.body_text {
            fix(t);
        }
        for (_, v) in self
            .headers
            .iter_mut()
            .chain(self.query.iter_mut())
            .chain(self.form.iter_mut())
        {
            fix(v);
        }
        if let Some(j) = &mut self.json {
            json_scrub(j, &fix);
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
                if let Some(creds) = v.strip_prefix("Basic ").and_then(decode_base64) {
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

/// Standard base64 (for Basic credentials); `None` if it is not valid.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    }
    let s = s.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
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
mod tests {
    use super::*;

    fn pair() -> (HttpParser, HttpParser) {
        let q: MethodQueue = Arc::new(Mutex::new(VecDeque::new()));
        (
            HttpParser::new(Side::Request, q.clone()),
            HttpParser::new(Side::Response, q),
        )
    }

    fn messages(ev: Vec<Event>) -> Vec<HttpMessage> {
        ev.into_iter()
            .filter_map(|e| match e {
                Event::Message(m) => Some(*m),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_posted_password_is_visible_and_redactable() {
        let (mut req, _) = pair();
        let body = "username=alice&password=s3cr%21t";
        let wire = format!(
            "POST /login HTTP/1.1\r\nHost: www.bank32.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        // Byte by byte: the parser must not depend on chunking.
        let mut ev = Vec::new();
        for b in wire.as_bytes().chunks(1) {
            ev.extend(req.push(b));
        }
        let m = messages(ev);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].method.as_deref(), Some("POST"));
        assert!(m[0].form.contains(&("password".into(), "s3cr!t".into())));
        assert_eq!(m[0].credentials, vec!["form field 'password'"]);
        let text = m[0].render_lines(1000).join("\n");
        assert!(text.contains("s3cr!t"), "{text}");
        let mut r = m[0].clone();
        r.redact();
        let text = r.render_lines(1000).join("\n");
        assert!(!text.contains("s3cr"), "{text}");
        assert!(text.contains(MASK));
        assert!(!serde_json::to_string(&r).unwrap().contains("s3cr"));
    }

    #[test]
    fn responses_framed_by_length_chunks_and_close_and_head() {
        let (mut req, mut resp) = pair();
        req.push(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
        let mut ev = resp
            .push(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello");
        ev.extend(resp.push(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"));
        ev.extend(resp.push(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"));
        let m = messages(ev);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].body_text.as_deref(), Some("hello"));
        assert_eq!(m[1].body_bytes, 0); // HEAD: no body despite Content-Length
        assert_eq!(m[2].body_text.as_deref(), Some("abcde"));
        req.push(b"GET /d HTTP/1.1\r\n\r\n");
        assert!(messages(resp.push(b"HTTP/1.0 200 OK\r\n\r\nuntil close")).is_empty());
        let m = messages(resp.finish());
        assert_eq!(m[0].body_text.as_deref(), Some("until close"));
        assert!(!m[0].incomplete);
    }

    #[test]
    fn redaction_scrubs_secrets_echoed_later() {
        let (mut req, mut resp) = pair();
        let m = messages(req.push(b"POST /l HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 26\r\n\r\nuser=al&password=p%26ss+wd"));
        let secrets = m[0].secrets();
        assert_eq!(secrets, vec!["p&ss wd".to_string()]);
        let page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 31\r\n\r\n<td>password</td><td>p&amp;ss wd";
        let mut r = messages(resp.push(page)).remove(0);
        r.redact();
        r.scrub(&secrets);
        let text = r.render_lines(1000).join("\n");
        assert!(!text.contains("ss wd"), "{text}");
    }

    #[test]
    fn non_http_is_raw() {
        let (mut req, _) = pair();
        let ev = req.push(b"\x16\x03\x01binary");
        assert!(matches!(ev.as_slice(), [Event::Raw { bytes: 9, .. }]));
        assert!(raw_preview(b"\x00\x01\x02").starts_with("hex"));
        assert!(raw_preview(b"EHLO x\r\n").starts_with("text"));
    }

    #[test]
    fn multipart_passwords_are_fields_and_redacted() {
        let (mut req, _) = pair();
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nalice\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter2x\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n--XyZ--\r\n";
        let head = format!("POST /up HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: {}\r\n\r\n", body.len());
        let mut m = messages(req.push(format!("{head}{body}").as_bytes()));
        let mut m = m.remove(0);
        assert_eq!(m.form[1], ("password".into(), "hunter2x".into()));
        assert_eq!(m.form[2].1, "<file a.txt, 9 bytes>");
        assert!(m.credentials.iter().any(|c| c.contains("password")));
        let secrets = m.secrets();
        assert!(secrets.contains(&"hunter2x".to_string()));
        m.redact();
        m.scrub(&secrets);
        let shown = m.render_lines(10_000).join("\n");
        assert!(!shown.contains("hunter2x"), "{shown}");
    }

    #[test]
    fn basic_auth_is_decoded_then_masked() {
        assert_eq!(decode_base64("YWxpY2U6c2VjcmV0").unwrap(), b"alice:secret");
        let (mut req, _) = pair();
        let m = messages(req.push(
            b"GET /?token=abc&x=1 HTTP/1.1\r\nAuthorization: Basic YWxpY2U6c2VjcmV0\r\n\r\n",
        ));
        let text = m[0].render_lines(100).join("\n");
        assert!(text.contains("alice:secret"), "{text}");
        let mut r = m[0].clone();
        r.redact();
        let text = r.render_lines(100).join("\n");
        assert!(!text.contains("secret") && !text.contains("abc"), "{text}");
        assert!(text.contains("Basic ********"));
        assert!(r.target.as_deref().unwrap().contains("x=1"));
    }
}
