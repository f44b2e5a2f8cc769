//! OpenSSL cipher strings (`ECDH+AES128:!aNULL:@STRENGTH`) evaluated over the [`registry`].
//!
//! [`select`] behaves like OpenSSL 3.0's `SSL_CTX_set_cipher_list()` — i.e. like
//! `openssl ciphers -V STRING` minus the TLS 1.3 lines — with the same algorithm: the suites start
//! in OpenSSL's default preference order (ECDHE before DHE before the rest, AEAD first, sorted by
//! strength…), and the string's items are applied left to right:
//!
//! * separators `:`, `,`, `;` and space;
//! * `NAME` adds, `-NAME` deletes (may be added again later), `!NAME` removes permanently,
//!   `+NAME` moves to the end of the list;
//! * `A+B+C` selects suites matching all of A, B and C;
//! * a `NAME` is a suite's OpenSSL name, one of OpenSSL's aliases (`HIGH`, `kRSA`, `aNULL`,
//!   `AESGCM`, `SHA256`, `TLSv1.2`, `COMPLEMENTOFDEFAULT`…), or — tlskit extensions — a suite's IANA
//!   name or an alias for the legacy suites OpenSSL 3.0 no longer has (see below);
//! * `DEFAULT` at the very start expands to `ALL:!COMPLEMENTOFDEFAULT:!eNULL` (anywhere else it is
//!   an unknown word, as in OpenSSL); `SUITEB128`, `SUITEB128ONLY`, `SUITEB128C2` and `SUITEB192` at
//!   the start replace the whole string with the Suite B suites;
//! * `@STRENGTH` sorts by symmetric strength (stable, strongest first); `@SECLEVEL=n` (0–5) sets
//!   the security level.
//!
//! Unknown words are ignored, as OpenSSL does ([`unknown_tokens`] lists them so a CLI can warn);
//! malformed items (`ALL:!`, `AES+`, `@FOO`, `@SECLEVEL=7`) are errors, and so is a string that
//! selects nothing.
//!
//! # Differences from OpenSSL, by design
//!
//! * The universe is the whole registry, not what one OpenSSL build compiled in: `RC4`, `3DES`,
//!   `IDEA`, `SEED`, `DES`, export, KRB5, static-DH/ECDH, CAMELLIA-GCM, ARIA-CBC… suites are
//!   selectable. Every rule acts on each suite independently and order-preservingly, so restricted
//!   to the suites a given OpenSSL build has, the result is exactly that build's list.
//! * Extra aliases for the legacy suites (they follow OpenSSL 1.0.2): `EXPORT`, `EXP`, `EXPORT40`,
//!   `EXPORT56`, `DES`, `kDH`, `kDHr`, `kDHd`, `aDH`, `kECDH`, `kECDHr`, `kECDHe`, `aECDH`, `kKRB5`,
//!   `aKRB5`, `KRB5`, `aGOST94`, plus `kECCPWD`/`ECCPWD`. OpenSSL 3.0's own aliases keep their 3.0
//!   meaning (`DH` is ephemeral DH only, `LOW` is single DES, `MEDIUM` is RC4/3DES/IDEA/SEED).
//! * IANA names are accepted as suite names (OpenSSL 3.0 ignores them); names are matched exactly
//!   first, then case-insensitively (aliases stay case-sensitive, as `aNULL`/`ANULL` differ).
//! * `@SECLEVEL` does not filter [`select`]'s result — neither does OpenSSL when it builds the list
//!   (`openssl ciphers -V 'ALL:@SECLEVEL=5'` lists everything); the level applies when suites are
//!   offered or accepted. [`select_with_security_level`] applies it (that is `openssl ciphers -s`,
//!   minus the PSK/SRP suites which `-s` drops only because no PSK/SRP callback is set).
//! * TLS 1.3 suites are never in [`select`]'s result (OpenSSL configures them separately); use
//!   [`select_tls13`] / [`default_tls13`].

use crate::registry::{self, Auth, CipherSuite, Enc, Kx, Mac};
use crate::version::Version;
use std::fmt;

/// OpenSSL 3.0's expansion of `DEFAULT`.
pub const DEFAULT_CIPHER_LIST: &str = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

/// OpenSSL 3.0's default TLS 1.3 suites, in order.
pub const DEFAULT_TLS13_CIPHERSUITES: &str =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

/// A cipher string that is malformed or selects nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherStringError {
    pub message: String,
}

impl CipherStringError {
    fn new(message: impl Into<String>) -> Self {
        CipherStringError {
            message: message.into(),
        }
    }
}

impl fmt::Display for CipherStringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CipherStringError {}

/// The full result of evaluating a cipher string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The selected TLS ≤ 1.2 suites, in preference order (may be empty).
    pub suites: Vec<&'static CipherSuite>,
    /// The last `@SECLEVEL=n` in the string, if any.
    pub security_level: Option<u8>,
    /// Words that matched no suite or alias and were ignored.
    pub unknown: Vec<String>,
}

/// Evaluate a cipher string like `SSL_CTX_set_cipher_list()`: the selected TLS ≤ 1.2 suites in
/// order. An error if the string is malformed or selects nothing.
pub fn select(s: &str) -> Result<Vec<&'static CipherSuite>, CipherStringError> {
    let sel = parse(s)?;
    if sel.suites.is_empty() {
        let mut msg = format!("the cipher string '{s}' selects no cipher suites");
        if !sel.unknown.is_empty() {
            msg.push_str(&format!(" (not understood: {})", sel.unknown.join(", ")));
        }
        return Err(CipherStringError::new(msg));
    }
    Ok(sel.suites)
}

/// Evaluate a cipher string, returning the suites (possibly none), the security level it sets and
/// the words that were not understood. An error only if the string is malformed.
pub fn parse(s: &str) -> Result<Selection, CipherStringError> {
    let mut engine = Engine::new();
    engine.run(s)?;
    Ok(Selection {
        suites: engine.selected(),
        security_level: engine.sec_level,
        unknown: engine.unknown,
    })
}

/// The words of a cipher string that match no suite name or alias (OpenSSL ignores them silently).
/// A malformed string yields the words seen before the error.
pub fn unknown_tokens(s: &str) -> Vec<String> {
    let mut engine = Engine::new();
    let _ = engine.run(s);
    engine.unknown
}

