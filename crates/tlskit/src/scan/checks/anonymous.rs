//! Anonymous key exchange: suites without server authentication (ADH, AECDH).

use super::common::{listed, suites_where};
use super::{ready, Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::registry::Auth;

/// The check.
pub struct Anonymous;

impl Check for Anonymous {
    fn id(&self) -> CheckId {
        CheckId::Anonymous
    }
    fn name(&self) -> &'static str {
        "Anonymous key exchange"
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn rests_on_suites(&self) -> bool {
        true
    }
    fn run<'a>(&'a self, _ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        ready(judge(&facts.report))
    }
}

/// The verdict, from the suites the enumeration found.
pub fn judge(report: &ScanReport) -> Verdict {
    listed(
        suites_where(report, |s| s.auth == Auth::Null),
        "anonymous suites are accepted: no server authentication, open to any man in the middle",
        "no anonymous suite is accepted",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;
    use tlskit_wire::version::Version;

    #[test]
    fn anonymous_suites_are_vulnerable() {
        // TLS_DH_anon_WITH_AES_128_CBC_SHA
        let v = judge(&report_with(&[(Version::Tls12, &[0x0034])]));
        assert_eq!(v.vulnerable(), Some(true));
        let v = judge(&report_with(&[(Version::Tls12, &[0xc02f])]));
        assert_eq!(v.vulnerable(), Some(false));
    }
}
