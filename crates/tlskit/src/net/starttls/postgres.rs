//! PostgreSQL (protocol 3, "SSL Session Encryption"): SSLRequest, then one byte: 'S' or 'N'.
//!
//! The byte is all the server may say: anything after 'S' and before the handshake is injected
//! plaintext (the class of CVE-2021-23214/23222).

use super::io::Session;
use crate::error::{Error, Result};

/// The SSLRequest code: 1234 in the high half, 5679 in the low half.
pub const SSL_REQUEST_CODE: u32 = 80877103;

pub fn ssl_request() -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&8u32.to_be_bytes());
    b[4..].copy_from_slice(&SSL_REQUEST_CODE.to_be_bytes());
    b
}

/// The message of an ErrorResponse body ('M' field), if it parses.
pub(super) fn error_message(body: &[u8]) -> Option<String> {
    let mut fields = body.split(|&b| b == 0);
    let mut severity = None;
    let mut message = None;
    for f in fields.by_ref() {
        match f.first() {
            Some(b'S') => severity = Some(String::from_utf8_lossy(&f[1..]).into_owned()),
            Some(b'M') => message = Some(String::from_utf8_lossy(&f[1..]).into_owned()),
            _ => {}
        }
    }
    message.map(|m| match severity {
        Some(s) => format!("{s}: {m}"),
        None => m,
    })
}

pub async fn negotiate(s: &mut Session<'_>) -> Result<()> {
    s.send_raw(
        &ssl_request(),
        format!("SSLRequest (length 8, code {SSL_REQUEST_CODE})"),
    )
    .await?;
    let b = s.exact(1, "the answer to SSLRequest").await?[0];
    match b {
        b'S' => {
            s.note_server("'S': willing to speak TLS");
            Ok(())
        }
        b'N' => {
            s.note_server("'N': will not speak TLS");
            Err(Error::protocol(format!(
                "{} does not offer TLS: it answered 'N' to the SSLRequest (ssl = off in its postgresql.conf)",
                s.who()
            )))
        }
        b'E' => {
            // An ErrorResponse: Int32 length, then fields (servers before 7.0, or a refusal).
            let len = s.exact(4, "the error message").await?;
            let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
            if !(4..=4096).contains(&len) {
                return Err(s.not_protocol("E…"));
            }
            let body = s.exact(len - 4, "the error message").await?;
            let msg =
                error_message(&body).unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
            s.note_server(format!("ErrorResponse: {msg}"));
            Err(s.refused(&msg))
        }
        other => {
            let mut said = vec![other];
            let more = s.buffered();
            said.extend_from_slice(&more[..more.len().min(60)]);
            Err(s.not_protocol(&String::from_utf8_lossy(&said)))
        }
    }
}
