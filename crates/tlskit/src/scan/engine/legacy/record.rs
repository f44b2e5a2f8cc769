//! Record protection for SSLv3 … TLS 1.2, one direction at a time: NULL, RC4, CBC with
//! MAC-then-encrypt or encrypt-then-MAC (RFC 7366), implicit IVs (SSLv3, TLS 1.0) or explicit
//! ones (TLS 1.1+), and the AEADs (RFC 5288, 6655, 6209, 6367, 7905). AES-GCM, ChaCha20-Poly1305
//! and AES-CBC come from aws-lc-rs; the legacy ciphers and CCM from RustCrypto crates.
//!
//! Sans-IO: [`RecordCipher::seal`] and [`RecordCipher::open`] turn record payloads into record
//! payloads.

use super::suite::{AeadCipher, BlockCipher, Bulk, MacAlg, SuiteParams};
use aes_gcm::aead::generic_array::typenum::{U12, U16, U8};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher as lc;
use aws_lc_rs::iv::FixedLength;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384};
use tlskit_wire::version::Version;

/// Why a record did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord;

fn mac_header(seq: u64, typ: u8, version: Option<u16>, len: usize) -> Vec<u8> {
    let mut a = seq.to_be_bytes().to_vec();
    a.push(typ);
    if let Some(v) = version {
        a.extend_from_slice(&v.to_be_bytes());
    }
    a.extend_from_slice(&(len as u16).to_be_bytes());
    a
}

/// The record MAC: HMAC for TLS, the older keyed-hash construction for SSLv3 (RFC 6101 §5.2.3.1).
#[derive(Clone)]
struct RecordMac {
    alg: MacAlg,
    key: Vec<u8>,
    ssl3: bool,
}

fn hmac_of<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

fn ssl3_mac<D: Digest>(key: &[u8], pad_len: usize, parts: &[&[u8]]) -> Vec<u8> {
    let mut inner = D::new();
    inner.update(key);
    inner.update(vec![0x36u8; pad_len]);
    for p in parts {
        inner.update(p);
    }
    let mut outer = D::new();
    outer.update(key);
    outer.update(vec![0x5cu8; pad_len]);
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}

impl RecordMac {
    fn compute(&self, seq: u64, typ: u8, version: u16, data: &[u8]) -> Vec<u8> {
        if self.ssl3 {
            let h = mac_header(seq, typ, None, data.len());
            return match self.alg {
                MacAlg::Md5 => ssl3_mac::<Md5>(&self.key, 48, &[&h, data]),
                _ => ssl3_mac::<Sha1>(&self.key, 40, &[&h, data]),
            };
        }
        let h = mac_header(seq, typ, Some(version), data.len());
        let parts: [&[u8]; 2] = [&h, data];
        match self.alg {
            MacAlg::Md5 => hmac_of::<Hmac<Md5>>(&self.key, &parts),
            MacAlg::Sha1 => hmac_of::<Hmac<Sha1>>(&self.key, &parts),
            MacAlg::Sha256 => hmac_of::<Hmac<Sha256>>(&self.key, &parts),
            MacAlg::Sha384 => hmac_of::<Hmac<Sha384>>(&self.key, &parts),
        }
    }
}

/// A block cipher keyed for CBC.
#[derive(Clone)]
struct CbcKey {
    alg: BlockCipher,
    key: Vec<u8>,
}

macro_rules! rc_cbc {
    ($c:ty, $enc:expr, $key:expr, $iv:expr, $data:expr) => {{
        if $enc {
            let e = cbc::Encryptor::<$c>::new_from_slices($key, $iv).map_err(|_| BadRecord)?;
            e.encrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>($data, $data.len())
                .map_err(|_| BadRecord)?;
        } else {
            let d = cbc::Decryptor::<$c>::new_from_slices($key, $iv).map_err(|_| BadRecord)?;
            d.decrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>($data)
                .map_err(|_| BadRecord)?;
        }
        Ok(())
    }};
}

