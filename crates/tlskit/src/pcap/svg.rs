//! The lecture's picture, drawn from a real connection: a ladder diagram with the client and
//! the server as columns (and the DNS resolver, when the capture has the lookup), one arrow per
//! TCP handshake segment and per TLS record, each with its time, size and what it carries, and
//! the TCP and TLS handshakes shaded apart. Plain SVG 1.1, no scripts, every text escaped.

use super::dns::DnsExchange;
use super::TcpTimes;
use crate::http::html_escape as esc;
use crate::observe::analyze::{fmt_ms, Analysis, Direction};
use std::fmt::Write as _;

/// What to draw.
pub struct Ladder<'a> {
    pub title: String,
    pub client: String,
    pub server: String,
    pub tcp: &'a TcpTimes,
    pub tls: &'a Analysis,
    /// The lookup that led here, and when it started relative to the stream (negative: before).
    pub dns: Option<(&'a DnsExchange, f64)>,
    /// A line under the title (e.g. the report's summary).
    pub caption: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Resolver,
    Client,
    Server,
}

#[derive(Clone, Copy, PartialEq)]
enum Band {
    None,
    Dns,
    Tcp,
    Tls,
}

struct Arrow {
    t: f64,
    order: u8,
    from: Col,
    to: Col,
    label: String,
    bytes: Option<usize>,
    band: Band,
}

const ROW: f64 = 36.0;
const TOP: f64 = 120.0;
const WIDTH: f64 = 1000.0;

/// The diagram as an SVG document.
pub fn ladder(l: &Ladder<'_>) -> String {
    let arrows = collect_arrows(l);
    let has_dns = l.dns.is_some();
    let x = |c: Col| col_x(c, has_dns);
    let height = TOP + ROW * arrows.len() as f64 + 60.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">
<title>{}</title>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>
<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="white"/>
<text x="20" y="28" font-size="17" font-weight="bold">{}</text>
<text x="20" y="48" fill="#444">{}</text>"##,
        esc(&l.title),
        esc(&l.title),
        esc(&l.caption)
    );
    write_bands(&mut s, l, &arrows);
    write_columns(&mut s, l, &x, height);
    let _ = writeln!(
        s,
        r#"<text x="20" y="{}" font-weight="bold">time</text>"#,
        TOP - 30.0
    );
    write_arrows(&mut s, &arrows, &x);
    s.push_str("</svg>\n");
    s
}

/// The arrows of the diagram in time order (at most 400): DNS, TCP, then the TLS records.
fn collect_arrows(l: &Ladder<'_>) -> Vec<Arrow> {
    let mut arrows: Vec<Arrow> = Vec::new();
    if let Some((d, at)) = l.dns {
        arrows.push(Arrow {
            t: at,
            order: 0,
            from: Col::Client,
            to: Col::Resolver,
            label: format!("DNS query {} {} (in clear)", d.qtype, d.name),
            bytes: None,
            band: Band::Dns,
        });
        if let Some(ms) = d.response_ms {
            let answer = d
                .answers
                .iter()
                .map(|a| a.data.clone())
                .collect::<Vec<_>>()
                .join(", ");
            arrows.push(Arrow {
                t: at + ms,
                order: 1,
                from: Col::Resolver,
                to: Col::Client,
                label: format!(
                    "DNS answer {}",
                    if answer.is_empty() {
                        d.rcode.clone().unwrap_or_default()
                    } else {
                        answer
                    }
                ),
                bytes: None,
                band: Band::Dns,
            });
        }
    }
    let mut tcp = |t: Option<f64>, order: u8, from: Col, to: Col, label: &str, band: Band| {
        if let Some(t) = t {
            arrows.push(Arrow {
                t,
                order,
                from,
                to,
                label: label.to_string(),
                bytes: None,
                band,
            });
        }
    };
    tcp(l.tcp.syn_ms, 2, Col::Client, Col::Server, "SYN", Band::Tcp);
    tcp(
        l.tcp.syn_ack_ms,
        3,
        Col::Server,
        Col::Client,
        "SYN-ACK",
        Band::Tcp,
    );
    tcp(l.tcp.ack_ms, 4, Col::Client, Col::Server, "ACK", Band::Tcp);
    tcp(
        l.tcp.client_fin_ms,
        9,
        Col::Client,
        Col::Server,
        "FIN",
        Band::None,
    );
    tcp(
        l.tcp.server_fin_ms,
        9,
        Col::Server,
        Col::Client,
        "FIN",
        Band::None,
    );
    let end = l.tls.handshake_end_record;
    for (i, r) in l.tls.records.iter().enumerate() {
        let in_handshake = end.is_none_or(|e| i <= e) && l.tls.client_hello.is_some();
        let (from, to) = match r.direction {
            Direction::ClientToServer => (Col::Client, Col::Server),
            Direction::ServerToClient => (Col::Server, Col::Client),
        };
        let mut label = r.what.clone();
        if end == Some(i) {
            label.push_str(" — TLS handshake complete");
        }
        arrows.push(Arrow {
            t: r.t_ms,
            order: 5,
            from,
            to,
            label,
            bytes: Some(r.wire_length),
            band: if in_handshake { Band::Tls } else { Band::None },
        });
    }
    arrows.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.order.cmp(&b.order)));
    arrows.truncate(400);
    arrows
}

