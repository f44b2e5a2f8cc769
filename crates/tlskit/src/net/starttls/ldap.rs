//! LDAP (RFC 4511 4.14): the StartTLS extended operation, in a few lines of BER.
//!
//! ```text
//! LDAPMessage ::= SEQUENCE { messageID INTEGER, protocolOp CHOICE { … }, controls [0] OPTIONAL }
//! ExtendedRequest ::= [APPLICATION 23] SEQUENCE { requestName [0] LDAPOID, requestValue [1] OPTIONAL }
//! ExtendedResponse ::= [APPLICATION 24] SEQUENCE { COMPONENTS OF LDAPResult,
//!     responseName [10] LDAPOID OPTIONAL, responseValue [11] OCTET STRING OPTIONAL }
//! LDAPResult ::= resultCode ENUMERATED, matchedDN LDAPDN, diagnosticMessage LDAPString, referral [3] OPTIONAL
//! ```

use super::io::Session;
use crate::error::{Error, Result};

pub const STARTTLS_OID: &str = "1.3.6.1.4.1.1466.20037";
/// The OID of the Notice of Disconnection, an unsolicited notification (RFC 4511 4.4.1).
const DISCONNECT_OID: &str = "1.3.6.1.4.1.1466.20036";
/// Largest LDAP message we accept before TLS.
const MAX_MESSAGE: usize = 64 * 1024;

/// BER: tag, definite length, content.
pub fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = (n as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// The StartTLS ExtendedRequest with message ID `id`.
pub fn starttls_request(id: u8) -> Vec<u8> {
    let name = encode(0x80, STARTTLS_OID.as_bytes());
    let op = encode(0x77, &name);
    let mut msg = encode(0x02, &[id]);
    msg.extend_from_slice(&op);
    encode(0x30, &msg)
}

/// A TLV header at the start of `b`: `Ok(None)` if more bytes are needed, `Err` if it is not BER
/// we accept (multi-byte tags, indefinite or huge lengths).
pub fn header(b: &[u8]) -> std::result::Result<Option<(u8, usize, usize)>, String> {
    if b.len() < 2 {
        return Ok(None);
    }
    let tag = b[0];
    if tag & 0x1f == 0x1f {
        return Err("a multi-byte BER tag".into());
    }
    let l = b[1];
    if l < 0x80 {
        return Ok(Some((tag, 2, l as usize)));
    }
    let n = (l & 0x7f) as usize;
    if n == 0 || n > 4 {
        return Err(format!("a BER length of form 0x{l:02x}"));
    }
    if b.len() < 2 + n {
        return Ok(None);
    }
    let len = b[2..2 + n]
        .iter()
        .fold(0usize, |a, &x| (a << 8) | x as usize);
    Ok(Some((tag, 2 + n, len)))
}

/// Split a content into its TLVs: (tag, content).
pub fn children(mut b: &[u8]) -> std::result::Result<Vec<(u8, &[u8])>, String> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (tag, h, len) = header(b)?.ok_or("a truncated BER element")?;
        if b.len() < h + len {
            return Err("a truncated BER element".into());
        }
        out.push((tag, &b[h..h + len]));
        b = &b[h + len..];
    }
    Ok(out)
}

fn integer(b: &[u8]) -> i64 {
    if b.is_empty() || b.len() > 8 {
        return -1;
    }
    let mut v: i64 = if b[0] & 0x80 != 0 { -1 } else { 0 };
    for &x in b {
        v = (v << 8) | x as i64;
    }
    v
}

/// The parsed ExtendedResponse.
#[derive(Debug, PartialEq)]
pub struct Response {
    pub message_id: i64,
    pub result_code: i64,
    pub matched_dn: String,
    pub diagnostic: String,
    pub name: Option<String>,
}

/// Parse the content of an LDAPMessage SEQUENCE carrying an ExtendedResponse.
pub fn parse_response(content: &[u8]) -> std::result::Result<Response, String> {
    let parts = children(content)?;
    let (Some((0x02, id)), Some((op_tag, op))) = (parts.first().copied(), parts.get(1).copied())
    else {
        return Err("not an LDAPMessage".into());
    };
    if op_tag != 0x78 {
        return Err(format!(
            "an LDAP operation with tag 0x{op_tag:02x} instead of an ExtendedResponse"
        ));
    }
    let fields = children(op)?;
    let (Some((0x0a, rc)), Some((0x04, dn)), Some((0x04, diag))) = (
        fields.first().copied(),
        fields.get(1).copied(),
        fields.get(2).copied(),
    ) else {
        return Err("an ExtendedResponse without an LDAPResult".into());
    };
    let name = fields
        .iter()
        .find(|(t, _)| *t == 0x8a)
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
    Ok(Response {
        message_id: integer(id),
        result_code: integer(rc),
        matched_dn: String::from_utf8_lossy(dn).into_owned(),
        diagnostic: String::from_utf8_lossy(diag).into_owned(),
        name,
    })
}

