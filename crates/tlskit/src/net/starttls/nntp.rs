//! NNTP (RFC 4642, RFC 3977): greeting, CAPABILITIES (MODE READER if needed), STARTTLS, 382.

use super::io::{Session, MAX_REPLY_LINES};
use crate::error::{Error, Result};

/// CAPABILITIES: `Some(list)` after 101, `None` if the server does not know the command.
async fn capabilities(s: &mut Session<'_>) -> Result<Option<Vec<String>>> {
    s.send_line("CAPABILITIES").await?;
    let head = s.reply("the answer to CAPABILITIES").await?;
    if head.code != 101 {
        if head.code == 500 || head.code == 501 || head.code == 480 {
            return Ok(None);
        }
        return Err(s.rejected("CAPABILITIES", &head.joined()));
    }
    let mut caps = Vec::new();
    loop {
        let l = s.line("the capability list").await?;
        if l == "." {
            return Ok(Some(caps));
        }
        if caps.len() >= MAX_REPLY_LINES {
            return Err(Error::protocol(format!(
                "{} sent an endless capability list",
                s.who()
            )));
        }
        caps.push(l.strip_prefix('.').unwrap_or(&l).to_string());
    }
}

fn has(caps: &[String], word: &str) -> bool {
    caps.iter().any(|c| {
        c.split_whitespace()
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case(word))
    })
}

pub async fn negotiate(s: &mut Session<'_>) -> Result<()> {
    let greeting = s.reply("the greeting").await?;
    if greeting.code != 200 && greeting.code != 201 {
        return Err(s.refused_session(&greeting.joined()));
    }
    let mut caps = capabilities(s).await?;
    // A transit server (innd) may offer STARTTLS only in reader mode.
    if let Some(c) = &caps {
        if !has(c, "STARTTLS") && has(c, "MODE-READER") {
            s.send_line("MODE READER").await?;
            let r = s.reply("the answer to MODE READER").await?;
            if r.code == 200 || r.code == 201 {
                caps = capabilities(s).await?;
            }
        }
    }
    s.transcript.capabilities = caps.unwrap_or_default();
    let offered = has(&s.transcript.capabilities, "STARTTLS");
    s.send_line("STARTTLS").await?;
    let go = s.reply("the answer to STARTTLS").await?;
    if go.code != 382 {
        return Err(s.upgrade_failed(offered, &go.joined()));
    }
    Ok(())
}