/// The x position of a column (further right when the resolver's column is shown).
fn col_x(c: Col, has_dns: bool) -> f64 {
    match c {
        Col::Resolver => 210.0,
        Col::Client => {
            if has_dns {
                420.0
            } else {
                300.0
            }
        }
        Col::Server => 880.0,
    }
}

/// Shaded bands behind the handshakes.
fn write_bands(s: &mut String, l: &Ladder<'_>, arrows: &[Arrow]) {
    for (band, fill, name) in [
        (Band::Dns, "#e8f5e9", "DNS lookup"),
        (Band::Tcp, "#e3f2fd", "TCP handshake"),
        (Band::Tls, "#fff3e0", "TLS handshake"),
    ] {
        let rows: Vec<usize> = arrows
            .iter()
            .enumerate()
            .filter(|(_, a)| a.band == band)
            .map(|(i, _)| i)
            .collect();
        if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
            let y0 = TOP + ROW * *first as f64 - 6.0;
            let h = ROW * (*last - *first + 1) as f64;
            let span = arrows[*last].t - arrows[*first].t;
            let extra = match band {
                Band::Tls => l
                    .tls
                    .round_trips
                    .map(|r| format!(", {r} round trip{}", if r == 1 { "" } else { "s" }))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                r##"<rect class="band" x="95" y="{y0}" width="{}" height="{h}" fill="{fill}"/>
<text x="{}" y="{}" fill="#555" font-style="italic" text-anchor="end">{name} {}{extra}</text>"##,
                WIDTH - 110.0,
                WIDTH - 20.0,
                y0 + 14.0,
                esc(&fmt_ms(span)),
            );
        }
    }
}

/// The columns: a name and a vertical line each.
fn write_columns(s: &mut String, l: &Ladder<'_>, x: &dyn Fn(Col) -> f64, height: f64) {
    let mut cols = vec![
        (Col::Client, format!("client {}", l.client)),
        (Col::Server, format!("server {}", l.server)),
    ];
    if let Some((d, _)) = l.dns {
        cols.insert(0, (Col::Resolver, format!("resolver {}", d.resolver)));
    }
    for (c, name) in &cols {
        let _ = writeln!(
            s,
            r##"<text x="{0}" y="{1}" text-anchor="middle" font-weight="bold">{2}</text>
<line x1="{0}" y1="{3}" x2="{0}" y2="{4}" stroke="#999" stroke-width="2"/>"##,
            x(*c),
            TOP - 30.0,
            esc(name),
            TOP - 20.0,
            height - 30.0
        );
    }
}

/// One row per arrow: its time, the arrow and its label.
fn write_arrows(s: &mut String, arrows: &[Arrow], x: &dyn Fn(Col) -> f64) {
    for (i, a) in arrows.iter().enumerate() {
        let y = TOP + ROW * i as f64 + 12.0;
        let (x1, x2) = (x(a.from), x(a.to));
        let text: String = if a.label.chars().count() > 78 {
            a.label.chars().take(76).collect::<String>() + "…"
        } else {
            a.label.clone()
        };
        let label = match a.bytes {
            Some(b) => format!("{text} ({b} bytes)"),
            None => text,
        };
        let _ = writeln!(
            s,
            r##"<g class="arrow"><text x="20" y="{ty}" fill="#333">{time}</text>
<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y2}" stroke="#333" stroke-width="1.5" marker-end="url(#arrow)"/>
<text x="{mx}" y="{ly}" text-anchor="middle">{label}</text></g>"##,
            ty = y + 10.0,
            time = esc(&fmt_ms(a.t)),
            y2 = y + 14.0,
            mx = (x1 + x2) / 2.0,
            ly = y - 2.0,
            label = esc(&label),
        );
    }
}
