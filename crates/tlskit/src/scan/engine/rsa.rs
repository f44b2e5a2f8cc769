//! RSA public-key operations for probes: raw `m^e mod n` (ROBOT sends deliberately mis-padded
//! PKCS#1 blocks, which no RSA library will encrypt) and PKCS#1 v1.5 type-2 encryption of a TLS
//! premaster secret. Montgomery multiplication on 64-bit limbs; public values only, so nothing here
//! needs to be constant-time.

/// An RSA public key: big-endian modulus and exponent without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
}

fn strip(b: &[u8]) -> Vec<u8> {
    let i = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    b[i..].to_vec()
}

impl RsaPublicKey {
    pub fn new(n: &[u8], e: &[u8]) -> Option<Self> {
        let n = strip(n);
        let e = strip(e);
        // An even or tiny modulus is not an RSA key (and Montgomery needs it odd).
        if n.len() < 8 || n.last()? & 1 == 0 || e.is_empty() {
            return None;
        }
        Some(RsaPublicKey { n, e })
    }

    /// The RSA key of a DER certificate, if it has one.
    pub fn from_certificate(der: &[u8]) -> Option<Self> {
        use x509_parser::prelude::*;
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        match cert.public_key().parsed().ok()? {
            x509_parser::public_key::PublicKey::RSA(k) => Self::new(k.modulus, k.exponent),
            _ => None,
        }
    }

    /// Modulus length in bytes (the length of every ciphertext).
    pub fn size(&self) -> usize {
        self.n.len()
    }

    pub fn bits(&self) -> usize {
        tlskit_wire::handshake::bit_length(&self.n)
    }

    /// `m^e mod n` for a block of at most [`RsaPublicKey::size`] bytes, as `size()` bytes.
    pub fn raw(&self, m: &[u8]) -> Vec<u8> {
        let mont = Mont::new(&self.n);
        let s = mont.n.len();
        let base = mont.enter(&to_limbs(m, s));
        let mut acc = mont.one();
        for byte in &self.e {
            for bit in (0..8).rev() {
                acc = mont.mul(&acc, &acc);
                if (byte >> bit) & 1 == 1 {
                    acc = mont.mul(&acc, &base);
                }
            }
        }
        let out = mont.leave(&acc);
        from_limbs(&out, self.size())
    }

    /// PKCS#1 v1.5 encryption (block type 2, random non-zero padding).
    #[cfg(test)]
    pub fn pkcs1_encrypt(&self, msg: &[u8]) -> Option<Vec<u8>> {
        let k = self.size();
        if msg.len() + 11 > k {
            return None;
        }
        let mut block = vec![0u8, 2];
        block.extend(nonzero_random(k - 3 - msg.len()));
        block.push(0);
        block.extend_from_slice(msg);
        Some(self.raw(&block))
    }
}

/// `n` random bytes, none of them zero.
pub fn nonzero_random(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let mut buf = [0u8; 64];
        let _ = aws_lc_rs::rand::fill(&mut buf);
        out.extend(buf.iter().copied().filter(|b| *b != 0).take(n - out.len()));
    }
    out
}

/// Little-endian 64-bit limbs of a big-endian number, `len` limbs (truncating nothing that fits).
fn to_limbs(be: &[u8], len: usize) -> Vec<u64> {
    let mut v = vec![0u64; len.max(be.len().div_ceil(8))];
    for (i, b) in be.iter().rev().enumerate() {
        v[i / 8] |= (*b as u64) << (8 * (i % 8));
    }
    v
}

/// Big-endian bytes of little-endian limbs, left-padded or truncated to `len` bytes.
fn from_limbs(l: &[u64], len: usize) -> Vec<u8> {
    let mut be: Vec<u8> = l.iter().rev().flat_map(|x| x.to_be_bytes()).collect();
    if be.len() > len {
        be.drain(..be.len() - len);
    } else {
        let mut p = vec![0u8; len - be.len()];
        p.extend(be);
        be = p;
    }
    be
}

/// Montgomery arithmetic modulo an odd `n` with R = 2^(64·limbs).
struct Mont {
    n: Vec<u64>,
    /// -n⁻¹ mod 2^64.
    n0inv: u64,
    /// R² mod n.
    r2: Vec<u64>,
}

fn geq(a: &[u64], b: &[u64]) -> bool {
    for i in (0..a.len().max(b.len())).rev() {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        if x != y {
            return x > y;
        }
    }
    true
}

/// a -= b (a ≥ b), over a.len() limbs.
fn sub_in_place(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0u64;
    for (i, x) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let (d1, o1) = x.overflowing_sub(y);
        let (d2, o2) = d1.overflowing_sub(borrow);
        *x = d2;
        borrow = (o1 || o2) as u64;
    }
}

