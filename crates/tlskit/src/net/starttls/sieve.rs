//! ManageSieve (RFC 5804): capabilities until OK, STARTTLS, OK.

use super::io::{Session, MAX_REPLY_LINES};
use crate::error::{Error, Result};

/// The quoted strings of a line: `"SIEVE" "fileinto reject"` → ["SIEVE", "fileinto reject"].
pub(super) fn quoted(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    let mut esc = false;
    for c in line.chars() {
        match (&mut cur, c) {
            (Some(s), _) if esc => {
                s.push(c);
                esc = false;
            }
            (Some(_), '\\') => esc = true,
            (Some(s), '"') => {
                out.push(std::mem::take(s));
                cur = None;
            }
            (Some(s), c) => s.push(c),
            (None, '"') => cur = Some(String::new()),
            (None, _) => {}
        }
    }
    out
}

/// A response line that ends a response: OK, NO or BYE (with optional code and text).
pub(super) fn status(line: &str) -> Option<&'static str> {
    let word = line
        .split([' ', '('])
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    match word.as_str() {
        "OK" => Some("OK"),
        "NO" => Some("NO"),
        "BYE" => Some("BYE"),
        _ => None,
    }
}

/// Read capability lines until OK/NO/BYE; returns the final line.
async fn capabilities(s: &mut Session<'_>, what: &str) -> Result<String> {
    let mut caps = Vec::new();
    for _ in 0..MAX_REPLY_LINES {
        let l = s.line(what).await?;
        if status(&l).is_some() {
            s.transcript.capabilities = caps;
            return Ok(l);
        }
        let q = quoted(&l);
        if !l.starts_with('"') || q.is_empty() {
            return Err(s.not_protocol(&l));
        }
        caps.push(q.join(" "));
    }
    Err(Error::protocol(format!(
        "{} sent an endless capability list",
        s.who()
    )))
}

pub async fn negotiate(s: &mut Session<'_>) -> Result<()> {
    let end = capabilities(s, "the greeting").await?;
    if status(&end) != Some("OK") {
        return Err(s.refused_session(&end));
    }
    let offered = s.transcript.capabilities.iter().any(|c| {
        c.split_whitespace()
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case("STARTTLS"))
    });
    s.send_line("STARTTLS").await?;
    let go = s.line("the answer to STARTTLS").await?;
    if status(&go) != Some("OK") {
        if status(&go).is_none() {
            return Err(s.not_protocol(&go));
        }
        return Err(s.upgrade_failed(offered, &go));
    }
    Ok(())
}
