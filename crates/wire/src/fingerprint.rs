//! TLS fingerprints of hellos: JA4 (client) and JA4S (server), beside the JA3 string of
//! [`ClientHello::ja3_string`].
//!
//! JA4 is FoxIO's "TLS Client Fingerprinting" (BSD 3-Clause), specified in
//! `technical_details/JA4.md` of github.com/FoxIO-LLC/ja4: it sorts the cipher suites and
//! extensions before hashing, so Chrome's extension shuffling does not change it. JA4S (the
//! server's answer) is part of FoxIO's JA4+ family (FoxIO License 1.1: free for uses such as
//! research, education and internal security; not for resale), from the same repository.
//!
//! JA4 = `a_b_c`:
//! * a: `t` (TLS over TCP), the version (highest of supported_versions, else legacy_version:
//!   `13` `12` `11` `10` `s3` `s2`, `00` unknown), `d` with SNI / `i` without, the number of
//!   cipher suites and of extensions (two digits, at most 99), and the first and last character
//!   of the first ALPN value (`00` without ALPN; its hex form when either end is not an ASCII
//!   letter or digit);
//! * b: the first 12 hex digits of SHA-256 over the sorted suites (`002f,0035,…`);
//! * c: the same over the sorted extensions without SNI (0000) and ALPN (0010), then `_` and the
//!   signature algorithms in their order (no `_` when there are none).
//!
//! GREASE values (RFC 8701) are left out everywhere; an empty list hashes to `000000000000`.
//! `_r` is the unhashed form, `_o` / `_ro` keep the original order (and SNI and ALPN).

use crate::client_hello::ClientHello;
use crate::extensions::{self, is_grease, ExtensionType};
use crate::handshake::ServerHello;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The JA4 of a ClientHello in its four forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ja4 {
    /// `t13d1516h2_8daaf6152771_e5627efa2ab1`.
    pub ja4: String,
    /// Unhashed, sorted (`ja4_r`).
    pub raw: String,
    /// Hashed, original order with SNI and ALPN (`ja4_o`).
    pub original: String,
    /// Unhashed, original order (`ja4_ro`).
    pub raw_original: String,
}

/// The JA4S of a ServerHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ja4s {
    /// `t130200_1301_234ea6891581`.
    pub ja4s: String,
    /// Unhashed (`ja4s_r`).
    pub raw: String,
}

/// The two-character version code.
fn version_code(v: u16) -> &'static str {
    match v {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    }
}

/// First and last character of the first ALPN value (see the module documentation).
fn alpn_code(first: Option<&[u8]>) -> String {
    let Some(v) = first.filter(|v| !v.is_empty()) else {
        return "00".into();
    };
    let (a, z) = (v[0], v[v.len() - 1]);
    if a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric() {
        return format!("{}{}", a as char, z as char);
    }
    let hex = hex_bytes(v);
    let first = hex.chars().next().unwrap_or('0');
    let last = hex.chars().last().unwrap_or('0');
    format!("{first}{last}")
}

