//! One module per check. Each takes the shared [`super::Ctx`] and returns its part of the report.

pub mod certificates;
pub mod features;
pub mod groups;
pub mod sigalgs;
pub mod sslv2;
pub mod vulns;
pub mod suites;
