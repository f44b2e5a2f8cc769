//! Key derivation for SSLv3 … TLS 1.2: the PRFs, the master secret, the key block and the
//! Finished verify_data (RFC 6101 §6.1–6.2 and §5.6.9, RFC 2246/4346 §5, RFC 5246 §5, RFC 7627).

use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384};
use tlskit_wire::version::Version;

/// `P_hash(secret, seed)` (RFC 5246 §5) for any HMAC hash, `len` bytes.
fn p_hash<M: Mac + hmac::digest::KeyInit + Clone>(
    secret: &[u8],
    seed: &[u8],
    len: usize,
) -> Vec<u8> {
    let key = <M as hmac::digest::KeyInit>::new_from_slice(secret).expect("HMAC takes any key");
    let mut a = {
        let mut m = key.clone();
        m.update(seed);
        m.finalize().into_bytes().to_vec()
    };
    let mut out = Vec::with_capacity(len + 64);
    while out.len() < len {
        let mut m = key.clone();
        m.update(&a);
        m.update(seed);
        out.extend_from_slice(&m.finalize().into_bytes());
        let mut m = key.clone();
        m.update(&a);
        a = m.finalize().into_bytes().to_vec();
    }
    out.truncate(len);
    out
}

/// The hash a TLS 1.2 PRF and its Finished/EMS transcript hash use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrfHash {
    Sha256,
    Sha384,
}

/// The key-derivation function of one protocol version (and, for TLS 1.2, one suite).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    Ssl3,
    /// TLS 1.0 and 1.1: P_MD5 ⊕ P_SHA1 over the two halves of the secret.
    Tls10,
    Tls12(PrfHash),
}

impl Kdf {
    pub fn new(version: Version, prf_sha384: bool) -> Kdf {
        match version {
            Version::Ssl3 => Kdf::Ssl3,
            Version::Tls10 | Version::Tls11 => Kdf::Tls10,
            _ if prf_sha384 => Kdf::Tls12(PrfHash::Sha384),
            _ => Kdf::Tls12(PrfHash::Sha256),
        }
    }

    /// The TLS PRF (not defined for SSLv3, which has its own constructions below).
    pub fn prf(self, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
        let mut ls = label.to_vec();
        ls.extend_from_slice(seed);
        match self {
            Kdf::Tls12(PrfHash::Sha256) => p_hash::<Hmac<Sha256>>(secret, &ls, len),
            Kdf::Tls12(PrfHash::Sha384) => p_hash::<Hmac<Sha384>>(secret, &ls, len),
            Kdf::Tls10 | Kdf::Ssl3 => {
                // The halves overlap by one byte when the secret's length is odd.
                let half = secret.len().div_ceil(2);
                let s1 = &secret[..half];
                let s2 = &secret[secret.len() - half..];
                let mut out = p_hash::<Hmac<Md5>>(s1, &ls, len);
                for (o, x) in out.iter_mut().zip(p_hash::<Hmac<Sha1>>(s2, &ls, len)) {
                    *o ^= x;
                }
                out
            }
        }
    }

    /// The handshake hash Finished and the extended master secret are computed over.
    pub fn transcript_hash(self, transcript: &[u8]) -> Vec<u8> {
        match self {
            Kdf::Tls12(PrfHash::Sha256) => Sha256::digest(transcript).to_vec(),
            Kdf::Tls12(PrfHash::Sha384) => Sha384::digest(transcript).to_vec(),
            Kdf::Tls10 | Kdf::Ssl3 => {
                let mut h = Md5::digest(transcript).to_vec();
                h.extend_from_slice(&Sha1::digest(transcript));
                h
            }
        }
    }

    /// The master secret: RFC 7627's extended one over `session_hash` when both sides agreed to
    /// it, the classic one over the randoms otherwise.
    pub fn master_secret(
        self,
        pms: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        ems_transcript: Option<&[u8]>,
    ) -> Vec<u8> {
        if self == Kdf::Ssl3 {
            let mut seed = client_random.to_vec();
            seed.extend_from_slice(server_random);
            return ssl3_expand(pms, &seed, 48);
        }
        match ems_transcript {
            Some(t) => self.prf(pms, b"extended master secret", &self.transcript_hash(t), 48),
            None => {
                let mut seed = client_random.to_vec();
                seed.extend_from_slice(server_random);
                self.prf(pms, b"master secret", &seed, 48)
            }
        }
    }

