//! Signature algorithms with TLS 1.2: offer only signed key exchanges (ECDHE, DHE) and eliminate
//! the scheme the ServerKeyExchange was signed with — once per kind of certificate the accepted
//! suites use (RSA, ECDSA, DSA), offering only that kind's suites, so a server with an RSA and an
//! ECDSA certificate shows the schemes of both (one elimination over every suite sees only the
//! certificate the server prefers until its schemes run out, and servers differ on what they do
//! then). (TLS 1.3 signatures are encrypted; they are probed with real handshakes in the
//! certificates check.)

use crate::scan::engine::eliminate::{describe_undetermined, eliminate, Answer};
use crate::scan::engine::hello::{self, HelloSpec};
use crate::scan::engine::probe::Response;
use crate::scan::report::SigCertType;
use crate::scan::Ctx;
use tlskit_wire::handshake::{KxHint, ServerKeyExchange};
use tlskit_wire::registry::{self, Auth, Kx};
use tlskit_wire::version::Version;

/// Whether a suite's key exchange is signed with the certificate (what this check can see).
fn signed(s: &registry::CipherSuite) -> bool {
    matches!(s.kx, Kx::Ecdhe | Kx::Dhe) && !matches!(s.auth, Auth::Null | Auth::Psk)
}

/// A scheme the server signed with in TLS 1.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tls12Scheme {
    /// The SignatureScheme code point.
    pub id: u16,
    /// With several kinds of certificate: the kind it was found with.
    pub cert_type: Option<SigCertType>,
}

/// The kind of certificate that signed with `scheme` when the hello offered only `auth` suites:
/// the suite's kind, told apart by the scheme where one kind of suite serves several (Ed25519
/// and Ed448 sign ECDSA suites, an RSA-PSS key signs RSA suites).
fn cert_type(auth: Auth, scheme: u16) -> Option<SigCertType> {
    use registry::SigAlg;
    match registry::signature_scheme(scheme).map(|s| s.sig) {
        Some(SigAlg::RsaPssPss) => return Some(SigCertType::RsaPss),
        Some(SigAlg::Ed25519) => return Some(SigCertType::Ed25519),
        Some(SigAlg::Ed448) => return Some(SigCertType::Ed448),
        _ => {}
    }
    match auth {
        Auth::Rsa => Some(SigCertType::Rsa),
        Auth::Ecdsa => Some(SigCertType::Ecdsa),
        Auth::Dss => Some(SigCertType::Dsa),
        _ => None,
    }
}

/// Schemes the server signed with in TLS 1.2, in its order of preference per kind of certificate
/// (the kinds in the order of `accepted`, the TLS 1.2 suites the server accepts); with several
/// kinds, each scheme says which.
pub async fn tls12(ctx: &Ctx, accepted: &[u16]) -> (Vec<Tls12Scheme>, Option<String>) {
    let mut auths: Vec<Auth> = Vec::new();
    for s in accepted.iter().filter_map(|id| registry::cipher_suite(*id)) {
        if signed(s) && !auths.contains(&s.auth) {
            auths.push(s.auth);
        }
    }
    let candidates = |auth: Option<Auth>| -> Vec<u16> {
        hello::candidate_suites(Version::Tls12)
            .into_iter()
            .filter(|id| {
                registry::cipher_suite(*id)
                    .is_some_and(|s| signed(s) && auth.is_none_or(|a| s.auth == a))
            })
            .collect()
    };
    // No signed suite accepted (or none known): one search over them all, as a last resort.
    if auths.len() <= 1 {
        let (schemes, err) = by_suites(ctx, candidates(None)).await;
        let schemes = schemes
            .into_iter()
            .map(|id| Tls12Scheme {
                id,
                cert_type: None,
            })
            .collect();
        return (schemes, err);
    }
    let runs = auths.iter().map(|a| by_suites(ctx, candidates(Some(*a))));
    let mut found: Vec<Tls12Scheme> = Vec::new();
    let mut errors = Vec::new();
    for (auth, (schemes, err)) in auths.iter().zip(futures_util::future::join_all(runs).await) {
        for id in schemes {
            if !found.iter().any(|f| f.id == id) {
                found.push(Tls12Scheme {
                    id,
                    cert_type: cert_type(*auth, id),
                });
            }
        }
        if let Some(e) = err.filter(|e| !errors.contains(e)) {
            errors.push(e);
        }
    }
    let err = (!errors.is_empty()).then(|| errors.join("; "));
    (found, err)
}

/// One elimination of the schemes, offering `suites`.
async fn by_suites(ctx: &Ctx, suites: Vec<u16>) -> (Vec<u16>, Option<String>) {
    // A server that signs with a scheme that was not offered ignores the extension: it is then
    // the only one found, with a note.
    let ignored = std::sync::Mutex::new(None::<u16>);
    // A reserved GREASE value (RFC 8701) as the scheme no server accepts.
    let e = eliminate(hello::all_signature_schemes(), 0x0a0a, |list: Vec<u16>| {
        let mut spec = HelloSpec::new(Version::Tls12, suites.clone(), ctx.sni.clone());
        spec.sigalgs = Some(list.clone());
        let ignored = &ignored;
        async move {
            match ctx.prober.probe(&spec.build()).await {
                Ok(Response::Hello(f)) => {
                    let s = registry::cipher_suite(f.server_hello.cipher_suite);
                    let hint = match s.map(|s| s.kx) {
                        Some(Kx::Dhe) => KxHint::Dhe,
                        _ => KxHint::Ecdhe,
                    };
                    let scheme = f
                        .server_key_exchange
                        .as_ref()
                        .and_then(|ske| ServerKeyExchange::parse(&ske.body, hint, f.version()).ok())
                        .and_then(|ske| ske.signature().and_then(|sig| sig.scheme));
                    match scheme {
                        Some(sc) if list.contains(&sc) => Answer::Chose(sc, ()),
                        Some(sc) => {
                            if let Ok(mut i) = ignored.lock() {
                                *i = Some(sc);
                            }
                            Answer::Stop(
                                "the server ignores the client's signature_algorithms".into(),
                            )
                        }
                        None => Answer::Refused,
                    }
                }
                // Offering only schemes the certificate cannot sign with ends in a refusal; some
                // servers (and proxies relaying them) close instead of sending the alert. A
                // GREASE-only offer cannot tell (servers fall back to a default scheme).
                Ok(Response::Closed { reset: false }) => Answer::Refused,
                Ok(r) => Answer::from_response(&r),
                Err(e) => Answer::Failed(e.to_string()),
            }
        }
    })
    .await;
    let mut found = e.items();
    if let Some(sc) = ignored.into_inner().ok().flatten() {
        if !found.contains(&sc) {
            found.push(sc);
        }
        return (
            found,
            Some("the server ignores the client's signature_algorithms".into()),
        );
    }
    let err = match &e.stopped {
        Some(why) => Some(format!("TLSv1.2 signature algorithms: {why}")),
        None => describe_undetermined(
            "TLSv1.2 signature algorithms",
            &e.undetermined,
            |s| registry::signature_scheme_name(*s),
            8,
        ),
    };
    (found, err)
}
