//! Registries: every TLS cipher suite, named group and signature scheme, with the names people and
//! tools use for them.
//!
//! The tables are plain `static` data, one line per entry, in the submodules `suites.rs`,
//! `groups.rs` and `sigschemes.rs`; this module defines the types and the lookups.
//!
//! # Cipher suites
//!
//! [`cipher_suites()`] lists every cipher suite of the IANA *TLS Cipher Suites* registry (all
//! assigned code points, including the TLS 1.3, PSK, SRP, KRB5, CAMELLIA, ARIA, SEED, IDEA, export,
//! NULL, GOST, ECCPWD and SM4 suites), plus a few widely deployed code points IANA never assigned
//! (marked `iana_assigned == false`): OpenSSL's 1024-bit export suites 0x0060–0x0066, the
//! pre-standard GOST suites 0x0080–0x0083 and 0xFF85/0xFF87, and the draft ChaCha20 suites
//! 0xCC13–0xCC15.
//!
//! The two *signalling* values, `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (0x00FF) and
//! `TLS_FALLBACK_SCSV` (0x5600), are **not** in [`cipher_suites()`]; they are listed by
//! [`signalling_cipher_suites()`], carry `scsv == true`, and are found by [`cipher_suite()`],
//! [`cipher_suite_by_name()`] and [`suite_name()`] so that a ClientHello can be decoded by name.
//!
//! `openssl` is exactly the name OpenSSL uses: OpenSSL 3.0's name when OpenSSL 3.0 defines one
//! (in its cipher table — even where a distribution compiles the suite out, e.g. `DES-CBC3-SHA`,
//! `RC4-SHA`, `IDEA-CBC-SHA`, `SEED-SHA` — or only in its `tls1.h`, e.g. `DH-RSA-ARIA128-GCM-SHA256`),
//! otherwise the name OpenSSL 1.0.2 (or 0.9.8 for the EXP1024 suites) used (`EXP-RC4-MD5`,
//! `EDH-RSA-DES-CBC-SHA`, `DH-RSA-AES128-SHA`, `KRB5-DES-CBC-SHA`…), and `None` for suites OpenSSL
//! never named (ARIA-CBC, CAMELLIA-GCM, ECCPWD, SM4, AEGIS, the ECDHE-PSK AES-GCM/CCM suites…). OpenSSL 1.1.0 renamed the two 3DES `EDH-` suites
//! to `DHE-`; the old spellings `EDH-RSA-DES-CBC3-SHA` and `EDH-DSS-DES-CBC3-SHA` are still
//! accepted by [`cipher_suite_by_name()`].
//!
//! SSLv2 cipher *kinds* (3-byte codes) are a separate table: [`ssl2_cipher_kinds()`].

mod groups;
mod sigschemes;
mod suites;

use crate::version::Version;
use std::fmt;

pub use groups::GroupKind;
pub use sigschemes::{HashAlg, SigAlg};

// ---------------------------------------------------------------------------------------------
// Cipher suite components
// ---------------------------------------------------------------------------------------------

/// Key exchange of a cipher suite.
///
/// `Dh` / `Ecdh` are the *static* (fixed, certificate-based) Diffie-Hellman key exchanges
/// (`TLS_DH_RSA_*`, `TLS_ECDH_ECDSA_*`; the certificate's signature algorithm is in [`Auth`]);
/// `Dhe` / `Ecdhe` are ephemeral, and also cover the anonymous `DH_anon` / `ECDH_anon` suites
/// (whose [`Auth`] is `Null`), as OpenSSL classifies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kx {
    /// No key exchange (`TLS_NULL_WITH_NULL_NULL`).
    Null,
    Rsa,
    /// RSA export (512-bit temporary RSA key; 1024-bit for the EXP1024 suites).
    RsaExport,
    /// Static DH with a DH certificate.
    Dh,
    DhExport,
    Dhe,
    /// Ephemeral DH limited to 512 bits (1024 for EXP1024).
    DheExport,
    /// Static ECDH with an ECDH certificate.
    Ecdh,
    Ecdhe,
    Psk,
    DhePsk,
    RsaPsk,
    EcdhePsk,
    Srp,
    Krb5,
    /// GOST R 34.10-2001/2012 VKO key exchange (TLS 1.0–1.2 GOST 28147 suites).
    Gost,
    /// GOST key exchange of the RFC 9189 Kuznyechik/Magma suites.
    Gost18,
    /// Elliptic-curve password authenticated key exchange (RFC 8492).
    Eccpwd,
    /// TLS 1.3: the suite does not determine the key exchange (OpenSSL prints `any`).
    Tls13,
}

