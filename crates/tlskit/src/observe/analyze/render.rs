//! The observer's view as text: the hellos, the record timeline, the exchanges and what they give
//! away.

use super::{Analysis, Burst, RecordEvent};
use std::fmt::Write as _;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn burst_text(b: &Burst) -> String {
    let est = b
        .plaintext_estimate
        .map(|p| format!(", ~{p} bytes of data"))
        .unwrap_or_default();
    format!(
        "{} ({} bytes{est})",
        plural(b.records, "record", "records"),
        b.bytes
    )
}

impl Analysis {
    /// One sentence about the TLS handshake: its length and round trips.
    pub fn handshake_sentence(&self) -> Option<String> {
        let ms = self.handshake_ms?;
        let rt = self.round_trips.unwrap_or(0);
        Some(format!(
            "the TLS handshake took {} and {}",
            fmt_ms(ms),
            plural(rt as usize, "round trip", "round trips")
        ))
    }

    /// The observer's view as text: hellos, the record timeline and the exchanges.
    pub fn render_text(&self) -> String {
        let mut s = self.render_hellos();
        s.push_str(&self.render_records());
        s.push_str(&self.render_conclusions());
        s
    }

    /// The ClientHello and ServerHello as an observer reads them.
    pub fn render_hellos(&self) -> String {
        let mut s = String::new();
        if let Some(kind) = &self.not_tls {
            let _ = writeln!(
                s,
                "  not TLS: {kind} — an observer reads everything on this connection"
            );
        }
        if let Some(ch) = &self.client_hello {
            let _ = writeln!(s, "  ClientHello (in clear, +{}):", fmt_ms(ch.t_ms));
            let _ = writeln!(
                s,
                "    SNI:              {}",
                ch.sni
                    .as_deref()
                    .map(crate::escape::text)
                    .unwrap_or_else(|| "(none sent)".into())
            );
            if let Some(e) = &ch.ech {
                let _ = writeln!(
                    s,
                    "    ECH:              offered: configuration {}, {} + {}, an encrypted inner ClientHello of {} bytes",
                    e.config_id, e.kdf, e.aead, e.payload_bytes
                );
                let _ = writeln!(
                    s,
                    "                      (if real, the SNI above is only the public name and the name asked for is inside; GREASE ECH looks the same)"
                );
            }
            let _ = writeln!(
                s,
                "    ALPN:             {}",
                if ch.alpn.is_empty() {
                    "(none)".to_string()
                } else {
                    ch.alpn
                        .iter()
                        .map(|a| crate::escape::text(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
            let _ = writeln!(
                s,
                "    versions offered: {}",
                ch.offered_versions.join(", ")
            );
            let _ = writeln!(
                s,
                "    cipher suites:    {} offered: {}",
                ch.cipher_suites.len(),
                ch.cipher_suites.join(" ")
            );
            if !ch.supported_groups.is_empty() {
                let _ = writeln!(
                    s,
                    "    groups:           {}",
                    ch.supported_groups.join(", ")
                );
            }
            let _ = writeln!(s, "    JA3:              {} ({})", ch.ja3_hash, ch.ja3);
            let _ = writeln!(s, "    JA4:              {}", ch.ja4);
            if ch.retried {
                let _ = writeln!(s, "    (sent again after a HelloRetryRequest)");
            }
        }
        if let Some(sh) = &self.server_hello {
            let _ = writeln!(s, "  ServerHello (in clear, +{}):", fmt_ms(sh.t_ms));
            let _ = writeln!(s, "    version:          {}", sh.version);
            let _ = writeln!(
                s,
                "    cipher suite:     {}{}",
                sh.cipher_suite,
                sh.cipher_suite_openssl
                    .as_ref()
                    .map(|o| format!(" ({o})"))
                    .unwrap_or_default()
            );
            if let Some(g) = &sh.group {
                let _ = writeln!(s, "    group:            {g}");
            }
            if let Some(a) = &sh.alpn {
                let _ = writeln!(s, "    ALPN:             {}", crate::escape::text(a));
            }
            if sh.hello_retry_request {
                let _ = writeln!(s, "    HelloRetryRequest: yes (one extra round trip)");
            }
            if sh.resumed {
                let _ = writeln!(s, "    resumption:       yes (a session was resumed)");
            }
            let _ = writeln!(s, "    JA3S:             {} ({})", sh.ja3s_hash, sh.ja3s);
            let _ = writeln!(s, "    JA4S:             {}", sh.ja4s);
        }
        s
    }

    /// The record timeline as a table.
    pub fn render_records(&self) -> String {
        let mut s = String::new();
        if self.records.is_empty() {
            return s;
        }
        let _ = writeln!(s, "  records:");
        let _ = writeln!(
            s,
            "    {:>11}  {:>12}  {:<4}  {:<18}  {:>6}  what",
            "time", "+delta", "dir", "type", "bytes"
        );
        for r in &self.records {
            let _ = writeln!(
                s,
                "    {:>11}  {:>12}  {:<4}  {:<18}  {:>6}  {}",
                fmt_ms(r.t_ms),
                format!("+{}", fmt_ms(r.delta_ms)),
                r.direction.arrow(),
                record_type_text(r),
                r.length,
                record_what_text(r)
            );
        }
        if self.records_omitted > 0 {
            let _ = writeln!(s, "    … {} more records not listed", self.records_omitted);
        }
        s
    }

    /// The handshake sentence, the exchanges, alerts, problems and byte counts.
    pub fn render_conclusions(&self) -> String {
        let mut s = String::new();
        if let Some(h) = self.handshake_sentence() {
            let _ = writeln!(s, "  handshake: {h}");
        }
        if !self.exchanges.is_empty() {
            let _ = writeln!(
                s,
                "  exchanges (inferred from the request/response pattern):"
            );
            for (n, e) in self.exchanges.iter().enumerate() {
                let line = match (&e.request, &e.response) {
                    (Some(q), Some(r)) => format!(
                        "request {} at +{} -> response {} after {}",
                        burst_text(q),
                        fmt_ms(q.t_ms),
                        burst_text(r),
                        fmt_ms(e.wait_ms.unwrap_or(0.0))
                    ),
                    (Some(q), None) => format!("request {} at +{} -> no response", burst_text(q), fmt_ms(q.t_ms)),
                    (None, Some(r)) => format!(
                        "server sent {} at +{} without a request (a greeting, or TLS 1.3 session tickets)",
                        burst_text(r),
                        fmt_ms(r.t_ms)
                    ),
                    (None, None) => continue,
                };
                let _ = writeln!(s, "    {}. {line}", n + 1);
            }
        }
        for a in &self.alerts {
            let _ = writeln!(s, "  alert in clear: {a}");
        }
        for p in &self.problems {
            let _ = writeln!(s, "  note: {p}");
        }
        let _ = writeln!(
            s,
            "  bytes: {} client->server, {} server->client",
            self.bytes.client_to_server, self.bytes.server_to_client
        );
        s
    }
}

/// The type column of a record: the outer content type, marked opaque when encrypted.
pub fn record_type_text(r: &RecordEvent) -> String {
    if r.encrypted && r.content_type == "application_data" {
        "app_data (opaque)".to_string()
    } else {
        r.content_type.clone()
    }
}

/// The description of a record, with the plaintext size the overhead gives away.
pub fn record_what_text(r: &RecordEvent) -> String {
    match r.plaintext_estimate {
        Some(p) if r.encrypted => format!("{} [~{p} bytes of data]", r.what),
        _ => r.what.clone(),
    }
}

/// Milliseconds as `1.234 ms` or `2.500 s`.
pub fn fmt_ms(v: f64) -> String {
    if v < 1000.0 {
        format!("{v:.3} ms")
    } else {
        format!("{:.3} s", v / 1000.0)
    }
}
