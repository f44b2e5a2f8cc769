//! Valid TLS 1.3 key shares for probes, generated once per scan.

use aws_lc_rs::agreement;
use tlskit_wire::extensions::KeyShareEntry;

/// A public key share for `group`, if we can make one (x25519, secp256r1/384r1/521r1,
/// X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, ML-KEM, ffdhe2048 … ffdhe8192).
pub fn share(group: u16) -> Option<KeyShareEntry> {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let ecdh = |alg: &'static agreement::Algorithm| -> Option<Vec<u8>> {
        let k = agreement::EphemeralPrivateKey::generate(alg, &rng).ok()?;
        Some(k.compute_public_key().ok()?.as_ref().to_vec())
    };
    let mlkem =
        |alg: &'static aws_lc_rs::kem::Algorithm<aws_lc_rs::kem::AlgorithmId>| -> Option<Vec<u8>> {
            let dk = aws_lc_rs::kem::DecapsulationKey::generate(alg).ok()?;
            let ek = dk.encapsulation_key().ok()?;
            Some(ek.key_bytes().ok()?.as_ref().to_vec())
        };
    let key_exchange = match group {
        0x001d => ecdh(&agreement::X25519)?,
        0x0017 => ecdh(&agreement::ECDH_P256)?,
        0x0018 => ecdh(&agreement::ECDH_P384)?,
        0x0019 => ecdh(&agreement::ECDH_P521)?,
        0x11ec => {
            // X25519MLKEM768: ML-KEM-768 encapsulation key, then the X25519 share.
            let mut v = mlkem(&aws_lc_rs::kem::ML_KEM_768)?;
            v.extend(ecdh(&agreement::X25519)?);
            v
        }
        0x11eb => {
            // SecP256r1MLKEM768: the P-256 share first, then ML-KEM-768.
            let mut v = ecdh(&agreement::ECDH_P256)?;
            v.extend(mlkem(&aws_lc_rs::kem::ML_KEM_768)?);
            v
        }
        0x11ed => {
            let mut v = ecdh(&agreement::ECDH_P384)?;
            v.extend(mlkem(&aws_lc_rs::kem::ML_KEM_1024)?);
            v
        }
        0x0200 => mlkem(&aws_lc_rs::kem::ML_KEM_512)?,
        0x0201 => mlkem(&aws_lc_rs::kem::ML_KEM_768)?,
        0x0202 => mlkem(&aws_lc_rs::kem::ML_KEM_1024)?,
        0x0100..=0x0104 => super::ffdhe::share(group)?,
        _ => return None,
    };
    Some(KeyShareEntry {
        group,
        key_exchange,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn shares_have_the_right_sizes() {
        assert_eq!(super::share(0x001d).unwrap().key_exchange.len(), 32);
        assert_eq!(super::share(0x0017).unwrap().key_exchange.len(), 65);
        assert_eq!(super::share(0x0018).unwrap().key_exchange.len(), 97);
        assert_eq!(super::share(0x11ec).unwrap().key_exchange.len(), 1184 + 32);
        assert_eq!(super::share(0x0100).unwrap().key_exchange.len(), 256);
        assert!(super::share(0x0105).is_none());
    }
}
