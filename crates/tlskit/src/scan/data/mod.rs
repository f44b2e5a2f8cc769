//! Tables the checks consult: facts carried over from registries and RFCs, no I/O.

pub mod alpn;
pub mod clients;
pub mod dhprimes;
