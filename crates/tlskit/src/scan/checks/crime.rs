//! CRIME (CVE-2012-4929): TLS compression, asked with one hello offering DEFLATE.
//!
//! The session-features phase asks the same question and keeps the answer in
//! [`SessionFacts::compression`](super::SessionFacts); this check asks again on its own (in the
//! enumeration's phase, alongside the features) so the report, down to its `client_hellos`
//! counts, stays what it was. Reading the phase's fact instead ([`Phase::SessionFeatures`](super::Phase))
//! would save that connection.

use super::{Check, CheckFuture, CheckId, Facts, Probed};
use crate::finding::Severity;
use crate::scan::report::Verdict;
use crate::scan::Ctx;

/// The check.
pub struct Crime;

impl Check for Crime {
    fn id(&self) -> CheckId {
        CheckId::Crime
    }
    fn name(&self) -> &'static str {
        "CRIME (TLS compression)"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2012-4929"]
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn run<'a>(&'a self, ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        Box::pin(async move { judge(super::common::compression(ctx, &facts.report).await) })
    }
}

/// The verdict, from the answer to a hello offering DEFLATE (`None`: not asked, as no TLS ≤ 1.2
/// version is offered).
pub fn judge(compression: Option<Probed<bool>>) -> Verdict {
    match compression {
        Some(Probed::Found(true)) => {
            Verdict::Vulnerable("the server compresses TLS records (DEFLATE)".into())
        }
        Some(Probed::Found(false)) => Verdict::NotVulnerable("TLS compression is not used".into()),
        Some(Probed::Failed(e)) => Verdict::Undetermined(e),
        None => Verdict::NotVulnerable(
            "no TLS ≤ 1.2 version is offered (TLSv1.3 has no compression)".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_as_the_server_answered() {
        assert_eq!(judge(Some(Probed::Found(true))).vulnerable(), Some(true));
        assert_eq!(judge(Some(Probed::Found(false))).vulnerable(), Some(false));
        assert_eq!(
            judge(Some(Probed::Failed("timed out".into()))),
            Verdict::Undetermined("timed out".into())
        );
        assert_eq!(judge(None).vulnerable(), Some(false));
    }
}
