//! The scan report as one self-contained HTML page: no scripts, no external assets (a
//! Content-Security-Policy in the page forbids loading any), an inline SVG chart.
//!
//! The page is rendered from the typed report ([`crate::scan::report`]); reports read back from
//! `--json`, `--json-lines` or `--resume` files are deserialised into the same types first, so
//! every source renders the same way. Every string that came from the report passes through
//! [`escape`]: certificate subjects, SANs, error messages and target names are peer-controlled.

use crate::finding::{Finding, Severity};
use crate::scan::report::{GradeLetter, ProtocolResult, ScanReport, Strength, TargetInfo};
use serde::Deserialize;
use std::fmt::Write;
use tlskit_wire::version::Version;

/// HTML-escape text for element content and double- or single-quoted attribute values; control
/// characters (other than tab and newline) become `\u{…}`. The crate's one HTML escaper: the
/// page below, the lab's pages, the HTTP test server and the pcap SVG all use it.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters (other than tab and newline) have no business in a page.
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// One target of the page: a report, or the error that stopped its scan.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Entry {
    /// A finished scan.
    Report(Box<ScanReport>),
    /// A target that could not be scanned.
    Failed {
        /// The target as given ("host:port").
        target: String,
        /// Its address, when it was resolved.
        ip: Option<String>,
        /// Why it could not be scanned.
        error: String,
    },
}

impl Entry {
    /// From one element of `--json` or one line of `--json-lines`: a report, or a target that
    /// failed: `{"target": "host:port" or {"host": …, "port": …}, "error": "…"}`.
    pub fn from_json(v: &serde_json::Value) -> Result<Entry, String> {
        if let (Some(e), None) = (v["error"].as_str(), v.get("tool")) {
            // `target` is "host:port", or the target object of a report.
            let t = &v["target"];
            let target = match t.as_str() {
                Some(t) => t.to_string(),
                None => TargetInfo::deserialize(t)
                    .map(|t| target_label(&t))
                    .map_err(|e| format!("not a tlskit scan report: {e}"))?,
            };
            let ip = v["ip"].as_str().or(t["ip"].as_str()).map(str::to_string);
            return Ok(Entry::Failed {
                target,
                ip: ip.filter(|ip| !ip.is_empty()),
                error: e.to_string(),
            });
        }
        ScanReport::deserialize(v)
            .map(|r| Entry::Report(Box::new(r)))
            .map_err(|e| format!("not a tlskit scan report: {e}"))
    }

    fn label(&self) -> String {
        match self {
            Entry::Report(r) => target_label(&r.target),
            Entry::Failed { target, .. } => target.clone(),
        }
    }
}

