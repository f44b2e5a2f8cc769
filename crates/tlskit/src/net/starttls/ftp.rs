//! FTP (RFC 4217): greeting, FEAT, AUTH TLS, 234.

use super::io::Session;
use crate::error::Result;

pub async fn negotiate(s: &mut Session<'_>) -> Result<()> {
    let mut greeting = s.reply("the greeting").await?;
    // 120: "service ready in nnn minutes" — the real greeting follows.
    if greeting.code == 120 {
        greeting = s.reply("the greeting").await?;
    }
    if greeting.code != 220 {
        return Err(s.refused_session(&greeting.joined()));
    }
    s.send_line("FEAT").await?;
    let feat = s.reply("the answer to FEAT").await?;
    // RFC 2389: the features are the indented lines between "211-" and "211 End".
    let known = feat.code == 211;
    let mut offered = false;
    if known {
        let n = feat.lines.len();
        s.transcript.capabilities = feat
            .lines
            .iter()
            .enumerate()
            .filter(|(i, l)| *i > 0 && *i + 1 < n && !l.trim().is_empty())
            .map(|(_, l)| l.trim().to_string())
            .collect();
        offered = s.transcript.capabilities.iter().any(|c| {
            let mut w = c.split_whitespace();
            w.next().is_some_and(|k| k.eq_ignore_ascii_case("AUTH"))
                && w.flat_map(|x| x.split(';'))
                    .any(|m| m.eq_ignore_ascii_case("TLS"))
        });
    } else if !(500..600).contains(&feat.code) {
        return Err(s.rejected("FEAT", &feat.joined()));
    }
    s.send_line("AUTH TLS").await?;
    let go = s.reply("the answer to AUTH TLS").await?;
    if go.code != 234 {
        return Err(s.upgrade_failed(offered, &go.joined()));
    }
    Ok(())
}
