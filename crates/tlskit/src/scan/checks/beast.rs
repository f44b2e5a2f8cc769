//! BEAST (CVE-2011-3389): CBC suites with TLS 1.0 or SSLv3, whose IVs are predictable.

use super::common::{names, suites_where};
use super::{ready, Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::version::Version;

/// The check.
pub struct Beast;

impl Check for Beast {
    fn id(&self) -> CheckId {
        CheckId::Beast
    }
    fn name(&self) -> &'static str {
        "BEAST"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2011-3389"]
    }
    fn severity(&self) -> Severity {
        Severity::Low
    }
    fn rests_on_suites(&self) -> bool {
        true
    }
    fn run<'a>(&'a self, _ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        ready(judge(&facts.report))
    }
}

/// The verdict, from the versions and suites the enumeration found.
pub fn judge(report: &ScanReport) -> Verdict {
    let found: Vec<_> = suites_where(report, |s| s.is_cbc())
        .into_iter()
        .filter(|(v, _)| *v <= Version::Tls10)
        .collect();
    if found.is_empty() {
        Verdict::NotVulnerable("no CBC suite is accepted with TLSv1.0 or SSLv3".into())
    } else {
        Verdict::Vulnerable(format!(
            "CBC suites are accepted with TLSv1.0/SSLv3 ({}); current clients mitigate it by 1/n-1 record splitting",
            names(&found)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;

    #[test]
    fn cbc_counts_only_up_to_tls10() {
        let tls11 = report_with(&[(Version::Tls11, &[0x002f]), (Version::Tls10, &[0x0005])]);
        assert_eq!(judge(&tls11).vulnerable(), Some(false));
        let tls10 = report_with(&[(Version::Tls10, &[0x002f])]);
        assert_eq!(judge(&tls10).vulnerable(), Some(true));
    }
}
