//! POP3 (RFC 2595, RFC 2449): greeting, CAPA, STLS, +OK.

use super::io::{Session, MAX_REPLY_LINES};
use crate::error::{Error, Result};

pub async fn negotiate(s: &mut Session<'_>) -> Result<()> {
    let greeting = s.line("the greeting").await?;
    if greeting.starts_with("-ERR") {
        return Err(s.refused_session(&greeting));
    }
    if !greeting.starts_with("+OK") {
        return Err(s.not_protocol(&greeting));
    }
    s.send_line("CAPA").await?;
    let answer = s.line("the answer to CAPA").await?;
    // Without CAPA (RFC 1939 servers) we cannot know: ask for STLS and see.
    if answer.starts_with("+OK") {
        let mut caps = Vec::new();
        loop {
            let l = s.line("the capability list").await?;
            if l == "." {
                break;
            }
            if caps.len() >= MAX_REPLY_LINES {
                return Err(Error::protocol(format!(
                    "{} sent an endless capability list",
                    s.who()
                )));
            }
            // Dot-stuffing: a leading ".." stands for ".".
            caps.push(l.strip_prefix('.').unwrap_or(&l).to_string());
        }
        s.transcript.capabilities = caps;
    } else if !answer.starts_with("-ERR") {
        return Err(s.not_protocol(&answer));
    }
    let offered = s.transcript.capabilities.iter().any(|c| {
        c.split_whitespace()
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case("STLS"))
    });
    s.send_line("STLS").await?;
    let go = s.line("the answer to STLS").await?;
    if !go.starts_with("+OK") {
        if !go.starts_with("-ERR") {
            return Err(s.not_protocol(&go));
        }
        return Err(s.upgrade_failed(offered, &go));
    }
    Ok(())
}