/// The security level a cipher string sets with `@SECLEVEL=n`, if any.
pub fn security_level(s: &str) -> Result<Option<u8>, CipherStringError> {
    parse(s).map(|sel| sel.security_level)
}

/// [`select`], then keep only the suites OpenSSL's default security callback permits at the
/// string's `@SECLEVEL` (or `default_level` if the string sets none; upstream OpenSSL's default is
/// 1, Debian and Ubuntu build with 2). This is what OpenSSL actually offers / accepts.
pub fn select_with_security_level(
    s: &str,
    default_level: u8,
) -> Result<Vec<&'static CipherSuite>, CipherStringError> {
    let sel = parse(s)?;
    let level = sel.security_level.unwrap_or(default_level);
    let out: Vec<_> = sel
        .suites
        .into_iter()
        .filter(|c| security_level_permits(c, level))
        .collect();
    if out.is_empty() {
        return Err(CipherStringError::new(format!(
            "the cipher string '{s}' selects no cipher suites allowed at security level {level}"
        )));
    }
    Ok(out)
}

/// Whether OpenSSL 3.0's default security callback allows a suite at a security level:
/// level 0 allows everything; level n ≥ 1 requires at least 80/112/128/192/256 bits of symmetric
/// strength (3DES counts 112) and rejects anonymous suites and MD5 MACs; level ≥ 2 also rejects
/// RC4; level ≥ 3 requires forward secrecy (TLS 1.3, DHE, ECDHE, DHE-PSK, ECDHE-PSK); level ≥ 4
/// (192 bits) rejects SHA-1 MACs.
pub fn security_level_permits(suite: &CipherSuite, level: u8) -> bool {
    if level == 0 {
        return true;
    }
    const MINBITS: [u16; 5] = [80, 112, 128, 192, 256];
    let minbits = MINBITS[usize::from(level.min(5)) - 1];
    if suite.strength_bits() < minbits {
        return false;
    }
    if suite.anonymous() || suite.mac == Mac::Md5 {
        return false;
    }
    if minbits > 160 && suite.mac == Mac::Sha1 {
        return false;
    }
    if level >= 2 && suite.is_rc4() {
        return false;
    }
    if level >= 3
        && !suite.tls13
        && !matches!(
            suite.kx,
            Kx::Dhe | Kx::DheExport | Kx::Ecdhe | Kx::DhePsk | Kx::EcdhePsk
        )
    {
        return false;
    }
    true
}

/// Evaluate a TLS 1.3 suite list like `SSL_CTX_set_ciphersuites()`: colon-separated IANA names
/// (`TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256`), in the given order. Unknown names and
/// names of non-TLS 1.3 suites are ignored; duplicates are dropped. An empty string selects
/// nothing (allowed, as in OpenSSL); a non-empty string that selects nothing is an error.
pub fn select_tls13(s: &str) -> Result<Vec<&'static CipherSuite>, CipherStringError> {
    let mut out: Vec<&'static CipherSuite> = Vec::new();
    let mut unknown = Vec::new();
    let mut any = false;
    for name in s.split([':', ',']).map(str::trim).filter(|n| !n.is_empty()) {
        any = true;
        match registry::cipher_suite_by_name(name).filter(|c| c.tls13) {
            Some(c) => {
                if !out.iter().any(|o| o.id == c.id) {
                    out.push(c);
                }
            }
            None => unknown.push(name.to_string()),
        }
    }
    if any && out.is_empty() {
        let mut msg =
            format!("the TLS 1.3 cipher suite list '{s}' selects no TLS 1.3 cipher suites");
        if !unknown.is_empty() {
            msg.push_str(&format!(
                " (not TLS 1.3 suite names: {})",
                unknown.join(", ")
            ));
        }
        return Err(CipherStringError::new(msg));
    }
    Ok(out)
}

/// OpenSSL 3.0's default TLS 1.3 suites: TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256,
/// TLS_AES_128_GCM_SHA256.
pub fn default_tls13() -> Vec<&'static CipherSuite> {
    select_tls13(DEFAULT_TLS13_CIPHERSUITES).expect("default TLS 1.3 suites are in the registry")
}

// ---------------------------------------------------------------------------------------------
// OpenSSL's algorithm bits
// ---------------------------------------------------------------------------------------------

// Key exchange (OpenSSL's SSL_k*; the last ones are 1.0.2's or ours).
const K_RSA: u32 = 1 << 0;
const K_DHE: u32 = 1 << 1;
const K_ECDHE: u32 = 1 << 2;
const K_PSK: u32 = 1 << 3;
const K_RSAPSK: u32 = 1 << 4;
const K_ECDHEPSK: u32 = 1 << 5;
const K_DHEPSK: u32 = 1 << 6;
const K_SRP: u32 = 1 << 7;
const K_GOST: u32 = 1 << 8;
const K_GOST18: u32 = 1 << 9;
const K_ANY: u32 = 1 << 10;
const K_DHR: u32 = 1 << 11;
const K_DHD: u32 = 1 << 12;
const K_ECDHR: u32 = 1 << 13;
const K_ECDHE_FIXED: u32 = 1 << 14;
const K_KRB5: u32 = 1 << 15;
const K_ECCPWD: u32 = 1 << 16;
const K_NULL: u32 = 1 << 17;
const K_PSK_ALL: u32 = K_PSK | K_RSAPSK | K_ECDHEPSK | K_DHEPSK;

// Authentication.
const A_RSA: u32 = 1 << 0;
const A_DSS: u32 = 1 << 1;
const A_NULL: u32 = 1 << 2;
const A_ECDSA: u32 = 1 << 3;
const A_PSK: u32 = 1 << 4;
const A_GOST01: u32 = 1 << 5;
const A_GOST12: u32 = 1 << 6;
const A_SRP: u32 = 1 << 7;
const A_ANY: u32 = 1 << 8;
const A_DH: u32 = 1 << 9;
const A_ECDH: u32 = 1 << 10;
const A_KRB5: u32 = 1 << 11;
const A_GOST94: u32 = 1 << 12;
const A_ECCPWD: u32 = 1 << 13;

