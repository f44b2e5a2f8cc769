//! Protocol versions and their cipher suites, found by elimination: offer every suite, note the
//! one the server picks, offer the rest again, until the server refuses. One connection per
//! accepted suite (plus one), not one per suite in the registry. Whether the server imposes its
//! own order is decided by offering the list forwards and backwards; with client order, the
//! remaining candidates are split into chunks eliminated in parallel.

use crate::scan::engine::eliminate::{
    describe_undetermined, eliminate_in_families as engine_eliminate, Answer,
};
use crate::scan::engine::hello::{self, HelloSpec};
use crate::scan::engine::probe::{Flight, Response};
use crate::scan::report::{KeyExchange, ProtocolResult, SuiteResult};
use crate::scan::Ctx;
use tlskit_wire::handshake::{KxHint, ServerKeyExchange};
use tlskit_wire::registry::{self, Kx};
use tlskit_wire::version::Version;

/// What one accepted suite looked like on the wire.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Accepted {
    pub suite: u16,
    pub flight: Flight,
}

/// The result of enumerating one version: the report entry and every flight seen (the
/// certificate check collects chains from them).
#[non_exhaustive]
pub struct VersionScan {
    pub result: ProtocolResult,
    pub accepted: Vec<Accepted>,
}

enum Step {
    Accepted(Box<Flight>),
    /// The server refused the whole offer with an alert.
    Refused,
    /// The server closed or reset the connection without answering: a refusal to some servers,
    /// a failure to others (why).
    Dropped {
        why: String,
        reset: bool,
    },
    /// It answered with another version.
    OtherVersion(u16),
    /// Something went wrong: not TLS, malformed, timeout, connection error.
    Error(String),
}

fn spec(ctx: &Ctx, version: Version, suites: Vec<u16>) -> HelloSpec {
    let mut s = HelloSpec::new(version, suites, ctx.sni.clone());
    if version == Version::Tls13 {
        s.key_shares = ctx.default_key_shares.clone();
    }
    s
}

async fn step(ctx: &Ctx, version: Version, suites: &[u16]) -> Step {
    let hello = spec(ctx, version, suites.to_vec()).build();
    match ctx.prober.probe(&hello).await {
        Ok(Response::Hello(f)) => {
            let v = f.version();
            if v != version.wire() {
                return Step::OtherVersion(v);
            }
            if !suites.contains(&f.server_hello.cipher_suite) {
                return Step::Error(format!(
                    "the server chose {} (0x{:04X}), which was not offered",
                    registry::suite_name(f.server_hello.cipher_suite),
                    f.server_hello.cipher_suite
                ));
            }
            Step::Accepted(f)
        }
        Ok(r @ Response::Closed { reset }) => Step::Dropped {
            why: r.describe(),
            reset,
        },
        Ok(r) if r.is_refusal() => Step::Refused,
        Ok(r) => Step::Error(r.describe()),
        Err(e) => Step::Error(e.to_string()),
    }
}

/// Eliminate within `list`, in order (see [`crate::scan::engine::eliminate`]: a failed probe
/// does not end the list). Returns the accepted suites in the order found and an error entry for
/// what could not be determined, if anything.
async fn eliminate(ctx: &Ctx, version: Version, list: Vec<u16>) -> (Vec<Accepted>, Option<String>) {
    // A reserved GREASE suite (RFC 8701) as the suite no server accepts.
    // Families: the key exchange (a server may fail every suite of one, e.g. DHE without
    // parameters).
    let family = |id: &u16| registry::cipher_suite(*id).map_or(u32::MAX, |s| s.kx as u32);
    let e = engine_eliminate(list, 0x0a0a, family, |offer: Vec<u16>| async move {
        match step(ctx, version, &offer).await {
            Step::Accepted(f) => Answer::Chose(f.server_hello.cipher_suite, f),
            Step::Refused | Step::OtherVersion(_) => Answer::Refused,
            Step::Dropped { why, reset: true } => Answer::Failed(why),
            Step::Dropped { why, reset: false } => Answer::Closed(why),
            Step::Error(why) if why.contains("which was not offered") => Answer::Stop(why),
            Step::Error(why) => Answer::Failed(why),
        }
    })
    .await;
    let what = format!("{version} cipher suites");
    let err = match &e.stopped {
        Some(why) => Some(format!("{what}: {why}")),
        None => describe_undetermined(&what, &e.undetermined, |id| registry::suite_name(*id), 8),
    };
    let found = e
        .found
        .into_iter()
        .map(|(suite, f)| Accepted { suite, flight: *f })
        .collect();
    (found, err)
}

