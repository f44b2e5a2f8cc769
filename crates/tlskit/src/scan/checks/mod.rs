//! One module per check. Each takes the shared [`super::Ctx`] and returns its part of the report.

pub mod ccs;
pub mod certificates;
pub mod common;
pub mod features;
pub mod groups;
pub mod heartbleed;
pub mod robot;
pub mod sigalgs;
pub mod sslv2;
pub mod suites;
pub mod vulns;
