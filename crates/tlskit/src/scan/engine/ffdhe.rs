//! Finite-field Diffie-Hellman key shares (RFC 7919 groups ffdhe2048 … ffdhe8192) for the scan's
//! TLS 1.3 handshakes: as raw key shares for the scanner's own ClientHellos ([`share`]), and as
//! a rustls key-exchange group ([`provider`]) so the rustls handshakes of the scan (session
//! features, client authentication, ECH, server extensions, HTTP) finish on servers that offer
//! only FFDHE groups in TLS 1.3. aws-lc-rs has no FFDHE; the arithmetic is num-bigint's, and the
//! group parameters are the RFC 7919 Appendix A primes rustls carries.
//!
//! Only the scan uses these groups (appended after the provider's own, so ECDHE stays preferred);
//! `connect` and `serve` keep the default provider.

use num_bigint::BigUint;
use rustls::crypto::{ActiveKeyExchange, CryptoProvider, SharedSecret, SupportedKxGroup};
use rustls::ffdhe_groups::{self, FfdheGroup};
use rustls::{NamedGroup, ProtocolVersion};
use std::sync::{Arc, OnceLock};

/// The RFC 7919 parameters of `group` (a TLS NamedGroup code point), if it is one.
pub(crate) fn params(group: u16) -> Option<FfdheGroup<'static>> {
    Some(match group {
        0x0100 => ffdhe_groups::FFDHE2048,
        0x0101 => ffdhe_groups::FFDHE3072,
        0x0102 => ffdhe_groups::FFDHE4096,
        0x0103 => ffdhe_groups::FFDHE6144,
        0x0104 => ffdhe_groups::FFDHE8192,
        _ => return None,
    })
}

/// A fresh private exponent and its public value g^x mod p, left-padded to the length of p
/// (RFC 8446 section 4.2.8.1). The exponent has 512 random bits: more than twice the strength
/// of the largest group (RFC 7919 section 5.2).
fn keypair(group: &FfdheGroup<'static>) -> Option<(BigUint, Vec<u8>)> {
    let mut x = [0u8; 64];
    aws_lc_rs::rand::fill(&mut x).ok()?;
    let x = BigUint::from_bytes_be(&x);
    let p = BigUint::from_bytes_be(group.p);
    let g = BigUint::from_bytes_be(group.g);
    let y = g.modpow(&x, &p);
    Some((x, padded(&y, group.p.len())))
}

fn padded(n: &BigUint, len: usize) -> Vec<u8> {
    let b = n.to_bytes_be();
    let mut out = vec![0u8; len.saturating_sub(b.len())];
    out.extend_from_slice(&b);
    out
}

/// A key share's public value for `group`, if it is an FFDHE group.
pub(crate) fn share(group: u16) -> Option<Vec<u8>> {
    keypair(&params(group)?).map(|(_, y)| y)
}

/// One FFDHE group as rustls sees it.
#[derive(Debug)]
struct Group(NamedGroup);

impl SupportedKxGroup for Group {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        let params = params(u16::from(self.0))
            .ok_or_else(|| rustls::Error::General("not an FFDHE group".into()))?;
        let (x, y) = keypair(&params)
            .ok_or_else(|| rustls::Error::General("no randomness for an FFDHE key".into()))?;
        Ok(Box::new(Active {
            group: self.0,
            params,
            x,
            y,
        }))
    }

    fn name(&self) -> NamedGroup {
        self.0
    }

    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        // rustls has no DHE suites: FFDHE is a TLS 1.3 key share only.
        version == ProtocolVersion::TLSv1_3
    }
}

struct Active {
    group: NamedGroup,
    params: FfdheGroup<'static>,
    x: BigUint,
    y: Vec<u8>,
}

impl ActiveKeyExchange for Active {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, rustls::Error> {
        let p = BigUint::from_bytes_be(self.params.p);
        let peer = BigUint::from_bytes_be(peer);
        // RFC 7919 section 5.1: the peer's value must be in 2 … p-2.
        let one = BigUint::from(1u8);
        if peer <= one || peer >= &p - &one {
            return Err(rustls::Error::from(rustls::PeerMisbehaved::InvalidKeyShare));
        }
        let z = peer.modpow(&self.x, &p);
        Ok(SharedSecret::from(padded(&z, self.params.p.len())))
    }

    fn pub_key(&self) -> &[u8] {
        &self.y
    }

    fn group(&self) -> NamedGroup {
        self.group
    }
}

static GROUPS: [Group; 5] = [
    Group(NamedGroup::FFDHE2048),
    Group(NamedGroup::FFDHE3072),
    Group(NamedGroup::FFDHE4096),
    Group(NamedGroup::FFDHE6144),
    Group(NamedGroup::FFDHE8192),
];

/// The scan's rustls provider: aws-lc-rs' default, with the FFDHE groups after its own.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    static P: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    P.get_or_init(|| {
        let mut p = rustls::crypto::aws_lc_rs::default_provider();
        p.kx_groups
            .extend(GROUPS.iter().map(|g| g as &'static dyn SupportedKxGroup));
        Arc::new(p)
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_agree_and_bad_peer_values_are_refused() {
        let g = Group(NamedGroup::FFDHE2048);
        let a = g.start().unwrap();
        let b = g.start().unwrap();
        assert_eq!(a.pub_key().len(), 256);
        let (pa, pb) = (a.pub_key().to_vec(), b.pub_key().to_vec());
        let sa = a.complete(&pb).unwrap();
        let sb = b.complete(&pa).unwrap();
        assert_eq!(sa.secret_bytes(), sb.secret_bytes());
        assert_eq!(sa.secret_bytes().len(), 256);
        for bad in [vec![0u8], vec![1u8], ffdhe_groups::FFDHE2048.p.to_vec()] {
            assert!(g.start().unwrap().complete(&bad).is_err());
        }
        assert_eq!(share(0x0101).unwrap().len(), 384);
        assert!(share(0x001d).is_none());
        assert!(provider()
            .kx_groups
            .iter()
            .any(|k| k.name() == NamedGroup::FFDHE8192));
    }
}