impl Kx {
    /// The name `openssl ciphers -v` prints after `Kx=` (OpenSSL 3.0, or 1.0.2 for key exchanges
    /// 3.0 no longer has). Static DH/ECDH print as `DH/static` / `ECDH/static` here; see
    /// [`CipherSuite::openssl_kx`] for OpenSSL's exact per-suite text (`DH/RSA`, `RSA(512)`…).
    pub fn name(&self) -> &'static str {
        match self {
            Kx::Null => "None",
            Kx::Rsa => "RSA",
            Kx::RsaExport => "RSA(512)",
            Kx::Dh => "DH/static",
            Kx::DhExport => "DH/static(512)",
            Kx::Dhe => "DH",
            Kx::DheExport => "DH(512)",
            Kx::Ecdh => "ECDH/static",
            Kx::Ecdhe => "ECDH",
            Kx::Psk => "PSK",
            Kx::DhePsk => "DHEPSK",
            Kx::RsaPsk => "RSAPSK",
            Kx::EcdhePsk => "ECDHEPSK",
            Kx::Srp => "SRP",
            Kx::Krb5 => "KRB5",
            Kx::Gost => "GOST",
            Kx::Gost18 => "GOST18",
            Kx::Eccpwd => "ECCPWD",
            Kx::Tls13 => "any",
        }
    }

    /// Ephemeral key exchange: forward secrecy (TLS 1.3, DHE, ECDHE and their PSK forms, ECCPWD).
    pub fn is_ephemeral(&self) -> bool {
        matches!(
            self,
            Kx::Dhe
                | Kx::DheExport
                | Kx::Ecdhe
                | Kx::DhePsk
                | Kx::EcdhePsk
                | Kx::Eccpwd
                | Kx::Tls13
        )
    }
}

/// Server authentication of a cipher suite. For static DH/ECDH suites this is the signature
/// algorithm of the certificate (`TLS_DH_RSA_*` → `Rsa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Auth {
    /// Anonymous: no server authentication (`DH_anon`, `ECDH_anon`, NULL_WITH_NULL).
    Null,
    Rsa,
    Dss,
    Ecdsa,
    Psk,
    Srp,
    Krb5,
    /// GOST R 34.10-94.
    Gost94,
    /// GOST R 34.10-2001.
    Gost01,
    /// GOST R 34.10-2012.
    Gost12,
    Eccpwd,
    /// TLS 1.3: the suite does not determine the authentication (OpenSSL prints `any`).
    Tls13,
}

impl Auth {
    /// The name `openssl ciphers -v` prints after `Au=`.
    pub fn name(&self) -> &'static str {
        match self {
            Auth::Null => "None",
            Auth::Rsa => "RSA",
            Auth::Dss => "DSS",
            Auth::Ecdsa => "ECDSA",
            Auth::Psk => "PSK",
            Auth::Srp => "SRP",
            Auth::Krb5 => "KRB5",
            Auth::Gost94 => "GOST94",
            Auth::Gost01 => "GOST01",
            Auth::Gost12 => "GOST12",
            Auth::Eccpwd => "ECCPWD",
            Auth::Tls13 => "any",
        }
    }
}

/// Bulk encryption of a cipher suite (algorithm, key size and mode).
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Enc {
    Null,
    Rc4_40,
    Rc4_56,
    /// RC4 with 64-bit keys (SSLv2 only).
    Rc4_64,
    Rc4_128,
    Rc2_40,
    Rc2_56,
    Rc2_128,
    /// DES with 40 effective key bits (export).
    Des40,
    Des,
    TripleDes,
    Idea,
    Seed,
    Aes128Cbc,
    Aes256Cbc,
    Aes128Gcm,
    Aes256Gcm,
    Aes128Ccm,
    Aes256Ccm,
    Aes128Ccm8,
    Aes256Ccm8,
    Camellia128Cbc,
    Camellia256Cbc,
    Camellia128Gcm,
    Camellia256Gcm,
    Aria128Cbc,
    Aria256Cbc,
    Aria128Gcm,
    Aria256Gcm,
    Chacha20Poly1305,
    Sm4Gcm,
    Sm4Ccm,
    /// GOST 28147-89 in counter mode (`GOST89` in OpenSSL).
    Gost28147,
    /// GOST R 34.12-2015 Magma (64-bit block) in CTR-ACPKM mode.
    Magma,
    /// GOST R 34.12-2015 Kuznyechik (128-bit block) in CTR-ACPKM mode.
    Kuznyechik,
    /// Magma in MGM (AEAD) mode, TLS 1.3 (RFC 9367).
    MagmaMgm,
    /// Kuznyechik in MGM (AEAD) mode, TLS 1.3 (RFC 9367).
    KuznyechikMgm,
    Aegis128L,
    Aegis256,
}

