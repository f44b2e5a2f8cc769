//! The revocation verdict of a certificate (`certificates[].certificates[].revocation`), as the
//! text and HTML reports write it. The model is pki's ([`crate::pki::chain::Revocation`]): the
//! scanner's revocation check (scan/checks/revocation.rs) fills it.

pub use crate::pki::chain::{
    CheckAnswer, CrlReason, Revocation, RevocationCheck, RevocationSource, RevocationStatus,
    Revoked,
};

use super::Style;

/// "good (OCSP)", "REVOKED (CRL: keyCompromise, since …)", "unknown (why)": the words, with
/// peer-controlled parts escaped.
pub fn summary(r: &Revocation) -> (RevocationStatus, String) {
    let source = r.source.map(|s| s.name()).unwrap_or("?");
    let text = match r.status {
        RevocationStatus::Good => format!("good ({source})"),
        RevocationStatus::Revoked => {
            let revoked = r.revoked.clone().unwrap_or_default();
            format!(
                "REVOKED ({source}: {}{})",
                crate::escape::short(&revoked.reason_text(), 80),
                revoked
                    .at
                    .as_deref()
                    .map(|t| format!(", since {}", crate::escape::short(t, 80)))
                    .unwrap_or_default()
            )
        }
        RevocationStatus::Unknown => format!(
            "unknown ({})",
            crate::escape::short(r.unknown_reason.as_deref().unwrap_or("no answer"), 300)
        ),
    };
    (r.status, text)
}

/// The text report's line: "revocation: good (OCSP)", coloured.
pub fn text_line(r: &Revocation, st: Style) -> String {
    let (status, text) = summary(r);
    let coloured = match status {
        RevocationStatus::Good => st.good(&text),
        RevocationStatus::Revoked => st.bad(&text),
        RevocationStatus::Unknown => st.warn(&text),
    };
    format!("revocation: {coloured}")
}