// Encryption.
const E_DES: u64 = 1 << 0;
const E_3DES: u64 = 1 << 1;
const E_RC4: u64 = 1 << 2;
const E_RC2: u64 = 1 << 3;
const E_IDEA: u64 = 1 << 4;
const E_NULL: u64 = 1 << 5;
const E_AES128: u64 = 1 << 6;
const E_AES256: u64 = 1 << 7;
const E_CAMELLIA128: u64 = 1 << 8;
const E_CAMELLIA256: u64 = 1 << 9;
const E_GOST89: u64 = 1 << 10;
const E_SEED: u64 = 1 << 11;
const E_AES128GCM: u64 = 1 << 12;
const E_AES256GCM: u64 = 1 << 13;
const E_AES128CCM: u64 = 1 << 14;
const E_AES256CCM: u64 = 1 << 15;
const E_AES128CCM8: u64 = 1 << 16;
const E_AES256CCM8: u64 = 1 << 17;
const E_GOST89_12: u64 = 1 << 18;
const E_CHACHA: u64 = 1 << 19;
const E_ARIA128GCM: u64 = 1 << 20;
const E_ARIA256GCM: u64 = 1 << 21;
const E_MAGMA: u64 = 1 << 22;
const E_KUZNYECHIK: u64 = 1 << 23;
const E_ARIA128CBC: u64 = 1 << 24;
const E_ARIA256CBC: u64 = 1 << 25;
const E_CAMELLIA128GCM: u64 = 1 << 26;
const E_CAMELLIA256GCM: u64 = 1 << 27;
const E_OTHER: u64 = 1 << 28;
const E_AESGCM: u64 = E_AES128GCM | E_AES256GCM;
const E_AESCCM: u64 = E_AES128CCM | E_AES256CCM | E_AES128CCM8 | E_AES256CCM8;
const E_AES: u64 = E_AES128 | E_AES256 | E_AESGCM | E_AESCCM;
const E_CAMELLIA: u64 = E_CAMELLIA128 | E_CAMELLIA256 | E_CAMELLIA128GCM | E_CAMELLIA256GCM;
const E_ARIAGCM: u64 = E_ARIA128GCM | E_ARIA256GCM;
const E_ARIA: u64 = E_ARIAGCM | E_ARIA128CBC | E_ARIA256CBC;
const E_CBC: u64 = E_DES
    | E_3DES
    | E_RC2
    | E_IDEA
    | E_AES128
    | E_AES256
    | E_CAMELLIA128
    | E_CAMELLIA256
    | E_SEED
    | E_ARIA128CBC
    | E_ARIA256CBC;
const E_ALL_BUT_NULL: u64 = !E_NULL;

// MAC.
const M_MD5: u32 = 1 << 0;
const M_SHA1: u32 = 1 << 1;
const M_GOST94: u32 = 1 << 2;
const M_GOST89MAC: u32 = 1 << 3;
const M_SHA256: u32 = 1 << 4;
const M_SHA384: u32 = 1 << 5;
const M_AEAD: u32 = 1 << 6;
const M_GOST12_256: u32 = 1 << 7;
const M_GOST89MAC12: u32 = 1 << 8;
const M_MAGMAOMAC: u32 = 1 << 9;
const M_KUZNYECHIKOMAC: u32 = 1 << 10;
const M_NULL: u32 = 1 << 11;

// Strength classes (OpenSSL's algo_strength).
const S_NONE: u32 = 1 << 0;
const S_LOW: u32 = 1 << 1;
const S_MEDIUM: u32 = 1 << 2;
const S_HIGH: u32 = 1 << 3;
const S_FIPS: u32 = 1 << 4;
const S_NOT_DEFAULT: u32 = 1 << 5;
const STRONG_MASK: u32 = 0x1f;
const DEFAULT_MASK: u32 = 0x20;

// Export classes (OpenSSL 1.0.2's SSL_EXP40 / SSL_EXP56).
const X_40: u32 = 1 << 0;
const X_56: u32 = 1 << 1;

/// A suite's OpenSSL algorithm bits.
#[derive(Debug, Clone, Copy)]
struct Bits {
    mkey: u32,
    auth: u32,
    enc: u64,
    mac: u32,
    min_tls: Version,
    strength: u32,
    exp: u32,
}