impl Enc {
    /// The text `openssl ciphers -v` prints after `Enc=`, with the key size: `AESGCM(128)`,
    /// `3DES(168)`, `RC4(40)`, `CHACHA20/POLY1305(256)`, `None`. OpenSSL has no text for CAMELLIA-GCM,
    /// ARIA-CBC, SM4, MGM and AEGIS; those follow the same pattern (`CamelliaGCM(128)`, `ARIA(128)`).
    pub fn name(&self) -> &'static str {
        match self {
            Enc::Null => "None",
            Enc::Rc4_40 => "RC4(40)",
            Enc::Rc4_56 => "RC4(56)",
            Enc::Rc4_64 => "RC4(64)",
            Enc::Rc4_128 => "RC4(128)",
            Enc::Rc2_40 => "RC2(40)",
            Enc::Rc2_56 => "RC2(56)",
            Enc::Rc2_128 => "RC2(128)",
            Enc::Des40 => "DES(40)",
            Enc::Des => "DES(56)",
            Enc::TripleDes => "3DES(168)",
            Enc::Idea => "IDEA(128)",
            Enc::Seed => "SEED(128)",
            Enc::Aes128Cbc => "AES(128)",
            Enc::Aes256Cbc => "AES(256)",
            Enc::Aes128Gcm => "AESGCM(128)",
            Enc::Aes256Gcm => "AESGCM(256)",
            Enc::Aes128Ccm => "AESCCM(128)",
            Enc::Aes256Ccm => "AESCCM(256)",
            Enc::Aes128Ccm8 => "AESCCM8(128)",
            Enc::Aes256Ccm8 => "AESCCM8(256)",
            Enc::Camellia128Cbc => "Camellia(128)",
            Enc::Camellia256Cbc => "Camellia(256)",
            Enc::Camellia128Gcm => "CamelliaGCM(128)",
            Enc::Camellia256Gcm => "CamelliaGCM(256)",
            Enc::Aria128Cbc => "ARIA(128)",
            Enc::Aria256Cbc => "ARIA(256)",
            Enc::Aria128Gcm => "ARIAGCM(128)",
            Enc::Aria256Gcm => "ARIAGCM(256)",
            Enc::Chacha20Poly1305 => "CHACHA20/POLY1305(256)",
            Enc::Sm4Gcm => "SM4GCM(128)",
            Enc::Sm4Ccm => "SM4CCM(128)",
            Enc::Gost28147 => "GOST89(256)",
            Enc::Magma => "MAGMA",
            Enc::Kuznyechik => "KUZNYECHIK",
            Enc::MagmaMgm => "MAGMAMGM(256)",
            Enc::KuznyechikMgm => "KUZNYECHIKMGM(256)",
            Enc::Aegis128L => "AEGIS128L(128)",
            Enc::Aegis256 => "AEGIS256(256)",
        }
    }

    /// Key strength in bits as OpenSSL reports it (3DES: 168, export: 40, NULL: 0).
    pub fn bits(&self) -> u16 {
        match self {
            Enc::Null => 0,
            Enc::Rc4_40 | Enc::Rc2_40 | Enc::Des40 => 40,
            Enc::Rc4_56 | Enc::Rc2_56 | Enc::Des => 56,
            Enc::Rc4_64 => 64,
            Enc::TripleDes => 168,
            Enc::Rc4_128
            | Enc::Rc2_128
            | Enc::Idea
            | Enc::Seed
            | Enc::Aes128Cbc
            | Enc::Aes128Gcm
            | Enc::Aes128Ccm
            | Enc::Aes128Ccm8
            | Enc::Camellia128Cbc
            | Enc::Camellia128Gcm
            | Enc::Aria128Cbc
            | Enc::Aria128Gcm
            | Enc::Sm4Gcm
            | Enc::Sm4Ccm
            | Enc::Aegis128L => 128,
            Enc::Aes256Cbc
            | Enc::Aes256Gcm
            | Enc::Aes256Ccm
            | Enc::Aes256Ccm8
            | Enc::Camellia256Cbc
            | Enc::Camellia256Gcm
            | Enc::Aria256Cbc
            | Enc::Aria256Gcm
            | Enc::Chacha20Poly1305
            | Enc::Gost28147
            | Enc::Magma
            | Enc::Kuznyechik
            | Enc::MagmaMgm
            | Enc::KuznyechikMgm
            | Enc::Aegis256 => 256,
        }
    }

    /// Block size in bits for block ciphers (in any mode), `None` for stream ciphers and NULL.
    /// 64-bit blocks (DES, 3DES, IDEA, RC2, GOST 28147, Magma) are exposed to SWEET32.
    pub fn block_bits(&self) -> Option<u16> {
        match self {
            Enc::Null
            | Enc::Rc4_40
            | Enc::Rc4_56
            | Enc::Rc4_64
            | Enc::Rc4_128
            | Enc::Chacha20Poly1305
            | Enc::Aegis128L
            | Enc::Aegis256 => None,
            Enc::Rc2_40
            | Enc::Rc2_56
            | Enc::Rc2_128
            | Enc::Des40
            | Enc::Des
            | Enc::TripleDes
            | Enc::Idea
            | Enc::Gost28147
            | Enc::Magma
            | Enc::MagmaMgm => Some(64),
            _ => Some(128),
        }
    }

    /// A block cipher in CBC mode.
    pub fn is_cbc(&self) -> bool {
        matches!(
            self,
            Enc::Rc2_40
                | Enc::Rc2_56
                | Enc::Rc2_128
                | Enc::Des40
                | Enc::Des
                | Enc::TripleDes
                | Enc::Idea
                | Enc::Seed
                | Enc::Aes128Cbc
                | Enc::Aes256Cbc
                | Enc::Camellia128Cbc
                | Enc::Camellia256Cbc
                | Enc::Aria128Cbc
                | Enc::Aria256Cbc
        )
    }

    /// Any RC4 variant.
    pub fn is_rc4(&self) -> bool {
        matches!(self, Enc::Rc4_40 | Enc::Rc4_56 | Enc::Rc4_64 | Enc::Rc4_128)
    }
}

