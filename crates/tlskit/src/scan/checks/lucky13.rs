//! Lucky Thirteen (CVE-2013-0169): a timing side channel in the MAC-then-encrypt of CBC suites
//! (TLS ≤ 1.2). Whether a server's implementation is patched cannot be measured from outside in
//! a scan, so this check rates it the way testssl.sh's `run_lucky13` does: "potentially
//! vulnerable" (low severity) whenever a CBC suite is accepted with TLS ≤ 1.2 or SSLv3, not
//! vulnerable otherwise. The detail adds what testssl.sh does not: whether the server negotiates
//! encrypt-then-MAC (RFC 7366), which removes the side channel for clients that offer it.

use super::common::{names, suites_where};
use super::{ready, Check, CheckFuture, CheckId, Facts, Phase};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;

/// The check.
pub struct Lucky13;

impl Check for Lucky13 {
    fn id(&self) -> CheckId {
        CheckId::Lucky13
    }
    fn name(&self) -> &'static str {
        "Lucky Thirteen"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2013-0169"]
    }
    fn severity(&self) -> Severity {
        // testssl.sh rates it LOW.
        Severity::Low
    }
    fn rests_on_suites(&self) -> bool {
        true
    }
    fn needs(&self) -> Phase {
        // Encrypt-then-MAC comes from the session features.
        Phase::SessionFeatures
    }
    fn run<'a>(&'a self, _ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        ready(judge(&facts.report))
    }
}

/// The verdict, from the suites the enumeration found and the session features' encrypt-then-MAC.
pub fn judge(report: &ScanReport) -> Verdict {
    let found = suites_where(report, |s| s.is_cbc());
    if found.is_empty() {
        return Verdict::NotVulnerable("no CBC suite is accepted with TLS ≤ 1.2".into());
    }
    let etm = report
        .session_features
        .as_ref()
        .and_then(|f| f.encrypt_then_mac);
    let mitigation = match etm {
        Some(true) => "encrypt-then-MAC (RFC 7366) is negotiated, which removes the side channel for clients that offer it",
        Some(false) => "encrypt-then-MAC (RFC 7366) is not negotiated, so no client is protected by it",
        None => "whether encrypt-then-MAC (RFC 7366) is negotiated was not determined",
    };
    Verdict::Vulnerable(format!(
        "potentially: CBC suites are accepted ({}); Lucky Thirteen is a timing side channel in their MAC check that cannot be confirmed remotely (rated as testssl.sh does: check the server's patches); {mitigation}",
        names(&found)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;
    use crate::scan::report::SessionFeatures;
    use tlskit_wire::version::Version;

    fn with_etm(mut r: ScanReport, etm: Option<bool>) -> ScanReport {
        r.session_features = Some(SessionFeatures {
            encrypt_then_mac: etm,
            ..Default::default()
        });
        r
    }

    #[test]
    fn cbc_at_any_legacy_version_is_potentially_vulnerable() {
        // TLS_RSA_WITH_AES_128_CBC_SHA at TLS 1.2, TLS 1.1, SSLv3.
        for v in [Version::Tls12, Version::Tls11, Version::Ssl3] {
            let r = judge(&report_with(&[(v, &[0x002f])]));
            assert_eq!(r.vulnerable(), Some(true), "{v:?}");
            assert!(r.detail().starts_with("potentially"), "{}", r.detail());
            assert!(r.detail().contains("cannot be confirmed remotely"));
            assert!(r.detail().contains("AES128-SHA") || r.detail().contains("AES_128_CBC"));
        }
    }

    #[test]
    fn aead_and_stream_suites_are_not() {
        // ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-CHACHA20-POLY1305, RC4-SHA
        let r = judge(&report_with(&[(Version::Tls12, &[0xc02f, 0xcca8, 0x0005])]));
        assert_eq!(
            r,
            Verdict::NotVulnerable("no CBC suite is accepted with TLS ≤ 1.2".into())
        );
        // TLS 1.3 only: nothing at TLS ≤ 1.2.
        let r = judge(&report_with(&[(Version::Tls13, &[0x1301])]));
        assert_eq!(r.vulnerable(), Some(false));
    }

    #[test]
    fn the_detail_says_whether_encrypt_then_mac_mitigates() {
        let cbc = || report_with(&[(Version::Tls12, &[0xc013, 0xc02f])]);
        let yes = judge(&with_etm(cbc(), Some(true)));
        assert_eq!(yes.vulnerable(), Some(true));
        assert!(yes
            .detail()
            .contains("encrypt-then-MAC (RFC 7366) is negotiated"));
        let no = judge(&with_etm(cbc(), Some(false)));
        assert!(no.detail().contains("is not negotiated"), "{}", no.detail());
        let unknown = judge(&cbc());
        assert!(unknown.detail().contains("was not determined"));
    }
}