fn bits_of(c: &CipherSuite) -> Bits {
    let mkey = match c.kx {
        Kx::Null => K_NULL,
        Kx::Rsa | Kx::RsaExport => K_RSA,
        Kx::Dh | Kx::DhExport => {
            if c.auth == Auth::Dss {
                K_DHD
            } else {
                K_DHR
            }
        }
        Kx::Dhe | Kx::DheExport => K_DHE,
        Kx::Ecdh => {
            if c.auth == Auth::Ecdsa {
                K_ECDHE_FIXED
            } else {
                K_ECDHR
            }
        }
        Kx::Ecdhe => K_ECDHE,
        Kx::Psk => K_PSK,
        Kx::DhePsk => K_DHEPSK,
        Kx::RsaPsk => K_RSAPSK,
        Kx::EcdhePsk => K_ECDHEPSK,
        Kx::Srp => K_SRP,
        Kx::Krb5 => K_KRB5,
        Kx::Gost => K_GOST,
        Kx::Gost18 => K_GOST18,
        Kx::Eccpwd => K_ECCPWD,
        Kx::Tls13 => K_ANY,
    };
    let auth = match (c.kx, c.auth) {
        (Kx::Dh | Kx::DhExport, _) => A_DH,
        (Kx::Ecdh, _) => A_ECDH,
        (Kx::Gost, Auth::Gost12) => A_GOST12 | A_GOST01,
        (_, Auth::Null) => A_NULL,
        (_, Auth::Rsa) => A_RSA,
        (_, Auth::Dss) => A_DSS,
        (_, Auth::Ecdsa) => A_ECDSA,
        (_, Auth::Psk) => A_PSK,
        (_, Auth::Srp) => A_SRP,
        (_, Auth::Krb5) => A_KRB5,
        (_, Auth::Gost94) => A_GOST94,
        (_, Auth::Gost01) => A_GOST01,
        (_, Auth::Gost12) => A_GOST12,
        (_, Auth::Eccpwd) => A_ECCPWD,
        (_, Auth::Tls13) => A_ANY,
    };
    let gost12 = c.auth == Auth::Gost12;
    let enc = match c.enc {
        Enc::Null => E_NULL,
        Enc::Rc4_40 | Enc::Rc4_56 | Enc::Rc4_64 | Enc::Rc4_128 => E_RC4,
        Enc::Rc2_40 | Enc::Rc2_56 | Enc::Rc2_128 => E_RC2,
        Enc::Des40 | Enc::Des => E_DES,
        Enc::TripleDes => E_3DES,
        Enc::Idea => E_IDEA,
        Enc::Seed => E_SEED,
        Enc::Aes128Cbc => E_AES128,
        Enc::Aes256Cbc => E_AES256,
        Enc::Aes128Gcm => E_AES128GCM,
        Enc::Aes256Gcm => E_AES256GCM,
        Enc::Aes128Ccm => E_AES128CCM,
        Enc::Aes256Ccm => E_AES256CCM,
        Enc::Aes128Ccm8 => E_AES128CCM8,
        Enc::Aes256Ccm8 => E_AES256CCM8,
        Enc::Camellia128Cbc => E_CAMELLIA128,
        Enc::Camellia256Cbc => E_CAMELLIA256,
        Enc::Camellia128Gcm => E_CAMELLIA128GCM,
        Enc::Camellia256Gcm => E_CAMELLIA256GCM,
        Enc::Aria128Cbc => E_ARIA128CBC,
        Enc::Aria256Cbc => E_ARIA256CBC,
        Enc::Aria128Gcm => E_ARIA128GCM,
        Enc::Aria256Gcm => E_ARIA256GCM,
        Enc::Chacha20Poly1305 => E_CHACHA,
        Enc::Gost28147 if gost12 => E_GOST89_12,
        Enc::Gost28147 => E_GOST89,
        Enc::Magma => E_MAGMA,
        Enc::Kuznyechik => E_KUZNYECHIK,
        Enc::Sm4Gcm
        | Enc::Sm4Ccm
        | Enc::MagmaMgm
        | Enc::KuznyechikMgm
        | Enc::Aegis128L
        | Enc::Aegis256 => E_OTHER,
    };
    let mac = match c.mac {
        Mac::Null => M_NULL,
        Mac::Md5 => M_MD5,
        Mac::Sha1 => M_SHA1,
        Mac::Sha256 => M_SHA256,
        Mac::Sha384 => M_SHA384,
        Mac::Aead => M_AEAD,
        Mac::Gost89 if gost12 => M_GOST89MAC12,
        Mac::Gost89 => M_GOST89MAC,
        Mac::Gost94 => M_GOST94,
        Mac::Gost12 => M_GOST12_256,
        Mac::MagmaOmac => M_MAGMAOMAC,
        Mac::KuznyechikOmac => M_KUZNYECHIKOMAC,
    };

    // OpenSSL 3.0's strength class, extended to the suites it dropped.
    let mut strength = if c.enc == Enc::Null {
        S_NONE
    } else if c.export {
        0
    } else {
        match c.enc {
            Enc::Des | Enc::Rc4_64 => S_LOW,
            Enc::TripleDes | Enc::Rc4_128 | Enc::Idea | Enc::Seed | Enc::Rc2_128 => S_MEDIUM,
            _ => S_HIGH,
        }
    };
    let fips_enc = matches!(
        c.enc,
        Enc::Null
            | Enc::TripleDes
            | Enc::Aes128Cbc
            | Enc::Aes256Cbc
            | Enc::Aes128Gcm
            | Enc::Aes256Gcm
    );
    let fips_kx = matches!(
        c.kx,
        Kx::Rsa
            | Kx::Dh
            | Kx::Dhe
            | Kx::Ecdh
            | Kx::Ecdhe
            | Kx::Psk
            | Kx::DhePsk
            | Kx::RsaPsk
            | Kx::EcdhePsk
    );
    if fips_enc && fips_kx && c.mac != Mac::Md5 && !c.export {
        strength |= S_FIPS;
    }
    // NULL-encryption suites never carry NOT_DEFAULT (DEFAULT excludes them with !eNULL).
    let not_default = c.enc != Enc::Null
        && (matches!(c.auth, Auth::Null | Auth::Dss)
            || matches!(
                c.enc,
                Enc::Aes128Ccm
                    | Enc::Aes256Ccm
                    | Enc::Aes128Ccm8
                    | Enc::Aes256Ccm8
                    | Enc::Camellia128Cbc
                    | Enc::Camellia256Cbc
                    | Enc::Camellia128Gcm
                    | Enc::Camellia256Gcm
                    | Enc::Aria128Cbc
                    | Enc::Aria256Cbc
                    | Enc::Aria128Gcm
                    | Enc::Aria256Gcm
                    | Enc::Seed
                    | Enc::Idea
                    | Enc::TripleDes
                    | Enc::Des
                    | Enc::Des40
                    | Enc::Rc4_40
                    | Enc::Rc4_56
                    | Enc::Rc4_64
                    | Enc::Rc4_128
                    | Enc::Rc2_40
                    | Enc::Rc2_56
                    | Enc::Rc2_128
            )
            || matches!(
                c.kx,
                Kx::Dh | Kx::DhExport | Kx::Ecdh | Kx::Krb5 | Kx::Eccpwd
            )
            || c.export
            || (!c.iana_assigned && c.kx != Kx::Gost));
    if not_default {
        strength |= S_NOT_DEFAULT;
    }
    let exp = match (c.export, c.bits) {
        (false, _) => 0,
        (true, 40) => X_40,
        (true, _) => X_56,
    };
    Bits {
        mkey,
        auth,
        enc,
        mac,
        min_tls: c.min_version,
        strength,
        exp,
    }
}

/// A selection pattern: an alias, a suite name, or an `A+B` combination of them.
#[derive(Debug, Clone, Copy, Default)]
struct Pattern {
    id: Option<u16>,
    mkey: u32,
    auth: u32,
    enc: u64,
    mac: u32,
    min_tls: Option<Version>,
    strength: u32,
    exp: u32,
}