    /// The key block (`len` bytes).
    pub fn key_block(
        self,
        master: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        len: usize,
    ) -> Vec<u8> {
        let mut seed = server_random.to_vec();
        seed.extend_from_slice(client_random);
        match self {
            Kdf::Ssl3 => ssl3_expand(master, &seed, len),
            _ => self.prf(master, b"key expansion", &seed, len),
        }
    }

    /// Finished verify_data of the client (`client == true`) or the server over `transcript`.
    pub fn finished(self, master: &[u8], client: bool, transcript: &[u8]) -> Vec<u8> {
        if self == Kdf::Ssl3 {
            return ssl3_finished(master, client, transcript);
        }
        let label: &[u8] = if client {
            b"client finished"
        } else {
            b"server finished"
        };
        self.prf(master, label, &self.transcript_hash(transcript), 12)
    }
}

/// SSLv3's secret expansion: MD5(secret + SHA1("A" + secret + seed)) + MD5(secret + SHA1("BB" …)) …
fn ssl3_expand(secret: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 16);
    let mut i = 0u8;
    while out.len() < len {
        i += 1;
        let prefix = vec![b'A' + i - 1; i as usize];
        let mut s = Sha1::new();
        s.update(&prefix);
        s.update(secret);
        s.update(seed);
        let inner = s.finalize();
        let mut m = Md5::new();
        m.update(secret);
        m.update(inner);
        out.extend_from_slice(&m.finalize());
    }
    out.truncate(len);
    out
}

/// SSLv3 Finished: MD5 and SHA-1 of (messages + sender + master + pad1), wrapped with pad2.
fn ssl3_finished(master: &[u8], client: bool, transcript: &[u8]) -> Vec<u8> {
    let sender: &[u8] = if client { b"CLNT" } else { b"SRVR" };
    let mut out = Vec::with_capacity(36);
    let mut inner = Md5::new();
    inner.update(transcript);
    inner.update(sender);
    inner.update(master);
    inner.update([0x36u8; 48]);
    let mut outer = Md5::new();
    outer.update(master);
    outer.update([0x5cu8; 48]);
    outer.update(inner.finalize());
    out.extend_from_slice(&outer.finalize());
    let mut inner = Sha1::new();
    inner.update(transcript);
    inner.update(sender);
    inner.update(master);
    inner.update([0x36u8; 40]);
    let mut outer = Sha1::new();
    outer.update(master);
    outer.update([0x5cu8; 40]);
    outer.update(inner.finalize());
    out.extend_from_slice(&outer.finalize());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls12_prf_matches_the_published_sha256_vector() {
        // The widely used TLS 1.2 PRF test vector (P_SHA256), first 16 bytes.
        let secret = hex::decode("9bbe436ba940f017b17652849a71db35").unwrap();
        let seed = hex::decode("a0ba9f936cda311827a6f796ffd5198c").unwrap();
        let out = Kdf::Tls12(PrfHash::Sha256).prf(&secret, b"test label", &seed, 100);
        assert_eq!(hex::encode(&out[..16]), "e3f229ba727be17b8d122620557cd453");
    }

    #[test]
    fn tls10_prf_halves_overlap_on_odd_secrets() {
        // Structural check: the PRF is P_MD5(S1) xor P_SHA1(S2) with S1/S2 sharing the middle
        // byte of an odd-length secret.
        let secret = [7u8; 47];
        let out = Kdf::Tls10.prf(&secret, b"x", b"y", 80);
        let mut expect = p_hash::<Hmac<Md5>>(&secret[..24], b"xy", 80);
        for (o, x) in expect
            .iter_mut()
            .zip(p_hash::<Hmac<Sha1>>(&secret[23..], b"xy", 80))
        {
            *o ^= x;
        }
        assert_eq!(out, expect);
    }
}
