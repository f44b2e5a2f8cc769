//! Known weaknesses (being written): Heartbleed, CCS injection, ROBOT probes, and those that follow
//! from the configuration (POODLE, SWEET32, FREAK, LOGJAM, DROWN, BEAST, RC4, NULL, anonymous, static RSA).

use crate::scan::report::{Finding, ScanReport};
use crate::scan::Ctx;

/// One weakness and the verdict on it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Vulnerability {
    /// Stable id: "heartbleed", "ccs_injection", "robot", "poodle", "sweet32", …
    pub id: String,
    pub name: String,
    /// true: vulnerable; false: not; null: could not be determined.
    pub vulnerable: Option<bool>,
    pub detail: String,
}

/// Run the weakness checks.
pub async fn run(_ctx: &Ctx, _report: &ScanReport) -> (Vec<Vulnerability>, Vec<Finding>) {
    (Vec::new(), Vec::new())
}