impl Mont {
    fn new(n_be: &[u8]) -> Mont {
        let n = to_limbs(n_be, n_be.len().div_ceil(8));
        let s = n.len();
        // Newton iteration for the inverse of n[0] modulo 2^64 (n[0] is odd).
        let mut inv: u64 = 1;
        for _ in 0..7 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(n[0].wrapping_mul(inv)));
        }
        // R² mod n by doubling 1 (2·64·s times), reducing as we go.
        let mut r = vec![0u64; s + 1];
        r[0] = 1;
        for _ in 0..(128 * s) {
            let mut carry = 0u64;
            for x in r.iter_mut() {
                let nc = *x >> 63;
                *x = (*x << 1) | carry;
                carry = nc;
            }
            if geq(&r, &n) {
                sub_in_place(&mut r, &n);
            }
        }
        r.truncate(s);
        Mont {
            n,
            n0inv: inv.wrapping_neg(),
            r2: r,
        }
    }

    /// a·b·R⁻¹ mod n (CIOS), for a, b < R with a·b < n·R.
    #[allow(clippy::needless_range_loop)] // the index arithmetic is the algorithm
    fn mul(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let s = self.n.len();
        let mut t = vec![0u64; s + 2];
        for i in 0..s {
            let bi = b.get(i).copied().unwrap_or(0) as u128;
            let mut c: u128 = 0;
            for j in 0..s {
                let x = t[j] as u128 + (a.get(j).copied().unwrap_or(0) as u128) * bi + c;
                t[j] = x as u64;
                c = x >> 64;
            }
            let x = t[s] as u128 + c;
            t[s] = x as u64;
            t[s + 1] = (x >> 64) as u64;
            let m = t[0].wrapping_mul(self.n0inv) as u128;
            let x = t[0] as u128 + m * self.n[0] as u128;
            let mut c = x >> 64;
            for j in 1..s {
                let x = t[j] as u128 + m * self.n[j] as u128 + c;
                t[j - 1] = x as u64;
                c = x >> 64;
            }
            let x = t[s] as u128 + c;
            t[s - 1] = x as u64;
            t[s] = t[s + 1] + (x >> 64) as u64;
            t[s + 1] = 0;
        }
        t.truncate(s + 1);
        if geq(&t, &self.n) {
            sub_in_place(&mut t, &self.n);
        }
        t.truncate(s);
        t
    }

    fn enter(&self, a: &[u64]) -> Vec<u64> {
        // a may be ≥ n (but < R): a·R² < n·R still holds for R² mod n < n.
        self.mul(a, &self.r2)
    }

    fn leave(&self, a: &[u64]) -> Vec<u64> {
        self.mul(a, &[1])
    }

    fn one(&self) -> Vec<u64> {
        self.enter(&[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example() {
        // n = 61·53 = 3233, e = 17: 65^17 mod 3233 = 2790. Padded to 8 bytes for the key check.
        let mut n = vec![0u8; 6];
        n.extend_from_slice(&3233u16.to_be_bytes());
        let k = RsaPublicKey {
            n: vec![0x0c, 0xa1],
            e: vec![17],
        };
        assert_eq!(k.raw(&[65]), 2790u16.to_be_bytes().to_vec());
        assert!(
            RsaPublicKey::new(&n, &[17]).is_none(),
            "too small for new()"
        );
    }

    #[test]
    fn agrees_with_aws_lc_decryption() {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::rsa::{KeySize, Pkcs1PrivateDecryptingKey, PrivateDecryptingKey};
        let private = PrivateDecryptingKey::generate(KeySize::Rsa2048).unwrap();
        let spki = private.public_key().as_der().unwrap();
        // SubjectPublicKeyInfo → modulus, exponent.
        let (_, info) = <x509_parser::x509::SubjectPublicKeyInfo as x509_parser::prelude::FromDer<_>>::from_der(spki.as_ref()).unwrap();
        let key = match info.parsed().unwrap() {
            x509_parser::public_key::PublicKey::RSA(k) => {
                RsaPublicKey::new(k.modulus, k.exponent).unwrap()
            }
            _ => panic!("not RSA"),
        };
        assert_eq!(key.bits(), 2048);
        let msg = b"\x03\x03 forty-eight bytes of premaster secret.........";
        let ct = key.pkcs1_encrypt(msg).unwrap();
        assert_eq!(ct.len(), 256);
        let dec = Pkcs1PrivateDecryptingKey::new(private).unwrap();
        let mut out = vec![0u8; 256];
        let pt = dec.decrypt(&ct, &mut out).unwrap();
        assert_eq!(pt, msg);
    }
}