/// Record MAC of a cipher suite (`Aead` for AEAD ciphers, whose integrity is part of the cipher).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mac {
    /// No MAC (`TLS_NULL_WITH_NULL_NULL` only).
    Null,
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Aead,
    /// GOST 28147-89 IMIT.
    Gost89,
    /// HMAC GOST R 34.11-94.
    Gost94,
    /// HMAC GOST R 34.11-2012 (Streebog-256).
    Gost12,
    MagmaOmac,
    KuznyechikOmac,
}

impl Mac {
    /// The name `openssl ciphers -v` prints after `Mac=`.
    pub fn name(&self) -> &'static str {
        match self {
            Mac::Null => "None",
            Mac::Md5 => "MD5",
            Mac::Sha1 => "SHA1",
            Mac::Sha256 => "SHA256",
            Mac::Sha384 => "SHA384",
            Mac::Aead => "AEAD",
            Mac::Gost89 => "GOST89",
            Mac::Gost94 => "GOST94",
            Mac::Gost12 => "GOST2012",
            Mac::MagmaOmac => "MAGMAOMAC",
            Mac::KuznyechikOmac => "KUZNYECHIKOMAC",
        }
    }
}

macro_rules! display_via_name {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    )*};
}
display_via_name!(Kx, Auth, Enc, Mac);

// ---------------------------------------------------------------------------------------------
// Cipher suites
// ---------------------------------------------------------------------------------------------

/// One cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CipherSuite {
    /// The two-byte code point.
    pub id: u16,
    /// The IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`). For the few code points IANA
    /// never assigned (`iana_assigned == false`) a name in the same style.
    pub iana: &'static str,
    /// Exactly OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`), `None` if OpenSSL never had one.
    pub openssl: Option<&'static str>,
    pub kx: Kx,
    pub auth: Auth,
    pub enc: Enc,
    pub mac: Mac,
    /// Symmetric key bits as OpenSSL prints them in `Enc=AESGCM(128)` (3DES: 168, export: 40).
    pub bits: u16,
    /// The oldest protocol version the suite can be used with, as OpenSSL's version column has it
    /// (SSLv3 for the classic suites, TLSv1.0 for the ECC and some PSK suites, TLSv1.2 for AEAD
    /// and SHA-256/384 suites, TLSv1.3 for the TLS 1.3 suites).
    pub min_version: Version,
    /// An export-grade suite (40/56-bit keys and/or 512/1024-bit key exchange).
    pub export: bool,
    /// A TLS 1.3 suite (only usable with TLS 1.3, configured separately in OpenSSL).
    pub tls13: bool,
    /// A signalling value, not a real suite (only in [`signalling_cipher_suites()`]).
    pub scsv: bool,
    /// False for the handful of widely deployed code points IANA never assigned.
    pub iana_assigned: bool,
}

