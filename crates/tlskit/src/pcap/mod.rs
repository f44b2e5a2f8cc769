//! `tlskit pcap`: read a tcpdump/Wireshark capture and show, per TCP stream, the TCP handshake
//! (SYN, SYN-ACK, ACK), then the TLS handshake and records as an observer sees them, and one line
//! answering "the TCP handshake took X and finished before the TLS handshake began; the TLS
//! handshake took Y and Z round trips". With a key log, which sessions it can decrypt.
//!
//! * [`file`] — pcap and pcapng readers.
//! * [`packet`] — frames → TCP segments.
//! * `keylog.rs` — NSS key log files ([`KeyLog`]); `render.rs` — the reports as text.
//!
//! Each direction of a stream is reassembled by sequence number (retransmissions and overlaps
//! dropped, out-of-order segments held until the gap fills) and fed to the observer's
//! [`crate::observe::Analyzer`].

pub mod dns;
pub mod file;
mod keylog;
pub mod packet;
mod render;
pub mod svg;

pub use keylog::KeyLog;

use crate::error::{file_error, Result};
use crate::observe::analyze::{fmt_ms, Analysis, Analyzer, Direction};
use packet::{Decoded, TcpSegment, ACK, FIN, RST, SYN};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How to read a capture.
#[derive(Debug, Clone)]
pub struct PcapOptions {
    /// An NSS key log file to match against the ClientHello randoms.
    pub keylog: Option<PathBuf>,
    /// Read the complete packets of a truncated or damaged capture instead of failing.
    pub partial: bool,
    /// Records listed per stream.
    pub max_records: usize,
}

impl Default for PcapOptions {
    fn default() -> Self {
        PcapOptions {
            keylog: None,
            partial: false,
            max_records: 10_000,
        }
    }
}

/// TCP connection set-up and tear-down times, in ms since the stream's first packet.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TcpTimes {
    pub syn_ms: Option<f64>,
    pub syn_ack_ms: Option<f64>,
    /// The client's ACK of the SYN-ACK: the TCP handshake is complete.
    pub ack_ms: Option<f64>,
    /// SYN to ACK.
    pub handshake_ms: Option<f64>,
    pub client_fin_ms: Option<f64>,
    pub server_fin_ms: Option<f64>,
    pub rst_ms: Option<f64>,
}

/// How the byte streams were put back together.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reassembly {
    pub retransmitted_segments: u64,
    pub out_of_order_segments: u64,
    /// Bytes never seen (lost from the capture); the analysis of that direction stops there.
    pub missing_bytes: u64,
    /// Segments the capture cut short (snap length).
    pub cut_segments: u64,
}

/// Which key log lines match a stream's ClientHello.
#[derive(Debug, Clone, Serialize)]
pub struct KeylogCoverage {
    pub covered: bool,
    /// Enough secrets to decrypt the whole session.
    pub complete: bool,
    pub labels: Vec<String>,
}

/// One TCP stream.
#[derive(Debug, Clone, Serialize)]
pub struct StreamReport {
    /// 1-based, in order of first appearance.
    pub index: usize,
    pub client: String,
    pub server: String,
    /// Capture time of the stream's first packet (seconds since the Unix epoch).
    pub first_packet_time: f64,
    pub packets: u64,
    pub tcp: TcpTimes,
    pub tls: Analysis,
    pub reassembly: Reassembly,
    /// The one-line answer.
    pub summary: String,
    pub keylog: Option<KeylogCoverage>,
    /// The DNS answer this connection followed (its server's address, looked up just before).
    pub dns: Option<StreamDns>,
}

/// The DNS lookup that led to a stream.
#[derive(Debug, Clone, Serialize)]
pub struct StreamDns {
    /// Index into the report's `dns`.
    pub exchange: usize,
    pub name: String,
    /// From the DNS query to this stream's first packet.
    pub query_before_ms: f64,
}

/// A key log's overall match.
#[derive(Debug, Clone, Serialize)]
pub struct KeylogSummary {
    pub file: String,
    /// Distinct client randoms in the file.
    pub sessions: usize,
    pub covered_streams: Vec<usize>,
    pub uncovered_streams: Vec<usize>,
    pub malformed_lines: usize,
}