fn hex_bytes(v: &[u8]) -> String {
    let mut s = String::with_capacity(v.len() * 2);
    for b in v {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn hex_list(v: &[u16]) -> String {
    // By hand rather than with `write!`: a scan fingerprints every ClientHello it sends (some
    // hundred, each listing up to ~400 suites), and the formatting machinery was most of that.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(v.len() * 5);
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        for shift in [12, 8, 4, 0] {
            s.push(HEX[usize::from((x >> shift) & 0xf)] as char);
        }
    }
    s
}

/// The first 12 hex digits of SHA-256 over `s`; `000000000000` for an empty string.
pub fn hash12(s: &str) -> String {
    if s.is_empty() {
        return "000000000000".into();
    }
    let d = Sha256::digest(s.as_bytes());
    hex_bytes(&d[..6])
}

fn count(n: usize) -> String {
    format!("{:02}", n.min(99))
}

impl ClientHello {
    /// The JA4 fingerprint (TLS over TCP) in its four forms.
    pub fn ja4(&self) -> Ja4 {
        let version = match self.supported_versions() {
            Ok(Some(list)) => list.into_iter().filter(|v| !is_grease(*v)).max(),
            _ => None,
        }
        .unwrap_or(self.legacy_version);
        let ciphers: Vec<u16> = self
            .cipher_suites
            .iter()
            .copied()
            .filter(|c| !is_grease(*c))
            .collect();
        let exts: Vec<u16> = self
            .extensions
            .iter()
            .map(|e| e.typ)
            .filter(|t| !is_grease(*t))
            .collect();
        let sni = if exts.contains(&u16::from(ExtensionType::ServerName)) {
            'd'
        } else {
            'i'
        };
        let alpn = self.alpn().ok().flatten();
        let a = format!(
            "t{}{sni}{}{}{}",
            version_code(version),
            count(ciphers.len()),
            count(exts.len()),
            alpn_code(alpn.as_ref().and_then(|l| l.first()).map(Vec::as_slice))
        );
        let sigalgs: Vec<u16> = self
            .extension(ExtensionType::SignatureAlgorithms)
            .and_then(|e| extensions::parse_signature_algorithms(&e.data).ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !is_grease(*s))
            .collect();
        let with_sigalgs = |exts: &[u16]| {
            let mut s = hex_list(exts);
            if !sigalgs.is_empty() {
                s.push('_');
                s.push_str(&hex_list(&sigalgs));
            }
            s
        };
        let c_hash = |exts: &[u16]| {
            if exts.is_empty() {
                "000000000000".to_string()
            } else {
                hash12(&with_sigalgs(exts))
            }
        };

        let mut sorted_ciphers = ciphers.clone();
        sorted_ciphers.sort_unstable();
        let mut sorted_exts: Vec<u16> = exts
            .iter()
            .copied()
            .filter(|t| *t != 0x0000 && *t != 0x0010)
            .collect();
        sorted_exts.sort_unstable();

        let b_sorted = hex_list(&sorted_ciphers);
        let b_orig = hex_list(&ciphers);
        Ja4 {
            ja4: format!("{a}_{}_{}", hash12(&b_sorted), c_hash(&sorted_exts)),
            raw: format!("{a}_{b_sorted}_{}", with_sigalgs(&sorted_exts)),
            original: format!("{a}_{}_{}", hash12(&b_orig), c_hash(&exts)),
            raw_original: format!("{a}_{b_orig}_{}", with_sigalgs(&exts)),
        }
    }
}

impl ServerHello {
    /// The JA4S fingerprint (TLS over TCP): version, extension count, chosen ALPN, chosen suite,
    /// and a hash of the extensions in the order sent.
    pub fn ja4s(&self) -> Ja4s {
        let exts: Vec<u16> = self
            .extensions
            .iter()
            .map(|e| e.typ)
            .filter(|t| !is_grease(*t))
            .collect();
        let alpn = self.alpn().ok().flatten();
        let a = format!(
            "t{}{}{}_{:04x}",
            version_code(self.selected_version()),
            count(exts.len()),
            alpn_code(alpn.as_deref()),
            self.cipher_suite
        );
        let list = hex_list(&exts);
        Ja4s {
            ja4s: format!("{a}_{}", hash12(&list)),
            raw: format!("{a}_{list}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpn_codes_from_the_spec() {
        // The examples of JA4.md, "ALPN Extension Value".
        assert_eq!(alpn_code(Some(b"h2")), "h2");
        assert_eq!(alpn_code(Some(b"http/1.1")), "h1");
        assert_eq!(alpn_code(Some(b"h")), "hh");
        assert_eq!(alpn_code(None), "00");
        assert_eq!(alpn_code(Some(b"")), "00");
        assert_eq!(alpn_code(Some(&[0xab])), "ab");
        assert_eq!(alpn_code(Some(&[0x20])), "20");
        assert_eq!(alpn_code(Some(&[0xab, 0xcd])), "ad");
        assert_eq!(alpn_code(Some(&[0x20, 0x61])), "21");
        assert_eq!(alpn_code(Some(&[0x30, 0xab])), "3b");
        assert_eq!(alpn_code(Some(&[0x61, 0x20])), "60");
        assert_eq!(alpn_code(Some(&[0x30, 0x31, 0xab, 0xcd])), "3d");
        assert_eq!(alpn_code(Some(&[0x30, 0xab, 0xcd, 0x31])), "01");
    }

    #[test]
    fn hashes_from_the_spec() {
        // JA4.md, "Cipher hash" and "Extension hash".
        assert_eq!(
            hash12("002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9"),
            "8daaf6152771"
        );
        assert_eq!(
            hash12("0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"),
            "e5627efa2ab1"
        );
        assert_eq!(
            hash12("0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01"),
            "6d807ffa2a79"
        );
        assert_eq!(hash12(""), "000000000000");
    }
}
