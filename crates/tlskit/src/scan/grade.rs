//! The grade (being written): A+ … F with every reason, modelled on the SSL Labs rating guide.

use crate::scan::report::ScanReport;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Grade {
    /// "A+", "A", "A-", "B", "C", "D", "E", "F", "T" (untrusted) or "M" (name mismatch).
    pub grade: String,
    /// Why: every rule that capped or lowered the grade.
    pub reasons: Vec<String>,
}

/// Grade a finished report.
pub fn grade(_report: &ScanReport) -> Option<Grade> {
    None
}