impl Pattern {
    fn matches(&self, id: u16, b: &Bits) -> bool {
        if self.id.is_some_and(|i| i != id) {
            return false;
        }
        if self.mkey != 0 && self.mkey & b.mkey == 0 {
            return false;
        }
        if self.auth != 0 && self.auth & b.auth == 0 {
            return false;
        }
        if self.enc != 0 && self.enc & b.enc == 0 {
            return false;
        }
        if self.mac != 0 && self.mac & b.mac == 0 {
            return false;
        }
        if self.min_tls.is_some_and(|v| v != b.min_tls) {
            return false;
        }
        if self.strength & STRONG_MASK != 0 && self.strength & STRONG_MASK & b.strength == 0 {
            return false;
        }
        if self.strength & DEFAULT_MASK != 0 && self.strength & DEFAULT_MASK & b.strength == 0 {
            return false;
        }
        if self.exp != 0 && self.exp & b.exp == 0 {
            return false;
        }
        true
    }

    /// Combine with the next part of an `A+B` item, as OpenSSL does: each algorithm mask is
    /// intersected; an empty intersection means the item matches nothing (`None`).
    fn and(mut self, o: &Pattern, explicit: bool) -> Option<Pattern> {
        fn meet32(a: &mut u32, b: u32) -> bool {
            if b != 0 {
                if *a != 0 {
                    *a &= b;
                    if *a == 0 {
                        return false;
                    }
                } else {
                    *a = b;
                }
            }
            true
        }
        let mut enc_ok = true;
        if o.enc != 0 {
            if self.enc != 0 {
                self.enc &= o.enc;
                enc_ok = self.enc != 0;
            } else {
                self.enc = o.enc;
            }
        }
        if !(meet32(&mut self.mkey, o.mkey)
            && meet32(&mut self.auth, o.auth)
            && enc_ok
            && meet32(&mut self.mac, o.mac))
        {
            return None;
        }
        let o_strong = o.strength & STRONG_MASK;
        if o_strong != 0 {
            if self.strength & STRONG_MASK != 0 {
                self.strength &= o_strong | !STRONG_MASK;
                if self.strength & STRONG_MASK == 0 {
                    return None;
                }
            } else {
                self.strength = (self.strength & !STRONG_MASK) | o_strong;
            }
        }
        let o_def = o.strength & DEFAULT_MASK;
        if o_def != 0 {
            if self.strength & DEFAULT_MASK != 0 {
                self.strength &= o_def | !DEFAULT_MASK;
                if self.strength & DEFAULT_MASK == 0 {
                    return None;
                }
            } else {
                self.strength |= o_def;
            }
        }
        if !meet32(&mut self.exp, o.exp) {
            return None;
        }
        // OpenSSL resets the suite id for every part: only a trailing explicit suite is matched by
        // id; an explicit suite's protocol version is not part of the pattern.
        self.id = if explicit { o.id } else { None };
        if let (false, Some(v)) = (explicit, o.min_tls) {
            if self.min_tls.is_some_and(|m| m != v) {
                return None;
            }
            self.min_tls = Some(v);
        }
        Some(self)
    }
}

/// An alias: name and pattern.
struct Alias {
    name: &'static str,
    pat: Pattern,
}

const fn al(name: &'static str, mkey: u32, auth: u32, enc: u64, mac: u32, strength: u32) -> Alias {
    Alias {
        name,
        pat: Pattern {
            id: None,
            mkey,
            auth,
            enc,
            mac,
            min_tls: None,
            strength,
            exp: 0,
        },
    }
}

const fn al_ver(name: &'static str, v: Version) -> Alias {
    Alias {
        name,
        pat: Pattern {
            id: None,
            mkey: 0,
            auth: 0,
            enc: 0,
            mac: 0,
            min_tls: Some(v),
            strength: 0,
            exp: 0,
        },
    }
}

const fn al_exp(name: &'static str, exp: u32) -> Alias {
    Alias {
        name,
        pat: Pattern {
            id: None,
            mkey: 0,
            auth: 0,
            enc: 0,
            mac: 0,
            min_tls: None,
            strength: 0,
            exp,
        },
    }
}

