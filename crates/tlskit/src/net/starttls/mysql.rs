//! MySQL / MariaDB: the server's initial handshake packet (protocol 10) must carry CLIENT_SSL;
//! the client answers with an SSLRequest packet (the first 32 bytes of a HandshakeResponse41)
//! and starts TLS at once, without waiting for an answer.

use super::io::Session;
use crate::error::{Error, Result};

pub const CLIENT_LONG_PASSWORD: u32 = 0x1;
pub const CLIENT_PROTOCOL_41: u32 = 0x200;
pub const CLIENT_SSL: u32 = 0x800;
pub const CLIENT_TRANSACTIONS: u32 = 0x2000;
pub const CLIENT_SECURE_CONNECTION: u32 = 0x8000;
pub const CLIENT_MULTI_RESULTS: u32 = 0x20000;
pub const CLIENT_PLUGIN_AUTH: u32 = 0x80000;

/// Largest handshake packet we accept.
const MAX_PACKET: usize = 64 * 1024;

const FLAG_NAMES: [(u32, &str); 24] = [
    (0x1, "LONG_PASSWORD"),
    (0x2, "FOUND_ROWS"),
    (0x4, "LONG_FLAG"),
    (0x8, "CONNECT_WITH_DB"),
    (0x10, "NO_SCHEMA"),
    (0x20, "COMPRESS"),
    (0x40, "ODBC"),
    (0x80, "LOCAL_FILES"),
    (0x100, "IGNORE_SPACE"),
    (0x200, "PROTOCOL_41"),
    (0x400, "INTERACTIVE"),
    (0x800, "SSL"),
    (0x1000, "IGNORE_SIGPIPE"),
    (0x2000, "TRANSACTIONS"),
    (0x8000, "SECURE_CONNECTION"),
    (0x10000, "MULTI_STATEMENTS"),
    (0x20000, "MULTI_RESULTS"),
    (0x40000, "PS_MULTI_RESULTS"),
    (0x80000, "PLUGIN_AUTH"),
    (0x100000, "CONNECT_ATTRS"),
    (0x200000, "PLUGIN_AUTH_LENENC_CLIENT_DATA"),
    (0x400000, "CAN_HANDLE_EXPIRED_PASSWORDS"),
    (0x800000, "SESSION_TRACK"),
    (0x1000000, "DEPRECATE_EOF"),
];

/// Names of the capability flags set in `caps`.
pub fn flag_names(caps: u32) -> Vec<String> {
    FLAG_NAMES
        .iter()
        .filter(|(f, _)| caps & f != 0)
        .map(|(_, n)| n.to_string())
        .collect()
}

/// The fields of a protocol-10 handshake we use.
#[derive(Debug, PartialEq)]
pub struct Handshake {
    pub server_version: String,
    pub connection_id: u32,
    pub capabilities: u32,
    pub charset: u8,
    pub auth_plugin: Option<String>,
}

/// Parse the payload of the initial handshake packet.
pub fn parse_handshake(p: &[u8]) -> std::result::Result<Handshake, String> {
    if p.first() != Some(&10) {
        return Err(format!(
            "protocol version {} (only 10 can carry TLS)",
            p.first().copied().unwrap_or(0)
        ));
    }
    let nul = p[1..]
        .iter()
        .position(|&b| b == 0)
        .ok_or("no end to the server version")?
        + 1;
    let server_version = String::from_utf8_lossy(&p[1..nul]).into_owned();
    let r = &p[nul + 1..];
    // connection id (4), auth data part 1 (8), filler (1), capabilities low (2)
    if r.len() < 15 {
        return Err("a truncated handshake packet".into());
    }
    let connection_id = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
    let low = u16::from_le_bytes([r[13], r[14]]) as u32;
    let (mut high, mut charset, mut auth_plugin) = (0u32, 0u8, None);
    if r.len() >= 20 {
        charset = r[15];
        high = u16::from_le_bytes([r[18], r[19]]) as u32;
        // auth data length (1), reserved (10), auth data part 2 (max(13, len - 8)), plugin name.
        if r.len() > 31 {
            let auth_len = r[20] as usize;
            let part2 = 13usize.max(auth_len.saturating_sub(8));
            let start = 31 + part2;
            if r.len() > start {
                let name = &r[start..];
                let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
                auth_plugin = Some(String::from_utf8_lossy(&name[..end]).into_owned());
            }
        }
    }
    Ok(Handshake {
        server_version,
        connection_id,
        capabilities: low | (high << 16),
        charset,
        auth_plugin,
    })
}