/// AES-CBC (aws-lc-rs) over whole blocks in place.
fn aes_cbc(
    alg: &'static lc::Algorithm,
    key: &[u8],
    encrypt: bool,
    iv: &[u8],
    data: &mut [u8],
) -> Result<(), BadRecord> {
    let iv: [u8; 16] = iv.try_into().map_err(|_| BadRecord)?;
    let key = lc::UnboundCipherKey::new(alg, key).map_err(|_| BadRecord)?;
    if encrypt {
        let k = lc::EncryptingKey::cbc(key).map_err(|_| BadRecord)?;
        k.less_safe_encrypt(data, lc::EncryptionContext::Iv128(FixedLength::from(iv)))
            .map_err(|_| BadRecord)?;
    } else {
        let k = lc::DecryptingKey::cbc(key).map_err(|_| BadRecord)?;
        k.decrypt(data, lc::DecryptionContext::Iv128(FixedLength::from(iv)))
            .map_err(|_| BadRecord)?;
    }
    Ok(())
}

impl CbcKey {
    /// CBC over whole blocks in place, from `iv`.
    fn apply(&self, encrypt: bool, iv: &[u8], data: &mut [u8]) -> Result<(), BadRecord> {
        match self.alg {
            BlockCipher::Aes128 => aes_cbc(&lc::AES_128, &self.key, encrypt, iv, data),
            BlockCipher::Aes256 => aes_cbc(&lc::AES_256, &self.key, encrypt, iv, data),
            BlockCipher::TripleDes => rc_cbc!(des::TdesEde3, encrypt, &self.key, iv, data),
            BlockCipher::Camellia128 => {
                rc_cbc!(camellia::Camellia128, encrypt, &self.key, iv, data)
            }
            BlockCipher::Camellia256 => {
                rc_cbc!(camellia::Camellia256, encrypt, &self.key, iv, data)
            }
            BlockCipher::Aria128 => rc_cbc!(aria::Aria128, encrypt, &self.key, iv, data),
            BlockCipher::Aria256 => rc_cbc!(aria::Aria256, encrypt, &self.key, iv, data),
            BlockCipher::Seed => rc_cbc!(kisaseed::SEED, encrypt, &self.key, iv, data),
        }
    }
}

enum AeadKey {
    Lc(LessSafeKey),
    AesCcm16(Box<ccm::Ccm<aes::Aes128, U16, U12>>),
    AesCcm16_256(Box<ccm::Ccm<aes::Aes256, U16, U12>>),
    AesCcm8(Box<ccm::Ccm<aes::Aes128, U8, U12>>),
    AesCcm8_256(Box<ccm::Ccm<aes::Aes256, U8, U12>>),
    CamelliaGcm128(Box<aes_gcm::AesGcm<camellia::Camellia128, U12>>),
    CamelliaGcm256(Box<aes_gcm::AesGcm<camellia::Camellia256, U12>>),
    AriaGcm128(Box<aes_gcm::AesGcm<aria::Aria128, U12>>),
    AriaGcm256(Box<aes_gcm::AesGcm<aria::Aria256, U12>>),
}

macro_rules! rc_aead {
    ($k:expr, $seal:expr, $nonce:expr, $aad:expr, $buf:expr) => {{
        let n = aes_gcm::aead::generic_array::GenericArray::from_slice($nonce);
        if $seal {
            $k.encrypt_in_place(n, $aad, $buf).map_err(|_| BadRecord)
        } else {
            $k.decrypt_in_place(n, $aad, $buf).map_err(|_| BadRecord)
        }
    }};
}

