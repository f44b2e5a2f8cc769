//! `tlskit report`: print a saved `tlskit scan --json` report again as the scan's text, or show
//! what changed between two scans of the same target (`--diff OLD NEW`).

use crate::output;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use tlskit::scan::report::{
    parse_saved, CertificateChain, GradeLetter, SavedItem as Item, ScanReport, Style, WithoutSni,
};
use tlskit::{Error, Result};

#[derive(clap::Args, Debug)]
#[command(
    about = "Print a saved scan report as text again, or what changed between two scans (--diff)",
    long_about = "Print a report saved with `tlskit scan --json` (one report, the array of a multi-target\n\
scan, or the lines of --json-lines) as the same text the scan printed, so reports kept over time\n\
can be read again without scanning. Targets that failed in the saved run are listed on stderr.\n\n\
--diff OLD NEW compares two saved scans of the same target (with several targets, those with the\n\
same host and port are paired): versions enabled or disabled, cipher suites, groups and\n\
signature algorithms added or removed, certificates changed, the grade raised or lowered,\n\
weaknesses and findings that appeared or went away, the policy verdict.\n\n\
Exit status: 0 (with --diff: 0 when nothing changed, 1 when something did); 2 when a file cannot\n\
be read or is not a tlskit scan report.",
    after_help = "Examples:\n  tlskit scan --json www.example.test > monday.json\n  tlskit report monday.json\n  tlskit report -v results.jsonl\n  tlskit report --diff monday.json tuesday.json"
)]
pub struct Args {
    /// The saved report (JSON or JSON lines; '-' reads stdin).
    #[arg(value_name = "FILE", required_unless_present = "diff")]
    file: Option<PathBuf>,
    /// Compare two saved reports: what changed from OLD to NEW.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with = "file")]
    diff: Option<Vec<PathBuf>>,
    /// Show full certificates and IANA names (as `scan -v`).
    #[arg(short = 'v', long)]
    verbose: bool,
    /// Write the reports as one self-contained HTML page to FILE instead of printing them (as
    /// `scan --html`; a summary table first when there are several, e.g. merged fleet shards).
    #[arg(long, value_name = "FILE", conflicts_with = "diff")]
    html: Option<PathBuf>,
}

