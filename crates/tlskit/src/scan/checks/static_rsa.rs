//! Static RSA key exchange: no forward secrecy, the server key decrypts recorded sessions.

use super::common::{listed, suites_where};
use super::{ready, Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::registry::Kx;

/// The check.
pub struct StaticRsa;

impl Check for StaticRsa {
    fn id(&self) -> CheckId {
        CheckId::StaticRsa
    }
    fn name(&self) -> &'static str {
        "Static RSA key exchange"
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

/// The verdict, from the suites the enumeration found.
pub fn judge(report: &ScanReport) -> Verdict {
    listed(
        suites_where(report, |s| matches!(s.kx, Kx::Rsa | Kx::RsaExport | Kx::RsaPsk)),
        "static RSA key exchange is accepted (no forward secrecy: the server key decrypts recorded sessions)",
        "no static RSA key-exchange suite is accepted",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::checks::common::report_with;
    use tlskit_wire::version::Version;

    #[test]
    fn rsa_key_exchange_is_vulnerable_ecdhe_is_not() {
        let v = judge(&report_with(&[(Version::Tls12, &[0x002f, 0xc02f])]));
        assert_eq!(v.vulnerable(), Some(true));
        let v = judge(&report_with(&[
            (Version::Tls12, &[0xc02f]),
            (Version::Tls13, &[0x1301]),
        ]));
        assert_eq!(v.vulnerable(), Some(false));
    }
}
