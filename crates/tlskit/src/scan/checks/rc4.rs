//! RC4 (CVE-2013-2566, CVE-2015-2808): biased keystream; RFC 7465 forbids RC4 suites.

use super::common::{listed, suites_where};
use super::{ready, Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::registry::Enc;
use tlskit_wire::version::Version;

/// The check.
pub struct Rc4;

impl Check for Rc4 {
    fn id(&self) -> CheckId {
        CheckId::Rc4
    }
    fn name(&self) -> &'static str {
        "RC4"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2013-2566", "CVE-2015-2808"]
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

/// The verdict, from the suites (and SSLv2 cipher kinds) the enumeration found.
pub fn judge(report: &ScanReport) -> Verdict {
    let mut found = suites_where(report, |s| {
        matches!(
            s.enc,
            Enc::Rc4_40 | Enc::Rc4_56 | Enc::Rc4_64 | Enc::Rc4_128
        )
    });
    let sslv2_rc4 = report
        .protocol(Version::Ssl2)
        .filter(|p| p.offered)
        .map(|p| p.cipher_suites.iter().any(|s| s.name.contains("RC4")))
        .unwrap_or(false);
    if found.is_empty() && sslv2_rc4 {
        Verdict::Vulnerable("RC4 cipher kinds are offered with SSLv2".into())
    } else {
        found.dedup_by_key(|(_, s)| s.id);
        listed(
            found,
            "RC4 suites are accepted (RFC 7465 forbids them)",
            "no RC4 suite is accepted",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;

    #[test]
    fn rc4_suites_are_vulnerable() {
        // TLS_RSA_WITH_RC4_128_SHA at two versions: named once.
        let r = report_with(&[(Version::Tls12, &[0x0005]), (Version::Tls11, &[0x0005])]);
        let v = judge(&r);
        assert_eq!(v.vulnerable(), Some(true));
        assert!(!v.detail().contains(", "), "{}", v.detail());
        assert_eq!(
            judge(&report_with(&[(Version::Tls12, &[0x002f])])).vulnerable(),
            Some(false)
        );
    }
}
