//! IRC (the IRCv3 STARTTLS extension): CAP LS for the `tls` capability, STARTTLS, numeric 670.
//!
//! Nothing is registered before TLS: no NICK or USER goes out in clear. CAP LS suspends the
//! registration until the client ends capability negotiation (after TLS, with `CAP END`).

use super::io::{Session, MAX_REPLY_LINES};
use crate::error::{Error, Result};

/// A parsed IRC message: prefix, command (or numeric) and parameters (the trailing one included).
pub(super) struct Message {
    command: String,
    params: Vec<String>,
}

pub(super) fn parse(line: &str) -> Option<Message> {
    let mut rest = line.trim_end();
    if let Some(r) = rest.strip_prefix(':') {
        rest = r.split_once(' ').map(|(_, r)| r)?;
    }
    let rest = rest.trim_start();
    let (command, mut rest) = rest.split_once(' ').unwrap_or((rest, ""));
    if command.is_empty() || !command.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start_matches(' ');
        if rest.is_empty() {
            break;
        }
        if let Some(t) = rest.strip_prefix(':') {
            params.push(t.to_string());
            break;
        }
        let (p, r) = rest.split_once(' ').unwrap_or((rest, ""));
        params.push(p.to_string());
        rest = r;
    }
    Some(Message {
        command: command.to_ascii_uppercase(),
        params,
    })
}

/// What a server line means to us while we wait for `what`.
async fn next(s: &mut Session<'_>, what: &str) -> Result<Message> {
    for _ in 0..MAX_REPLY_LINES {
        let line = s.line(what).await?;
        if line.trim().is_empty() {
            continue;
        }
        let Some(m) = parse(&line) else {
            return Err(s.not_protocol(&line));
        };
        match m.command.as_str() {
            // Servers greet with notices ("*** Looking up your hostname") before anything else.
            "NOTICE" => continue,
            "PING" => {
                let token = m.params.first().cloned().unwrap_or_default();
                s.send_line(&format!("PONG :{token}")).await?;
                continue;
            }
            "ERROR" => return Err(s.refused_session(&line)),
            _ => return Ok(m),
        }
    }
    Err(Error::protocol(format!("{} sent endless notices", s.who())))
}

pub async fn negotiate(s: &mut Session<'_>) -> Result<()> {
    s.send_line("CAP LS 302").await?;
    // `None`: the server knows no CAP (then we try STARTTLS and see).
    let mut caps: Option<Vec<String>> = None;
    loop {
        let m = next(s, "the answer to CAP LS").await?;
        match m.command.as_str() {
            "CAP" => {
                // :server CAP * LS [*] :cap1 cap2=value …  ("*" before the list: more lines follow)
                let sub = m.params.get(1).map(|p| p.to_ascii_uppercase());
                if sub.as_deref() != Some("LS") {
                    continue;
                }
                let more = m.params.len() >= 4 && m.params[2] == "*";
                let list = m.params.last().cloned().unwrap_or_default();
                caps.get_or_insert_with(Vec::new)
                    .extend(list.split_whitespace().map(str::to_string));
                if !more {
                    break;
                }
            }
            // ERR_UNKNOWNCOMMAND, ERR_NOTREGISTERED: no capability negotiation here.
            "421" | "451" => break,
            c if c.len() == 3 && c.chars().all(|d| d.is_ascii_digit()) => {
                // Another numeric before the CAP answer (e.g. 020 "please wait"): keep waiting.
                continue;
            }
            _ => continue,
        }
    }
    s.transcript.capabilities = caps.unwrap_or_default();
    let offered = s.transcript.capabilities.iter().any(|c| {
        c.split('=')
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case("tls"))
    });
    s.send_line("STARTTLS").await?;
    loop {
        let m = next(s, "the answer to STARTTLS").await?;
        match m.command.as_str() {
            // RPL_STARTTLS: go ahead.
            "670" => return Ok(()),
            // ERR_STARTTLS.
            // ERR_STARTTLS, ERR_UNKNOWNCOMMAND, or another error numeric.
            c if c == "691" || c.starts_with('4') || c.starts_with('5') => {
                return Err(s.upgrade_failed(
                    offered && c != "421",
                    &format!("{c} {}", m.params.join(" ")),
                ))
            }
            _ => continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_messages() {
        let m = parse(":irc.local CAP * LS * :multi-prefix tls").unwrap();
        assert_eq!(m.command, "CAP");
        assert_eq!(m.params, vec!["*", "LS", "*", "multi-prefix tls"]);
        let m = parse("PING :abc").unwrap();
        assert_eq!(m.params, vec!["abc"]);
        assert!(parse("HTTP/1.1 400 Bad Request").is_none());
    }
}