impl CipherSuite {
    /// OpenSSL's name if there is one, else the IANA name.
    pub fn name(&self) -> &'static str {
        self.openssl.unwrap_or(self.iana)
    }

    /// Forward secrecy: DHE, ECDHE (incl. their PSK forms), ECCPWD and every TLS 1.3 suite.
    pub fn forward_secret(&self) -> bool {
        self.kx.is_ephemeral()
    }

    /// AEAD cipher (GCM, CCM, ChaCha20-Poly1305, …).
    pub fn is_aead(&self) -> bool {
        self.mac == Mac::Aead
    }

    /// A block cipher in CBC mode.
    pub fn is_cbc(&self) -> bool {
        self.enc.is_cbc()
    }

    /// Block size of the cipher in bits, `None` for stream ciphers / NULL. `Some(64)` means
    /// SWEET32-class exposure (3DES, DES, IDEA, RC2, GOST 28147, Magma).
    pub fn block_bits(&self) -> Option<u16> {
        self.enc.block_bits()
    }

    /// No server authentication (`ADH-*`, `AECDH-*`). TLS 1.3 suites are not anonymous.
    pub fn anonymous(&self) -> bool {
        self.auth == Auth::Null
    }

    /// No encryption at all (`*-NULL-*`, `TLS_SHA256_SHA256`).
    pub fn null_encryption(&self) -> bool {
        self.enc == Enc::Null
    }

    /// Uses RC4.
    pub fn is_rc4(&self) -> bool {
        self.enc.is_rc4()
    }

    /// Uses a pre-shared key (PSK, DHE-PSK, RSA-PSK, ECDHE-PSK).
    pub fn is_psk(&self) -> bool {
        matches!(self.kx, Kx::Psk | Kx::DhePsk | Kx::RsaPsk | Kx::EcdhePsk)
    }

    /// Symmetric strength as OpenSSL 3.0 uses it for `@STRENGTH` and security levels: the key bits,
    /// except 3DES which counts as 112.
    pub fn strength_bits(&self) -> u16 {
        if self.enc == Enc::TripleDes {
            112
        } else {
            self.bits
        }
    }

    /// The newest protocol version the suite may be negotiated in according to the RFCs: export
    /// suites end with TLS 1.0 (RFC 4346), single DES and IDEA with TLS 1.1 (RFC 5469), the TLS 1.3
    /// suites are TLS 1.3 only, everything else ends with TLS 1.2.
    pub fn max_version(&self) -> Version {
        if self.tls13 {
            Version::Tls13
        } else if self.export {
            Version::Tls10
        } else if matches!(self.enc, Enc::Des | Enc::Idea) {
            Version::Tls11
        } else {
            Version::Tls12
        }
    }

    /// OpenSSL's version column: `SSLv3`, `TLSv1`, `TLSv1.2`, `TLSv1.3`.
    pub fn openssl_version(&self) -> &'static str {
        match self.min_version {
            Version::Ssl2 => "SSLv2",
            Version::Ssl3 => "SSLv3",
            Version::Tls10 => "TLSv1",
            Version::Tls11 => "TLSv1.1",
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
        }
    }

    /// OpenSSL's `Kx=` text for this suite: `ECDH`, `DH`, `RSA(512)`, `RSA(1024)`, `DH/RSA`…
    pub fn openssl_kx(&self) -> String {
        let size = if self.bits == 56 { "1024" } else { "512" };
        match self.kx {
            Kx::RsaExport => format!("RSA({size})"),
            Kx::DheExport => format!("DH({size})"),
            Kx::Dh | Kx::DhExport => format!("DH/{}", self.auth.name()),
            Kx::Ecdh => format!("ECDH/{}", self.auth.name()),
            other => other.name().to_string(),
        }
    }

    /// OpenSSL's `Au=` text for this suite (`DH` / `ECDH` for the static DH/ECDH suites).
    pub fn openssl_auth(&self) -> &'static str {
        match self.kx {
            Kx::Dh | Kx::DhExport => "DH",
            Kx::Ecdh => "ECDH",
            _ => self.auth.name(),
        }
    }

    /// OpenSSL's `Enc=` text for this suite: `AESGCM(128)`, `3DES(168)`, `None`.
    pub fn openssl_enc(&self) -> String {
        self.enc.name().to_string()
    }

    /// OpenSSL's `Mac=` text for this suite: `AEAD`, `SHA256`, `MD5`.
    pub fn openssl_mac(&self) -> &'static str {
        self.mac.name()
    }

    /// One line in the layout of `openssl ciphers -V`, without the leading indentation:
    /// `0xC0,0x2F - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 Kx=ECDH Au=RSA Enc=AESGCM(128) Mac=AEAD`.
    pub fn openssl_description(&self) -> String {
        format!(
            "0x{:02X},0x{:02X} - {:<30} {:<7} Kx={:<8} Au={:<5} Enc={:<22} Mac={:<4}{}",
            self.id >> 8,
            self.id & 0xff,
            self.name(),
            self.openssl_version(),
            self.openssl_kx(),
            self.openssl_auth(),
            self.openssl_enc(),
            self.openssl_mac(),
            if self.export { " export" } else { "" }
        )
        .trim_end()
        .to_string()
    }
}

