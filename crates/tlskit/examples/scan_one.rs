//! Scan one TLS endpoint in one call and print its grade and protocol versions.
//!
//!     cargo run -p tlskit --example scan_one -- HOST[:PORT] | URL
//!
//! The full report (suites, groups, certificates, weaknesses) is in the returned value; `tlskit
//! scan` prints the same with its text and JSON renderers.

#[tokio::main]
async fn main() {
    let Some(target) = std::env::args().nth(1) else {
        eprintln!("usage: scan_one HOST[:PORT] | URL");
        std::process::exit(2);
    };
    match tlskit::easy::scan(&target).await {
        Ok(report) => print!("{}", summary(&report)),
        Err(e) => {
            eprintln!("scan_one: {e}");
            std::process::exit(e.exit_code());
        }
    }
}

/// The grade and one line per protocol version.
pub fn summary(report: &tlskit::scan::report::ScanReport) -> String {
    let mut out = String::new();
    if let Some(grade) = &report.grade {
        out.push_str(&format!("grade: {}\n", grade.grade));
    }
    for p in &report.protocols {
        let state = if p.offered { "offered" } else { "not offered" };
        out.push_str(&format!("{}: {state}\n", p.version));
    }
    out
}
