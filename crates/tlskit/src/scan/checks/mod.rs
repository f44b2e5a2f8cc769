//! One module per check. Each takes the shared [`super::Ctx`] and returns its part of the report.

pub mod ccs;
pub mod certificates;
pub mod common;
pub mod conn;
pub mod dhprimes;
pub mod features;
pub mod groups;
pub mod heartbleed;
pub mod robot;
pub mod rsa;
pub mod sigalgs;
pub mod sslv2;
pub mod suites;
pub mod tls12;
pub mod tls13;
pub mod vulns;
