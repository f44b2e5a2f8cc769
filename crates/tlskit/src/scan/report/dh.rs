//! The DH parameters section: the finite-field Diffie-Hellman groups the server's DHE suites
//! use, named by the prime's value ([`crate::scan::data::dhprimes::DhGroup`]: "ffdhe2048",
//! "RFC 3526 group 14 (2048-bit MODP)", "custom 2048-bit").

use super::{version_names, ProtocolResult};
use crate::scan::data::dhprimes::DhGroup;
use serde::{Deserialize, Serialize};
use tlskit_wire::version::Version;

/// One DH group the server's DHE suites use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DhParameters {
    /// The group, named by the prime's value.
    pub group: DhGroup,
    /// The versions whose DHE suites used it.
    #[serde(with = "version_names")]
    pub versions: Vec<Version>,
}

/// The distinct groups of the accepted DHE suites, in the order first seen (newest version
/// first).
pub fn collect(protocols: &[ProtocolResult]) -> Vec<DhParameters> {
    let mut out: Vec<DhParameters> = Vec::new();
    for p in protocols.iter().rev() {
        for g in p.cipher_suites.iter().filter_map(|c| c.dh_group) {
            match out.iter_mut().find(|d| d.group == g) {
                Some(d) if !d.versions.contains(&p.version) => d.versions.push(p.version),
                Some(_) => {}
                None => out.push(DhParameters {
                    group: g,
                    versions: vec![p.version],
                }),
            }
        }
    }
    out
}

/// The text section's lines ("  ffdhe2048   ffdhe  2048 bits  TLSv1.2").
pub fn render_text(list: &[DhParameters]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for d in list {
        let versions: Vec<&str> = d.versions.iter().map(|v| v.name()).collect();
        let _ = writeln!(
            s,
            "  {:<40} {:<10} {:>5} bits  {}",
            d.group.to_string(),
            d.group.kind(),
            d.group.bits(),
            versions.join(" ")
        );
    }
    s
}
