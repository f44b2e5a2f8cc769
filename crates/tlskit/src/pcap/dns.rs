//! DNS in a capture — the first thing the lecture lists among what TLS does not protect: the
//! query for the server's name and the answer, in clear, before the TLS connection they lead to.
//!
//! Hand-written (RFC 1035 messages: header, questions, answers; names with compression): the
//! capture needs only names, types and A/AAAA/CNAME data, where a full DNS crate would bring a
//! resolver's worth of types. It reads bytes from capture files, so it is fuzzed
//! (fuzz/fuzz_targets/pcap_dns.rs): bounded loops, no panics.

use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One resource record of an answer section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, or `TYPE<n>`.
    pub rtype: String,
    pub ttl: u32,
    /// The address, the alias, or the data's length.
    pub data: String,
    /// For A and AAAA: the address.
    #[serde(skip)]
    pub address: Option<IpAddr>,
}

/// A parsed DNS message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: u16,
    pub response: bool,
    /// RCODE name: `NOERROR`, `NXDOMAIN`, …
    pub rcode: String,
    /// The first question: name and type.
    pub question: Option<(String, String)>,
    pub answers: Vec<Answer>,
}

fn type_name(t: u16) -> String {
    match t {
        1 => "A".into(),
        2 => "NS".into(),
        5 => "CNAME".into(),
        6 => "SOA".into(),
        12 => "PTR".into(),
        15 => "MX".into(),
        16 => "TXT".into(),
        28 => "AAAA".into(),
        33 => "SRV".into(),
        64 => "SVCB".into(),
        65 => "HTTPS".into(),
        255 => "ANY".into(),
        other => format!("TYPE{other}"),
    }
}

fn rcode_name(r: u8) -> String {
    match r {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        other => format!("RCODE{other}"),
    }
}

/// Read a (possibly compressed) name at `at`; returns it and the offset after it in place.
fn read_name(msg: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut labels: Vec<String> = Vec::new();
    let mut end_in_place = None;
    let mut jumps = 0;
    let mut total = 0usize;
    loop {
        let len = *msg.get(at)? as usize;
        match len & 0xc0 {
            0x00 => {
                if len == 0 {
                    at += 1;
                    break;
                }
                let label = msg.get(at + 1..at + 1 + len)?;
                total += len + 1;
                if total > 255 {
                    return None;
                }
                labels.push(
                    label
                        .iter()
                        .map(|&b| {
                            if b.is_ascii_graphic() && b != b'\\' {
                                (b as char).to_string()
                            } else {
                                format!("\\{b:03}")
                            }
                        })
                        .collect(),
                );
                at += 1 + len;
            }
            0xc0 => {
                let ptr = ((len & 0x3f) << 8) | *msg.get(at + 1)? as usize;
                if end_in_place.is_none() {
                    end_in_place = Some(at + 2);
                }
                jumps += 1;
                if jumps > 32 || ptr >= msg.len() {
                    return None;
                }
                at = ptr;
            }
            _ => return None,
        }
    }
    let name = if labels.is_empty() {
        ".".to_string()
    } else {
        labels.join(".")
    };
    Some((name, end_in_place.unwrap_or(at)))
}

fn u16_at(m: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*m.get(at)?, *m.get(at + 1)?]))
}

