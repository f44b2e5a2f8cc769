//! The scan's parts. Enumeration (versions, suites, groups, signature algorithms, certificates)
//! and the session features each have a module; every weakness check is one file implementing
//! [`Check`], listed once in [`registry::REGISTRY`].
//!
//! Phases are explicit ([`Phase`]): enumeration first, then the session features, then the
//! checks. A check declares the phase whose facts it reads; checks that need only the
//! enumeration run alongside the session-features phase, the others after it.
//!
//! Adding a check: one file here with a type implementing [`Check`], and one line in
//! [`registry::REGISTRY`] (its id is the report's [`CheckId`], the JSON `id` of the entry it
//! writes, which the grade rates with an exhaustive `match`).

pub(crate) mod certificates;
pub mod client_auth;
pub(crate) mod common;
pub mod dns;
pub mod ech;
pub(crate) mod features;
pub(crate) mod groups;
pub mod http;
pub mod registry;
pub(crate) mod revocation;
pub(crate) mod server_extensions;
pub(crate) mod sigalgs;
pub(crate) mod simulation;
pub(crate) mod sslv2;
pub(crate) mod suites;

pub(crate) mod anonymous;
pub(crate) mod beast;
pub(crate) mod breach;
pub(crate) mod ccs;
pub(crate) mod crime;
pub(crate) mod drown;
pub(crate) mod freak;
pub(crate) mod heartbleed;
pub(crate) mod logjam;
pub(crate) mod lucky13;
pub(crate) mod null;
pub(crate) mod poodle;
pub(crate) mod rc4;
pub(crate) mod robot;
pub(crate) mod static_rsa;
pub(crate) mod sweet32;
pub(crate) mod ticketbleed;

use crate::finding::Severity;
use crate::scan::report::{ScanReport, Verdict};
use crate::scan::Ctx;
use std::future::Future;
use std::pin::Pin;

/// A check's id: the weakness it judges, which is also the `id` of its entry in the report's
/// `vulnerabilities` ("heartbleed", "poodle" …).
pub use crate::scan::report::WeaknessId as CheckId;

/// The phases of a scan, in order. A check names the last one whose facts it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Phase {
    /// Versions, cipher suites, groups, signature algorithms and certificates.
    Enumeration,
    /// Renegotiation, compression, resumption, ALPN … (the report's `session_features`).
    SessionFeatures,
    /// The HTTP layer's GET (the report's `http`), which runs alongside the phases above: its
    /// checks run once it and they are done.
    Http,
}

/// What an earlier phase found that the report does not carry: probe outcomes a check can
/// reuse instead of asking the server again.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SessionFacts {
    /// How the server answered a hello offering DEFLATE; `None` when it was not asked (no
    /// TLS ≤ 1.2 version is offered).
    pub compression: Option<Probed<bool>>,
}

/// The outcome of one probe: what the server said, or why it could not be told.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Probed<T> {
    /// The server's answer.
    Found(T),
    /// The probe failed; the sentence says how.
    Failed(String),
}

/// Everything the phases before a check found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Facts {
    /// The report so far: the enumeration, and the session features when that phase ran.
    pub report: ScanReport,
    /// The session-features phase's extra facts (`None` when that phase did not run).
    pub session: Option<SessionFacts>,
}

impl Facts {
    /// Facts of the enumeration alone (and session facts, when that phase ran).
    pub fn new(report: ScanReport, session: Option<SessionFacts>) -> Facts {
        Facts { report, session }
    }
}

/// What [`Check::run`] returns.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Verdict> + Send + 'a>>;

/// One weakness check: who it is, what it needs, and how it decides.
pub trait Check: Send + Sync {
    /// Its id (the report's `vulnerabilities[].id`).
    fn id(&self) -> CheckId;
    /// Its name in the report, without the CVE identifiers: "Heartbleed".
    fn name(&self) -> &'static str;
    /// CVE identifiers, if it has them.
    fn cves(&self) -> &'static [&'static str] {
        &[]
    }
    /// Severity of the finding when the server is vulnerable.
    fn severity(&self) -> Severity;
    /// Whether its verdict rests on the list of accepted suites: its "not vulnerable" then
    /// holds only where every version's suites could be enumerated, and becomes "not
    /// determined" elsewhere.
    fn rests_on_suites(&self) -> bool {
        false
    }
    /// The last phase whose facts it reads.
    fn needs(&self) -> Phase {
        Phase::Enumeration
    }
    /// Decide, asking the server through `ctx` if need be. Checks that follow from the
    /// configuration alone ignore `ctx` and call a pure function of `facts.report`.
    fn run<'a>(&'a self, ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a>;
}

/// A verdict known without asking the server, as a [`CheckFuture`].
pub fn ready<'a>(v: Verdict) -> CheckFuture<'a> {
    Box::pin(std::future::ready(v))
}