impl AeadKey {
    fn new(alg: AeadCipher, key: &[u8]) -> Option<AeadKey> {
        use aws_lc_rs::aead as a;
        let lc = |alg: &'static a::Algorithm| {
            Some(AeadKey::Lc(LessSafeKey::new(
                UnboundKey::new(alg, key).ok()?,
            )))
        };
        match alg {
            AeadCipher::AesGcm { key_len: 16 } => lc(&a::AES_128_GCM),
            AeadCipher::AesGcm { .. } => lc(&a::AES_256_GCM),
            AeadCipher::Chacha20Poly1305 => lc(&a::CHACHA20_POLY1305),
            AeadCipher::AesCcm {
                key_len: 16,
                tag_len: 16,
            } => Some(AeadKey::AesCcm16(Box::new(
                ccm::Ccm::new_from_slice(key).ok()?,
            ))),
            AeadCipher::AesCcm { tag_len: 16, .. } => Some(AeadKey::AesCcm16_256(Box::new(
                ccm::Ccm::new_from_slice(key).ok()?,
            ))),
            AeadCipher::AesCcm { key_len: 16, .. } => Some(AeadKey::AesCcm8(Box::new(
                ccm::Ccm::new_from_slice(key).ok()?,
            ))),
            AeadCipher::AesCcm { .. } => Some(AeadKey::AesCcm8_256(Box::new(
                ccm::Ccm::new_from_slice(key).ok()?,
            ))),
            AeadCipher::CamelliaGcm { key_len: 16 } => Some(AeadKey::CamelliaGcm128(Box::new(
                aes_gcm::AesGcm::new_from_slice(key).ok()?,
            ))),
            AeadCipher::CamelliaGcm { .. } => Some(AeadKey::CamelliaGcm256(Box::new(
                aes_gcm::AesGcm::new_from_slice(key).ok()?,
            ))),
            AeadCipher::AriaGcm { key_len: 16 } => Some(AeadKey::AriaGcm128(Box::new(
                aes_gcm::AesGcm::new_from_slice(key).ok()?,
            ))),
            AeadCipher::AriaGcm { .. } => Some(AeadKey::AriaGcm256(Box::new(
                aes_gcm::AesGcm::new_from_slice(key).ok()?,
            ))),
        }
    }

    /// Seal (tag appended) or open (tag stripped) `buf` in place.
    fn apply(
        &self,
        seal: bool,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut Vec<u8>,
    ) -> Result<(), BadRecord> {
        match self {
            AeadKey::Lc(k) => {
                let n = Nonce::assume_unique_for_key(*nonce);
                if seal {
                    k.seal_in_place_append_tag(n, Aad::from(aad), buf)
                        .map_err(|_| BadRecord)
                } else {
                    let len = k
                        .open_in_place(n, Aad::from(aad), buf)
                        .map_err(|_| BadRecord)?
                        .len();
                    buf.truncate(len);
                    Ok(())
                }
            }
            AeadKey::AesCcm16(k) => rc_aead!(k, seal, nonce, aad, buf),
            AeadKey::AesCcm16_256(k) => rc_aead!(k, seal, nonce, aad, buf),
            AeadKey::AesCcm8(k) => rc_aead!(k, seal, nonce, aad, buf),
            AeadKey::AesCcm8_256(k) => rc_aead!(k, seal, nonce, aad, buf),
            AeadKey::CamelliaGcm128(k) => rc_aead!(k, seal, nonce, aad, buf),
            AeadKey::CamelliaGcm256(k) => rc_aead!(k, seal, nonce, aad, buf),
            AeadKey::AriaGcm128(k) => rc_aead!(k, seal, nonce, aad, buf),
            AeadKey::AriaGcm256(k) => rc_aead!(k, seal, nonce, aad, buf),
        }
    }
}

enum Protect {
    Null,
    /// NULL encryption with a MAC.
    MacOnly(RecordMac),
    Rc4(Box<rc4::Rc4<rc4::consts::U16>>, RecordMac),
    Cbc {
        key: CbcKey,
        mac: RecordMac,
        /// SSLv3 / TLS 1.0: the running IV (the last ciphertext block); `None`: explicit IVs.
        chained_iv: Option<Vec<u8>>,
        encrypt_then_mac: bool,
    },
    Aead {
        key: AeadKey,
        alg: AeadCipher,
        iv: Vec<u8>,
    },
}