/// Parse one DNS message (UDP payload, or a TCP message without its length prefix).
pub fn parse(msg: &[u8]) -> Option<Message> {
    if msg.len() < 12 {
        return None;
    }
    let id = u16_at(msg, 0)?;
    let flags = u16_at(msg, 2)?;
    let qd = u16_at(msg, 4)? as usize;
    let an = u16_at(msg, 6)? as usize;
    if flags & 0x7800 != 0 {
        return None; // only standard queries (opcode 0)
    }
    let mut at = 12;
    let mut question = None;
    for i in 0..qd.min(16) {
        let (name, next) = read_name(msg, at)?;
        let qtype = u16_at(msg, next)?;
        at = next + 4;
        if at > msg.len() {
            return None;
        }
        if i == 0 {
            question = Some((name, type_name(qtype)));
        }
    }
    let mut answers = Vec::new();
    for _ in 0..an.min(64) {
        let (name, next) = read_name(msg, at)?;
        let rtype = u16_at(msg, next)?;
        let ttl = u32::from_be_bytes([
            *msg.get(next + 4)?,
            *msg.get(next + 5)?,
            *msg.get(next + 6)?,
            *msg.get(next + 7)?,
        ]);
        let rdlen = u16_at(msg, next + 8)? as usize;
        let rdata_at = next + 10;
        let rdata = msg.get(rdata_at..rdata_at + rdlen)?;
        let (data, address) = match (rtype, rdlen) {
            (1, 4) => {
                let a = IpAddr::V4(Ipv4Addr::new(rdata[0], rdata[1], rdata[2], rdata[3]));
                (a.to_string(), Some(a))
            }
            (28, 16) => {
                let a = IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(rdata).ok()?));
                (a.to_string(), Some(a))
            }
            (5, _) => (read_name(msg, rdata_at)?.0, None),
            _ => (format!("{rdlen} bytes"), None),
        };
        answers.push(Answer {
            name,
            rtype: type_name(rtype),
            ttl,
            data,
            address,
        });
        at = rdata_at + rdlen;
    }
    Some(Message {
        id,
        response: flags & 0x8000 != 0,
        rcode: rcode_name((flags & 0x000f) as u8),
        question,
        answers,
    })
}

/// Split a DNS-over-TCP byte stream (2-byte length prefixes) into messages; a cut-off last
/// message is dropped.
pub fn split_tcp(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = stream;
    while rest.len() >= 2 && out.len() < 1024 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let Some(m) = rest.get(2..2 + len) else {
            break;
        };
        out.push(m);
        rest = &rest[2 + len..];
    }
    out
}

/// One query and its answer, as seen in a capture.
#[derive(Debug, Clone, Serialize)]
pub struct DnsExchange {
    /// 1-based, in order of the queries.
    pub index: usize,
    /// `udp` or `tcp`.
    pub transport: String,
    pub client: String,
    pub resolver: String,
    pub id: u16,
    pub name: String,
    pub qtype: String,
    /// Capture time of the query (seconds since the Unix epoch).
    pub query_time: f64,
    /// Query → response, when the response is in the capture.
    pub response_ms: Option<f64>,
    pub rcode: Option<String>,
    pub answers: Vec<Answer>,
    /// TCP streams to an answered address that began after the answer (numbered as in the report).
    pub led_to_streams: Vec<usize>,
}

impl DnsExchange {
    /// The addresses the answer gave.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.answers.iter().filter_map(|a| a.address).collect()
    }

    /// `www.bank32.test A → 127.0.0.1 (0.4 ms)`.
    pub fn summary(&self) -> String {
        let answer = match (&self.rcode, self.answers.is_empty()) {
            (None, _) => "no answer in the capture".to_string(),
            (Some(r), true) => r.clone(),
            (Some(_), false) => self
                .answers
                .iter()
                .map(|a| a.data.clone())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let took = self
            .response_ms
            .map(|ms| format!(" ({})", crate::observe::analyze::fmt_ms(ms)))
            .unwrap_or_default();
        format!("{} {} → {answer}{took}", self.name, self.qtype)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_and_answer() -> Vec<u8> {
        let mut m = vec![0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0];
        for l in ["www", "bank32", "test"] {
            m.push(l.len() as u8);
            m.extend_from_slice(l.as_bytes());
        }
        m.push(0);
        m.extend_from_slice(&[0, 1, 0, 1]);
        // CNAME www → c0 10 (bank32.test) via compression
        m.extend_from_slice(&[0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 0x10]);
        m.extend_from_slice(&[0xc0, 0x10, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
        m
    }

    #[test]
    fn parses_answers_with_compression() {
        let m = parse(&query_and_answer()).unwrap();
        assert!(m.response);
        assert_eq!(m.id, 0x1234);
        assert_eq!(m.question, Some(("www.bank32.test".into(), "A".into())));
        assert_eq!(m.answers[0].data, "bank32.test");
        assert_eq!(m.answers[1].address, Some("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn loops_and_truncations_are_refused() {
        let mut looped = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        looped.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1]);
        assert!(parse(&looped).is_none());
        let full = query_and_answer();
        for cut in 0..full.len() {
            let _ = parse(&full[..cut]);
        }
        assert_eq!(split_tcp(&[0, 3, 1, 2, 3, 0, 9, 1]).len(), 1);
    }
}
