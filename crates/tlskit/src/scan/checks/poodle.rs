//! POODLE (CVE-2014-3566): SSLv3 with CBC suites, whose padding is not covered by the MAC.

use super::common::{listed, offered, suites_where};
use super::{ready, Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::version::Version;

/// The check.
pub struct Poodle;

impl Check for Poodle {
    fn id(&self) -> CheckId {
        CheckId::Poodle
    }
    fn name(&self) -> &'static str {
        "POODLE (SSLv3)"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2014-3566"]
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

/// The verdict, from the versions and suites the enumeration found.
pub fn judge(report: &ScanReport) -> Verdict {
    if !offered(report, Version::Ssl3) {
        return Verdict::NotVulnerable("SSLv3 is not offered".into());
    }
    let sslv3_cbc: Vec<_> = suites_where(report, |s| s.is_cbc())
        .into_iter()
        .filter(|(v, _)| *v == Version::Ssl3)
        .collect();
    listed(
        sslv3_cbc,
        "SSLv3 is offered with CBC suites",
        "SSLv3 is offered, but with no CBC suite",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;

    #[test]
    fn sslv3_with_cbc_only() {
        // TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA
        let tls12_cbc = report_with(&[(Version::Tls12, &[0x002f])]);
        assert_eq!(
            judge(&tls12_cbc),
            Verdict::NotVulnerable("SSLv3 is not offered".into())
        );
        let rc4_only = report_with(&[(Version::Ssl3, &[0x0005]), (Version::Tls12, &[0x002f])]);
        assert_eq!(judge(&rc4_only).vulnerable(), Some(false));
        let cbc = report_with(&[(Version::Ssl3, &[0x002f, 0x0005])]);
        assert_eq!(judge(&cbc).vulnerable(), Some(true));
    }
}