impl fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.iana)
    }
}

/// Every cipher suite (IANA registry plus the few non-IANA legacy code points), sorted by code
/// point. Signalling values (SCSVs) are not included: see [`signalling_cipher_suites()`].
pub fn cipher_suites() -> &'static [CipherSuite] {
    suites::CIPHER_SUITES
}

/// The signalling cipher suite values: `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (0x00FF) and
/// `TLS_FALLBACK_SCSV` (0x5600). Both have `scsv == true`.
pub fn signalling_cipher_suites() -> &'static [CipherSuite] {
    suites::SIGNALLING
}

/// The suite (or signalling value) with this code point.
pub fn cipher_suite(id: u16) -> Option<&'static CipherSuite> {
    let table = suites::CIPHER_SUITES;
    if let Ok(i) = table.binary_search_by_key(&id, |s| s.id) {
        return Some(&table[i]);
    }
    suites::SIGNALLING.iter().find(|s| s.id == id)
}

/// Look a suite up by IANA or OpenSSL name, case-insensitively (also the pre-1.1.0 OpenSSL names
/// `EDH-RSA-DES-CBC3-SHA` / `EDH-DSS-DES-CBC3-SHA`, and the SCSV names).
pub fn cipher_suite_by_name(name: &str) -> Option<&'static CipherSuite> {
    let name = name.trim();
    // Names are ASCII; a name with another byte matches nothing (and keeps the lower-casing below
    // from allocating for hostile text it cannot match).
    if !name.is_ascii() || name.len() > MAX_SUITE_NAME {
        return None;
    }
    suites_by_name().get(&name.to_ascii_lowercase()).copied()
}

/// Longer than every suite name in the registry (the longest IANA name has 52 characters).
const MAX_SUITE_NAME: usize = 64;

/// Lower-cased IANA, OpenSSL and legacy OpenSSL names → suite, built once. Cipher strings look
/// every word up here: a map, so a long string costs linear time, not words × registry size.
/// The first suite to claim a name keeps it (table order, then the signalling values, then the
/// legacy names), as the linear search did.
fn suites_by_name() -> &'static std::collections::HashMap<String, &'static CipherSuite> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<String, &'static CipherSuite>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        for s in suites::CIPHER_SUITES
            .iter()
            .chain(suites::SIGNALLING.iter())
        {
            map.entry(s.iana.to_ascii_lowercase()).or_insert(s);
            if let Some(o) = s.openssl {
                map.entry(o.to_ascii_lowercase()).or_insert(s);
            }
        }
        for &(n, id) in suites::OPENSSL_LEGACY_NAMES {
            if let Some(s) = cipher_suite(id) {
                map.entry(n.to_ascii_lowercase()).or_insert(s);
            }
        }
        debug_assert!(map.keys().all(|k| k.len() <= MAX_SUITE_NAME));
        map
    })
}

/// A GREASE value (RFC 8701): 0x0A0A, 0x1A1A, … 0xFAFA. Used for cipher suites, groups,
/// signature schemes, extensions and versions alike.
pub fn is_grease(id: u16) -> bool {
    (id & 0x0f0f) == 0x0a0a && (id >> 8) == (id & 0xff)
}

/// The IANA name of a suite or SCSV code point, `GREASE_0xNNNN` for GREASE values, or
/// `UNKNOWN_0xNNNN`.
pub fn suite_name(id: u16) -> String {
    match cipher_suite(id) {
        Some(s) => s.iana.to_string(),
        None if is_grease(id) => format!("GREASE_0x{id:04X}"),
        None => format!("UNKNOWN_0x{id:04X}"),
    }
}

// ---------------------------------------------------------------------------------------------
// SSLv2 cipher kinds
// ---------------------------------------------------------------------------------------------

/// An SSLv2 cipher kind (3-byte code in SSLv2 CLIENT-HELLO / SERVER-HELLO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ssl2CipherKind {
    /// The 24-bit code, e.g. 0x010080.
    pub id: u32,
    /// The SSLv2 specification name, e.g. `SSL_CK_RC4_128_WITH_MD5`.
    pub name: &'static str,
    /// OpenSSL's name, e.g. `RC4-MD5`.
    pub openssl: &'static str,
    pub enc: Enc,
    /// Secret key bits (40 for the export kinds).
    pub bits: u16,
    pub export: bool,
}

