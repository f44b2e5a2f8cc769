//! NULL encryption: suites that authenticate but do not encrypt.

use super::common::{listed, suites_where};
use super::{ready, Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::registry::Enc;

/// The check.
pub struct Null;

impl Check for Null {
    fn id(&self) -> CheckId {
        CheckId::Null
    }
    fn name(&self) -> &'static str {
        "NULL encryption"
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
        suites_where(report, |s| s.enc == Enc::Null),
        "suites without encryption are accepted",
        "no NULL-encryption suite is accepted",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;
    use tlskit_wire::version::Version;

    #[test]
    fn null_suites_are_vulnerable() {
        // TLS_RSA_WITH_NULL_SHA256
        let v = judge(&report_with(&[(Version::Tls12, &[0x003b])]));
        assert_eq!(v.vulnerable(), Some(true));
        let v = judge(&report_with(&[(Version::Tls12, &[0x009c])]));
        assert_eq!(v.vulnerable(), Some(false));
    }
}