/// Everything read from one capture.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureReport {
    pub file: String,
    pub format: String,
    pub link_types: Vec<String>,
    pub packets: u64,
    pub tcp_packets: u64,
    pub streams: Vec<StreamReport>,
    pub keylog: Option<KeylogSummary>,
    /// DNS queries and answers (UDP and TCP port 53), in order.
    pub dns: Vec<dns::DnsExchange>,
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Reassembly of one direction.

/// Out-of-order data held per direction before we give up on a gap.
const MAX_PENDING: usize = 32 * 1024 * 1024;

#[derive(Default)]
struct DirReasm {
    /// Sequence number of byte offset 0.
    base: Option<u32>,
    next_off: u64,
    pending: BTreeMap<u64, Vec<u8>>,
    pending_bytes: usize,
    broken: bool,
}

impl DirReasm {
    fn set_isn(&mut self, isn: u32) {
        if self.base.is_none() {
            self.base = Some(isn.wrapping_add(1));
        }
    }

    /// Take a segment's payload; return the bytes that became contiguous, in order.
    fn segment(&mut self, seq: u32, payload: &[u8], stats: &mut Reassembly) -> Vec<u8> {
        let mut out = Vec::new();
        if payload.is_empty() || self.broken {
            return out;
        }
        let base = *self.base.get_or_insert(seq);
        let next_seq = base.wrapping_add(self.next_off as u32);
        let d = i64::from(seq.wrapping_sub(next_seq) as i32);
        let start = self.next_off as i64 + d;
        let end = start + payload.len() as i64;
        if end <= self.next_off as i64 {
            stats.retransmitted_segments += 1;
            return out;
        }
        if start > self.next_off as i64 {
            stats.out_of_order_segments += 1;
            let key = start as u64;
            let keep = self
                .pending
                .get(&key)
                .is_none_or(|p| p.len() < payload.len());
            if keep {
                if let Some(old) = self.pending.insert(key, payload.to_vec()) {
                    self.pending_bytes -= old.len();
                }
                self.pending_bytes += payload.len();
            }
            if self.pending_bytes > MAX_PENDING {
                self.broken = true;
            }
            return out;
        }
        let skip = (self.next_off as i64 - start) as usize;
        if skip > 0 {
            stats.retransmitted_segments += 1;
        }
        out.extend_from_slice(&payload[skip..]);
        self.next_off += (payload.len() - skip) as u64;
        // Whatever was waiting for this gap.
        while let Some((&off, _)) = self.pending.first_key_value() {
            if off > self.next_off {
                break;
            }
            let data = self.pending.remove(&off).expect("key exists");
            self.pending_bytes -= data.len();
            let end = off + data.len() as u64;
            if end <= self.next_off {
                continue;
            }
            let skip = (self.next_off - off) as usize;
            out.extend_from_slice(&data[skip..]);
            self.next_off = end;
        }
        out
    }

    /// Bytes still missing at the end (gaps before held data).
    fn missing(&self) -> u64 {
        let mut missing = 0;
        let mut at = self.next_off;
        for (&off, data) in &self.pending {
            if off > at {
                missing += off - at;
            }
            at = at.max(off + data.len() as u64);
        }
        missing
    }
}

// ---------------------------------------------------------------------------------------------
// Streams.

struct Stream {
    index: usize,
    client: SocketAddr,
    server: SocketAddr,
    first_ts: Duration,
    packets: u64,
    tcp: TcpTimes,
    client_isn: Option<u32>,
    server_isn: Option<u32>,
    dirs: [DirReasm; 2],
    analyzer: Analyzer,
    stats: Reassembly,
    closed: bool,
    /// DNS over TCP (port 53): the bytes of each direction, bounded.
    dns_bytes: Option<[Vec<u8>; 2]>,
}

fn rel_ms(ts: Duration, first: Duration) -> f64 {
    crate::net::millis(ts.saturating_sub(first))
}

