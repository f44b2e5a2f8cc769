//! XMPP (RFC 6120 5.4): stream header, stream features, `<starttls/>`, `<proceed/>`. Both the
//! client-to-server (`jabber:client`, port 5222) and server-to-server (`jabber:server`, 5269) streams.
//!
//! The XML is read with a small tokenizer that knows just enough (tags, attributes, text,
//! declarations, comments) for the handful of elements before TLS, each bounded in size.

use super::io::Session;
use super::Options;
use crate::error::{Error, Result};

const NS_TLS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
/// Largest single top-level element we accept (the features of a busy server are a few KiB).
const MAX_ELEMENT: usize = 128 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `<name a='v'>`
    Start(String, Vec<(String, String)>),
    /// `<name a='v'/>`
    Empty(String, Vec<(String, String)>),
    /// `</name>`
    End(String),
    /// Character data (entities left as they are).
    Text(String),
    /// `<?xml …?>`, `<!-- … -->`: nothing for us.
    Other,
}

/// The local part of a qualified name: `stream:features` → `features`.
pub fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The bytes are not XML (or not XML that XMPP allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotXml;

/// Parse one token at the start of `b`: `Ok(Some((token, bytes used)))`, `Ok(None)` if incomplete,
/// `Err(NotXml)` if it is not XML.
pub fn token(b: &[u8]) -> std::result::Result<Option<(Token, usize)>, NotXml> {
    if b.is_empty() {
        return Ok(None);
    }
    if b[0] != b'<' {
        let end = b.iter().position(|&c| c == b'<').unwrap_or(b.len());
        if end == b.len() && end < 4096 && b.iter().all(|c| c.is_ascii_whitespace()) {
            // Whitespace keepalives between elements: take them as they come.
            return Ok(Some((
                Token::Text(String::from_utf8_lossy(b).into_owned()),
                b.len(),
            )));
        }
        if end == b.len() {
            // Text that may continue: wait for the next '<' (unless this cannot be XML at all).
            if b.contains(&b'\0') {
                return Err(NotXml);
            }
            return Ok(None);
        }
        return Ok(Some((
            Token::Text(String::from_utf8_lossy(&b[..end]).into_owned()),
            end,
        )));
    }
    if b.starts_with(b"<?") {
        return Ok(find(b, b"?>").map(|e| (Token::Other, e + 2)));
    }
    if b.starts_with(b"<!--") {
        return Ok(find(b, b"-->").map(|e| (Token::Other, e + 3)));
    }
    if b.len() >= 2 && b[1] == b'!' {
        // DOCTYPE and CDATA are forbidden in XMPP (RFC 6120 11.1).
        return Err(NotXml);
    }
    // Find the closing '>' outside quotes.
    let mut quote_char: Option<u8> = None;
    let mut end = None;
    for (i, &c) in b.iter().enumerate().skip(1) {
        match quote_char {
            Some(q) if c == q => quote_char = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote_char = Some(c),
            None if c == b'>' => {
                end = Some(i);
                break;
            }
            None if c == b'<' => return Err(NotXml),
            None => {}
        }
    }
    let Some(end) = end else { return Ok(None) };
    let inner = String::from_utf8_lossy(&b[1..end]).into_owned();
    if let Some(name) = inner.strip_prefix('/') {
        let name = name.trim();
        if !valid_name(name) {
            return Err(NotXml);
        }
        return Ok(Some((Token::End(name.to_string()), end + 1)));
    }
    let (body, empty) = match inner.strip_suffix('/') {
        Some(x) => (x, true),
        None => (inner.as_str(), false),
    };
    let (name, attrs) = parse_tag(body).ok_or(NotXml)?;
    let t = if empty {
        Token::Empty(name, attrs)
    } else {
        Token::Start(name, attrs)
    };
    Ok(Some((t, end + 1)))
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
        && !n.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
}

fn parse_tag(s: &str) -> Option<(String, Vec<(String, String)>)> {
    let s = s.trim();
    let name_end = s.find(|c: char| c.is_whitespace()).unwrap_or(s.len());
    let name = &s[..name_end];
    if !valid_name(name) {
        return None;
    }
    let mut attrs = Vec::new();
    let mut rest = s[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let key = rest[..eq].trim();
        if !valid_name(key) {
            return None;
        }
        let after = rest[eq + 1..].trim_start();
        let q = after.chars().next()?;
        if q != '"' && q != '\'' {
            return None;
        }
        let close = after[1..].find(q)? + 1;
        attrs.push((key.to_string(), after[1..close].to_string()));
        rest = after[close + 1..].trim_start();
    }
    Some((name.to_string(), attrs))
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A complete top-level (depth 1) element of the stream, with its raw text and its tokens.
struct Element {
    raw: String,
    tokens: Vec<Token>,
}

impl Element {
    fn name(&self) -> &str {
        match self.tokens.first() {
            Some(Token::Start(n, _)) | Some(Token::Empty(n, _)) => local(n),
            _ => "",
        }
    }
    /// Local names of the direct children.
    fn children(&self) -> Vec<String> {
        let mut depth = 0;
        let mut out = Vec::new();
        for t in &self.tokens {
            match t {
                Token::Start(n, _) => {
                    if depth == 1 {
                        out.push(local(n).to_string());
                    }
                    depth += 1;
                }
                Token::Empty(n, _) if depth == 1 => out.push(local(n).to_string()),
                Token::End(_) => depth -= 1,
                _ => {}
            }
        }
        out
    }
    /// The child `name` (local) of the child `parent`, if present, e.g. starttls/required.
    fn grandchild(&self, parent: &str, name: &str) -> bool {
        let mut depth = 0;
        let mut inside = false;
        for t in &self.tokens {
            match t {
                Token::Start(n, _) => {
                    if depth == 1 {
                        inside = local(n) == parent;
                    } else if depth == 2 && inside && local(n) == name {
                        return true;
                    }
                    depth += 1;
                }
                Token::Empty(n, _) if depth == 2 && inside && local(n) == name => return true,
                Token::End(_) => {
                    depth -= 1;
                    if depth == 1 {
                        inside = false;
                    }
                }
                _ => {}
            }
        }
        false
    }
    /// The text of every descendant `name` (e.g. the SASL mechanisms).
    fn texts_of(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut capture = false;
        for t in &self.tokens {
            match t {
                Token::Start(n, _) if local(n) == name => capture = true,
                Token::Text(x) if capture => out.push(x.trim().to_string()),
                Token::End(_) => capture = false,
                _ => {}
            }
        }
        out
    }
}

/// Read tokens until one complete depth-1 element has been read. The stream header has already
/// been consumed. A `</stream>` closes the stream.
async fn element(s: &mut Session<'_>, what: &str) -> Result<Element> {
    let mut raw = String::new();
    let mut tokens = Vec::new();
    let mut depth = 0usize;
    let mut more = false;
    loop {
        let buf = s.peek_more(more, what).await?;
        match token(buf) {
            Err(NotXml) => {
                let said = String::from_utf8_lossy(&buf[..buf.len().min(80)]).into_owned();
                return Err(s.not_protocol(&said));
            }
            Ok(None) => {
                if raw.len() + buf.len() > MAX_ELEMENT {
                    return Err(Error::protocol(format!(
                        "{} sent an element larger than {} KiB while we waited for {what}",
                        s.who(),
                        MAX_ELEMENT / 1024
                    )));
                }
                more = true;
            }
            Ok(Some((t, used))) => {
                more = false;
                let bytes = s.consume(used);
                let text = String::from_utf8_lossy(&bytes).into_owned();
                match &t {
                    Token::Other => continue,
                    Token::Text(x) if depth == 0 => {
                        if x.trim().is_empty() {
                            continue;
                        }
                        return Err(s.not_protocol(x));
                    }
                    Token::End(_) if depth == 0 => {
                        s.note_server(text);
                        return Err(Error::protocol(format!(
                            "{} closed the XML stream while we waited for {what}",
                            s.who()
                        )));
                    }
                    Token::Start(..) => depth += 1,
                    Token::End(_) => depth -= 1,
                    _ => {}
                }
                raw.push_str(&text);
                if raw.len() > MAX_ELEMENT {
                    return Err(Error::protocol(format!(
                        "{} sent an element larger than {} KiB",
                        s.who(),
                        MAX_ELEMENT / 1024
                    )));
                }
                tokens.push(t);
                if depth == 0 {
                    s.note_server(raw.clone());
                    return Ok(Element { raw, tokens });
                }
            }
        }
    }
}

/// The stream error condition (`host-unknown` …) and text of a `<stream:error>` element.
fn stream_error(e: &Element) -> String {
    let mut cond: Vec<String> = e.children().into_iter().filter(|c| c != "text").collect();
    let text = e.texts_of("text").join(" ");
    if cond.is_empty() {
        cond.push("undefined-condition".to_string());
    }
    if text.is_empty() {
        cond.join(" ")
    } else {
        format!("{} ({text})", cond.join(" "))
    }
}

pub async fn negotiate(s: &mut Session<'_>, opts: &Options, server: bool) -> Result<()> {
    let domain = opts.name.clone().unwrap_or_else(|| opts.host.clone());
    let ns = if server {
        "jabber:server"
    } else {
        "jabber:client"
    };
    let header = format!(
        "<?xml version='1.0'?><stream:stream xmlns='{ns}' xmlns:stream='http://etherx.jabber.org/streams' to='{}' version='1.0'>",
        xml_escape(&domain)
    );
    s.send_raw(header.as_bytes(), header.clone()).await?;
    let hint = if opts.name.is_none() {
        " (--starttls-name sets the XMPP domain)"
    } else {
        ""
    };

    // The server's stream header: skip the declaration, expect <stream:stream …>.
    loop {
        let buf = s.peek_more(false, "the stream header").await?;
        match token(buf) {
            Err(NotXml) => {
                let said = String::from_utf8_lossy(&buf[..buf.len().min(80)]).into_owned();
                return Err(s.not_protocol(&said));
            }
            Ok(None) => {
                if buf.len() > MAX_ELEMENT {
                    let said = String::from_utf8_lossy(&buf[..80]).into_owned();
                    return Err(s.not_protocol(&said));
                }
                s.peek_more(true, "the stream header").await?;
            }
            Ok(Some((t, used))) => {
                let bytes = s.consume(used);
                let text = String::from_utf8_lossy(&bytes).into_owned();
                match t {
                    Token::Other => s.note_server(text),
                    Token::Text(x) if x.trim().is_empty() => {}
                    Token::Start(n, attrs) if local(&n) == "stream" => {
                        s.note_server(text);
                        if attr(&attrs, "version").is_none_or(|v| !v.starts_with('1')) {
                            return Err(Error::protocol(format!(
                                "{} speaks pre-1.0 XMPP (no version='1.0' in its stream header): it cannot offer STARTTLS",
                                s.who()
                            )));
                        }
                        break;
                    }
                    _ => return Err(s.not_protocol(&text)),
                }
            }
        }
    }

    let features = element(s, "the stream features").await?;
    if features.name() == "error" {
        return Err(Error::protocol(format!(
            "{} ended the stream with an error: {}{hint}",
            s.who(),
            stream_error(&features)
        )));
    }
    if features.name() != "features" {
        return Err(s.not_protocol(&features.raw));
    }
    let mut caps = Vec::new();
    for c in features.children() {
        if c == "starttls" && features.grandchild("starttls", "required") {
            caps.push("starttls (required)".to_string());
        } else if c == "mechanisms" {
            let m = features.texts_of("mechanism");
            caps.push(format!("mechanisms: {}", m.join(" ")));
        } else {
            caps.push(c);
        }
    }
    s.transcript.capabilities = caps;
    let offered = features.children().iter().any(|c| c == "starttls");
    let cmd = format!("<starttls xmlns='{NS_TLS}'/>");
    s.send_raw(cmd.as_bytes(), cmd.clone()).await?;
    let answer = element(s, "the answer to <starttls/>").await?;
    match answer.name() {
        "proceed" => Ok(()),
        "error" => {
            Err(s.upgrade_failed(offered, &format!("stream error: {}", stream_error(&answer))))
        }
        _ => Err(s.upgrade_failed(offered, &answer.raw)),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes() {
        let b = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' id=\"a>b\" version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>";
        let (t, n) = token(b).unwrap().unwrap();
        assert_eq!(t, Token::Other);
        let rest = &b[n..];
        let (t, n2) = token(rest).unwrap().unwrap();
        match t {
            Token::Start(name, attrs) => {
                assert_eq!(name, "stream:stream");
                assert_eq!(attr(&attrs, "id"), Some("a>b"));
            }
            other => panic!("{other:?}"),
        }
        let (t, _) = token(&rest[n2..]).unwrap().unwrap();
        assert_eq!(t, Token::Start("stream:features".into(), vec![]));
        assert_eq!(token(b"<stream:feat").unwrap(), None);
        assert!(token(b"<<").is_err());
        assert!(token(b"<!DOCTYPE x>").is_err());
        assert_eq!(token(b"</a>").unwrap().unwrap().0, Token::End("a".into()));
        assert_eq!(
            token(b"<b/>").unwrap().unwrap().0,
            Token::Empty("b".into(), vec![])
        );
    }
}