/// OpenSSL 3.0's `cipher_aliases[]`, then tlskit's extensions for the legacy suites.
#[rustfmt::skip]
static ALIASES: &[Alias] = &[
    al("ALL", 0, 0, E_ALL_BUT_NULL, 0, 0),
    al("COMPLEMENTOFALL", 0, 0, E_NULL, 0, 0),
    al("COMPLEMENTOFDEFAULT", 0, 0, 0, 0, S_NOT_DEFAULT),
    al("kRSA", K_RSA, 0, 0, 0, 0),
    al("kEDH", K_DHE, 0, 0, 0, 0),
    al("kDHE", K_DHE, 0, 0, 0, 0),
    al("DH", K_DHE, 0, 0, 0, 0),
    al("kEECDH", K_ECDHE, 0, 0, 0, 0),
    al("kECDHE", K_ECDHE, 0, 0, 0, 0),
    al("ECDH", K_ECDHE, 0, 0, 0, 0),
    al("kPSK", K_PSK, 0, 0, 0, 0),
    al("kRSAPSK", K_RSAPSK, 0, 0, 0, 0),
    al("kECDHEPSK", K_ECDHEPSK, 0, 0, 0, 0),
    al("kDHEPSK", K_DHEPSK, 0, 0, 0, 0),
    al("kSRP", K_SRP, 0, 0, 0, 0),
    al("kGOST", K_GOST, 0, 0, 0, 0),
    al("kGOST18", K_GOST18, 0, 0, 0, 0),
    al("aRSA", 0, A_RSA, 0, 0, 0),
    al("aDSS", 0, A_DSS, 0, 0, 0),
    al("DSS", 0, A_DSS, 0, 0, 0),
    al("aNULL", 0, A_NULL, 0, 0, 0),
    al("aECDSA", 0, A_ECDSA, 0, 0, 0),
    al("ECDSA", 0, A_ECDSA, 0, 0, 0),
    al("aPSK", 0, A_PSK, 0, 0, 0),
    al("aGOST01", 0, A_GOST01, 0, 0, 0),
    al("aGOST12", 0, A_GOST12, 0, 0, 0),
    al("aGOST", 0, A_GOST01 | A_GOST12, 0, 0, 0),
    al("aSRP", 0, A_SRP, 0, 0, 0),
    al("EDH", K_DHE, !A_NULL, 0, 0, 0),
    al("DHE", K_DHE, !A_NULL, 0, 0, 0),
    al("EECDH", K_ECDHE, !A_NULL, 0, 0, 0),
    al("ECDHE", K_ECDHE, !A_NULL, 0, 0, 0),
    al("NULL", 0, 0, E_NULL, 0, 0),
    al("RSA", K_RSA, A_RSA, 0, 0, 0),
    al("ADH", K_DHE, A_NULL, 0, 0, 0),
    al("AECDH", K_ECDHE, A_NULL, 0, 0, 0),
    al("PSK", K_PSK_ALL, 0, 0, 0, 0),
    al("SRP", K_SRP, 0, 0, 0, 0),
    al("3DES", 0, 0, E_3DES, 0, 0),
    al("RC4", 0, 0, E_RC4, 0, 0),
    al("RC2", 0, 0, E_RC2, 0, 0),
    al("IDEA", 0, 0, E_IDEA, 0, 0),
    al("SEED", 0, 0, E_SEED, 0, 0),
    al("eNULL", 0, 0, E_NULL, 0, 0),
    al("GOST", 0, 0, E_GOST89 | E_GOST89_12 | E_MAGMA | E_KUZNYECHIK, 0, 0),
    al("AES128", 0, 0, E_AES128 | E_AES128GCM | E_AES128CCM | E_AES128CCM8, 0, 0),
    al("AES256", 0, 0, E_AES256 | E_AES256GCM | E_AES256CCM | E_AES256CCM8, 0, 0),
    al("AES", 0, 0, E_AES, 0, 0),
    al("AESGCM", 0, 0, E_AESGCM, 0, 0),
    al("AESCCM", 0, 0, E_AESCCM, 0, 0),
    al("AESCCM8", 0, 0, E_AES128CCM8 | E_AES256CCM8, 0, 0),
    al("CAMELLIA128", 0, 0, E_CAMELLIA128 | E_CAMELLIA128GCM, 0, 0),
    al("CAMELLIA256", 0, 0, E_CAMELLIA256 | E_CAMELLIA256GCM, 0, 0),
    al("CAMELLIA", 0, 0, E_CAMELLIA, 0, 0),
    al("CHACHA20", 0, 0, E_CHACHA, 0, 0),
    al("GOST2012-GOST8912-GOST8912", 0, 0, E_GOST89_12, 0, 0),
    al("ARIA", 0, 0, E_ARIA, 0, 0),
    al("ARIAGCM", 0, 0, E_ARIAGCM, 0, 0),
    al("ARIA128", 0, 0, E_ARIA128GCM | E_ARIA128CBC, 0, 0),
    al("ARIA256", 0, 0, E_ARIA256GCM | E_ARIA256CBC, 0, 0),
    al("CBC", 0, 0, E_CBC, 0, 0),
    al("MD5", 0, 0, 0, M_MD5, 0),
    al("SHA1", 0, 0, 0, M_SHA1, 0),
    al("SHA", 0, 0, 0, M_SHA1, 0),
    al("GOST94", 0, 0, 0, M_GOST94, 0),
    al("GOST89MAC", 0, 0, 0, M_GOST89MAC | M_GOST89MAC12, 0),
    al("SHA256", 0, 0, 0, M_SHA256, 0),
    al("SHA384", 0, 0, 0, M_SHA384, 0),
    al("GOST12", 0, 0, 0, M_GOST12_256, 0),
    al_ver("SSLv3", Version::Ssl3),
    al_ver("TLSv1", Version::Tls10),
    al_ver("TLSv1.0", Version::Tls10),
    al_ver("TLSv1.2", Version::Tls12),
    al("LOW", 0, 0, 0, 0, S_LOW),
    al("MEDIUM", 0, 0, 0, 0, S_MEDIUM),
    al("HIGH", 0, 0, 0, 0, S_HIGH),
    al("FIPS", 0, 0, E_ALL_BUT_NULL, 0, S_FIPS),
    al("EDH-DSS-DES-CBC3-SHA", K_DHE, A_DSS, E_3DES, M_SHA1, S_HIGH | S_FIPS),
    al("EDH-RSA-DES-CBC3-SHA", K_DHE, A_RSA, E_3DES, M_SHA1, S_HIGH | S_FIPS),
    // tlskit extensions (OpenSSL 1.0.2 aliases for suites OpenSSL 3.0 dropped).
    al_exp("EXPORT", X_40 | X_56),
    al_exp("EXP", X_40 | X_56),
    al_exp("EXPORT40", X_40),
    al_exp("EXPORT56", X_56),
    al("DES", 0, 0, E_DES, 0, 0),
    al("kDH", K_DHR | K_DHD, 0, 0, 0, 0),
    al("kDHr", K_DHR, 0, 0, 0, 0),
    al("kDHd", K_DHD, 0, 0, 0, 0),
    al("aDH", 0, A_DH, 0, 0, 0),
    al("kECDH", K_ECDHR | K_ECDHE_FIXED, 0, 0, 0, 0),
    al("kECDHr", K_ECDHR, 0, 0, 0, 0),
    al("kECDHe", K_ECDHE_FIXED, 0, 0, 0, 0),
    al("aECDH", 0, A_ECDH, 0, 0, 0),
    al("kKRB5", K_KRB5, 0, 0, 0, 0),
    al("aKRB5", 0, A_KRB5, 0, 0, 0),
    al("KRB5", K_KRB5, A_KRB5, 0, 0, 0),
    al("aGOST94", 0, A_GOST94, 0, 0, 0),
    al("kECCPWD", K_ECCPWD, 0, 0, 0, 0),
    al("ECCPWD", K_ECCPWD, 0, 0, 0, 0),
];

// ---------------------------------------------------------------------------------------------
// The list engine: a line-for-line model of ssl_create_cipher_list()
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `NAME`: append inactive matches to the end and activate them.
    Add,
    /// `+NAME`: move active matches to the end.
    Ord,
    /// `-NAME`: deactivate active matches and move them to the front (they are re-added first).
    Del,
    /// Internal: move active matches to the front.
    Bump,
    /// `!NAME`: remove matches for good.
    Kill,
}

#[derive(Clone)]
struct Entry {
    suite: &'static CipherSuite,
    bits: Bits,
    active: bool,
}

struct Engine {
    list: Vec<Entry>,
    sec_level: Option<u8>,
    unknown: Vec<String>,
}