impl Ssl2CipherKind {
    /// The three wire bytes.
    pub fn bytes(&self) -> [u8; 3] {
        [(self.id >> 16) as u8, (self.id >> 8) as u8, self.id as u8]
    }
}

/// Every SSLv2 cipher kind (RFC-draft SSLv2 plus OpenSSL's RC4-64 and DES-CFB-M1).
pub fn ssl2_cipher_kinds() -> &'static [Ssl2CipherKind] {
    suites::SSL2_CIPHER_KINDS
}

/// The SSLv2 cipher kind with this 24-bit code.
pub fn ssl2_cipher_kind(id: u32) -> Option<&'static Ssl2CipherKind> {
    suites::SSL2_CIPHER_KINDS.iter().find(|k| k.id == id)
}

// ---------------------------------------------------------------------------------------------
// Named groups
// ---------------------------------------------------------------------------------------------

/// A key-exchange group from the IANA *TLS Supported Groups* registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NamedGroup {
    pub id: u16,
    /// The IANA name: `x25519`, `secp256r1`, `ffdhe2048`, `X25519MLKEM768`, `brainpoolP256r1`…
    pub name: &'static str,
    /// The name OpenSSL uses for the group (`X25519`, `prime256v1`, `secp384r1`,
    /// `X25519MLKEM768`), `None` if OpenSSL does not implement it.
    pub openssl_name: Option<&'static str>,
    pub kind: GroupKind,
    /// Size as scanners report it: the field / curve size for EC and FFDHE groups (X25519: 253,
    /// like OpenSSL), the classical component's size for hybrids, the parameter set for ML-KEM.
    pub bits: u16,
    /// Approximate security strength in bits (NIST SP 800-57 / FIPS 203 categories).
    pub security_bits: u16,
    /// Deprecated or obsolete (RFC 8422 deprecated curves, explicit curves, pre-standard Kyber).
    pub deprecated: bool,
}

impl fmt::Display for NamedGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Every named group of the IANA registry, sorted by code point.
pub fn named_groups() -> &'static [NamedGroup] {
    groups::NAMED_GROUPS
}

/// The group with this code point.
pub fn named_group(id: u16) -> Option<&'static NamedGroup> {
    let t = groups::NAMED_GROUPS;
    t.binary_search_by_key(&id, |g| g.id).ok().map(|i| &t[i])
}

/// Look a group up by IANA or OpenSSL name, case-insensitively. Also accepts OpenSSL's aliases
/// `P-256`/`P-384`/`P-521`, the NIST `K-163`/`B-163`… names, `prime192v1`, and the
/// `curve25519`/`curve448` spellings.
pub fn named_group_by_name(name: &str) -> Option<&'static NamedGroup> {
    let name = name.trim();
    if let Some(g) = groups::NAMED_GROUPS.iter().find(|g| {
        g.name.eq_ignore_ascii_case(name)
            || g.openssl_name.is_some_and(|o| o.eq_ignore_ascii_case(name))
    }) {
        return Some(g);
    }
    groups::GROUP_ALIASES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|&(_, id)| named_group(id))
}

/// The IANA name of a group code point, `GREASE_0xNNNN`, or `UNKNOWN_0xNNNN`.
pub fn group_name(id: u16) -> String {
    match named_group(id) {
        Some(g) => g.name.to_string(),
        None if is_grease(id) => format!("GREASE_0x{id:04X}"),
        None => format!("UNKNOWN_0x{id:04X}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Signature schemes
// ---------------------------------------------------------------------------------------------

/// A signature scheme (TLS 1.3 `SignatureScheme`, or a TLS 1.2 `SignatureAndHashAlgorithm` pair
/// read as one 16-bit value: hash in the high byte, signature in the low byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignatureScheme {
    pub id: u16,
    /// The IANA name (`ecdsa_secp256r1_sha256`, `rsa_pss_rsae_sha256`, `ed25519`, `mldsa65`), or
    /// for TLS 1.2 pairs IANA never named, `<sig>_<hash>` (`dsa_sha1`, `ecdsa_sha224`, `rsa_md5`).
    pub name: &'static str,
    pub hash: HashAlg,
    pub sig: SigAlg,
    /// Usable for signatures in TLS 1.3 handshakes.
    pub tls13: bool,
    /// A TLS 1.2 (hash, signature) pair that is not (or no longer) a registered SignatureScheme,
    /// or a scheme IANA marks as not for TLS 1.3 use (SHA-1, SHA-224, MD5, DSA).
    pub legacy: bool,
    /// False for the GOST code points 0xEDED/0xEEEE/0xEFEF used by pre-RFC implementations.
    pub iana_assigned: bool,
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Every signature scheme of the IANA registry plus the legacy TLS 1.2 pairs, sorted by code point.
pub fn signature_schemes() -> &'static [SignatureScheme] {
    sigschemes::SIGNATURE_SCHEMES
}

/// The scheme with this code point.
pub fn signature_scheme(id: u16) -> Option<&'static SignatureScheme> {
    let t = sigschemes::SIGNATURE_SCHEMES;
    t.binary_search_by_key(&id, |s| s.id).ok().map(|i| &t[i])
}

/// Look a scheme up by name, case-insensitively: the IANA name (`rsa_pss_rsae_sha256`), or
/// OpenSSL's `-sigalgs` form `SIG+HASH` (`RSA+SHA256`, `ECDSA+SHA384`, `RSA-PSS+SHA256`,
/// `PSS+SHA256`, `DSA+SHA1`).
pub fn signature_scheme_by_name(name: &str) -> Option<&'static SignatureScheme> {
    let name = name.trim();
    if let Some(s) = sigschemes::SIGNATURE_SCHEMES
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
    {
        return Some(s);
    }
    sigschemes::by_openssl_pair(name)
}

