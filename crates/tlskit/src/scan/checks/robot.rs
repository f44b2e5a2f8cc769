//! ROBOT (Return Of Bleichenbacher's Oracle Threat, 2017): does the server answer differently to
//! RSA ClientKeyExchange messages whose PKCS#1 v1.5 padding is right and wrong in various ways?
//! A server that does can be used as a decryption/signing oracle for its RSA key.
//!
//! Five ciphertexts are sent, each on its own connection, after a normal first flight offering
//! only RSA key-exchange suites, each followed by ChangeCipherSpec and a Finished that cannot
//! decrypt (a correct server answers every one with the same alert):
//!
//! 1. a well-formed block: 00 02 ‖ non-zero padding ‖ 00 ‖ client version ‖ 46 random bytes;
//! 2. wrong first bytes (41 17 instead of 00 02);
//! 3. the 00 separator misplaced, leaving a premaster secret of the wrong length;
//! 4. no 00 separator at all;
//! 5. the right format with a wrong version in the premaster secret (02 02).
//!
//! The answers (first alert, and whether the connection then closes, resets or stays silent) are
//! compared; differences are re-tested once, and only a difference seen twice counts.
//!
//! The kind of oracle (the report's `oracle`) is decided as sslyze (`RobotScanResultEnum`) and
//! testssl.sh (`run_robot`) decide it: when the answers to blocks 2, 3 and 4 are alike the oracle
//! is weak (only a fully conforming block is told apart), otherwise strong. Like sslyze's scan,
//! the probe always sends CCS and Finished (the original ROBOT script's retry without them, which
//! sslyze dropped as too slow, is not done).

use super::common::{accepted, LEGACY};
use super::{Check, CheckFuture, CheckId, Facts};
use crate::finding::Severity;
use crate::scan::engine::conn::{read_flight, Conn, End, Msg};
use crate::scan::engine::hello::HelloSpec;
use crate::scan::engine::rsa::{nonzero_random, RsaPublicKey};
use crate::scan::report::{RobotOracle, Verdict};
use crate::scan::Ctx;
use std::time::Duration;
use tlskit_wire::handshake::{frame, HandshakeType};
use tlskit_wire::record::ContentType;
use tlskit_wire::registry::{self, Kx};
use tlskit_wire::version::Version;
use tokio::time::Instant;

/// The check.
pub struct Robot;

impl Check for Robot {
    fn id(&self) -> CheckId {
        CheckId::Robot
    }
    fn name(&self) -> &'static str {
        "ROBOT (Bleichenbacher oracle)"
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn rests_on_suites(&self) -> bool {
        true
    }
    fn run<'a>(&'a self, ctx: &'a Ctx, facts: &'a Facts) -> CheckFuture<'a> {
        Box::pin(async move {
            // The newest version with RSA key-exchange suites.
            let found = LEGACY.into_iter().find_map(|v| {
                let ids: Vec<u16> = accepted(&facts.report, v)
                    .into_iter()
                    .filter(|id| registry::cipher_suite(*id).is_some_and(|s| s.kx == Kx::Rsa))
                    .collect();
                (!ids.is_empty()).then_some((v, ids))
            });
            match found {
                Some((v, ids)) => probe(ctx, v, ids).await,
                None => Verdict::Oracle(
                    RobotOracle::RsaNotSupported,
                    Box::new(Verdict::NotVulnerable(
                        "no RSA key-exchange suite is accepted".into(),
                    )),
                ),
            }
        })
    }
}

const NAMES: [&str; 5] = [
    "well-formed",
    "wrong first bytes",
    "misplaced 00 separator",
    "no 00 separator",
    "wrong version",
];