/// The first probe, splitting the offer when a server chokes on a long hello (it closes or
/// sends decode_error instead of choosing). Returns the first accepted flight, or why not.
async fn first_probe(ctx: &Ctx, version: Version, list: &[u16]) -> Step {
    let s = step(ctx, version, list).await;
    match &s {
        Step::Refused | Step::Dropped { .. } | Step::Error(_) if list.len() > 64 => {
            // Try halves: a server that refuses a long list may accept a shorter one.
            let (a, b) = list.split_at(list.len() / 2);
            for half in [a, b] {
                if let st @ (Step::Accepted(_) | Step::OtherVersion(_)) =
                    step(ctx, version, half).await
                {
                    return st;
                }
            }
            s
        }
        _ => s,
    }
}

/// The result for a version whose first probe was not accepted, saying why where that is
/// worth a note.
fn not_offered(mut result: ProtocolResult, step: Step) -> VersionScan {
    match step {
        Step::Accepted(_) | Step::Refused => {}
        // Many servers close instead of sending an alert; a reset is worth a visible note.
        Step::Dropped { why, reset: true } => {
            result.note = Some(format!("{why} (taken as not offered)"));
        }
        Step::Dropped { reset: false, .. } => {}
        Step::OtherVersion(v) => {
            result.note = Some(format!(
                "the server answered with {}",
                Version::from_wire(v)
                    .map(|v| v.name().to_string())
                    .unwrap_or_else(|| format!("version 0x{v:04x}"))
            ));
        }
        Step::Error(e) => result.error = Some(e),
    }
    VersionScan {
        result,
        accepted: Vec::new(),
    }
}

/// Scan one TLS/SSLv3 version.
pub async fn scan_version(ctx: &Ctx, version: Version) -> VersionScan {
    let mut result = ProtocolResult {
        version,
        offered: false,
        cipher_suites: Vec::new(),
        server_order: None,
        note: None,
        error: None,
    };
    let candidates = hello::candidate_suites(version);
    let first = match first_probe(ctx, version, &candidates).await {
        Step::Accepted(f) => *f,
        other => return not_offered(result, other),
    };
    result.offered = true;
    let a = first.server_hello.cipher_suite;
    let mut accepted = vec![Accepted {
        suite: a,
        flight: first,
    }];

    // Does the server impose its order? Offer the list reversed.
    let mut rest: Vec<u16> = candidates.iter().copied().filter(|s| *s != a).collect();
    let reversed: Vec<u16> = candidates.iter().rev().copied().collect();
    let (server_order, b) = match step(ctx, version, &reversed).await {
        Step::Accepted(f) => {
            let b = f.server_hello.cipher_suite;
            if b == a {
                (None, None) // server order, or a single suite: decided below
            } else {
                rest.retain(|s| *s != b);
                (
                    Some(false),
                    Some(Accepted {
                        suite: b,
                        flight: *f,
                    }),
                )
            }
        }
        Step::Error(e) => {
            result.error = Some(e);
            (None, None)
        }
        _ => (None, None),
    };

    if server_order == Some(false) {
        // Client order: the rest can be searched in parallel chunks.
        accepted.extend(b);
        let chunks = ctx.parallel_chunks.clamp(1, 8);
        let size = rest.len().div_ceil(chunks).max(1);
        let jobs = rest
            .chunks(size)
            .map(|c| eliminate(ctx, version, c.to_vec()));
        for (found, err) in futures_util::future::join_all(jobs).await {
            accepted.extend(found);
            if let Some(e) = err {
                result.error.get_or_insert(e);
            }
        }
        // Report in the client's (our) order.
        let pos = |id: u16| {
            candidates
                .iter()
                .position(|c| *c == id)
                .unwrap_or(usize::MAX)
        };
        accepted.sort_by_key(|x| pos(x.suite));
        result.server_order = Some(false);
    } else {
        // Server order (or one suite): sequential elimination gives the order.
        let (found, err) = eliminate(ctx, version, rest).await;
        if let Some(e) = err {
            result.error.get_or_insert(e);
        }
        let more = !found.is_empty();
        accepted.extend(found);
        result.server_order = if more { Some(true) } else { None };
    }

    result.cipher_suites = accepted
        .iter()
        .map(|x| {
            let mut r = SuiteResult::from_id(x.suite, key_exchange_of(x.suite, &x.flight));
            r.dh_group = dh_group_of(x.suite, &x.flight);
            r
        })
        .collect();
    VersionScan { result, accepted }
}

