//! A capture's report as text: per stream a merged TCP + TLS timeline, the hellos and the answer
//! line; then the capture's summary.

use super::{CaptureReport, StreamReport};
use crate::observe::analyze::{self, fmt_ms};
use std::fmt::Write as _;

impl StreamReport {
    /// The stream as text: a merged TCP + TLS timeline, the hellos, the answer line.
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        let kind = if let Some(v) = &self.tls.version {
            v.clone()
        } else if self.tls.not_tls.is_some() {
            "not TLS".into()
        } else if self.tls.client_hello.is_some() {
            "TLS".into()
        } else {
            "no TLS seen".into()
        };
        let sni = self
            .tls
            .client_hello
            .as_ref()
            .and_then(|c| c.sni.clone())
            .map(|n| format!(", SNI {}", crate::escape::text(&n)))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "stream {}: {} -> {} ({} packets, {kind}{sni})",
            self.index, self.client, self.server, self.packets
        );
        if let Some(d) = &self.dns {
            let _ = writeln!(
                s,
                "  DNS: the client looked up {} (DNS exchange {}) {} before the SYN — in clear, like every DNS query",
                crate::escape::text(&d.name),
                d.exchange,
                fmt_ms(d.query_before_ms)
            );
        }
        self.render_timeline(&mut s);
        if self.tls.records_omitted > 0 {
            let _ = writeln!(
                s,
                "  … {} more records not listed",
                self.tls.records_omitted
            );
        }
        s.push_str(&self.tls.render_hellos());
        s.push_str(&self.tls.render_conclusions());
        let r = &self.reassembly;
        if r.retransmitted_segments + r.out_of_order_segments + r.missing_bytes + r.cut_segments > 0
        {
            let _ = writeln!(
                s,
                "  reassembly: {} retransmitted, {} out of order, {} bytes missing, {} cut by the snap length",
                r.retransmitted_segments, r.out_of_order_segments, r.missing_bytes, r.cut_segments
            );
        }
        if let Some(k) = &self.keylog {
            let line = if !k.covered {
                "not covered — no line for this session's client random".to_string()
            } else if k.complete {
                format!(
                    "covered ({}) — Wireshark can decrypt this session",
                    k.labels.join(", ")
                )
            } else {
                format!(
                    "partly covered ({}) — not every secret needed is there",
                    k.labels.join(", ")
                )
            };
            let _ = writeln!(s, "  key log: {line}");
        }
        let _ = writeln!(s, "  => {}", self.summary);
        s
    }

    /// TCP events and TLS records merged by time, one row each.
    fn render_timeline(&self, s: &mut String) {
        // Merge TCP events and TLS records by time.
        let mut rows: Vec<(f64, u8, String, String, String, String)> = Vec::new();
        let t = &self.tcp;
        let mut tcp_event = |at: Option<f64>, order: u8, dir: &str, what: &str| {
            if let Some(at) = at {
                rows.push((
                    at,
                    order,
                    dir.to_string(),
                    "TCP".into(),
                    String::new(),
                    what.to_string(),
                ));
            }
        };
        tcp_event(
            t.syn_ms,
            0,
            "C->S",
            "SYN (connect() starts the TCP handshake)",
        );
        tcp_event(t.syn_ack_ms, 1, "S->C", "SYN-ACK");
        tcp_event(t.ack_ms, 2, "C->S", "ACK — TCP handshake complete");
        tcp_event(t.client_fin_ms, 5, "C->S", "FIN");
        tcp_event(t.server_fin_ms, 5, "S->C", "FIN");
        tcp_event(t.rst_ms, 5, "", "RST");
        let end = self.tls.handshake_end_record;
        for (i, r) in self.tls.records.iter().enumerate() {
            let mut what = analyze::record_what_text(r);
            if end == Some(i) {
                what.push_str(" — TLS handshake complete");
            }
            rows.push((
                r.t_ms,
                3,
                r.direction.arrow().to_string(),
                analyze::record_type_text(r),
                r.length.to_string(),
                what,
            ));
        }
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let _ = writeln!(
            s,
            "  {:>11}  {:<4}  {:<18}  {:>6}  what",
            "time", "dir", "layer/type", "bytes"
        );
        for (at, _, dir, ty, len, what) in rows {
            let _ = writeln!(
                s,
                "  {:>11}  {:<4}  {:<18}  {:>6}  {what}",
                fmt_ms(at),
                dir,
                ty,
                len
            );
        }
    }
}

impl CaptureReport {
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        let tls = self
            .streams
            .iter()
            .filter(|x| x.tls.client_hello.is_some())
            .count();
        let _ = writeln!(
            s,
            "{}: {}, {}, {} packets, {} TCP stream{} ({} with TLS)",
            self.file,
            self.format,
            if self.link_types.is_empty() {
                "no packets".to_string()
            } else {
                self.link_types.join(", ")
            },
            self.packets,
            self.streams.len(),
            if self.streams.len() == 1 { "" } else { "s" },
            tls
        );
        if !self.dns.is_empty() {
            let _ = writeln!(
                s,
                "\nDNS (not protected by TLS: anyone on the path sees which names the client looks up):"
            );
            for d in &self.dns {
                let led = if d.led_to_streams.is_empty() {
                    String::new()
                } else {
                    format!(
                        " → stream {}",
                        d.led_to_streams
                            .iter()
                            .map(|i| i.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let _ = writeln!(
                    s,
                    "  {} {} {} -> {}: {}{led}",
                    d.index,
                    d.transport.to_uppercase(),
                    d.client,
                    d.resolver,
                    crate::escape::text(&d.summary())
                );
            }
        }
        for st in &self.streams {
            s.push('\n');
            s.push_str(&st.render_text());
        }
        if let Some(k) = &self.keylog {
            s.push('\n');
            let list = |v: &[usize]| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let uncovered = if k.uncovered_streams.is_empty() {
                "it covers every TLS stream".to_string()
            } else {
                format!("not stream(s) {}", list(&k.uncovered_streams))
            };
            let _ = writeln!(
                s,
                "key log {}: {} session{}; covers stream(s) {}; {uncovered}",
                k.file,
                k.sessions,
                if k.sessions == 1 { "" } else { "s" },
                list(&k.covered_streams),
            );
            if !k.covered_streams.is_empty() {
                let _ = writeln!(
                    s,
                    "  decrypt: wireshark -o tls.keylog_file:{} {}   (or tshark -r {} -o tls.keylog_file:{})",
                    k.file, self.file, self.file, k.file
                );
            }
        }
        s
    }
}
