//! Credentials in HTTP messages: which names are sensitive, where they appear, and masking them
//! for `--redact` (also where a secret is echoed back later on the same connection).

use super::{HttpMessage, MASK};
use crate::http;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::fmt::Write as _;

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

pub(super) fn find_credentials(msg: &HttpMessage) -> Vec<String> {
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

pub(super) fn json_sensitive_keys(v: &serde_json::Value, out: &mut Vec<String>) {
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
                    if let Some(decoded) = crate::base64::decode_lenient(token)
                        .map(|d| String::from_utf8_lossy(&d).into_owned())
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
        variants.retain(|v| !v.is_empty());
        variants.sort_unstable();
        variants.dedup();
        // One automaton for every spelling of every secret: each text is read once, however many
        // secrets the connection has shown. Leftmost-longest, so a secret containing another is
        // masked whole; a contiguous NFA, built in time linear in the secrets' length (a DFA,
        // which the builder may pick for few patterns, costs more to build than the search).
        let finder = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&variants);
        let fix = |t: &mut String| match &finder {
            Ok(finder) => {
                if finder.is_match(t.as_str()) {
                    let mut masked = String::with_capacity(t.len());
                    finder.replace_all_with(t, &mut masked, |_, _, out| {
                        out.push_str(MASK);
                        true
                    });
                    *t = masked;
                }
            }
            // The automaton has size limits: past them, mask whole texts rather than leak.
            Err(_) => {
                if !t.is_empty() {
                    *t = MASK.to_string();
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
}
