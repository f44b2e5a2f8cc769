//! The client's side of the key exchanges: ECDHE (aws-lc-rs), finite-field DHE over whatever
//! group the server sends (num-bigint: RFC 7919 and RFC 3526 groups, custom and odd-sized
//! primes alike) and RSA key transport (PKCS#1 v1.5 to the certificate's key).
//!
//! Nothing here is constant-time beyond what aws-lc-rs gives: the client only ever talks to
//! servers being audited, and its secrets protect nothing but a probe.

use num_bigint::BigUint;
use tlskit_wire::handshake::{DheParams, EcdheParams};

/// The premaster secret and the ClientKeyExchange body (with its length prefix).
pub struct KeyShare {
    pub premaster: Vec<u8>,
    pub client_key_exchange: Vec<u8>,
}

fn random(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    let _ = aws_lc_rs::rand::fill(&mut v);
    v
}

/// ECDHE against the server's named-curve parameters.
pub fn ecdhe(params: &EcdheParams) -> Result<KeyShare, String> {
    use aws_lc_rs::agreement;
    let alg = match params.named_group {
        Some(0x001d) => &agreement::X25519,
        Some(0x0017) => &agreement::ECDH_P256,
        Some(0x0018) => &agreement::ECDH_P384,
        Some(0x0019) => &agreement::ECDH_P521,
        Some(g) => {
            return Err(format!(
                "the server chose the group {}, which the scanner's TLS client cannot compute",
                tlskit_wire::registry::group_name(g)
            ))
        }
        None => return Err("the server sent explicit curve parameters (not supported)".into()),
    };
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let key = agreement::EphemeralPrivateKey::generate(alg, &rng)
        .map_err(|_| "ECDHE key generation failed".to_string())?;
    let public = key
        .compute_public_key()
        .map_err(|_| "ECDHE key generation failed".to_string())?
        .as_ref()
        .to_vec();
    let premaster = agreement::agree_ephemeral(
        key,
        agreement::UnparsedPublicKey::new(alg, &params.public),
        "the server's ECDHE public value is invalid".to_string(),
        |s| Ok(s.to_vec()),
    )?;
    let mut cke = vec![public.len() as u8];
    cke.extend(public);
    Ok(KeyShare {
        premaster,
        client_key_exchange: cke,
    })
}

/// Bytes of the DHE private exponent: 512 bits.
#[cfg(not(fuzzing))]
const PRIVATE_EXPONENT_BYTES: usize = 64;
/// Under the fuzzer (`cargo fuzz` builds with `--cfg fuzzing`) the exponent is 32 bits: the
/// exponentiation's length changes no code path after it, and with 512 bits the fuzzer spent
/// nine tenths of its time in `modpow` on the hostile primes it made up instead of exploring
/// the state machine. Never in a build that talks to a server.
#[cfg(fuzzing)]
const PRIVATE_EXPONENT_BYTES: usize = 4;

/// Most DH prime bits accepted (a bound on the work a hostile server can ask for).
pub const MAX_DH_BITS: usize = 16384;

/// DHE against the server's (p, g, Ys). The private exponent is 512 bits: ample for a probe
/// (RFC 7919 §5.2 asks for at least twice the group's security level) and fast on 8192-bit
/// primes.
pub fn dhe(params: &DheParams) -> Result<KeyShare, String> {
    let bits = params.prime_bits();
    if bits > MAX_DH_BITS {
        return Err(format!(
            "the server's DH prime has {bits} bits (more than {MAX_DH_BITS})"
        ));
    }
    let p = BigUint::from_bytes_be(&params.p);
    let g = BigUint::from_bytes_be(&params.g);
    let ys = BigUint::from_bytes_be(&params.ys);
    let one = BigUint::from(1u8);
    if bits < 16 || !p.bit(0) {
        return Err(format!("the server's DH prime is not usable ({bits} bits)"));
    }
    let p_minus_1 = &p - &one;
    if g <= one || g >= p_minus_1 || ys <= one || ys >= p_minus_1 {
        return Err("the server's DH generator or public value is out of range".into());
    }
    let x = BigUint::from_bytes_be(&random(PRIVATE_EXPONENT_BYTES));
    let yc = g.modpow(&x, &p);
    let z = ys.modpow(&x, &p);
    // RFC 5246 §8.1.2: the leading zero bytes of Z are stripped.
    let premaster = z.to_bytes_be();
    // Yc is sent at the prime's full length (RFC 7919 §5 asks for it; others accept either).
    let plen = params.prime().len();
    let mut yc_bytes = yc.to_bytes_be();
    while yc_bytes.len() < plen {
        yc_bytes.insert(0, 0);
    }
    let mut cke = (yc_bytes.len() as u16).to_be_bytes().to_vec();
    cke.extend(yc_bytes);
    Ok(KeyShare {
        premaster,
        client_key_exchange: cke,
    })
}

/// RSA key transport: a premaster secret of `client_version` and 46 random bytes, PKCS#1 v1.5
/// encrypted to the certificate's key. SSLv3 sends the ciphertext without a length prefix.
pub fn rsa(certificate: &[u8], client_version: u16, ssl3: bool) -> Result<KeyShare, String> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(certificate)
        .map_err(|_| "the server's certificate does not parse".to_string())?;
    let (n, e) = match cert.public_key().parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(k)) => (
            BigUint::from_bytes_be(k.modulus),
            BigUint::from_bytes_be(k.exponent),
        ),
        _ => return Err("the server's certificate has no RSA key for an RSA suite".into()),
    };
    // An even modulus is no RSA key (and a zero one would make modpow panic).
    if !n.bit(0) || n.bits() < 512 {
        return Err("the server's RSA key is not usable (even or under 512 bits)".into());
    }
    let k = n.bits().div_ceil(8) as usize;
    let mut premaster = client_version.to_be_bytes().to_vec();
    premaster.extend(random(46));
    if k < premaster.len() + 11 {
        return Err("the server's RSA key is too small".into());
    }
    // EB = 00 02 PS 00 M, PS non-zero random bytes.
    let mut eb = vec![0u8, 2];
    let mut ps = random(k - premaster.len() - 3);
    for b in &mut ps {
        while *b == 0 {
            *b = random(1)[0];
        }
    }
    eb.extend(ps);
    eb.push(0);
    eb.extend_from_slice(&premaster);
    let c = BigUint::from_bytes_be(&eb).modpow(&e, &n);
    let mut ct = c.to_bytes_be();
    while ct.len() < k {
        ct.insert(0, 0);
    }
    let cke = if ssl3 {
        ct
    } else {
        let mut v = (ct.len() as u16).to_be_bytes().to_vec();
        v.extend(ct);
        v
    };
    Ok(KeyShare {
        premaster,
        client_key_exchange: cke,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dhe_agrees_with_a_peer() {
        // A toy group (p = 2^127 - 1 is prime), the server side computed here too.
        let p = (BigUint::from(1u8) << 127u32) - BigUint::from(1u8);
        let g = BigUint::from(3u8);
        let xs = BigUint::from(123456789u64);
        let ys = g.modpow(&xs, &p);
        let params = DheParams {
            p: p.to_bytes_be(),
            g: g.to_bytes_be(),
            ys: ys.to_bytes_be(),
        };
        let share = dhe(&params).unwrap();
        let yc = BigUint::from_bytes_be(&share.client_key_exchange[2..]);
        assert_eq!(yc.modpow(&xs, &p).to_bytes_be(), share.premaster);
        // Out-of-range public values are refused.
        let bad = DheParams {
            ys: vec![1],
            ..params
        };
        assert!(dhe(&bad).is_err());
    }
}
