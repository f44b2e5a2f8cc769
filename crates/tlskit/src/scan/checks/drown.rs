//! DROWN (CVE-2016-0800): SSLv2 offered, so its export ciphers and oracles can decrypt TLS
//! sessions that use the same RSA key.

use super::common::offered;
use super::{ready, Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::version::Version;

/// The check.
pub struct Drown;

impl Check for Drown {
    fn id(&self) -> CheckId {
        CheckId::Drown
    }
    fn name(&self) -> &'static str {
        "DROWN"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2016-0800"]
    }
    fn severity(&self) -> Severity {
        Severity::Critical
    }
    fn run<'a>(&'a self, _ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        ready(judge(&facts.report))
    }
}

/// The verdict, from whether SSLv2 is offered.
pub fn judge(report: &ScanReport) -> Verdict {
    if offered(report, Version::Ssl2) {
        Verdict::Vulnerable("SSLv2 is offered: its export ciphers and oracles decrypt TLS sessions that use the same RSA key".into())
    } else {
        Verdict::NotVulnerable("SSLv2 is not offered here (DROWN also applies when another server with SSLv2 shares this RSA key, which a scan of one endpoint cannot see)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;

    #[test]
    fn sslv2_offered_is_vulnerable() {
        assert_eq!(
            judge(&report_with(&[(Version::Ssl2, &[])])).vulnerable(),
            Some(true)
        );
        assert_eq!(
            judge(&report_with(&[(Version::Tls12, &[0x002f])])).vulnerable(),
            Some(false)
        );
    }
}
