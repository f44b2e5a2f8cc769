//! The DNS section (`scan --dns`): the CAA records that govern the scanned name (RFC 8659).

use crate::net::dns::CaaRecord;
use serde::{Deserialize, Serialize};

/// What the DNS look-ups found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DnsReport {
    /// The name looked up (the scanned host name).
    pub name: String,
    /// The relevant CAA record set: of the name, or of the first parent that has one.
    pub caa: Vec<CaaRecord>,
    /// The name the CAA records were found at (null: none, so any CA may issue).
    pub caa_found_at: Option<String>,
    /// Why the look-up gave no answer (then `caa` is empty and means nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl DnsReport {
    /// The text section's lines (record tags and values are peer bytes: escaped).
    pub fn render_text(&self, st: super::Style) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let name = crate::escape::text(&self.name);
        if let Some(e) = &self.error {
            let _ = writeln!(
                s,
                "  CAA ({name}): {}",
                st.warn(&format!("not determined: {}", crate::escape::text(e)))
            );
            return s;
        }
        match &self.caa_found_at {
            None => {
                let _ = writeln!(s, "  CAA ({name}): {}", st.warn("none (any CA may issue)"));
            }
            Some(at) => {
                let _ = writeln!(s, "  CAA ({name}, found at {}):", crate::escape::text(at));
                for r in &self.caa {
                    let _ = writeln!(
                        s,
                        "    {} {} \"{}\"",
                        r.flags,
                        crate::escape::text(&r.tag),
                        crate::escape::text(&r.value)
                    );
                }
            }
        }
        s
    }
}
