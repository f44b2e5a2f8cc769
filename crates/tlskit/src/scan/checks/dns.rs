//! `scan --dns`: the CAA records of the scanned name ([`crate::net::dns`]), opt-in (nothing is
//! asked of DNS unless it is given). No CAA record is a Low finding, as testssl.sh rates it.

use crate::finding::{Finding, Severity};
use crate::net::dns::Resolver;
use crate::scan::report::dns::DnsReport;
use std::net::SocketAddr;
use std::time::Duration;

/// `--dns` and `--dns-server`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DnsOptions {
    /// The DNS server to ask (`--dns-server ADDR:PORT`); None: the system's.
    pub server: Option<SocketAddr>,
}

/// Look up the CAA records of `host`; the section, and its finding.
pub async fn run(host: &str, o: &DnsOptions, timeout: Duration) -> (DnsReport, Option<Finding>) {
    let mut r = DnsReport {
        name: host.to_string(),
        caa: Vec::new(),
        caa_found_at: None,
        error: None,
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<std::net::IpAddr>().is_ok() {
        r.error = Some("the target is an IP address: there is no name to look up".into());
        return (r, None);
    }
    let lookup = match Resolver::new(o.server, timeout) {
        Ok(res) => res.caa(host).await,
        Err(e) => Err(e),
    };
    match lookup {
        Ok(l) => {
            r.caa = l.records;
            r.caa_found_at = l.found_at;
            let finding = r.caa_found_at.is_none().then(|| {
                Finding::new(
                    Severity::Low,
                    "dns.no_caa",
                    format!(
                        "no CAA record for {} or its parents: any CA may issue certificates for it (RFC 8659)",
                        crate::escape::text(host)
                    ),
                )
            });
            (r, finding)
        }
        Err(e) => {
            r.error = Some(e.0);
            (r, None)
        }
    }
}