impl Stream {
    fn new(index: usize, seg: &TcpSegment, ts: Duration, max_records: usize) -> Stream {
        let (client, server) = if seg.has(SYN) && !seg.has(ACK) {
            (seg.src, seg.dst)
        } else if seg.has(SYN) {
            (seg.dst, seg.src)
        } else if looks_like_client_hello(&seg.payload) || seg.dst.port() < seg.src.port() {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        Stream {
            index,
            client,
            server,
            first_ts: ts,
            packets: 0,
            tcp: TcpTimes::default(),
            client_isn: None,
            server_isn: None,
            dirs: [DirReasm::default(), DirReasm::default()],
            analyzer: Analyzer::new(max_records),
            stats: Reassembly::default(),
            closed: false,
            dns_bytes: (server.port() == 53).then(|| [Vec::new(), Vec::new()]),
        }
    }

    fn on_segment(&mut self, seg: &TcpSegment, ts: Duration) {
        self.packets += 1;
        let t = rel_ms(ts, self.first_ts);
        let dir = if seg.src == self.client {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        let i = match dir {
            Direction::ClientToServer => 0,
            Direction::ServerToClient => 1,
        };
        let mut seq = seg.seq;
        if seg.has(SYN) {
            self.dirs[i].set_isn(seg.seq);
            seq = seg.seq.wrapping_add(1);
            match dir {
                Direction::ClientToServer if !seg.has(ACK) => {
                    self.client_isn.get_or_insert(seg.seq);
                    self.tcp.syn_ms.get_or_insert(t);
                }
                Direction::ServerToClient if seg.has(ACK) => {
                    self.server_isn.get_or_insert(seg.seq);
                    self.tcp.syn_ack_ms.get_or_insert(t);
                }
                _ => {}
            }
        } else if dir == Direction::ClientToServer && seg.has(ACK) && self.tcp.ack_ms.is_none() {
            if let Some(sisn) = self.server_isn {
                if seg.ack == sisn.wrapping_add(1) && self.tcp.syn_ack_ms.is_some() {
                    self.tcp.ack_ms = Some(t);
                    if let Some(s) = self.tcp.syn_ms {
                        self.tcp.handshake_ms = Some(((t - s) * 1000.0).round() / 1000.0);
                    }
                }
            }
        }
        if seg.has(RST) {
            self.tcp.rst_ms.get_or_insert(t);
            self.closed = true;
        }
        if seg.has(FIN) {
            match dir {
                Direction::ClientToServer => self.tcp.client_fin_ms.get_or_insert(t),
                Direction::ServerToClient => self.tcp.server_fin_ms.get_or_insert(t),
            };
            if self.tcp.client_fin_ms.is_some() && self.tcp.server_fin_ms.is_some() {
                self.closed = true;
            }
        }
        if seg.payload.is_empty() {
            return;
        }
        let data = self.dirs[i].segment(seq, &seg.payload, &mut self.stats);
        if let Some(d) = self.dns_bytes.as_mut() {
            if d[i].len() + data.len() <= 1 << 20 {
                d[i].extend_from_slice(&data);
            }
        }
        if !data.is_empty() {
            self.analyzer
                .feed(dir, ts.saturating_sub(self.first_ts), &data);
        }
        if seg.cut {
            // The rest of this segment is not in the capture: nothing after it can be framed.
            self.stats.cut_segments += 1;
            self.dirs[i].broken = true;
        }
    }

    fn finish(self, keylog: Option<&KeyLog>) -> StreamReport {
        let mut stats = self.stats;
        stats.missing_bytes = self.dirs.iter().map(DirReasm::missing).sum();
        let tls = self.analyzer.finish();
        let summary = summary_line(&self.tcp, &tls, &stats);
        let keylog = keylog.and_then(|k| {
            let random = tls.client_hello.as_ref()?.random.clone();
            Some(k.coverage(&random, tls.version.as_deref()))
        });
        StreamReport {
            index: self.index,
            client: self.client.to_string(),
            server: self.server.to_string(),
            first_packet_time: self.first_ts.as_secs_f64(),
            packets: self.packets,
            tcp: self.tcp,
            tls,
            reassembly: stats,
            summary,
            keylog,
            dns: None,
        }
    }
}

fn looks_like_client_hello(p: &[u8]) -> bool {
    p.len() > 5 && p[0] == 0x16 && p[1] == 0x03 && p[5] == 0x01
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "the TCP handshake took X ms and finished before the TLS handshake began; the TLS handshake
/// took Y ms and Z round trips".
fn summary_line(tcp: &TcpTimes, tls: &Analysis, stats: &Reassembly) -> String {
    let mut parts = Vec::new();
    let ch = tls.client_hello.as_ref().map(|c| c.t_ms);
    match (tcp.handshake_ms, tcp.ack_ms) {
        (Some(hs), Some(ack)) => {
            let order = match ch {
                Some(c) if ack <= c => " and finished before the TLS handshake began".to_string(),
                Some(c) => format!(
                    " and finished {} after the ClientHello (TCP Fast Open?)",
                    fmt_ms(ack - c)
                ),
                None => String::new(),
            };
            parts.push(format!(
                "the TCP handshake took {} (1 round trip){order}",
                fmt_ms(hs)
            ));
        }
        _ if tcp.syn_ms.is_some() => {
            parts.push("the TCP handshake did not complete in the capture".to_string())
        }
        _ => parts.push(
            "the TCP handshake is not in the capture (the connection was already open)".to_string(),
        ),
    }
    if let Some(kind) = &tls.not_tls {
        parts.push(format!("not TLS: {kind}"));
    } else if let (Some(ms), Some(rt)) = (tls.handshake_ms, tls.round_trips) {
        parts.push(format!(
            "the TLS handshake took {} and {}",
            fmt_ms(ms),
            plural(rt, "round trip", "round trips")
        ));
    } else if tls.client_hello.is_some() {
        let why = if tls.server_hello.is_none() {
            " (no ServerHello)"
        } else {
            ""
        };
        parts.push(format!(
            "the TLS handshake did not complete in the capture{why}"
        ));
    } else if tls.bytes.client_to_server + tls.bytes.server_to_client == 0 {
        parts.push("no data".to_string());
    } else {
        parts.push("no ClientHello seen".to_string());
    }
    if stats.missing_bytes > 0 {
        parts.push(format!(
            "{} bytes are missing from the capture",
            stats.missing_bytes
        ));
    }
    parts.join("; ")
}

// ---------------------------------------------------------------------------------------------
// The whole capture.

/// Read a capture and analyse every TCP stream in it.
pub fn analyze_file(path: &Path, opts: &PcapOptions) -> Result<CaptureReport> {
    let keylog = opts.keylog.as_deref().map(KeyLog::load).transpose()?;
    let mut reader = file::CaptureReader::open(path)?;
    reader.partial_hint = !opts.partial;
    let mut warnings = Vec::new();
    let mut link_types = BTreeSet::new();
    let mut packets = 0u64;
    let mut tcp_packets = 0u64;
    let mut fragments = 0u64;
    let mut streams: Vec<Option<Stream>> = Vec::new();
    let mut finished: Vec<StreamReport> = Vec::new();
    let mut by_key: HashMap<(SocketAddr, SocketAddr), usize> = HashMap::new();
    let mut dns_seen = DnsCollector::default();
    loop {
        let pkt = match reader.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(e) if opts.partial => {
                warnings.push(format!(
                    "{e}; showing the {packets} packet(s) read before that"
                ));
                break;
            }
            Err(e) => return Err(e),
        };
        packets += 1;
        link_types.insert(pkt.link_type);
        let seg = match packet::decode(pkt.link_type, &pkt.data) {
            Decoded::Tcp(s) => s,
            Decoded::Fragment => {
                fragments += 1;
                continue;
            }
            Decoded::Other => {
                if let Some(u) = packet::decode_udp(pkt.link_type, &pkt.data) {
                    if u.dst.port() == 53 || u.src.port() == 53 {
                        dns_seen.message("udp", u.src, u.dst, pkt.ts, &u.payload);
                    }
                }
                continue;
            }
        };
        tcp_packets += 1;
        let key = if seg.src <= seg.dst {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        // A fresh SYN on a finished 4-tuple starts a new connection.
        let reuse = by_key
            .get(&key)
            .and_then(|&i| streams[i].as_ref().map(|s| (i, s)));
        let idx = match reuse {
            Some((i, s)) => {
                let new_conn = seg.has(SYN)
                    && !seg.has(ACK)
                    && (s.closed || s.client_isn.is_some_and(|isn| isn != seg.seq));
                if new_conn {
                    if let Some(old) = streams[i].take() {
                        finished.push(old.finish(keylog.as_ref()));
                    }
                    None
                } else {
                    Some(i)
                }
            }
            None => None,
        };
        let idx = match idx {
            Some(i) => i,
            None => {
                let n = streams.len();
                let index = n + 1;
                streams.push(Some(Stream::new(index, &seg, pkt.ts, opts.max_records)));
                by_key.insert(key, n);
                n
            }
        };
        if let Some(s) = streams[idx].as_mut() {
            s.on_segment(&seg, pkt.ts);
        }
    }
    count_warnings(&mut warnings, packets, tcp_packets, fragments, &link_types);
    for s in streams.into_iter().flatten() {
        if let Some(d) = &s.dns_bytes {
            dns_seen.tcp_stream(s.client, s.server, s.first_ts, d);
        }
        finished.push(s.finish(keylog.as_ref()));
    }
    finished.sort_by_key(|s| s.index);
    let dns = dns_seen.link(&mut finished);
    let keylog_summary = keylog.as_ref().map(|k| keylog_summary(k, &finished));
    Ok(CaptureReport {
        file: path.display().to_string(),
        format: reader.format().name().to_string(),
        link_types: link_types
            .iter()
            .map(|l| file::link_type_name(*l))
            .collect(),
        packets,
        tcp_packets,
        streams: finished,
        keylog: keylog_summary,
        dns,
        warnings,
    })
}

/// What the counts say is wrong with the capture as a whole (no packets, no TCP, fragments).
fn count_warnings(
    warnings: &mut Vec<String>,
    packets: u64,
    tcp_packets: u64,
    fragments: u64,
    link_types: &BTreeSet<u32>,
) {
    if packets == 0 {
        warnings.push("the capture holds no packets".to_string());
    } else if tcp_packets == 0 {
        let kinds: Vec<String> = link_types
            .iter()
            .map(|l| file::link_type_name(*l))
            .collect();
        warnings.push(format!(
            "no TCP packets found ({} packets on {}); was the capture filter right?",
            packets,
            kinds.join(", ")
        ));
    }
    if fragments > 0 {
        warnings.push(format!("{fragments} IP fragments were not reassembled"));
    }
}

/// Which streams the key log covers.
fn keylog_summary(k: &KeyLog, finished: &[StreamReport]) -> KeylogSummary {
    KeylogSummary {
        file: k.path.display().to_string(),
        sessions: k.sessions(),
        covered_streams: finished
            .iter()
            .filter(|s| s.keylog.as_ref().is_some_and(|c| c.covered))
            .map(|s| s.index)
            .collect(),
        uncovered_streams: finished
            .iter()
            .filter(|s| s.keylog.as_ref().is_some_and(|c| !c.covered))
            .map(|s| s.index)
            .collect(),
        malformed_lines: k.malformed_lines,
    }
}

/// DNS messages seen so far, paired into exchanges at the end.
#[derive(Default)]
struct DnsCollector {
    /// (transport, client, resolver, id, time, message)
    messages: Vec<(&'static str, SocketAddr, SocketAddr, Duration, dns::Message)>,
}

impl DnsCollector {
    fn message(
        &mut self,
        transport: &'static str,
        src: SocketAddr,
        dst: SocketAddr,
        ts: Duration,
        bytes: &[u8],
    ) {
        if self.messages.len() >= 10_000 {
            return;
        }
        if let Some(m) = dns::parse(bytes) {
            let (client, resolver) = if m.response { (dst, src) } else { (src, dst) };
            self.messages.push((transport, client, resolver, ts, m));
        }
    }

    /// A DNS-over-TCP stream: its messages, timed at the stream's start (their own segments'
    /// times are not kept).
    fn tcp_stream(
        &mut self,
        client: SocketAddr,
        server: SocketAddr,
        ts: Duration,
        d: &[Vec<u8>; 2],
    ) {
        for m in dns::split_tcp(&d[0]) {
            self.message("tcp", client, server, ts, m);
        }
        for m in dns::split_tcp(&d[1]) {
            self.message("tcp", server, client, ts, m);
        }
    }

    /// Pair queries with responses, and each answer with the streams it led to.
    fn link(mut self, streams: &mut [StreamReport]) -> Vec<dns::DnsExchange> {
        self.messages.sort_by_key(|m| m.3);
        let mut out: Vec<dns::DnsExchange> = Vec::new();
        for (transport, client, resolver, ts, m) in &self.messages {
            let t = ts.as_secs_f64();
            let open = out.iter_mut().rev().find(|e| {
                e.transport == *transport
                    && e.client == client.to_string()
                    && e.resolver == resolver.to_string()
                    && e.id == m.id
                    && e.rcode.is_none()
            });
            match (m.response, open) {
                (true, Some(e)) => {
                    e.response_ms = Some(((t - e.query_time) * 1_000_000.0).round() / 1000.0);
                    e.rcode = Some(m.rcode.clone());
                    e.answers = m.answers.clone();
                }
                (false, _) | (true, None) => {
                    let (name, qtype) = m.question.clone().unwrap_or_default();
                    out.push(dns::DnsExchange {
                        index: out.len() + 1,
                        transport: transport.to_string(),
                        client: client.to_string(),
                        resolver: resolver.to_string(),
                        id: m.id,
                        name,
                        qtype,
                        query_time: t,
                        response_ms: if m.response { Some(0.0) } else { None },
                        rcode: m.response.then(|| m.rcode.clone()),
                        answers: if m.response {
                            m.answers.clone()
                        } else {
                            Vec::new()
                        },
                        led_to_streams: Vec::new(),
                    });
                }
            }
        }
        // Each stream follows the latest answer, before it, that named its server's address.
        for s in streams.iter_mut() {
            let Ok(server) = s.server.parse::<SocketAddr>() else {
                continue;
            };
            let Ok(client) = s.client.parse::<SocketAddr>() else {
                continue;
            };
            if server.port() == 53 {
                continue;
            }
            let found = out.iter_mut().rev().find(|e| {
                let answered_at = e.query_time + e.response_ms.unwrap_or(0.0) / 1000.0;
                answered_at <= s.first_packet_time + 1e-6
                    && e.addresses().contains(&server.ip())
                    && e.client
                        .parse::<SocketAddr>()
                        .is_ok_and(|c| c.ip() == client.ip())
            });
            if let Some(e) = found {
                e.led_to_streams.push(s.index);
                s.dns = Some(StreamDns {
                    exchange: e.index,
                    name: e.name.clone(),
                    query_before_ms: ((s.first_packet_time - e.query_time) * 1_000_000.0).round()
                        / 1000.0,
                });
            }
        }
        out
    }
}

/// Check that a path can be read before doing anything (for a clear error on a missing file).
pub fn check_readable(path: &Path) -> Result<()> {
    std::fs::metadata(path)
        .map(|_| ())
        .map_err(|e| file_error(path, "read", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reassembly_handles_out_of_order_and_retransmission() {
        let mut r = DirReasm::default();
        let mut st = Reassembly::default();
        r.set_isn(999);
        assert_eq!(r.segment(1000, b"abc", &mut st), b"abc");
        assert!(r.segment(1006, b"ghi", &mut st).is_empty()); // out of order
        assert_eq!(r.segment(1003, b"def", &mut st), b"defghi");
        assert!(r.segment(1000, b"abc", &mut st).is_empty()); // retransmission
        assert_eq!(r.segment(1007, b"hijk", &mut st), b"jk"); // overlap
        assert_eq!(st.out_of_order_segments, 1);
        assert_eq!(st.retransmitted_segments, 2);
        assert_eq!(r.missing(), 0);
    }

    #[test]
    fn reassembly_wraps_sequence_numbers() {
        let mut r = DirReasm::default();
        let mut st = Reassembly::default();
        r.set_isn(u32::MAX - 1);
        assert_eq!(r.segment(u32::MAX, b"ab", &mut st), b"ab");
        assert_eq!(r.segment(1, b"cd", &mut st), b"cd");
    }

    #[test]
    fn gaps_are_counted() {
        let mut r = DirReasm::default();
        let mut st = Reassembly::default();
        r.set_isn(0);
        r.segment(1, b"ab", &mut st);
        r.segment(10, b"xy", &mut st);
        assert_eq!(r.missing(), 7);
    }
}
