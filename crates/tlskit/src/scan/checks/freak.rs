//! FREAK (CVE-2015-0204): RSA export suites let a man in the middle force 512-bit RSA.

use super::common::{listed, suites_where};
use super::{ready, Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::registry::Kx;

/// The check.
pub struct Freak;

impl Check for Freak {
    fn id(&self) -> CheckId {
        CheckId::Freak
    }
    fn name(&self) -> &'static str {
        "FREAK"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2015-0204"]
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
        suites_where(report, |s| s.kx == Kx::RsaExport),
        "RSA export suites are accepted",
        "no RSA export suite is accepted",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;
    use tlskit_wire::version::Version;

    #[test]
    fn rsa_export_is_vulnerable() {
        // TLS_RSA_EXPORT_WITH_RC4_40_MD5
        let v = judge(&report_with(&[(Version::Tls10, &[0x0003])]));
        assert_eq!(v.vulnerable(), Some(true));
        let v = judge(&report_with(&[(Version::Tls10, &[0x002f])]));
        assert_eq!(v.vulnerable(), Some(false));
    }
}
