//! IMAP (RFC 3501 / 9051): greeting, CAPABILITY, STARTTLS, tagged OK.

use super::io::Session;
use crate::error::Result;

/// Capability atoms from `* CAPABILITY a b c` or a `[CAPABILITY a b c]` response code.
pub(super) fn capabilities_in(line: &str) -> Option<Vec<String>> {
    let upper = line.to_ascii_uppercase();
    let (start, end) = if let Some(i) = upper.find("[CAPABILITY ") {
        let from = i + "[CAPABILITY ".len();
        (
            from,
            upper[from..]
                .find(']')
                .map(|e| from + e)
                .unwrap_or(line.len()),
        )
    } else if upper.starts_with("* CAPABILITY ") {
        ("* CAPABILITY ".len(), line.len())
    } else {
        return None;
    };
    Some(
        line[start..end]
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    )
}

/// Read untagged lines until the tagged completion of `tag`; returns its status and text.
async fn complete(s: &mut Session<'_>, tag: &str, what: &str) -> Result<(String, String)> {
    for _ in 0..super::io::MAX_REPLY_LINES {
        let line = s.line(what).await?;
        if let Some(rest) = line.strip_prefix(tag).and_then(|r| r.strip_prefix(' ')) {
            let (status, text) = rest.split_once(' ').unwrap_or((rest, ""));
            return Ok((status.to_ascii_uppercase(), text.to_string()));
        }
        if let Some(caps) = capabilities_in(&line) {
            s.transcript.capabilities = caps;
        } else if !line.starts_with("* ") && !line.starts_with("+ ") {
            return Err(s.not_protocol(&line));
        }
    }
    Err(crate::error::Error::protocol(format!(
        "{} sent endless untagged responses",
        s.who()
    )))
}

pub async fn negotiate(s: &mut Session<'_>) -> Result<()> {
    let greeting = s.line("the greeting").await?;
    let upper = greeting.to_ascii_uppercase();
    if upper.starts_with("* PREAUTH") {
        return Err(crate::error::Error::protocol(format!(
            "{} authenticated the session in its greeting (PREAUTH): STARTTLS is no longer possible",
            s.who()
        )));
    }
    if upper.starts_with("* BYE") {
        return Err(s.refused_session(&greeting));
    }
    if !upper.starts_with("* OK") {
        return Err(s.not_protocol(&greeting));
    }
    match capabilities_in(&greeting) {
        Some(caps) => s.transcript.capabilities = caps,
        None => {
            s.send_line("a1 CAPABILITY").await?;
            let (status, text) = complete(s, "a1", "the answer to CAPABILITY").await?;
            if status != "OK" {
                return Err(s.rejected("CAPABILITY", &format!("a1 {status} {text}")));
            }
        }
    }
    let offered = s
        .transcript
        .capabilities
        .iter()
        .any(|c| c.eq_ignore_ascii_case("STARTTLS"));
    s.send_line("a2 STARTTLS").await?;
    let (status, text) = complete(s, "a2", "the answer to STARTTLS").await?;
    if status != "OK" {
        return Err(s.upgrade_failed(offered, &format!("a2 {status} {text}")));
    }
    Ok(())
}