/// Whether a suite takes part in cipher strings (TLS ≤ 1.2 suites; not NULL_WITH_NULL_NULL).
fn in_universe(c: &CipherSuite) -> bool {
    !c.tls13 && !c.scsv && c.kx != Kx::Null
}

fn is_sep(c: u8) -> bool {
    matches!(c, b':' | b' ' | b';' | b',')
}

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'=' | b'_')
}

/// The OpenSSL names of the suites that take part in cipher strings, exactly as OpenSSL spells
/// them (the first suite in table order keeps a name), built once: every word of a string is
/// looked up here.
fn openssl_names() -> &'static std::collections::HashMap<&'static str, &'static CipherSuite> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static CipherSuite>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        for c in registry::cipher_suites().iter().filter(|c| in_universe(c)) {
            if let Some(name) = c.openssl {
                map.entry(name).or_insert(c);
            }
        }
        map
    })
}

impl Engine {
    fn new() -> Engine {
        // The starting point of every string is the same: the universe in OpenSSL's default
        // order, all inactive. It is worked out once and copied (a dozen passes over the table
        // and a strength sort per string otherwise).
        static START: std::sync::OnceLock<Vec<Entry>> = std::sync::OnceLock::new();
        let list = START
            .get_or_init(|| {
                // OpenSSL sorts its table by id and reads it backwards: descending code points.
                let mut list: Vec<Entry> = registry::cipher_suites()
                    .iter()
                    .filter(|c| in_universe(c))
                    .map(|c| Entry {
                        suite: c,
                        bits: bits_of(c),
                        active: false,
                    })
                    .collect();
                list.sort_by_key(|e| std::cmp::Reverse(e.suite.id));
                let mut e = Engine {
                    list,
                    sec_level: None,
                    unknown: Vec::new(),
                };
                e.default_order();
                e.list
            })
            .clone();
        Engine {
            list,
            sec_level: None,
            unknown: Vec::new(),
        }
    }

