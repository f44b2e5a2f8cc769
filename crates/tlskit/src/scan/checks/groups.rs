//! Key-exchange groups. TLS 1.3: offer groups with an empty key_share; the HelloRetryRequest names
//! the group the server picked (no key exchange computed: cheap for the server). TLS ≤ 1.2: offer
//! only ECDHE suites (with the curves the certificates need); the ServerKeyExchange names the
//! curve; then only DHE suites with the RFC 7919 groups; the ServerKeyExchange's prime names the
//! group. All by elimination, which also yields the server's preference.

use crate::scan::engine::eliminate::{describe_undetermined, eliminate, Answer, Elimination};

/// A reserved GREASE group (RFC 8701): no server accepts it.
const GREASE: u16 = 0x0a0a;
use crate::scan::engine::hello::{self, HelloSpec};
use crate::scan::engine::probe::Response;
use crate::scan::report::{GroupResult, KeyExchange};
use crate::scan::Ctx;
use std::collections::BTreeMap;
use tlskit_wire::handshake::{KxHint, ServerKeyExchange};
use tlskit_wire::registry::{self, GroupKind, Kx};
use tlskit_wire::version::Version;

fn kind_name(k: GroupKind) -> &'static str {
    match k {
        GroupKind::Ec => "ec",
        GroupKind::Ecx => "ecx",
        GroupKind::Ffdhe => "ffdhe",
        GroupKind::Hybrid => "hybrid",
        GroupKind::Pqc => "pqc",
    }
}

/// Groups accepted with TLS 1.3, in the order the server preferred them, and an error entry
/// for what could not be determined.
pub async fn tls13(ctx: &Ctx) -> (Vec<u16>, Option<String>) {
    let suites = hello::candidate_suites(Version::Tls13);
    let e = eliminate(hello::all_tls13_groups(), GREASE, |list: Vec<u16>| {
        let mut spec = HelloSpec::new(Version::Tls13, suites.clone(), ctx.sni.clone());
        spec.groups = Some(list.clone());
        spec.key_shares = Vec::new();
        async move {
            match ctx.prober.probe(&spec.build()).await {
                Ok(Response::Hello(f)) => match f.server_hello.selected_group() {
                    Some(g) if list.contains(&g) => Answer::Chose(g, ()),
                    Some(g) => Answer::Stop(format!(
                        "the server chose group 0x{g:04x}, which was not offered"
                    )),
                    None => Answer::Stop("the server's TLSv1.3 answer names no group".into()),
                },
                Ok(r) => Answer::from_response(&r),
                Err(e) => Answer::Failed(e.to_string()),
            }
        }
    })
    .await;
    (e.items(), outcome_error("TLSv1.3 groups", &e))
}

/// The error entry of a group search: why it stopped, or what could not be tested.
fn outcome_error<X>(what: &str, e: &Elimination<u16, X>) -> Option<String> {
    match &e.stopped {
        Some(why) => Some(format!("{what}: {why}")),
        None => describe_undetermined(what, &e.undetermined, |g| registry::group_name(*g), 8),
    }
}

/// Curves accepted for ECDHE with TLS ≤ 1.2 (`version` is the newest such version offered).
///
/// `cert_curves` are the curves of the server's ECDSA certificates: with TLS ≤ 1.2 a server
/// uses an ECDSA certificate only when the client's supported_groups lists its curve (RFC 8422
/// section 5.1), so a probe offering x25519 alone fails on a server with only a P-384
/// certificate although it does ECDHE over x25519. Every probe therefore also offers those
/// curves, after the candidates: a server that picks one of them when it is not a candidate
/// (it prefers it, or accepts none of the candidates) has nothing more to say about them.
pub async fn tls12(ctx: &Ctx, version: Version, cert_curves: &[u16]) -> (Vec<u16>, Option<String>) {
    let suites: Vec<u16> = hello::candidate_suites(version)
        .into_iter()
        .filter(|id| registry::cipher_suite(*id).is_some_and(|s| s.kx == Kx::Ecdhe))
        .collect();
    if suites.is_empty() {
        return (Vec::new(), None);
    }
    let list: Vec<u16> = hello::all_tls12_groups()
        .into_iter()
        .filter(|g| {
            registry::named_group(*g)
                .is_some_and(|g| matches!(g.kind, GroupKind::Ec | GroupKind::Ecx))
        })
        .collect();
    let e = eliminate(list, GREASE, |list: Vec<u16>| {
        let mut spec = HelloSpec::new(version, suites.clone(), ctx.sni.clone());
        // What the certificate needs, unless this is the probe that learns how the server
        // refuses (it must offer nothing acceptable).
        let mut offer = list.clone();
        if list != [GREASE] {
            offer.extend(cert_curves.iter().filter(|c| !list.contains(c)));
        }
        spec.groups = Some(offer);
        async move {
            match ctx.prober.probe(&spec.build()).await {
                Ok(Response::Hello(f)) => {
                    let g = f
                        .server_key_exchange
                        .as_ref()
                        .and_then(|ske| {
                            ServerKeyExchange::parse(&ske.body, KxHint::Ecdhe, f.version()).ok()
                        })
                        .and_then(|ske| ske.named_group());
                    match g {
                        Some(g) if list.contains(&g) => Answer::Chose(g, ()),
                        // The certificate's curve, offered for the certificate's sake: none
                        // of the candidates comes before it.
                        Some(g) if cert_curves.contains(&g) => Answer::Refused,
                        Some(g) => Answer::Stop(format!(
                            "the server used curve 0x{g:04x}, which was not offered"
                        )),
                        // An ECDHE suite without a named curve: nothing more to learn.
                        None => Answer::Refused,
                    }
                }
                Ok(r) => Answer::from_response(&r),
                Err(e) => Answer::Failed(e.to_string()),
            }
        }
    })
    .await;
    (e.items(), outcome_error("TLSv1.2 ECDHE curves", &e))
}

