//! SMTP (RFC 3207) and LMTP (RFC 2033): greeting, EHLO/LHLO, STARTTLS, 220.

use super::io::Session;
use super::Options;
use crate::error::Result;

/// The name we greet with: `--starttls-name`, else our own address as an address literal
/// (RFC 5321 4.1.3), which is honest when we have no name of our own.
fn hello_name(s: &Session<'_>, opts: &Options) -> String {
    if let Some(n) = &opts.name {
        return n.clone();
    }
    match s.local.map(|a| a.ip()) {
        Some(std::net::IpAddr::V4(ip)) => format!("[{ip}]"),
        Some(std::net::IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
        None => "localhost".to_string(),
    }
}

pub async fn negotiate(s: &mut Session<'_>, opts: &Options, lmtp: bool) -> Result<()> {
    let greeting = s.reply("the greeting").await?;
    match greeting.code {
        220 => {}
        // 554: "no SMTP service here"; 421: "service not available".
        _ => return Err(s.refused_session(&greeting.joined())),
    }
    let hello = if lmtp { "LHLO" } else { "EHLO" };
    s.send_line(&format!("{hello} {}", hello_name(s, opts)))
        .await?;
    let ehlo = s.reply(&format!("the answer to {hello}")).await?;
    if ehlo.code != 250 {
        return Err(s.rejected(hello, &ehlo.joined()));
    }
    // The first line is the server's name; the others are the extensions it offers.
    s.transcript.capabilities = ehlo
        .texts()
        .into_iter()
        .skip(1)
        .filter(|c| !c.is_empty())
        .collect();
    let offered = s.transcript.capabilities.iter().any(|c| {
        c.split_whitespace()
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case("STARTTLS"))
    });
    // Not announced: ask anyway (some servers forget to say), and say so if it fails.
    s.send_line("STARTTLS").await?;
    let go = s.reply("the answer to STARTTLS").await?;
    if go.code != 220 {
        return Err(s.upgrade_failed(offered, &go.joined()));
    }
    Ok(())
}