/// The DH group of a DHE suite's ServerKeyExchange, named by the prime's value (None for the
/// other suites and TLS 1.3).
pub fn dh_group_of(suite: u16, f: &Flight) -> Option<crate::scan::data::dhprimes::DhGroup> {
    if f.server_hello.selected_version() >= 0x0304 {
        return None;
    }
    let s = registry::cipher_suite(suite)?;
    if !matches!(s.kx, Kx::Dhe | Kx::DheExport | Kx::DhePsk) {
        return None;
    }
    let ske = f.server_key_exchange.as_ref()?;
    let parsed = ServerKeyExchange::parse(&ske.body, KxHint::Dhe, f.version()).ok()?;
    parsed
        .dh_params()
        .map(|p| crate::scan::data::dhprimes::DhGroup::of_prime(&p.p))
}

/// The key exchange the server used with a suite, as seen in its flight.
pub fn key_exchange_of(suite: u16, f: &Flight) -> Option<KeyExchange> {
    if f.server_hello.selected_version() >= 0x0304 || f.server_hello.is_hello_retry_request() {
        return f.server_hello.selected_group().map(KeyExchange::Group);
    }
    let s = registry::cipher_suite(suite)?;
    let hint = match s.kx {
        Kx::Ecdhe | Kx::EcdhePsk => KxHint::Ecdhe,
        Kx::Dhe | Kx::DheExport | Kx::DhePsk => KxHint::Dhe,
        Kx::RsaExport => KxHint::RsaExport,
        Kx::Rsa | Kx::Dh | Kx::Ecdh => {
            // Key exchange with the certificate's key.
            let leaf = f.certificates.first()?;
            let bits = crate::pki::inspect::CertInfo::from_der(leaf).ok()?.key_bits;
            return Some(if s.kx == Kx::Rsa {
                KeyExchange::Rsa { bits }
            } else {
                KeyExchange::Static { bits }
            });
        }
        _ => KxHint::Unknown,
    };
    let ske = f.server_key_exchange.as_ref()?;
    match ServerKeyExchange::parse(&ske.body, hint, f.version()).ok()? {
        ServerKeyExchange::Ecdhe { params, .. } => params
            .named_group
            .map(KeyExchange::Group)
            .or(Some(KeyExchange::ExplicitCurve)),
        ServerKeyExchange::Dhe { params, .. } => Some(KeyExchange::from_dh_prime(&params.p)),
        ServerKeyExchange::RsaExport { params, .. } => Some(KeyExchange::RsaExport {
            bits: params.modulus_bits() as u32,
        }),
        other => other.named_group().map(KeyExchange::Group),
    }
}
