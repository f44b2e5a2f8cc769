//! Small helpers shared by the session-feature and weakness checks: which versions and suites the
//! earlier phases found, and one-shot hello probes.

use super::Probed;
use crate::scan::engine::hello::HelloSpec;
use crate::scan::engine::probe::{Flight, Response};
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::registry::{self, CipherSuite};
use tlskit_wire::version::Version;

/// Versions before TLS 1.3 that use the classic handshake, newest first.
pub const LEGACY: [Version; 4] = [
    Version::Tls12,
    Version::Tls11,
    Version::Tls10,
    Version::Ssl3,
];

/// Accepted suite ids (two-byte ones) at `v`.
pub fn accepted(report: &ScanReport, v: Version) -> Vec<u16> {
    report
        .protocol(v)
        .filter(|p| p.offered)
        .map(|p| p.cipher_suites.iter().filter_map(|s| s.id.tls()).collect())
        .unwrap_or_default()
}

/// Whether `v` is offered.
pub fn offered(report: &ScanReport, v: Version) -> bool {
    report.protocol(v).is_some_and(|p| p.offered)
}

/// The newest TLS ≤ 1.2 (or SSLv3) version offered and its accepted suites.
pub fn newest_legacy(report: &ScanReport) -> Option<(Version, Vec<u16>)> {
    LEGACY
        .into_iter()
        .find(|v| offered(report, *v))
        .map(|v| (v, accepted(report, v)))
}

/// Accepted suites (every TLS ≤ 1.2 version, with the version) matching `pred`.
pub fn suites_where(
    report: &ScanReport,
    pred: impl Fn(&CipherSuite) -> bool,
) -> Vec<(Version, &'static CipherSuite)> {
    let mut out = Vec::new();
    for v in LEGACY {
        for id in accepted(report, v) {
            if let Some(s) = registry::cipher_suite(id) {
                if pred(s) {
                    out.push((v, s));
                }
            }
        }
    }
    out
}

/// Distinct suite names of a list, in order (for details).
pub fn names(list: &[(Version, &'static CipherSuite)]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for (_, s) in list {
        if !seen.contains(&s.name()) {
            seen.push(s.name());
        }
    }
    let more = seen.len().saturating_sub(6);
    let mut text = seen.into_iter().take(6).collect::<Vec<_>>().join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

/// Send one hello and return the flight, or what happened instead (in words).
pub async fn hello(ctx: &Ctx, record: &[u8]) -> Result<Flight, Response> {
    match ctx.prober.probe(record).await {
        Ok(Response::Hello(f)) => Ok(*f),
        Ok(r) => Err(r),
        Err(e) => Err(Response::Malformed(e.to_string())),
    }
}

/// A HelloSpec for `v` offering `suites`, with the scan's SNI.
pub fn spec(ctx: &Ctx, v: Version, suites: Vec<u16>) -> HelloSpec {
    let mut s = HelloSpec::new(v, suites, ctx.sni.clone());
    if v == Version::Tls13 {
        s.key_shares = ctx.default_key_shares.clone();
    }
    s
}

/// Whether a flight is a plain TLS ≤ 1.2 answer at `v`.
pub fn at_version(f: &Flight, v: Version) -> bool {
    f.version() == v.wire() && !f.server_hello.is_hello_retry_request()
}

/// TLS compression: whether the server picks DEFLATE when offered [DEFLATE, null]; `None` when
/// no TLS ≤ 1.2 version is offered (TLS 1.3 has no compression).
pub async fn compression(ctx: &Ctx, report: &ScanReport) -> Option<Probed<bool>> {
    let (v, suites) = newest_legacy(report)?;
    let mut s = spec(ctx, v, suites);
    s.compression = Some(vec![1, 0]);
    Some(match hello(ctx, &s.build()).await {
        Ok(f) => Probed::Found(f.server_hello.compression == 1),
        // Some servers refuse a hello offering DEFLATE outright: that is "no compression".
        Err(r) if r.is_refusal() => Probed::Found(false),
        Err(r) => Probed::Failed(r.describe()),
    })
}

/// The verdict of a configuration check: vulnerable, naming the suites, when `found` has any.
pub fn listed(found: Vec<(Version, &'static CipherSuite)>, yes: &str, no: &str) -> Verdict {
    if found.is_empty() {
        Verdict::NotVulnerable(no.to_string())
    } else {
        Verdict::Vulnerable(format!("{yes}: {}", names(&found)))
    }
}

/// Test support: a report whose versions accept the given suites (by id).
#[cfg(test)]
pub(crate) fn report_with(accepted: &[(Version, &[u16])]) -> ScanReport {
    let protocols = accepted
        .iter()
        .map(|(v, ids)| crate::scan::report::ProtocolResult {
            version: *v,
            offered: true,
            cipher_suites: ids
                .iter()
                .map(|id| crate::scan::report::SuiteResult::from_id(*id, None))
                .collect(),
            server_order: None,
            note: None,
            error: None,
        })
        .collect();
    ScanReport::for_tests(protocols, Vec::new(), Vec::new())
}

/// The verdict of a check that needs TLS ≤ 1.2 when only TLS 1.3 is offered.
pub fn no_legacy(what: &str) -> Verdict {
    Verdict::NotVulnerable(format!("only TLSv1.3 is offered; {what} needs TLS ≤ 1.2"))
}
