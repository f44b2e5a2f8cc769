//! LOGJAM (CVE-2015-4000): DHE export suites (512-bit groups), or DHE with a group of 1024 bits
//! or less; a widely shared prime ([`crate::scan::data::dhprimes`]) is named, since one
//! precomputation breaks every server using it.

use super::common::{self, suites_where};
use super::{Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::data::dhprimes::DhGroup;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use tlskit_wire::handshake::{KxHint, ServerKeyExchange};
use tlskit_wire::registry::Kx;

/// The check.
pub struct Logjam;

impl Check for Logjam {
    fn id(&self) -> CheckId {
        CheckId::Logjam
    }
    fn name(&self) -> &'static str {
        "LOGJAM"
    }
    fn cves(&self) -> &'static [&'static str] {
        &["CVE-2015-4000"]
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn rests_on_suites(&self) -> bool {
        true
    }
    fn run<'a>(&'a self, ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        Box::pin(probe(ctx, &facts.report))
    }
}

/// Export suites decide it from the report; otherwise one hello fetches the DH group.
async fn probe(ctx: &Ctx, report: &ScanReport) -> Verdict {
    let export = suites_where(report, |s| matches!(s.kx, Kx::DheExport | Kx::DhExport));
    if !export.is_empty() {
        return Verdict::Vulnerable(format!(
            "DHE export suites are accepted ({}): 512-bit groups, broken in minutes",
            common::names(&export)
        ));
    }
    let dhe = suites_where(report, |s| s.kx == Kx::Dhe);
    let Some((ver, _)) = dhe.first().copied() else {
        return Verdict::NotVulnerable("no DHE suite is accepted".into());
    };
    // Fetch the group: one hello offering only the DHE suites accepted at that version.
    let ids: Vec<u16> = dhe
        .iter()
        .filter(|(v, _)| *v == ver)
        .map(|(_, s)| s.id)
        .collect();
    let flight = match common::hello(ctx, &common::spec(ctx, ver, ids).build()).await {
        Ok(f) => f,
        Err(r) => {
            return Verdict::Undetermined(format!(
                "could not fetch the DH parameters: {}",
                r.describe()
            ))
        }
    };
    let params = flight
        .server_key_exchange
        .as_ref()
        .and_then(|ske| ServerKeyExchange::parse(&ske.body, KxHint::Dhe, flight.version()).ok())
        .and_then(|s| s.dh_params().cloned());
    let Some(p) = params else {
        return Verdict::Undetermined("the DHE ServerKeyExchange could not be parsed".into());
    };
    let bits = p.prime_bits();
    // The one lookup the report's dh_group uses: an ffdhe group or a well-known prime is
    // shared by many servers, a custom prime only by this one.
    let group = crate::scan::data::dhprimes::DhGroup::of_prime(&p.p);
    let shared = match group {
        DhGroup::Custom { .. } => String::new(),
        DhGroup::Ffdhe(_) | DhGroup::WellKnown(_) => {
            format!(", a widely shared prime ({group})")
        }
    };
    if bits <= 1024 {
        Verdict::Vulnerable(format!(
            "DHE uses a {bits}-bit group{shared}: within reach of precomputation (weakdh.org)"
        ))
    } else {
        Verdict::NotVulnerable(format!("DHE uses a {bits}-bit group{shared}"))
    }
}