/// One direction's record protection and sequence number.
pub struct RecordCipher {
    protect: Protect,
    seq: u64,
    version: u16,
    ssl3: bool,
}

/// One direction's keys, cut from the key block.
pub struct DirectionKeys {
    pub mac_key: Vec<u8>,
    pub key: Vec<u8>,
    pub iv: Vec<u8>,
}

/// The length of the key block a suite needs at `version`, and how to cut it.
pub fn key_block_len(p: &SuiteParams, version: Version) -> usize {
    let (mac, key, iv) = lens(p, version);
    2 * (mac + key + iv)
}

fn lens(p: &SuiteParams, version: Version) -> (usize, usize, usize) {
    let mac = p.mac.map(MacAlg::output_len).unwrap_or(0);
    match p.bulk {
        Bulk::Null => (mac, 0, 0),
        Bulk::Rc4 => (mac, 16, 0),
        Bulk::Cbc(b) => {
            let implicit = matches!(version, Version::Ssl3 | Version::Tls10);
            (mac, b.key_len(), if implicit { b.block_len() } else { 0 })
        }
        Bulk::Aead(a) => (0, a.key_len(), a.fixed_iv_len()),
    }
}

/// Split a key block into (client write, server write) keys.
pub fn split_key_block(
    p: &SuiteParams,
    version: Version,
    kb: &[u8],
) -> (DirectionKeys, DirectionKeys) {
    let (m, k, i) = lens(p, version);
    let take = |off: usize, n: usize| kb[off..off + n].to_vec();
    let client = DirectionKeys {
        mac_key: take(0, m),
        key: take(2 * m, k),
        iv: take(2 * m + 2 * k, i),
    };
    let server = DirectionKeys {
        mac_key: take(m, m),
        key: take(2 * m + k, k),
        iv: take(2 * m + 2 * k + i, i),
    };
    (client, server)
}

impl RecordCipher {
    /// No protection (before the first ChangeCipherSpec).
    pub fn null(version: u16) -> RecordCipher {
        RecordCipher {
            protect: Protect::Null,
            seq: 0,
            version,
            ssl3: version == 0x0300,
        }
    }