fn read_text(path: &Path) -> Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Error::usage(format!("cannot read the report from stdin: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(path)
        .map_err(|e| Error::usage(tlskit::error::file_error(path, "read the report", &e).message()))
}

fn load(path: &Path) -> Result<Vec<Item>> {
    parse_saved(&read_text(path)?, &path.display().to_string())
}

pub fn run(args: Args) -> Result<i32> {
    let style = Style::new(output::colour_stdout());
    if let Some(files) = &args.diff {
        let (old, new) = (load(&files[0])?, load(&files[1])?);
        let text = diff_all(&reports(old), &reports(new));
        crate::out!("{text}");
        return Ok(if text.starts_with("no change") { 0 } else { 1 });
    }
    let path = args.file.as_deref().unwrap_or(Path::new("-"));
    let items = load(path)?;
    if let Some(page) = &args.html {
        let values: Vec<serde_json::Value> = items
            .iter()
            .map(|i| match i {
                Item::Report(r) => serde_json::to_value(&**r).unwrap_or_default(),
                Item::Failed { target, ip, error } => {
                    serde_json::json!({"target": target, "ip": ip, "error": error})
                }
            })
            .collect();
        super::scan_html::write(page, &values)?;
        return Ok(0);
    }
    let single = items.len() == 1;
    for item in &items {
        match item {
            Item::Report(r) => {
                crate::out!("{}", r.render_full_text(style, args.verbose));
                if !single {
                    crate::outln!();
                }
            }
            Item::Failed { error, .. } => {
                let (target, ip) = item.failed_target().unwrap_or_default();
                let at = match ip {
                    Some(ip) if !target.contains(ip.as_str()) => format!("{target} ({ip})"),
                    _ => target,
                };
                output::warn(format!("{at} could not be scanned: {error}"));
            }
        }
    }
    Ok(0)
}

fn reports(items: Vec<Item>) -> Vec<ScanReport> {
    items
        .into_iter()
        .filter_map(|i| match i {
            Item::Report(r) => Some(*r),
            Item::Failed { .. } => None,
        })
        .collect()
}

/// The differences of every target found in both (paired by host and port); a single report on
/// each side is compared whatever its target.
fn diff_all(old: &[ScanReport], new: &[ScanReport]) -> String {
    let key = |r: &ScanReport| (r.target.host.to_ascii_lowercase(), r.target.port);
    let mut out = String::new();
    if old.len() == 1 && new.len() == 1 {
        out.push_str(&diff(&old[0], &new[0]));
    } else {
        for n in new {
            match old.iter().find(|o| key(o) == key(n)) {
                Some(o) => {
                    let d = diff(o, n);
                    if !d.is_empty() {
                        out.push_str(&format!("{}:{}\n", n.target.host, n.target.port));
                        for line in d.lines() {
                            out.push_str(&format!("  {line}\n"));
                        }
                    }
                }
                None => out.push_str(&format!(
                    "{}:{}: only in the new report\n",
                    n.target.host, n.target.port
                )),
            }
        }
        for o in old {
            if !new.iter().any(|n| key(n) == key(o)) {
                out.push_str(&format!(
                    "{}:{}: only in the old report\n",
                    o.target.host, o.target.port
                ));
            }
        }
    }
    if out.is_empty() {
        out.push_str("no change\n");
    }
    out
}

/// Added and removed elements of two lists, as "+ x" / "- x" lines under `what`.
fn set_diff(out: &mut Vec<String>, what: &str, old: Vec<String>, new: Vec<String>) {
    let (o, n): (BTreeSet<String>, BTreeSet<String>) =
        (old.into_iter().collect(), new.into_iter().collect());
    for x in n.difference(&o) {
        out.push(format!("+ {what} {x}"));
    }
    for x in o.difference(&n) {
        out.push(format!("- {what} {x}"));
    }
}

/// What changed from `old` to `new`, one line each (empty: nothing).
pub fn diff(old: &ScanReport, new: &ScanReport) -> String {
    let mut out: Vec<String> = Vec::new();
    // Versions and suites.
    for n in &new.protocols {
        let was = old
            .protocols
            .iter()
            .find(|o| o.version == n.version)
            .is_some_and(|o| o.offered);
        match (was, n.offered) {
            (false, true) => out.push(format!("+ version {} now offered", n.version.name())),
            (true, false) => out.push(format!("- version {} no longer offered", n.version.name())),
            _ => {}
        }
    }
    let suites = |r: &ScanReport| -> Vec<String> {
        r.protocols
            .iter()
            .filter(|p| p.offered)
            .flat_map(|p| {
                p.cipher_suites.iter().map(move |s| {
                    let name = s.openssl_name.clone().unwrap_or_else(|| s.name.clone());
                    format!("{} {name}", p.version.name())
                })
            })
            .collect()
    };
    set_diff(&mut out, "suite", suites(old), suites(new));
    let groups = |r: &ScanReport| r.groups.iter().map(|g| g.name.clone()).collect();
    set_diff(&mut out, "group", groups(old), groups(new));
    let sigalgs = |r: &ScanReport| {
        r.signature_algorithms
            .iter()
            .map(|a| match a.cert_type {
                Some(k) => format!("{} ({} certificate)", a.name, k.name()),
                None => a.name.clone(),
            })
            .collect()
    };
    set_diff(&mut out, "signature algorithm", sigalgs(old), sigalgs(new));
    // Certificates: by key type and leaf.
    let certs = |r: &ScanReport| r.certificates.iter().map(chain_label).collect();
    set_diff(&mut out, "certificate", certs(old), certs(new));
    // The certificate a client without SNI gets.
    let (a, b) = (
        without_sni_label(old.certificate_without_sni.as_ref()),
        without_sni_label(new.certificate_without_sni.as_ref()),
    );
    if a != b {
        out.push(format!("certificate without SNI: {a} → {b}"));
    }
    // Grade.
    let grade = |r: &ScanReport| r.grade.as_ref().map(|g| g.grade);
    let (a, b) = (grade(old), grade(new));
    if a != b {
        // Letters are ordered best to worst (M and T between E and F, as the grade's caps).
        let how = match (a, b) {
            (Some(x), Some(y)) if y > x => " (lowered)",
            (Some(x), Some(y)) if y < x => " (raised)",
            _ => "",
        };
        let name = |g: Option<GradeLetter>| g.map_or("none", GradeLetter::name);
        out.push(format!("grade {} → {}{how}", name(a), name(b)));
    }
    // Weaknesses.
    let verdict = |v: Option<bool>| match v {
        Some(true) => "VULNERABLE",
        Some(false) => "not vulnerable",
        None => "not determined",
    };
    for n in &new.vulnerabilities {
        if let Some(o) = old.vulnerabilities.iter().find(|o| o.id == n.id) {
            if o.vulnerable != n.vulnerable {
                out.push(format!(
                    "weakness {}: {} → {}",
                    n.name,
                    verdict(o.vulnerable),
                    verdict(n.vulnerable)
                ));
            }
        }
    }
    let findings = |r: &ScanReport| {
        r.findings
            .iter()
            .map(|f| format!("[{}] {}", f.severity, f.message))
            .collect()
    };
    set_diff(&mut out, "finding", findings(old), findings(new));
    // Policy.
    let compliant = |r: &ScanReport| r.policy.as_ref().map(|p| (p.policy.clone(), p.compliant));
    if let (Some((pa, a)), Some((pb, b))) = (compliant(old), compliant(new)) {
        if pa == pb && a != b {
            let word = |c: bool| if c { "compliant" } else { "NOT COMPLIANT" };
            out.push(format!("policy {pb}: {} → {}", word(a), word(b)));
        }
    }
    // Names, subjects and messages come from the peer: one escaped line each.
    out.into_iter()
        .map(|l| tlskit::escape::text(&l) + "\n")
        .collect()
}

/// A chain as the diff names it: key type, leaf subject and fingerprint.
fn chain_label(c: &CertificateChain) -> String {
    match c.certificates.first() {
        Some(l) => format!(
            "{} {} (SHA-256 {})",
            c.key_type, l.subject, l.sha256_fingerprint
        ),
        None => c.key_type.to_string(),
    }
}

/// What a client without SNI got, in a few words.
fn without_sni_label(w: Option<&WithoutSni>) -> String {
    match w {
        None => "not checked".into(),
        Some(WithoutSni::Same { chain }) => {
            format!("the one sent with SNI, {}", chain_label(chain))
        }
        Some(WithoutSni::Different { chain }) => format!("another one, {}", chain_label(chain)),
        Some(WithoutSni::Refused { answer }) => format!("refused ({answer})"),
        Some(WithoutSni::NotDetermined { .. }) => "not determined".into(),
        // An outcome this build does not know (the model is #[non_exhaustive]).
        Some(_) => "another outcome".into(),
    }
}
