//! The text report.

use super::*;

pub(super) fn fmt_p(p: &Option<Percentiles>) -> String {
    match p {
        Some(p) => format!(
            "p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} samples)",
            p.p50, p.p90, p.p99, p.max, p.samples
        ),
        None => "-".to_string(),
    }
}

/// The report as text, one fact per line.
pub fn render_text(r: &BenchReport) -> String {
    let mut out = String::new();
    let what = match r.workload {
        "full" => "full handshakes",
        "resume" => "resumed handshakes",
        "bulk" => "bulk transfer",
        _ => "idle connections",
    };
    out.push_str(&format!(
        "tlskit bench: {} ({}, name {}) — {what}; exchange: {}; {} connection(s)\n",
        r.target, r.address, r.server_name, r.exchange, r.connections
    ));
    if let Some(p) = &r.proxy {
        out.push_str(&format!(
            "  proxy         every connection through {}\n",
            p.describe()
        ));
    }
    if let Some(n) = &r.negotiated {
        out.push_str(&format!(
            "  negotiated    {} {}{} group {}{}\n",
            n.protocol,
            n.cipher_suite,
            n.cipher_suite_openssl
                .as_deref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default(),
            n.key_exchange_group.as_deref().unwrap_or("-"),
            n.alpn
                .as_deref()
                .map(|a| format!(" alpn {a}"))
                .unwrap_or_default()
        ));
    }
    if let Some(h) = &r.handshakes {
        let main = if r.workload == "resume" {
            format!("{:.1} resumed handshakes/s", h.resumed_per_second)
        } else {
            format!(
                "{:.1} full handshakes/s",
                h.full_per_second + h.resumed_per_second
            )
        };
        out.push_str(&format!(
            "  rate          {main}  ({} full, {} resumed in {:.1} s)\n",
            h.full, h.resumed, r.duration_s
        ));
    }
    if let Some(l) = &r.latency_ms {
        out.push_str(&format!("  handshake     {}\n", fmt_p(&l.handshake)));
        out.push_str(&format!("  first byte    {}\n", fmt_p(&l.first_byte)));
    }
    if !r.http_status.is_empty() {
        let s: Vec<String> = r
            .http_status
            .iter()
            .map(|(k, v)| format!("{k} × {v}"))
            .collect();
        out.push_str(&format!("  http status   {}\n", s.join(", ")));
    }
    render_transfers(&mut out, r);
    render_errors(&mut out, r);
    let mut cpu = format!("client {:.2} s", r.cpu.client_s);
    if let Some(ms) = r.cpu.client_ms_per_handshake {
        cpu.push_str(&format!(" ({ms:.3} ms/handshake)"));
    }
    if let Some(s) = r.cpu.server_s {
        cpu.push_str(&format!("; server {s:.2} s"));
        if let Some(ms) = r.cpu.server_ms_per_handshake {
            cpu.push_str(&format!(" ({ms:.3} ms/handshake)"));
        }
        let pids: Vec<String> = r.cpu.server_pids.iter().map(|p| p.to_string()).collect();
        cpu.push_str(&format!(" [pid {}]", pids.join(",")));
    }
    out.push_str(&format!("  cpu           {cpu}\n"));
    for n in &r.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}

/// The bulk transfer rates and the idle connections held.
fn render_transfers(out: &mut String, r: &BenchReport) {
    if let Some(b) = &r.bulk {
        for (dir, t) in [("download", &b.down), ("upload", &b.up)] {
            if let Some(t) = t {
                out.push_str(&format!(
                    "  {dir:<13} {:.1} MB/s  ({} in {:.3} s over {} connection(s); cpu client {:.2} s{})\n",
                    t.mb_per_s,
                    stats::fmt_bytes(t.bytes),
                    t.seconds,
                    t.connections,
                    t.client_cpu_s,
                    t.server_cpu_s.map(|s| format!(", server {s:.2} s")).unwrap_or_default()
                ));
            }
        }
    }
    if let Some(i) = &r.idle {
        out.push_str(&format!(
            "  held          {} of {} connections for {:.1} s\n",
            i.held, i.requested, i.hold_s
        ));
        if let (Some(b), Some(h), Some(a)) = (
            i.server_rss_kib_before,
            i.server_rss_kib_held,
            i.server_rss_kib_after_close,
        ) {
            out.push_str(&format!(
                "  server memory {b} KiB before, {h} KiB held, {a} KiB after closing: {:.1} KiB per connection\n",
                i.per_connection_kib.unwrap_or(0.0)
            ));
        }
    }
}

/// The errors by kind, with the first message of each.
fn render_errors(out: &mut String, r: &BenchReport) {
    if r.errors.total == 0 {
        out.push_str("  errors        none\n");
    } else {
        let kinds: Vec<String> = r
            .errors
            .by_kind
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        out.push_str(&format!(
            "  errors        {} ({})\n",
            r.errors.total,
            kinds.join(", ")
        ));
        for (k, m) in &r.errors.first {
            out.push_str(&format!("                first {k}: {m}\n"));
        }
    }
}