    fn selected(&self) -> Vec<&'static CipherSuite> {
        self.list
            .iter()
            .filter(|e| e.active)
            .map(|e| e.suite)
            .collect()
    }

    fn apply_where(&mut self, pred: impl Fn(&Entry) -> bool, op: Op) {
        let list = std::mem::take(&mut self.list);
        let (mut hit, mut rest) = (Vec::new(), Vec::new());
        for mut e in list {
            let m = pred(&e);
            match op {
                Op::Kill => {
                    if !m {
                        rest.push(e);
                    }
                }
                Op::Add if m && !e.active => {
                    e.active = true;
                    hit.push(e);
                }
                Op::Ord | Op::Bump if m && e.active => hit.push(e),
                Op::Del if m && e.active => {
                    e.active = false;
                    hit.push(e);
                }
                _ => rest.push(e),
            }
        }
        self.list = match op {
            Op::Add | Op::Ord | Op::Kill => {
                rest.extend(hit);
                rest
            }
            Op::Del | Op::Bump => {
                hit.extend(rest);
                hit
            }
        };
    }

    fn apply(&mut self, p: &Pattern, op: Op) {
        let p = *p;
        self.apply_where(move |e| p.matches(e.suite.id, &e.bits), op);
    }

    /// `ssl_cipher_strength_sort`: stable sort of the active suites by strength, strongest first.
    fn strength_sort(&mut self) {
        let mut strengths: Vec<u16> = self
            .list
            .iter()
            .filter(|e| e.active)
            .map(|e| e.suite.strength_bits())
            .collect();
        strengths.sort_unstable_by(|a, b| b.cmp(a));
        strengths.dedup();
        for s in strengths {
            self.apply_where(|e| e.suite.strength_bits() == s, Op::Ord);
        }
    }

    /// OpenSSL 3.0's default preference order (all suites end up inactive, in order).
    fn default_order(&mut self) {
        let p = |mkey: u32, auth: u32, enc: u64, mac: u32| Pattern {
            mkey,
            auth,
            enc,
            mac,
            ..Pattern::default()
        };
        self.apply(&p(K_ECDHE, A_ECDSA, 0, 0), Op::Add);
        self.apply(&p(K_ECDHE, 0, 0, 0), Op::Add);
        self.apply(&p(K_ECDHE, 0, 0, 0), Op::Del);
        self.apply(&p(0, 0, E_AESGCM, 0), Op::Add);
        self.apply(&p(0, 0, E_CHACHA, 0), Op::Add);
        self.apply(&p(0, 0, E_AES & !E_AESGCM, 0), Op::Add);
        self.apply(&Pattern::default(), Op::Add);
        self.apply(&p(0, 0, 0, M_MD5), Op::Ord);
        self.apply(&p(0, A_NULL, 0, 0), Op::Ord);
        self.apply(&p(K_RSA, 0, 0, 0), Op::Ord);
        self.apply(&p(K_PSK, 0, 0, 0), Op::Ord);
        self.apply(&p(0, 0, E_RC4, 0), Op::Ord);
        self.strength_sort();
        self.apply(
            &Pattern {
                min_tls: Some(Version::Tls12),
                ..Pattern::default()
            },
            Op::Bump,
        );
        self.apply(&p(0, 0, 0, M_AEAD), Op::Bump);
        self.apply(&p(K_DHE | K_ECDHE, 0, 0, 0), Op::Bump);
        self.apply(&p(K_DHE | K_ECDHE, 0, 0, M_AEAD), Op::Bump);
        self.apply(&Pattern::default(), Op::Del);
    }

    /// Resolve one word: an explicit suite (with its own algorithm bits) or an alias.
    fn lookup(&self, word: &str) -> Option<(Pattern, bool)> {
        let explicit = |c: &CipherSuite| {
            let b = bits_of(c);
            Pattern {
                id: Some(c.id),
                mkey: b.mkey,
                auth: b.auth,
                enc: b.enc,
                mac: b.mac,
                min_tls: None,
                strength: b.strength,
                exp: b.exp,
            }
        };
        if let Some(c) = openssl_names().get(word) {
            return Some((explicit(c), true));
        }
        if let Some(a) = ALIASES.iter().find(|a| a.name == word) {
            return Some((a.pat, false));
        }
        // Extensions: IANA names, and suite names in any letter case.
        let c = registry::cipher_suite_by_name(word).filter(|c| in_universe(c))?;
        Some((explicit(c), true))
    }

    fn run(&mut self, s: &str) -> Result<(), CipherStringError> {
        let mut rule = suite_b(s).unwrap_or(s);
        if let Some(rest) = rule.strip_prefix("DEFAULT") {
            self.rules(DEFAULT_CIPHER_LIST, DEFAULT_CIPHER_LIST)?;
            rule = rest.strip_prefix(':').unwrap_or(rest);
        }
        if !rule.is_empty() {
            self.rules(rule, s)?;
        }
        Ok(())
    }

    /// `ssl_cipher_process_rulestr`.
    fn rules(&mut self, text: &str, whole: &str) -> Result<(), CipherStringError> {
        let b = text.as_bytes();
        let mut l = 0usize;
        let err =
            |msg: String| CipherStringError::new(format!("invalid cipher string '{whole}': {msg}"));
        while l < b.len() {
            let ch = b[l];
            let op = match ch {
                b'-' => Some(Op::Del),
                b'+' => Some(Op::Ord),
                b'!' => Some(Op::Kill),
                b'@' => None,
                _ => Some(Op::Add),
            };
            if matches!(ch, b'-' | b'+' | b'!' | b'@') {
                l += 1;
            } else if is_sep(ch) {
                l += 1;
                continue;
            }

            let mut pat: Option<Pattern> = Some(Pattern::default());
            let mut found = false;
            let mut word_start;
            let mut word_len;
            loop {
                word_start = l;
                while l < b.len() && is_word_char(b[l]) {
                    l += 1;
                }
                word_len = l - word_start;
                if word_len == 0 {
                    let what = match b.get(l) {
                        None => "end of string".to_string(),
                        Some(&c) => format!("'{}'", c as char),
                    };
                    let after = if l > 0 {
                        format!(" after '{}'", &text[..l])
                    } else {
                        String::new()
                    };
                    return Err(err(format!(
                        "expected a cipher suite name or alias, found {what}{after}"
                    )));
                }
                if op.is_none() {
                    break;
                }
                let multi = b.get(l) == Some(&b'+');
                if multi {
                    l += 1;
                }
                let word = &text[word_start..word_start + word_len];
                match self.lookup(word) {
                    None => {
                        self.unknown.push(word.to_string());
                        found = false;
                        break;
                    }
                    Some((p, explicit)) => {
                        pat = pat.and_then(|acc| acc.and(&p, explicit));
                        found = pat.is_some();
                        if !found {
                            break;
                        }
                    }
                }
                if !multi {
                    break;
                }
            }

            match op {
                None => {
                    let word = &text[word_start..word_start + word_len];
                    if word == "STRENGTH" {
                        self.strength_sort();
                    } else if word_len == 10 && word.starts_with("SECLEVEL=") {
                        match word.as_bytes()[9] {
                            d @ b'0'..=b'5' => self.sec_level = Some(d - b'0'),
                            _ => {
                                return Err(err(format!(
                                    "'@{word}': the security level must be 0 to 5"
                                )))
                            }
                        }
                    } else {
                        return Err(err(format!(
                            "unknown command '@{word}' (expected @STRENGTH or @SECLEVEL=n)"
                        )));
                    }
                    while l < b.len() && !is_sep(b[l]) {
                        l += 1;
                    }
                }
                Some(op) => {
                    if let (true, Some(p)) = (found, pat) {
                        self.apply(&p, op);
                    } else {
                        while l < b.len() && !is_sep(b[l]) {
                            l += 1;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// `check_suiteb_cipher_list`: a string starting with a Suite B keyword is replaced.
fn suite_b(s: &str) -> Option<&'static str> {
    if s.starts_with("SUITEB128ONLY") {
        Some("ECDHE-ECDSA-AES128-GCM-SHA256")
    } else if s.starts_with("SUITEB128C2") {
        Some("ECDHE-ECDSA-AES256-GCM-SHA384")
    } else if s.starts_with("SUITEB128") {
        Some("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384")
    } else if s.starts_with("SUITEB192") {
        Some("ECDHE-ECDSA-AES256-GCM-SHA384")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<&'static str> {
        select(s).unwrap().iter().map(|c| c.name()).collect()
    }

    #[test]
    fn explicit_names_in_order() {
        assert_eq!(names("AES256-SHA:AES128-SHA"), ["AES256-SHA", "AES128-SHA"]);
        assert_eq!(names("TLS_RSA_WITH_AES_128_CBC_SHA"), ["AES128-SHA"]);
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "ALL:!",
            "ALL:+",
            "#ALL",
            "AES+",
            "ALL:@FOO",
            "ALL:@SECLEVEL=9",
            "ALL:@SECLEVEL=3x",
        ] {
            assert!(select(bad).is_err(), "{bad} should be an error");
        }
        assert!(select("ALL:FOO+#").is_ok());
    }

    #[test]
    fn empty_and_unknown() {
        let e = select("FOO").unwrap_err();
        assert!(
            e.message.contains("selects no cipher suites") && e.message.contains("FOO"),
            "{e}"
        );
        assert_eq!(unknown_tokens("AES128-SHA:FOO:BAR+AES"), ["FOO", "BAR"]);
        assert!(select("").is_err());
    }

    #[test]
    fn seclevel_parsed_not_filtered() {
        let sel = parse("ALL:COMPLEMENTOFALL:@SECLEVEL=3").unwrap();
        assert_eq!(sel.security_level, Some(3));
        assert!(sel.suites.iter().any(|c| c.anonymous()));
        let filtered = select_with_security_level("ALL:COMPLEMENTOFALL:@SECLEVEL=3", 1).unwrap();
        assert!(filtered
            .iter()
            .all(|c| c.forward_secret() && !c.anonymous()));
    }

    #[test]
    fn tls13_lists() {
        let d: Vec<u16> = default_tls13().iter().map(|c| c.id).collect();
        assert_eq!(d, [0x1302, 0x1303, 0x1301]);
        let v = select_tls13("TLS_AES_128_CCM_8_SHA256:TLS_AES_128_GCM_SHA256").unwrap();
        assert_eq!(v.iter().map(|c| c.id).collect::<Vec<_>>(), [0x1305, 0x1301]);
        assert!(select_tls13("AES128-SHA").is_err());
        assert!(select_tls13("").unwrap().is_empty());
    }
}
