//! Session features (being written): renegotiation, fallback SCSV, compression, EMS, ETM,
//! resumption, 0-RTT, ALPN, heartbeat, OCSP stapling.

use crate::scan::report::{Finding, ScanReport};
use crate::scan::Ctx;

/// What the server supports beyond versions and suites.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SessionFeatures {}

/// Probe the session features; `report` holds the versions and suites found so far.
pub async fn run(_ctx: &Ctx, _report: &ScanReport) -> (SessionFeatures, Vec<Finding>) {
    (SessionFeatures::default(), Vec::new())
}