/// RFC 7919 groups used for DHE with TLS ≤ 1.2: offer DHE suites with only the ffdhe groups in
/// supported_groups and name the group by the prime of the ServerKeyExchange (TLS ≤ 1.2 sends
/// the prime, not a group id). A server that negotiates as RFC 7919 says picks among the offered
/// groups, so elimination lists them; one that ignores the extension (OpenSSL picks its DH
/// parameters by the certificate's strength) uses the same prime whatever is offered: that group
/// is listed, and the search ends. A prime that is not RFC 7919's is not a group (the suites
/// report its size).
pub async fn ffdhe12(ctx: &Ctx, version: Version) -> (Vec<u16>, Option<String>) {
    let suites: Vec<u16> = hello::candidate_suites(version)
        .into_iter()
        .filter(|id| registry::cipher_suite(*id).is_some_and(|s| s.kx == Kx::Dhe))
        .collect();
    let list: Vec<u16> = registry::named_groups()
        .iter()
        .filter(|g| g.kind == GroupKind::Ffdhe)
        .map(|g| g.id)
        .collect();
    if suites.is_empty() || list.is_empty() {
        return (Vec::new(), None);
    }
    // The group a server uses whatever is offered (it ignores supported_groups for DHE).
    let fixed = std::sync::Mutex::new(None::<u16>);
    let e = eliminate(list, GREASE, |list: Vec<u16>| {
        let mut spec = HelloSpec::new(version, suites.clone(), ctx.sni.clone());
        spec.groups = Some(list.clone());
        let fixed = &fixed;
        async move {
            match ctx.prober.probe(&spec.build()).await {
                Ok(Response::Hello(f)) => {
                    let kx = f
                        .server_key_exchange
                        .as_ref()
                        .and_then(|ske| {
                            ServerKeyExchange::parse(&ske.body, KxHint::Dhe, f.version()).ok()
                        })
                        .and_then(|ske| ske.dh_params().cloned())
                        .map(|p| KeyExchange::from_dh_prime(&p.p));
                    match kx {
                        Some(KeyExchange::Group(g)) if list.contains(&g) => Answer::Chose(g, ()),
                        Some(KeyExchange::Group(g)) => {
                            if let Ok(mut x) = fixed.lock() {
                                *x = Some(g);
                            }
                            Answer::Stop("the server ignores supported_groups for DHE".into())
                        }
                        // Its own prime, not a group: nothing to list.
                        Some(_) => Answer::Stop("the server uses a prime of its own".into()),
                        None => {
                            Answer::Failed("the DHE ServerKeyExchange could not be parsed".into())
                        }
                    }
                }
                Ok(r) => Answer::from_response(&r),
                Err(e) => Answer::Failed(e.to_string()),
            }
        }
    })
    .await;
    let mut found = e.items();
    let fixed = fixed.into_inner().ok().flatten();
    // Not negotiated by group: what it uses is the whole answer, not an error.
    if fixed.is_some() || e.stopped.as_deref() == Some("the server uses a prime of its own") {
        if let Some(g) = fixed.filter(|g| !found.contains(g)) {
            found.push(g);
        }
        return (found, None);
    }
    (found, outcome_error("TLSv1.2 DHE groups", &e))
}

/// Merge per-version findings into report entries (TLS 1.3 preference order first).
pub fn merge(tls13: &[u16], tls12: &[u16], tls12_version: Option<Version>) -> Vec<GroupResult> {
    let mut order: Vec<u16> = Vec::new();
    let mut versions: BTreeMap<u16, Vec<Version>> = BTreeMap::new();
    for g in tls13 {
        order.push(*g);
        versions.entry(*g).or_default().push(Version::Tls13);
    }
    for g in tls12 {
        if !order.contains(g) {
            order.push(*g);
        }
        versions
            .entry(*g)
            .or_default()
            .push(tls12_version.unwrap_or(Version::Tls12));
    }
    order
        .into_iter()
        .map(|id| {
            let g = registry::named_group(id);
            GroupResult {
                id,
                name: registry::group_name(id),
                kind: g.map(|g| kind_name(g.kind)).unwrap_or("?").to_string(),
                bits: g.map(|g| g.bits).unwrap_or(0),
                versions: versions.remove(&id).unwrap_or_default(),
            }
        })
        .collect()
}