/// The SSLRequest packet (sequence id `seq`) for a server with `server_caps`.
pub fn ssl_request(server_caps: u32, charset: u8, seq: u8) -> Vec<u8> {
    let wanted = CLIENT_LONG_PASSWORD
        | CLIENT_TRANSACTIONS
        | CLIENT_SECURE_CONNECTION
        | CLIENT_MULTI_RESULTS
        | CLIENT_PLUGIN_AUTH;
    let flags = (wanted & server_caps) | CLIENT_PROTOCOL_41 | CLIENT_SSL;
    let mut payload = Vec::with_capacity(32);
    payload.extend_from_slice(&flags.to_le_bytes());
    payload.extend_from_slice(&(16u32 << 20).to_le_bytes());
    payload.push(if charset == 0 { 33 } else { charset });
    payload.extend_from_slice(&[0u8; 23]);
    let mut pkt = vec![32, 0, 0, seq];
    pkt.extend_from_slice(&payload);
    pkt
}

pub async fn negotiate(s: &mut Session<'_>) -> Result<()> {
    let head = s.exact(4, "the handshake packet").await?;
    let len = head[0] as usize | (head[1] as usize) << 8 | (head[2] as usize) << 16;
    let seq = head[3];
    if len == 0 || len > MAX_PACKET || seq != 0 {
        let mut said = head.clone();
        said.extend_from_slice(&s.buffered()[..s.buffered().len().min(60)]);
        return Err(s.not_protocol(&String::from_utf8_lossy(&said)));
    }
    let payload = s.exact(len, "the handshake packet").await?;
    if payload[0] == 0xff {
        // An error packet: code (2), message (no SQL state before the handshake).
        let code = if payload.len() >= 3 {
            u16::from_le_bytes([payload[1], payload[2]])
        } else {
            0
        };
        let mut msg = payload.get(3..).unwrap_or(&[]);
        if msg.first() == Some(&b'#') && msg.len() >= 6 {
            msg = &msg[6..];
        }
        let msg = String::from_utf8_lossy(msg).into_owned();
        s.note_server(format!("error packet: {code} {msg}"));
        return Err(s.refused_session(&format!("{code} {msg}")));
    }
    let hs = match parse_handshake(&payload) {
        Ok(h) => h,
        Err(e) => {
            return Err(Error::protocol(format!(
            "the server at {} does not speak the MySQL protocol we know: its first packet has {e}",
            s.peer
        )))
        }
    };
    s.transcript.capabilities = flag_names(hs.capabilities);
    s.note_server(format!(
        "handshake (protocol 10): server {}, connection {}, capabilities 0x{:08x}{}",
        hs.server_version,
        hs.connection_id,
        hs.capabilities,
        hs.auth_plugin
            .as_ref()
            .map(|p| format!(", auth plugin {p}"))
            .unwrap_or_default()
    ));
    if hs.capabilities & CLIENT_SSL == 0 {
        return Err(Error::protocol(format!(
            "{} does not offer TLS: CLIENT_SSL is not among its capabilities ({}; the server has no certificate configured, or was built without TLS)",
            s.who(),
            s.transcript.capabilities.join(", ")
        )));
    }
    let req = ssl_request(hs.capabilities, hs.charset, seq.wrapping_add(1));
    let flags = u32::from_le_bytes([req[4], req[5], req[6], req[7]]);
    s.send_raw(
        &req,
        format!(
            "SSLRequest: capabilities 0x{flags:08x} ({})",
            flag_names(flags).join(" ")
        ),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_mariadb_handshake() {
        let mut p = vec![10];
        p.extend_from_slice(b"10.11.6-MariaDB\0");
        p.extend_from_slice(&7u32.to_le_bytes());
        p.extend_from_slice(b"12345678\0");
        p.extend_from_slice(&0xfffeu16.to_le_bytes());
        p.push(45);
        p.extend_from_slice(&2u16.to_le_bytes());
        p.extend_from_slice(&0x81bfu16.to_le_bytes());
        p.push(21);
        p.extend_from_slice(&[0; 10]);
        p.extend_from_slice(b"abcdefghijkl\0");
        p.extend_from_slice(b"mysql_native_password\0");
        let h = parse_handshake(&p).unwrap();
        assert_eq!(h.server_version, "10.11.6-MariaDB");
        assert_eq!(h.connection_id, 7);
        assert_eq!(h.charset, 45);
        assert!(h.capabilities & CLIENT_SSL != 0);
        assert_eq!(h.auth_plugin.as_deref(), Some("mysql_native_password"));
        let r = ssl_request(h.capabilities, h.charset, 1);
        assert_eq!(r.len(), 36);
        assert_eq!(&r[..4], &[32, 0, 0, 1]);
        assert!(parse_handshake(&[9, b'x', 0]).is_err());
    }
}