/// The five padded blocks for a modulus of `k` bytes and client version `v`.
fn blocks(k: usize, v: u16) -> Vec<Vec<u8>> {
    let pms_rand = nonzero_random(46);
    let pad = nonzero_random(k - 3 - 48);
    let ver = v.to_be_bytes();
    let mut out = Vec::new();
    // 1. well-formed
    let mut b = vec![0, 2];
    b.extend(&pad);
    b.push(0);
    b.extend(ver);
    b.extend(&pms_rand);
    out.push(b);
    // 2. wrong first two bytes
    let mut b = vec![0x41, 0x17];
    b.extend(&pad);
    b.push(0);
    b.extend(ver);
    b.extend(&pms_rand);
    out.push(b);
    // 3. separator moved towards the end: the "premaster secret" is 2 bytes long
    let mut b = vec![0, 2];
    b.extend(&pad);
    b.push(0x11);
    b.extend(&pms_rand);
    b.extend([0x00, 0x11]);
    out.push(b);
    // 4. no separator at all
    let mut b = vec![0, 2];
    b.extend(&pad);
    b.push(0x11);
    b.extend(ver);
    b.extend(&pms_rand);
    out.push(b);
    // 5. wrong version
    let mut b = vec![0, 2];
    b.extend(&pad);
    b.push(0);
    b.extend([2, 2]);
    b.extend(&pms_rand);
    out.push(b);
    debug_assert!(out.iter().all(|b| b.len() == k));
    out
}

/// The server's reaction to one ciphertext, in words (compared for equality).
async fn reaction(
    ctx: &Ctx,
    spec: &HelloSpec,
    key: Option<&RsaPublicKey>,
    block: Option<usize>,
) -> Result<(String, Option<RsaPublicKey>), String> {
    let deadline = Instant::now() + ctx.prober.timeout();
    let mut conn = Conn::open(ctx).await?;
    let b = spec.builder();
    let client_version = b.hello().legacy_version;
    conn.send_raw(&b.build_record(), deadline)
        .await
        .map_err(|e| e.describe())?;
    let flight = read_flight(&mut conn, deadline).await?;
    let server_key = flight
        .certificates
        .first()
        .and_then(|c| RsaPublicKey::from_certificate(c));
    let Some(i) = block else {
        conn.close().await;
        return Ok((String::new(), server_key));
    };
    let key = key.ok_or("no RSA key")?;
    let version = flight
        .server_hello
        .as_ref()
        .map(|s| s.legacy_version)
        .unwrap_or(0x0303);
    let ct = key.raw(&blocks(key.size(), client_version)[i]);
    let mut body = Vec::new();
    if version > 0x0300 {
        body.extend_from_slice(&(ct.len() as u16).to_be_bytes());
    }
    body.extend(ct);
    let mut garbage = nonzero_random(64);
    garbage[0] = 0x14;
    conn.send(
        ContentType::Handshake,
        &frame(HandshakeType::ClientKeyExchange, &body),
        deadline,
    )
    .await
    .map_err(|e| e.describe())?;
    // CCS and Finished may be refused by a server that already alerted; that is part of the answer.
    let _ = conn
        .send(ContentType::ChangeCipherSpec, &[1], deadline)
        .await;
    let _ = conn.send(ContentType::Handshake, &garbage, deadline).await;
    let wait = deadline.min(Instant::now() + Duration::from_secs(3));
    let first = loop {
        match conn.next(wait).await {
            Ok(Msg::Alert(a)) => break format!("{} alert", a.description.name()),
            Ok(Msg::ChangeCipherSpec) => break "ChangeCipherSpec".to_string(),
            Ok(Msg::Handshake(h)) => break h.typ.name().to_string(),
            Ok(_) => {}
            Err(e) => {
                conn.close().await;
                return Ok((e.describe(), None));
            }
        }
    };
    let then = match conn
        .next(deadline.min(Instant::now() + Duration::from_secs(1)))
        .await
    {
        Ok(_) => "more",
        Err(End::Closed { reset: true }) => "reset",
        Err(End::Closed { reset: false }) => "closed",
        Err(End::Timeout) => "kept open",
        Err(End::Malformed(_)) => "garbage",
    };
    conn.close().await;
    Ok((format!("{first}, then {then}"), None))
}

async fn round(ctx: &Ctx, spec: &HelloSpec, key: &RsaPublicKey) -> Result<Vec<String>, String> {
    let jobs = (0..5).map(|i| reaction(ctx, spec, Some(key), Some(i)));
    let mut out = Vec::new();
    for r in futures_util::future::join_all(jobs).await {
        out.push(r?.0);
    }
    Ok(out)
}