/// RFC 4511 result code names.
pub fn result_name(code: i64) -> &'static str {
    match code {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        7 => "authMethodNotSupported",
        8 => "strongerAuthRequired",
        11 => "adminLimitExceeded",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        80 => "other",
        _ => "unknown result",
    }
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn negotiate(s: &mut Session<'_>) -> Result<()> {
    let req = starttls_request(1);
    s.send_raw(
        &req,
        format!(
            "ExtendedRequest (message 1) StartTLS {STARTTLS_OID} [{}]",
            hex(&req)
        ),
    )
    .await?;
    loop {
        // One LDAPMessage: its header, then its content.
        let (tag, h, len) = loop {
            let buf = s.peek_more(false, "the answer to StartTLS").await?;
            match header(buf) {
                Ok(Some(x)) => break x,
                Ok(None) => {
                    s.peek_more(true, "the answer to StartTLS").await?;
                }
                Err(e) => {
                    let said = String::from_utf8_lossy(&buf[..buf.len().min(60)]).into_owned();
                    return Err(Error::protocol(format!(
                        "the server at {} does not speak LDAP: its answer starts with {e} ('{}')",
                        s.peer,
                        super::io::quote(&said)
                    )));
                }
            }
        };
        if tag != 0x30 || len > MAX_MESSAGE {
            let buf = s.peek_more(false, "the answer to StartTLS").await?;
            let said = String::from_utf8_lossy(&buf[..buf.len().min(60)]).into_owned();
            return Err(s.not_protocol(&said));
        }
        let msg = s.exact(h + len, "the answer to StartTLS").await?;
        let r = match parse_response(&msg[h..]) {
            Ok(r) => r,
            Err(e) => {
                s.note_server(format!("[{}]", hex(&msg[..msg.len().min(64)])));
                return Err(Error::protocol(format!(
                    "{} sent {e} in answer to the StartTLS request",
                    s.who()
                )));
            }
        };
        let mut line = format!(
            "ExtendedResponse (message {}) resultCode {} {}",
            r.message_id,
            r.result_code,
            result_name(r.result_code)
        );
        if !r.diagnostic.is_empty() {
            line.push_str(&format!(", \"{}\"", r.diagnostic));
        }
        if let Some(n) = &r.name {
            line.push_str(&format!(", name {n}"));
        }
        s.note_server(line);
        let text = if r.diagnostic.is_empty() {
            format!("{} {}", r.result_code, result_name(r.result_code))
        } else {
            format!(
                "{} {}: {}",
                r.result_code,
                result_name(r.result_code),
                r.diagnostic
            )
        };
        if r.message_id == 0 {
            // Unsolicited: the server is closing the connection.
            let what = if r.name.as_deref() == Some(DISCONNECT_OID) {
                "notice of disconnection"
            } else {
                "notification"
            };
            return Err(Error::protocol(format!(
                "{} sent a {what} instead of answering StartTLS: {text}",
                s.who()
            )));
        }
        if r.message_id != 1 {
            continue;
        }
        return match r.result_code {
            0 => Ok(()),
            // protocolError: "unsupported extended operation".
            2 => Err(Error::protocol(format!(
                "{} does not offer StartTLS: {text}",
                s.who()
            ))),
            _ => Err(s.refused(&text)),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bytes() {
        let r = starttls_request(1);
        assert_eq!(&r[..7], &[0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18]);
        assert_eq!(&r[7..9], &[0x80, 0x16]);
        assert_eq!(&r[9..], STARTTLS_OID.as_bytes());
        assert_eq!(encode(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn parses_response() {
        // What slapd answers when TLS is not configured.
        let mut op = encode(0x0a, &[52]);
        op.extend(encode(0x04, b""));
        op.extend(encode(0x04, b"Could not initialize TLS"));
        let mut m = encode(0x02, &[1]);
        m.extend(encode(0x78, &op));
        let r = parse_response(&m).unwrap();
        assert_eq!(r.result_code, 52);
        assert_eq!(r.diagnostic, "Could not initialize TLS");
        assert!(parse_response(&[0x02, 0x01, 0x01]).is_err());
        assert!(header(&[0x30, 0x80]).is_err());
        assert_eq!(header(&[0x30]).unwrap(), None);
        assert_eq!(header(&[0x30, 0x82, 0x01]).unwrap(), None);
        assert_eq!(
            header(&[0x30, 0x82, 0x01, 0x00]).unwrap(),
            Some((0x30, 4, 256))
        );
    }
}