    /// Protection for suite `p` at `version` with these keys.
    pub fn new(
        p: &SuiteParams,
        version: Version,
        keys: DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Option<RecordCipher> {
        let ssl3 = version == Version::Ssl3;
        let mac = p.mac.map(|alg| RecordMac {
            alg,
            key: keys.mac_key.clone(),
            ssl3,
        });
        let protect = match p.bulk {
            Bulk::Null => Protect::MacOnly(mac?),
            Bulk::Rc4 => Protect::Rc4(Box::new(rc4::Rc4::new_from_slice(&keys.key).ok()?), mac?),
            Bulk::Cbc(alg) => Protect::Cbc {
                key: CbcKey { alg, key: keys.key },
                mac: mac?,
                chained_iv: (!keys.iv.is_empty()).then_some(keys.iv),
                encrypt_then_mac,
            },
            Bulk::Aead(alg) => Protect::Aead {
                key: AeadKey::new(alg, &keys.key)?,
                alg,
                iv: keys.iv,
            },
        };
        Some(RecordCipher {
            protect,
            seq: 0,
            version: version.wire(),
            ssl3,
        })
    }

    pub fn is_null(&self) -> bool {
        matches!(self.protect, Protect::Null)
    }

    fn nonce(alg: AeadCipher, iv: &[u8], seq: u64, explicit: Option<&[u8]>) -> [u8; 12] {
        let mut n = [0u8; 12];
        if alg.explicit_nonce() {
            n[..4].copy_from_slice(&iv[..4]);
            match explicit {
                Some(e) => n[4..].copy_from_slice(e),
                None => n[4..].copy_from_slice(&seq.to_be_bytes()),
            }
        } else {
            n.copy_from_slice(&iv[..12]);
            for (i, b) in seq.to_be_bytes().iter().enumerate() {
                n[4 + i] ^= b;
            }
        }
        n
    }

    /// Protect one record's plaintext of content type `typ`.
    pub fn seal(&mut self, typ: u8, plain: &[u8]) -> Vec<u8> {
        let seq = self.seq;
        self.seq += 1;
        let version = self.version;
        match &mut self.protect {
            Protect::Null => plain.to_vec(),
            Protect::MacOnly(mac) => {
                let mut out = plain.to_vec();
                out.extend(mac.compute(seq, typ, version, plain));
                out
            }
            Protect::Rc4(rc4, mac) => {
                let mut out = plain.to_vec();
                out.extend(mac.compute(seq, typ, version, plain));
                rc4.apply_keystream(&mut out);
                out
            }
            Protect::Cbc {
                key,
                mac,
                chained_iv,
                encrypt_then_mac,
            } => {
                let bl = key.alg.block_len();
                let mut data = plain.to_vec();
                if !*encrypt_then_mac {
                    data.extend(mac.compute(seq, typ, version, plain));
                }
                let pad = bl - 1 - data.len() % bl;
                data.extend(std::iter::repeat_n(pad as u8, pad + 1));
                let iv = match chained_iv {
                    Some(iv) => iv.clone(),
                    None => {
                        let mut iv = vec![0u8; bl];
                        let _ = aws_lc_rs::rand::fill(&mut iv);
                        iv
                    }
                };
                // Cannot fail: the key was checked at construction and the data is whole blocks.
                let _ = key.apply(true, &iv, &mut data);
                let mut out = Vec::with_capacity(data.len() + 2 * bl + 48);
                match chained_iv {
                    Some(next) => *next = data[data.len() - bl..].to_vec(),
                    None => out.extend_from_slice(&iv),
                }
                out.extend_from_slice(&data);
                if *encrypt_then_mac {
                    let m = mac.compute(seq, typ, version, &out);
                    out.extend(m);
                }
                out
            }
            Protect::Aead { key, alg, iv } => {
                let nonce = Self::nonce(*alg, iv, seq, None);
                let aad = mac_header(seq, typ, Some(version), plain.len());
                let mut buf = plain.to_vec();
                let _ = key.apply(true, &nonce, &aad, &mut buf);
                if alg.explicit_nonce() {
                    let mut out = nonce[4..].to_vec();
                    out.extend(buf);
                    out
                } else {
                    buf
                }
            }
        }
    }

    /// Remove one record's protection: the plaintext, or [`BadRecord`] (bad MAC, padding or tag).
    pub fn open(&mut self, typ: u8, payload: &[u8]) -> Result<Vec<u8>, BadRecord> {
        let seq = self.seq;
        self.seq += 1;
        let version = self.version;
        let ssl3 = self.ssl3;
        let check_mac = |mac: &RecordMac, data: &[u8]| -> Result<Vec<u8>, BadRecord> {
            let n = mac.alg.output_len();
            if data.len() < n {
                return Err(BadRecord);
            }
            let (body, tag) = data.split_at(data.len() - n);
            if mac.compute(seq, typ, version, body) != tag {
                return Err(BadRecord);
            }
            Ok(body.to_vec())
        };
        match &mut self.protect {
            Protect::Null => Ok(payload.to_vec()),
            Protect::MacOnly(mac) => check_mac(mac, payload),
            Protect::Rc4(rc4, mac) => {
                let mut data = payload.to_vec();
                rc4.apply_keystream(&mut data);
                check_mac(mac, &data)
            }
            Protect::Cbc {
                key,
                mac,
                chained_iv,
                encrypt_then_mac,
            } => {
                let bl = key.alg.block_len();
                let mut payload = payload;
                if *encrypt_then_mac {
                    let n = mac.alg.output_len();
                    if payload.len() < n {
                        return Err(BadRecord);
                    }
                    let (body, tag) = payload.split_at(payload.len() - n);
                    if mac.compute(seq, typ, version, body) != tag {
                        return Err(BadRecord);
                    }
                    payload = body;
                }
                let (iv, ct) = match chained_iv {
                    Some(iv) => (iv.clone(), payload),
                    None if payload.len() >= bl => (payload[..bl].to_vec(), &payload[bl..]),
                    None => return Err(BadRecord),
                };
                if ct.is_empty() || ct.len() % bl != 0 {
                    return Err(BadRecord);
                }
                let mut data = ct.to_vec();
                key.apply(false, &iv, &mut data)?;
                if let Some(next) = chained_iv {
                    *next = ct[ct.len() - bl..].to_vec();
                }
                let pad = *data.last().ok_or(BadRecord)? as usize;
                if pad + 1 > data.len() || (ssl3 && pad >= bl) {
                    return Err(BadRecord);
                }
                let body_len = data.len() - pad - 1;
                if !ssl3 && data[body_len..].iter().any(|&b| b as usize != pad) {
                    return Err(BadRecord);
                }
                data.truncate(body_len);
                if *encrypt_then_mac {
                    Ok(data)
                } else {
                    check_mac(mac, &data)
                }
            }
            Protect::Aead { key, alg, iv } => {
                let (explicit, ct) = if alg.explicit_nonce() {
                    if payload.len() < 8 {
                        return Err(BadRecord);
                    }
                    (Some(&payload[..8]), &payload[8..])
                } else {
                    (None, payload)
                };
                if ct.len() < alg.tag_len() {
                    return Err(BadRecord);
                }
                let nonce = Self::nonce(*alg, iv, seq, explicit);
                let aad = mac_header(seq, typ, Some(version), ct.len() - alg.tag_len());
                let mut buf = ct.to_vec();
                key.apply(false, &nonce, &aad, &mut buf)?;
                Ok(buf)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cbc::cipher::BlockEncrypt;

    #[test]
    fn seed_matches_rfc4269_vector() {
        // RFC 4269 Appendix B, first vector: all-zero key, plaintext 00 01 … 0f.
        let c = kisaseed::SEED::new_from_slice(&[0u8; 16]).unwrap();
        let mut block = aes_gcm::aead::generic_array::GenericArray::clone_from_slice(
            &(0u8..16).collect::<Vec<_>>(),
        );
        c.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "5ebac6e0054e166819aff1cc6d346cdb");
    }

    fn roundtrip(id: u16, version: Version, etm: bool) {
        let p = SuiteParams::of(id).unwrap();
        let kb: Vec<u8> = (0..key_block_len(&p, version)).map(|i| i as u8).collect();
        let (c, _) = split_key_block(&p, version, &kb);
        let (c2, _) = split_key_block(&p, version, &kb);
        let mut w = RecordCipher::new(&p, version, c, etm).unwrap();
        let mut r = RecordCipher::new(&p, version, c2, etm).unwrap();
        for msg in [&b"hello"[..], &[0u8; 100][..], b""] {
            let sealed = w.seal(23, msg);
            let opened = r.open(23, &sealed);
            assert_eq!(
                opened.as_deref(),
                Ok(msg),
                "suite {id:04x} {version:?} etm {etm}"
            );
        }
        let mut bad = w.seal(23, b"x");
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(r.open(23, &bad).is_err());
    }

    #[test]
    fn every_family_round_trips() {
        for id in [
            0x0005, 0x0002, 0x000a, 0x002f, 0x0035, 0x0041, 0x0084, 0x0096, 0xc027, 0xc028, 0xc02f,
            0xc030, 0xcca8, 0xc09c, 0xc0a0, 0xc0a1, 0xc050, 0xc051, 0xc07c, 0xc03c,
        ] {
            for v in [
                Version::Ssl3,
                Version::Tls10,
                Version::Tls11,
                Version::Tls12,
            ] {
                let p = SuiteParams::of(id).unwrap();
                if p.min_version > v {
                    continue;
                }
                roundtrip(id, v, false);
                if p.is_cbc() {
                    roundtrip(id, v, true);
                }
            }
        }
    }
}