/// "host:port", "[::1]:443".
fn target_label(t: &TargetInfo) -> String {
    if t.host.contains(':') {
        format!("[{}]:{}", t.host, t.port)
    } else {
        format!("{}:{}", t.host, t.port)
    }
}

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2430;background:#f5f6f8}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:18px 0 6px}
section.target{background:#fff;border:1px solid #d9dde3;border-radius:8px;padding:16px 20px;margin:18px 0}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e6e8ec;vertical-align:top}
th{background:#eef0f3;font-weight:600}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.badge{display:inline-block;min-width:44px;text-align:center;font-weight:700;font-size:26px;color:#fff;border-radius:8px;padding:6px 10px;margin-right:12px;vertical-align:middle}
.badge.small{font-size:14px;min-width:30px;padding:2px 6px;border-radius:5px;margin:0}
.g-a{background:#2e8b57}.g-b{background:#c8a000}.g-c{background:#d97a00}.g-f{background:#c0392b}.g-t{background:#7b3fa0}.g-none{background:#7f8c8d}
.strong{color:#1f7a3f}.ok{color:#9a6a00}.weak{color:#b0281a;font-weight:600}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;color:#fff}
.sev-critical{background:#7d0f0f}.sev-high{background:#c0392b}.sev-medium{background:#d97a00}.sev-low{background:#b7950b}.sev-info{background:#7f8c8d}.sev-other{background:#7f8c8d}
.muted{color:#6b7380}.err{color:#b0281a}.yes{color:#b0281a;font-weight:600}.no{color:#1f7a3f}.unknown{color:#9a6a00;font-weight:600}
.chain{border-left:3px solid #d9dde3;padding-left:10px;margin:6px 0}
"#;

/// The whole page for `entries` (one section each, with a summary table first when there are
/// several). `title` names the page.
pub fn render_page(entries: &[Entry], title: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    );
    let _ = writeln!(s, "<h1>{}</h1>", escape(title));
    if entries.len() > 1 {
        summary(&mut s, entries);
    }
    for (i, e) in entries.iter().enumerate() {
        match e {
            Entry::Report(r) => report_section(&mut s, i, r),
            Entry::Failed { target, ip, error } => {
                let _ = write!(
                    s,
                    "<section class=\"target\" id=\"t{i}\">\n<h2><span class=\"badge g-none\">–</span>{}{}</h2>\n\
                     <p class=\"err\">Could not be scanned: {}</p>\n</section>\n",
                    escape(target),
                    ip.as_deref()
                        .map(|ip| format!(" <span class=\"muted\">({})</span>", escape(ip)))
                        .unwrap_or_default(),
                    escape(error)
                );
            }
        }
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

fn grade_class(g: GradeLetter) -> &'static str {
    match g {
        GradeLetter::APlus | GradeLetter::A | GradeLetter::AMinus => "g-a",
        GradeLetter::B => "g-b",
        GradeLetter::C | GradeLetter::D | GradeLetter::E => "g-c",
        GradeLetter::F => "g-f",
        GradeLetter::T | GradeLetter::M => "g-t",
    }
}

fn badge(grade: Option<&crate::scan::grade::Grade>, small: bool) -> String {
    let (letter, class) = match grade {
        Some(g) => (g.grade.name(), grade_class(g.grade)),
        None => ("?", "g-none"),
    };
    format!(
        "<span class=\"badge {class}{}\" title=\"grade\">{}</span>",
        if small { " small" } else { "" },
        escape(letter)
    )
}

fn offered_versions(r: &ScanReport) -> String {
    let v: Vec<&str> = r
        .protocols
        .iter()
        .filter(|p| p.offered)
        .map(|p| p.version.name())
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(" ")
    }
}

fn worst_finding(r: &ScanReport) -> Option<Severity> {
    r.findings.iter().map(|f| f.severity).min()
}

fn summary(s: &mut String, entries: &[Entry]) {
    let failed = entries
        .iter()
        .filter(|e| matches!(e, Entry::Failed { .. }))
        .count();
    let _ = writeln!(
        s,
        "<p class=\"muted\">{} targets, {} could not be scanned.</p>\n<table class=\"summary\">\n\
         <tr><th>Target</th><th>Grade</th><th>Versions</th><th>Suites</th><th>Worst finding</th><th>Scan</th></tr>",
        entries.len(),
        failed
    );
    for (i, e) in entries.iter().enumerate() {
        match e {
            Entry::Report(r) => {
                let suites: std::collections::BTreeSet<u32> = r
                    .protocols
                    .iter()
                    .filter(|p| p.offered)
                    .flat_map(|p| p.cipher_suites.iter().map(|c| c.id.code()))
                    .collect();
                let worst = worst_finding(r)
                    .map(|w| format!("<span class=\"sev sev-{0}\">{0}</span>", w.name()))
                    .unwrap_or_else(|| "none".into());
                let _ = writeln!(
                    s,
                    "<tr><td><a href=\"#t{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{worst}</td><td>{:.2} s</td></tr>",
                    escape(&e.label()),
                    badge(r.grade.as_ref(), true),
                    escape(&offered_versions(r)),
                    suites.len(),
                    r.scan_time_ms as f64 / 1000.0
                );
            }
            Entry::Failed { error, .. } => {
                let _ = writeln!(
                    s,
                    "<tr><td><a href=\"#t{i}\">{}</a></td><td>{}</td><td>–</td><td>–</td><td class=\"err\" colspan=\"2\">error: {}</td></tr>",
                    escape(&e.label()),
                    badge(None, true),
                    escape(error)
                );
            }
        }
    }
    s.push_str("</table>\n");
}

fn report_section(s: &mut String, i: usize, r: &ScanReport) {
    let t = &r.target;
    let _ = write!(
        s,
        "<section class=\"target\" id=\"t{i}\">\n<h2>{}{}</h2>\n<p class=\"muted\">address {}{}{}; scanned {} in {:.2} s with {} connections ({})</p>\n",
        badge(r.grade.as_ref(), false),
        escape(&target_label(t)),
        escape(&t.ip),
        t.servername
            .as_deref()
            .map(|n| format!(", SNI {}", escape(n)))
            .unwrap_or_default(),
        t.starttls
            .as_deref()
            .map(|p| format!(", STARTTLS {}", escape(p)))
            .unwrap_or_default(),
        escape(&r.started_at),
        r.scan_time_ms as f64 / 1000.0,
        r.connections,
        escape(&r.tool),
    );
    if let Some(g) = &r.grade {
        let _ = write!(s, "<h3>Grade {} (score {})</h3>\n<ul>\n", g.grade, g.score);
        for reason in &g.reasons {
            let _ = writeln!(s, "<li>{}</li>", escape(reason));
        }
        if let Some(x) = &g.grade_ignoring_trust {
            let _ = writeln!(s, "<li>{x} if the certificate problems were fixed</li>",);
        }
        for n in &g.not_checked {
            let _ = writeln!(s, "<li class=\"muted\">not checked: {}</li>", escape(n));
        }
        s.push_str("</ul>\n");
    }
    findings(s, r);
    protocols(s, r);
    chart(s, r);
    suites(s, r);
    chains(s, r);
    client_auth(s, r);
    client_simulation(s, r);
    http(s, r);
    ech(s, r);
    server_details(s, r);
    vulnerabilities(s, r);
    if !r.errors.is_empty() {
        s.push_str("<h3>Probes that could not be completed</h3>\n<ul>\n");
        for e in &r.errors {
            let _ = writeln!(s, "<li class=\"err\">{}</li>", escape(e));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n");
}

fn findings(s: &mut String, r: &ScanReport) {
    s.push_str("<h3>Findings</h3>\n");
    if r.findings.is_empty() {
        s.push_str("<p class=\"muted\">none</p>\n");
        return;
    }
    let mut f: Vec<&Finding> = r.findings.iter().collect();
    f.sort_by_key(|f| f.severity);
    s.push_str("<table>\n<tr><th>Severity</th><th>Finding</th><th>Id</th></tr>\n");
    for x in f {
        let _ = writeln!(
            s,
            "<tr><td><span class=\"sev sev-{0}\">{0}</span></td><td>{1}</td><td><code>{2}</code></td></tr>",
            x.severity.name(),
            escape(&x.message),
            escape(&x.id)
        );
    }
    s.push_str("</table>\n");
}

fn protocols(s: &mut String, r: &ScanReport) {
    s.push_str("<h3>Protocols</h3>\n<table>\n<tr><th>Version</th><th>Offered</th><th>Suites</th><th>Order</th><th>Note</th></tr>\n");
    for p in &r.protocols {
        let offered = if p.offered {
            let legacy = match p.version {
                Version::Ssl2 | Version::Ssl3 | Version::Tls10 | Version::Tls11 => true,
                Version::Tls12 | Version::Tls13 => false,
            };
            if legacy {
                "<span class=\"weak\">yes</span>"
            } else {
                "<span class=\"strong\">yes</span>"
            }
        } else if p.error.is_some() {
            "<span class=\"unknown\">could not tell</span>"
        } else {
            "no"
        };
        let order = match p.server_order {
            Some(true) => "server's",
            Some(false) => "client's",
            None => "–",
        };
        let note = [p.note.as_deref(), p.error.as_deref()]
            .into_iter()
            .flatten()
            .map(escape)
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{offered}</td><td>{}</td><td>{order}</td><td class=\"muted\">{note}</td></tr>",
            escape(p.version.name()),
            p.cipher_suites.len()
        );
    }
    s.push_str("</table>\n");
}

fn suites(s: &mut String, r: &ScanReport) {
    s.push_str("<h3>Cipher suites</h3>\n");
    let offered: Vec<&ProtocolResult> = r
        .protocols
        .iter()
        .filter(|p| p.offered && !p.cipher_suites.is_empty())
        .collect();
    if offered.is_empty() {
        s.push_str("<p class=\"muted\">none accepted</p>\n");
        return;
    }
    s.push_str("<table>\n<tr><th>Version</th><th>Suite</th><th>Key exchange</th><th>Cipher</th><th>Bits</th><th>Strength</th></tr>\n");
    for p in offered {
        for c in &p.cipher_suites {
            let st = Strength::of(c);
            let kx = match (c.dh_group, &c.key_exchange) {
                (Some(g), _) => format!("{} ({})", escape(&c.kx), escape(&g.to_string())),
                (None, Some(k)) => format!("{} ({})", escape(&c.kx), escape(&k.to_string())),
                (None, None) => escape(&c.kx),
            };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"mono\">{}</td><td>{kx}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
                escape(p.version.name()),
                escape(&c.name),
                escape(&c.enc),
                c.bits,
                st.class(),
                st.label()
            );
        }
    }
    s.push_str("</table>\n");
}

/// Suites per version by strength: one horizontal stacked bar per offered version.
fn chart(s: &mut String, r: &ScanReport) {
    let rows: Vec<(&str, [usize; 3])> = r
        .protocols
        .iter()
        .filter(|p| p.offered && !p.cipher_suites.is_empty())
        .map(|p| {
            let mut n = [0usize; 3];
            for c in &p.cipher_suites {
                n[Strength::of(c) as usize] += 1;
            }
            (p.version.name(), n)
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let max = rows
        .iter()
        .map(|(_, n)| n.iter().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let (label_w, bar_w, row_h) = (80.0, 420.0, 24.0);
    let height = rows.len() as f64 * row_h + 34.0;
    let colours = ["#2e8b57", "#d9a400", "#c0392b"];
    let _ = write!(
        s,
        "<h3>Suites per version by strength</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\">\n\
         <title>Accepted cipher suites per protocol version, by strength</title>\n",
        w = label_w + bar_w + 60.0
    );
    for (row, (version, n)) in rows.iter().enumerate() {
        let y = row as f64 * row_h + 4.0;
        let _ = writeln!(
            s,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"12\" fill=\"#1d2430\">{}</text>",
            y + 14.0,
            escape(version)
        );
        let mut x = label_w;
        for (k, count) in n.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let w = bar_w * *count as f64 / max as f64;
            let strength = [Strength::Strong, Strength::Acceptable, Strength::Weak][k];
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"18\" fill=\"{}\"><title>{}: {count} {}</title></rect>",
                colours[k],
                escape(version),
                strength.label()
            );
            x += w;
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#6b7380\">{}</text>",
            x + 6.0,
            y + 14.0,
            n.iter().sum::<usize>()
        );
    }
    let ly = rows.len() as f64 * row_h + 18.0;
    let mut lx = label_w;
    for (k, name) in ["strong", "acceptable", "weak"].iter().enumerate() {
        let _ = writeln!(
            s,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#1d2430\">{name}</text>",
            ly - 9.0,
            colours[k],
            lx + 14.0,
            ly
        );
        lx += 90.0;
    }
    s.push_str("</svg>\n");
}

fn chains(s: &mut String, r: &ScanReport) {
    s.push_str("<h3>Certificates</h3>\n");
    if r.certificates.is_empty() {
        s.push_str("<p class=\"muted\">none received</p>\n");
        return;
    }
    // The chain a client without SNI gets, when it differs, last and marked (it is not graded).
    let without_sni = match &r.certificate_without_sni {
        Some(crate::scan::report::WithoutSni::Different { chain }) => Some(chain.as_ref()),
        _ => None,
    };
    let all = r
        .certificates
        .iter()
        .map(|c| (c, ""))
        .chain(without_sni.map(|c| (c, "a client without SNI gets this one (not graded); ")));
    for (c, apart) in all {
        let verdict = match &c.analysis {
            Some(a) => {
                let mut parts = vec![if a.trusted {
                    "<span class=\"no\">trusted</span>".to_string()
                } else {
                    "<span class=\"yes\">not trusted</span>".to_string()
                }];
                match (a.hostname_match, &a.hostname) {
                    (Some(true), Some(h)) => parts.push(format!("valid for {}", escape(h))),
                    (Some(false), Some(h)) => parts.push(format!(
                        "<span class=\"yes\">not valid for {}</span>",
                        escape(h)
                    )),
                    _ => {}
                }
                if a.leaf_expired {
                    parts.push("<span class=\"yes\">expired</span>".into());
                }
                if a.missing_intermediate {
                    parts.push("<span class=\"yes\">intermediate missing</span>".into());
                }
                if !a.order_ok {
                    parts.push("<span class=\"yes\">chain out of order</span>".into());
                }
                if !a.scts.is_empty() {
                    let logs: Vec<String> = a
                        .scts
                        .iter()
                        .map(|t| escape(t.log_name.as_deref().unwrap_or(&t.log_id)))
                        .collect();
                    parts.push(format!(
                        "{} embedded SCTs ({})",
                        a.scts.len(),
                        logs.join(", ")
                    ));
                }
                parts.join(", ")
            }
            None => "<span class=\"unknown\">not analysed</span>".into(),
        };
        let _ = write!(
            s,
            "<div class=\"chain\"><p><b>{}</b> — {verdict}<br><span class=\"muted\">{apart}found with {}</span></p>\n<table>\n\
             <tr><th>#</th><th>Subject</th><th>Issuer</th><th>Valid</th><th>Names</th><th>Revocation</th></tr>\n",
            escape(&c.key_type.to_string()),
            escape(&c.found_with.join(", "))
        );
        for (n, cert) in c.certificates.iter().enumerate() {
            let names: Vec<String> = cert
                .san_dns
                .iter()
                .chain(cert.san_ip.iter())
                .map(|x| escape(x))
                .collect();
            let days = if cert.expired {
                "<span class=\"yes\">expired</span>".to_string()
            } else {
                format!("{} days left", cert.days_left)
            };
            let revocation = match &cert.revocation {
                None => "<span class=\"muted\">not checked</span>".to_string(),
                Some(r) => {
                    let (status, text) = crate::scan::report::revocation::summary(r);
                    let class = match status {
                        crate::scan::report::RevocationStatus::Good => "no",
                        crate::scan::report::RevocationStatus::Revoked => "yes",
                        crate::scan::report::RevocationStatus::Unknown => "unknown",
                    };
                    format!("<span class=\"{class}\">{}</span>", escape(&text))
                }
            };
            let _ = writeln!(
                s,
                "<tr><td>{n}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{} … {}<br>{days}</td><td class=\"mono\">{}</td><td>{revocation}</td></tr>",
                escape(&cert.subject),
                escape(&cert.issuer),
                escape(&cert.not_before),
                escape(&cert.not_after),
                names.join(", ")
            );
        }
        s.push_str("</table></div>\n");
    }
}

/// The "Server details" section: the TLS extensions the server sends per version, its ticket
/// lifetimes, and the CAA records of `--dns` (record tags and values are peer bytes).
fn server_details(s: &mut String, r: &ScanReport) {
    let exts = r.server_extensions.as_ref();
    let ticket = r.session_features.as_ref().and_then(|f| f.session_ticket);
    let hint = ticket.and_then(|t| t.lifetime_hint_s);
    let life13 = ticket.and_then(|t| t.tls13_lifetime_s);
    if exts.is_none() && ticket.is_none() && r.dns.is_none() {
        return;
    }
    s.push_str("<h3>Server details</h3>\n<table>\n");
    for v in exts.into_iter().flatten() {
        let names: Vec<String> = v
            .extensions
            .iter()
            .map(|e| match e.typ() {
                tlskit_wire::extensions::ExtensionType::Unknown(id) => {
                    format!("unknown 0x{id:04x}")
                }
                t => t.name().to_string(),
            })
            .collect();
        let list = match (&v.error, names.is_empty()) {
            (Some(e), _) => format!("<span class=\"unknown\">{}</span>", escape(e)),
            (None, true) => "none".to_string(),
            (None, false) => escape(&names.join(", ")),
        };
        let _ = writeln!(
            s,
            "<tr><th>Extensions sent ({})</th><td class=\"mono\">{list}</td></tr>",
            escape(v.version.name())
        );
    }
    if let Some(h) = hint {
        let _ = writeln!(
            s,
            "<tr><th>Session ticket lifetime hint (TLS ≤ 1.2)</th><td>{h} s</td></tr>"
        );
    }
    if let Some(h) = life13 {
        let _ = writeln!(
            s,
            "<tr><th>Session ticket lifetime (TLS 1.3)</th><td>{h} s</td></tr>"
        );
    }
    if let Some(d) = &r.dns {
        let caa = match (&d.error, &d.caa_found_at) {
            (Some(e), _) => format!("<span class=\"unknown\">{}</span>", escape(e)),
            (None, None) => "<span class=\"yes\">none: any CA may issue</span>".to_string(),
            (None, Some(at)) => {
                let recs: Vec<String> = d
                    .caa
                    .iter()
                    .map(|c| format!("{} {} \"{}\"", c.flags, escape(&c.tag), escape(&c.value)))
                    .collect();
                format!("at {}: {}", escape(at), recs.join("; "))
            }
        };
        let _ = writeln!(
            s,
            "<tr><th>CAA records of {}</th><td class=\"mono\">{caa}</td></tr>",
            escape(&d.name)
        );
    }
    s.push_str("</table>\n");
}

/// The "Encrypted Client Hello" section: supported, the retry configurations (peer bytes,
/// escaped) and the real ECH handshake.
fn ech(s: &mut String, r: &ScanReport) {
    let Some(e) = &r.ech else {
        return;
    };
    let why = |w: &Option<String>| {
        w.as_ref()
            .map(|w| format!(" <span class=\"muted\">({})</span>", escape(w)))
            .unwrap_or_default()
    };
    let supported = match e.supported {
        Some(true) => "yes".to_string(),
        Some(false) => format!("no{}", why(&e.reason)),
        None => format!(
            "<span class=\"unknown\">could not tell</span>{}",
            why(&e.error)
        ),
    };
    let _ = writeln!(
        s,
        "<h3>Encrypted Client Hello</h3>\n<table>\n<tr><th>Supported</th><td>{supported}</td></tr>"
    );
    if !e.retry_configs.is_empty() {
        let lines: Vec<String> = e
            .retry_configs
            .iter()
            .map(|c| escape(&c.summary()))
            .collect();
        let _ = writeln!(
            s,
            "<tr><th>Retry configs</th><td>{}</td></tr>",
            lines.join("<br>")
        );
    }
    if let Some(h) = &e.handshake {
        let outcome = match h.accepted {
            Some(true) => "accepted".to_string(),
            Some(false) => "<span class=\"weak\">rejected</span>".to_string(),
            None => format!(
                "<span class=\"unknown\">could not tell</span>{}",
                why(&h.error)
            ),
        };
        let names = match (&h.public_name, &h.inner_sni) {
            (Some(p), Some(i)) => format!(
                " <span class=\"muted\">(outer SNI {}, inner SNI {})</span>",
                escape(p),
                escape(i)
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "<tr><th>ECH handshake</th><td>{outcome}{names}</td></tr>"
        );
    }
    s.push_str("</table>\n");
}

/// The "Client authentication" section: requested, required, the acceptable CAs (peer bytes,
/// escaped) and the signature algorithms.
fn client_auth(s: &mut String, r: &ScanReport) {
    let Some(c) = &r.client_auth else {
        return;
    };
    let tell = |v: Option<bool>, yes: &str| match v {
        Some(true) => format!("<span class=\"weak\">{yes}</span>"),
        Some(false) => "no".to_string(),
        None => "<span class=\"unknown\">could not tell</span>".to_string(),
    };
    let versions: Vec<&str> = c.versions.iter().map(|v| v.name()).collect();
    let _ = write!(
        s,
        "<h3>Client authentication</h3>\n<table>\n<tr><th>Certificate requested</th><td>{}{}</td></tr>\n<tr><th>Certificate required</th><td>{}</td></tr>\n",
        tell(c.requested, "yes"),
        if versions.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"muted\">({})</span>", escape(&versions.join(", ")))
        },
        tell(
            c.required,
            "yes: a browser without a matching certificate cannot connect"
        ),
    );
    if let Some(a) = c.client_cert_accepted {
        let _ = writeln!(
            s,
            "<tr><th>--client-cert</th><td>{}</td></tr>",
            if a { "accepted" } else { "refused" }
        );
    }
    if c.requested == Some(true) {
        let names: Vec<String> = c.ca_names.iter().map(|n| escape(n)).collect();
        let _ = writeln!(
            s,
            "<tr><th>Acceptable CAs</th><td>{}</td></tr>",
            if names.is_empty() {
                "<span class=\"muted\">none named (any)</span>".to_string()
            } else {
                names.join("<br>")
            }
        );
        let algs: Vec<&str> = c
            .signature_algorithms
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        let _ = writeln!(
            s,
            "<tr><th>Signature algorithms</th><td>{}</td></tr>",
            escape(&algs.join(", "))
        );
    }
    s.push_str("</table>\n");
}

/// The "Client simulation" section: what each simulated client negotiates, or why it fails.
fn client_simulation(s: &mut String, r: &ScanReport) {
    let Some(clients) = &r.client_simulation else {
        return;
    };
    s.push_str("<h3>Client simulation</h3>\n<table>\n<tr><th>Client</th><th>Protocol</th><th>Cipher suite</th><th>Key exchange</th></tr>\n");
    for c in clients {
        match (&c.error, c.protocol) {
            (Some(e), _) => {
                let class = if c.undetermined() { "unknown" } else { "weak" };
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td colspan=\"3\"><span class=\"{class}\">{}</span></td></tr>",
                    escape(&c.client),
                    escape(e)
                );
            }
            (None, v) => {
                let suite = c.cipher_suite.clone().unwrap_or_default();
                let rsa = suite.starts_with("TLS_RSA_");
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
                    escape(&c.client),
                    v.map(|v| v.name()).unwrap_or("?"),
                    escape(&suite),
                    escape(&c.key_exchange(rsa))
                );
            }
        }
    }
    s.push_str("</table>\n");
}

/// The "HTTP" section: what the one GET showed (every value the server's, escaped).
fn http(s: &mut String, r: &ScanReport) {
    let Some(h) = &r.http else {
        return;
    };
    let row = |s: &mut String, k: &str, v: String| {
        let _ = writeln!(s, "<tr><th>{k}</th><td>{v}</td></tr>");
    };
    s.push_str("<h3>HTTP</h3>\n<table>\n");
    row(
        s,
        "Request",
        format!("<span class=\"mono\">{}</span>", escape(&h.request)),
    );
    if let Some(v) = h.http_version {
        row(s, "HTTP version", v.label().to_string());
    }
    if let Some(e) = &h.error {
        row(
            s,
            "Not determined",
            format!("<span class=\"unknown\">{}</span>", escape(e)),
        );
        s.push_str("</table>\n");
        return;
    }
    if let Some(c) = h.status {
        row(
            s,
            "Status",
            format!("{c} {}", escape(crate::http::reason(c))),
        );
    }
    if let Some(l) = &h.redirect {
        row(
            s,
            "Redirect",
            format!("{} <span class=\"muted\">(not followed)</span>", escape(l)),
        );
    }
    if let Some(b) = &h.server {
        row(s, "Server", escape(b));
    }
    row(
        s,
        "HSTS",
        match &h.hsts {
            Some(x) => escape(&x.describe()),
            None => "<span class=\"weak\">not sent</span>".into(),
        },
    );
    if let Some(p) = &h.hpkp {
        row(
            s,
            "HPKP",
            format!("<span class=\"weak\">{} pin(s), deprecated</span>", p.pins),
        );
    }
    if let Some(x) = &h.headers {
        for (name, sent) in x.list() {
            row(
                s,
                name,
                if sent {
                    "sent".into()
                } else {
                    "<span class=\"weak\">not sent</span>".into()
                },
            );
        }
    }
    row(
        s,
        "Compression",
        match &h.compression {
            Some(c) => format!("<span class=\"weak\">{} (BREACH)</span>", escape(c)),
            None => "none".into(),
        },
    );
    if let Some(d) = h.date_skew_s {
        row(s, "Clock skew", format!("{d} s"));
    }
    for c in &h.cookies {
        row(s, "Cookie", escape(&c.describe()));
    }
    s.push_str("</table>\n");
}

fn vulnerabilities(s: &mut String, r: &ScanReport) {
    if r.vulnerabilities.is_empty() {
        return;
    }
    s.push_str("<h3>Known weaknesses</h3>\n<table>\n<tr><th>Weakness</th><th>Vulnerable</th><th>Detail</th></tr>\n");
    for v in &r.vulnerabilities {
        let verdict = match v.vulnerable {
            Some(true) => "<span class=\"yes\">yes</span>",
            Some(false) => "<span class=\"no\">no</span>",
            None => "<span class=\"unknown\">could not tell</span>",
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{verdict}</td><td>{}</td></tr>",
            escape(&v.name),
            escape(&v.detail)
        );
    }
    s.push_str("</table>\n");
}

#[cfg(test)]
mod tests;
