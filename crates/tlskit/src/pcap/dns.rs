//! DNS in a capture — the first thing the lecture lists among what TLS does not protect: the
//! query for the server's name and the answer, in clear, before the TLS connection they lead to.
//!
//! Messages are decoded by hickory-proto, the one DNS wire-format implementation of tlskit (the
//! `--dns` lookups in `net/dns.rs` use it too); this module only picks what a capture report
//! shows — names, types, A/AAAA/CNAME data — and writes names label by label with tlskit's own
//! escaping (hickory's presentation form would turn labels into punycode or octal escapes). It
//! reads bytes from capture files, so it is fuzzed (fuzz/fuzz_targets/pcap_dns.rs).

use hickory_proto::op::{MessageType, OpCode};
use hickory_proto::rr::{Name, RData};
use serde::Serialize;
use std::net::IpAddr;

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

fn rcode_name(r: u16) -> String {
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

/// A name as the report shows it: labels joined by dots, bytes outside printable ASCII (and
/// the backslash) as `\DDD`; the root is ".".
fn name_text(name: &Name) -> String {
    let labels: Vec<String> = name
        .iter()
        .map(|label| {
            label
                .iter()
                .map(|&b| {
                    if b.is_ascii_graphic() && b != b'\\' {
                        (b as char).to_string()
                    } else {
                        format!("\\{b:03}")
                    }
                })
                .collect()
        })
        .collect();
    if labels.is_empty() {
        ".".to_string()
    } else {
        labels.join(".")
    }
}

/// Parse one DNS message (UDP payload, or a TCP message without its length prefix); None when
/// it is not a well-formed standard query or response.
pub fn parse(msg: &[u8]) -> Option<Message> {
    let m = hickory_proto::op::Message::from_vec(msg).ok()?;
    if m.metadata.op_code != OpCode::Query {
        return None; // only standard queries (opcode 0)
    }
    let question = m
        .queries
        .first()
        .map(|q| (name_text(&q.name), type_name(u16::from(q.query_type))));
    let answers = m
        .answers
        .iter()
        .take(64)
        .map(|r| {
            let rtype = u16::from(r.data.record_type());
            let (data, address) = match &r.data {
                RData::A(a) => (a.0.to_string(), Some(IpAddr::V4(a.0))),
                RData::AAAA(a) => (a.0.to_string(), Some(IpAddr::V6(a.0))),
                RData::CNAME(c) => (name_text(&c.0), None),
                other => (
                    format!(
                        "{} bytes",
                        hickory_proto::serialize::binary::BinEncodable::to_bytes(other)
                            .map(|b| b.len())
                            .unwrap_or(0)
                    ),
                    None,
                ),
            };
            Answer {
                name: name_text(&r.name),
                rtype: type_name(rtype),
                ttl: r.ttl,
                data,
                address,
            }
        })
        .collect();
    Some(Message {
        id: m.metadata.id,
        response: m.metadata.message_type == MessageType::Response,
        rcode: rcode_name(u16::from(m.metadata.response_code)),
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