/// The name of a signature scheme code point, `GREASE_0xNNNN`, or `UNKNOWN_0xNNNN`.
pub fn signature_scheme_name(id: u16) -> String {
    match signature_scheme(id) {
        Some(s) => s.name.to_string(),
        None if is_grease(id) => format!("GREASE_0x{id:04X}"),
        None => format!("UNKNOWN_0x{id:04X}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_sorted_and_unique() {
        for w in cipher_suites().windows(2) {
            assert!(w[0].id < w[1].id, "suites not sorted at {:04x}", w[1].id);
        }
        for w in named_groups().windows(2) {
            assert!(w[0].id < w[1].id, "groups not sorted at {:04x}", w[1].id);
        }
        for w in signature_schemes().windows(2) {
            assert!(
                w[0].id < w[1].id,
                "sigschemes not sorted at {:04x}",
                w[1].id
            );
        }
    }

    /// The name map answers as a linear search of the tables would, for every name the
    /// registry has, in upper, lower and mixed case.
    #[test]
    fn name_map_agrees_with_a_linear_search() {
        fn linear(name: &str) -> Option<u16> {
            let name = name.trim();
            for s in suites::CIPHER_SUITES
                .iter()
                .chain(suites::SIGNALLING.iter())
            {
                if s.iana.eq_ignore_ascii_case(name)
                    || s.openssl.is_some_and(|o| o.eq_ignore_ascii_case(name))
                {
                    return Some(s.id);
                }
            }
            suites::OPENSSL_LEGACY_NAMES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|&(_, id)| id)
        }
        let mut names: Vec<String> = Vec::new();
        for s in suites::CIPHER_SUITES
            .iter()
            .chain(suites::SIGNALLING.iter())
        {
            names.push(s.iana.to_string());
            names.extend(s.openssl.map(String::from));
        }
        names.extend(
            suites::OPENSSL_LEGACY_NAMES
                .iter()
                .map(|(n, _)| n.to_string()),
        );
        for n in names {
            let mixed: String = n
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect();
            for v in [n.clone(), n.to_ascii_lowercase(), mixed, format!(" {n} ")] {
                assert_eq!(cipher_suite_by_name(&v).map(|s| s.id), linear(&v), "{v}");
            }
        }
        assert!(cipher_suite_by_name("ECDHE-RSA-AES128-GCM-SHA256\u{e9}").is_none());
        assert!(cipher_suite_by_name(&"A".repeat(10_000)).is_none());
    }

    #[test]
    fn lookups() {
        let s = cipher_suite(0xC02F).unwrap();
        assert_eq!(s.iana, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(s.openssl, Some("ECDHE-RSA-AES128-GCM-SHA256"));
        assert_eq!(
            cipher_suite_by_name("ecdhe-rsa-aes128-gcm-sha256")
                .unwrap()
                .id,
            0xC02F
        );
        assert_eq!(
            cipher_suite_by_name("EDH-RSA-DES-CBC3-SHA").unwrap().id,
            0x0016
        );
        assert_eq!(suite_name(0x00FF), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
        assert_eq!(suite_name(0x0A0A), "GREASE_0x0A0A");
        assert_eq!(suite_name(0x0D0D), "UNKNOWN_0x0D0D");
        assert!(cipher_suite(0x00FF).unwrap().scsv);
        assert!(!cipher_suites().iter().any(|s| s.scsv));
    }
}