/// Verdict and detail. `suites` are the RSA key-exchange suites the server accepted at `version`.
async fn probe(ctx: &Ctx, version: Version, suites: Vec<u16>) -> Verdict {
    let mut spec = HelloSpec::new(version, suites, ctx.sni.clone());
    spec.status_request = false;
    let key = match reaction(ctx, &spec, None, None).await {
        Ok((_, Some(k))) => k,
        Ok((_, None)) => {
            return Verdict::Undetermined(
                "the server sent no RSA certificate with an RSA key-exchange suite".into(),
            )
        }
        Err(e) => {
            return Verdict::Undetermined(format!(
                "no usable {} handshake with RSA key exchange: {e}",
                version.name()
            ))
        }
    };
    if key.size() < 64 {
        return Verdict::Undetermined(format!(
            "RSA key of {} bits is too small to probe",
            key.bits()
        ));
    }
    let first = match round(ctx, &spec, &key).await {
        Ok(r) => r,
        Err(e) => return Verdict::Undetermined(format!("a probe failed: {e}")),
    };
    if first.iter().all(|r| *r == first[0]) {
        return Verdict::Oracle(
            RobotOracle::None,
            Box::new(Verdict::NotVulnerable(format!(
                "all five malformed RSA key exchanges got the same answer ({})",
                first[0]
            ))),
        );
    }
    let second = match round(ctx, &spec, &key).await {
        Ok(r) => r,
        Err(e) => return Verdict::Undetermined(format!("a repeated probe failed: {e}")),
    };
    if second != first {
        return Verdict::Undetermined(format!(
            "answers differ but are not reproducible ({}) vs ({})",
            describe(&first),
            describe(&second)
        ));
    }
    let oracle = classify(&first);
    let kind = match oracle {
        RobotOracle::Strong => "a strong Bleichenbacher oracle (the malformed blocks are told apart from each other)",
        _ => "a weak Bleichenbacher oracle (only a fully conforming block is told apart: an attack needs far more queries)",
    };
    Verdict::Oracle(
        oracle,
        Box::new(Verdict::Vulnerable(format!(
            "the server answers RSA key exchanges differently depending on their PKCS#1 padding ({}): {kind} for its {}-bit RSA key",
            describe(&first),
            key.bits()
        ))),
    )
}

/// Strong or weak, from five answers that are not all alike (sslyze's and testssl.sh's rule):
/// weak when "wrong first bytes", "misplaced 00 separator" and "no 00 separator" got the same
/// answer.
fn classify(answers: &[String]) -> RobotOracle {
    if answers[1] == answers[2] && answers[2] == answers[3] {
        RobotOracle::Weak
    } else {
        RobotOracle::Strong
    }
}

fn describe(r: &[String]) -> String {
    NAMES
        .iter()
        .zip(r)
        .map(|(n, a)| format!("{n}: {a}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(list: [&str; 5]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn weak_when_the_three_malformed_blocks_look_alike() {
        // Only the conforming blocks (1 and 5) reach the Finished check.
        let a = answers(["mac", "padding", "padding", "padding", "mac"]);
        assert_eq!(classify(&a), RobotOracle::Weak);
        // Only the wrong-version block stands out: still weak.
        let a = answers(["x", "x", "x", "x", "y"]);
        assert_eq!(classify(&a), RobotOracle::Weak);
    }

    #[test]
    fn strong_when_the_malformed_blocks_differ() {
        // A server checking only the 00 02 prefix: blocks 3 and 4 pass like block 1.
        let a = answers(["mac", "padding", "mac", "mac", "mac"]);
        assert_eq!(classify(&a), RobotOracle::Strong);
        let a = answers(["a", "a", "b", "a", "a"]);
        assert_eq!(classify(&a), RobotOracle::Strong);
    }

    #[test]
    fn blocks_have_the_modulus_length_and_their_defects() {
        let b = blocks(256, 0x0303);
        assert_eq!(b.len(), 5);
        assert!(b.iter().all(|x| x.len() == 256));
        assert_eq!(&b[0][..2], &[0, 2]);
        assert_eq!(b[0][256 - 49], 0);
        assert_eq!(&b[1][..2], &[0x41, 0x17]);
        assert_eq!(b[3][2..].iter().filter(|x| **x == 0).count(), 0);
        assert_eq!(&b[4][256 - 48..256 - 46], &[2, 2]);
    }
}
