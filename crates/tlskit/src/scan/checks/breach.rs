//! BREACH (CVE-2013-3587): a response compressed with HTTP compression lets an attacker who can
//! inject text into requests and watch sizes recover secrets from the body. Judged as testssl.sh
//! judges it: "potentially vulnerable" when the answer to the HTTP layer's GET (which accepts
//! gzip, deflate and br) is compressed. Whether a secret sits in the compressed body, and whether
//! the site reflects input, a scanner cannot know: the detail says so.
//!
//! It reads the HTTP layer's answer ([`Phase::Http`]): no answer — the layer failed, was left out
//! with `--no-http`, or the target showed no sign of HTTP — is "not determined", never "no".

use super::{Check, CheckFuture, CheckId, Facts, Phase};
use crate::finding::Severity;
use crate::scan::report::http::HttpReport;
use crate::scan::report::Verdict;
use crate::scan::Ctx;

/// The check.
pub struct Breach;

impl Check for Breach {
    fn id(&self) -> CheckId {
        CheckId::Breach
    }
    fn name(&self) -> &'static str {
        "BREACH (HTTP compression)"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2013-3587"]
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn needs(&self) -> Phase {
        Phase::Http
    }
    fn run<'a>(&'a self, _ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        super::ready(judge(facts.report.http.as_ref()))
    }
}

/// The verdict, from the HTTP layer's answer (`None`: there was none).
pub fn judge(http: Option<&HttpReport>) -> Verdict {
    let Some(h) = http else {
        return Verdict::Undetermined(
            "no HTTP answer to judge: the HTTP layer did not run (--no-http, STARTTLS, or a target with no sign of HTTP: no ALPN http/1.1 or h2, not port 443/8443; an https:// URL target makes it ask)".into(),
        );
    };
    if let Some(e) = &h.error {
        return Verdict::Undetermined(format!(
            "no HTTP answer to judge: {}",
            crate::escape::short(e, 200)
        ));
    }
    let path = h.request.split_once(' ').map(|(_, u)| u).unwrap_or("");
    match &h.compression {
        Some(c) => Verdict::Vulnerable(format!(
            "potentially: {} answers compressed ({}) when asked for gzip, deflate or br; it matters where a compressed page holds a secret and reflects input (or disable HTTP compression for such pages)",
            crate::escape::short(path, 120),
            crate::escape::short(c, 40)
        )),
        None => Verdict::NotVulnerable(format!(
            "{} answers uncompressed when asked for gzip, deflate or br",
            crate::escape::short(path, 120)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_answers_are_potentially_vulnerable() {
        let mut h = HttpReport {
            request: "GET https://localhost:8443/".into(),
            status: Some(200),
            compression: Some("gzip".into()),
            ..Default::default()
        };
        let v = judge(Some(&h));
        assert_eq!(v.vulnerable(), Some(true));
        assert!(v
            .detail()
            .contains("https://localhost:8443/ answers compressed (gzip)"));
        h.compression = None;
        assert_eq!(judge(Some(&h)).vulnerable(), Some(false));
        h.error = Some("no HTTP answer within 5 s".into());
        assert_eq!(judge(Some(&h)).vulnerable(), None);
        assert_eq!(judge(None).vulnerable(), None);
    }
}
