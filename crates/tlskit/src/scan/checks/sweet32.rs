//! SWEET32 (CVE-2016-2183, CVE-2016-6329): 64-bit block ciphers (3DES, IDEA, DES) let a long
//! session be recovered by birthday collisions.

use super::common::{listed, suites_where};
use super::{ready, Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;

/// The check.
pub struct Sweet32;

impl Check for Sweet32 {
    fn id(&self) -> CheckId {
        CheckId::Sweet32
    }
    fn name(&self) -> &'static str {
        "SWEET32"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2016-2183", "CVE-2016-6329"]
    }
    fn severity(&self) -> Severity {
        Severity::Medium
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
        suites_where(report, |s| s.block_bits() == Some(64)),
        "64-bit block ciphers are accepted",
        "no 64-bit block cipher is accepted",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;
    use tlskit_wire::version::Version;

    #[test]
    fn triple_des_is_vulnerable_aes_is_not() {
        // TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_AES_128_GCM_SHA256
        let v = judge(&report_with(&[(Version::Tls12, &[0x000a, 0x009c])]));
        assert_eq!(v.vulnerable(), Some(true));
        let v = judge(&report_with(&[(Version::Tls12, &[0x009c])]));
        assert_eq!(
            v,
            Verdict::NotVulnerable("no 64-bit block cipher is accepted".into())
        );
    }
}
