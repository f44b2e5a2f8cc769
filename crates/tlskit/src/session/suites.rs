//! Which cipher suites, protocol versions and groups a tlskit client or server will use, chosen with
//! the spellings OpenSSL users know (`-p TLSv1_2`, `-C 'ECDH+AES128'`), and refused in plain words
//! when they ask for something rustls will not speak.

use crate::error::{Error, Result};
use rustls::{SupportedCipherSuite, SupportedProtocolVersion};
use tlskit_wire::registry::{self, CipherSuite, Enc, Kx};
use tlskit_wire::version::Version;

/// Versions tlskit's client and server speak, newest first.
pub fn speakable_versions() -> Vec<&'static SupportedProtocolVersion> {
    vec![&rustls::version::TLS13, &rustls::version::TLS12]
}

/// Parse `-p` values into rustls versions. Each value names one version (`TLSv1_2`, `TLSv1.3`, `tls1.2`).
/// Anything older than TLS 1.2 is refused with the reason and a pointer to `tlskit scan`.
pub fn parse_versions(
    values: &[String],
    role: Role,
) -> Result<Vec<&'static SupportedProtocolVersion>> {
    if values.is_empty() {
        return Ok(speakable_versions());
    }
    let mut out: Vec<&'static SupportedProtocolVersion> = Vec::new();
    for raw in values.iter().flat_map(|v| v.split(',')) {
        let v = Version::parse(raw).ok_or_else(|| {
            Error::usage(format!(
                "unknown protocol '{raw}': use TLSv1_2 or TLSv1_3 (also spelled TLSv1.2, tls1.3)"
            ))
        })?;
        let rv = match v {
            Version::Tls12 => &rustls::version::TLS12,
            Version::Tls13 => &rustls::version::TLS13,
            old => return Err(Error::usage(refuse_version(old, role))),
        };
        if !out.iter().any(|x| x.version == rv.version) {
            out.push(rv);
        }
    }
    Ok(out)
}

/// Who is asking: the wording of refusals differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Client,
    Server,
}

fn refuse_version(v: Version, role: Role) -> String {
    let why = match v {
        Version::Ssl2 => "SSLv2 has been broken since 1996 and is prohibited (RFC 6176)",
        Version::Ssl3 => "SSLv3 is broken by POODLE and prohibited (RFC 7568)",
        Version::Tls10 | Version::Tls11 => "TLSv1.0 and TLSv1.1 are deprecated (RFC 8996)",
        _ => "this version is not supported",
    };
    match role {
        Role::Client => format!(
            "{why}, and tlskit connect speaks only TLSv1.2 and TLSv1.3 (it uses rustls, which refuses older versions); \
to find out whether a server still accepts {v}, run `tlskit scan HOST:PORT`"
        ),
        Role::Server => format!(
            "{why}, and tlskit serve speaks only TLSv1.2 and TLSv1.3; to stand up a legacy server for a lab, use \
`openssl s_server -tls1 -cipher 'DEFAULT:@SECLEVEL=0'`"
        ),
    }
}

/// The suites chosen for a configuration, and what the user's string selected that we will not speak.
#[derive(Debug, Clone)]
pub struct SuiteChoice {
    pub suites: Vec<SupportedCipherSuite>,
    /// Selected by the cipher string but not spoken by rustls (reported as a note).
    pub dropped: Vec<&'static CipherSuite>,
}

fn rustls_suites() -> Vec<SupportedCipherSuite> {
    crate::provider().cipher_suites.clone()
}

fn suite_id(s: &SupportedCipherSuite) -> u16 {
    u16::from(s.suite())
}

fn is_tls13_name(token: &str) -> bool {
    registry::cipher_suite_by_name(token).is_some_and(|s| s.tls13)
}

/// Choose suites from an OpenSSL-style cipher string (`-C`, for TLS ≤ 1.2, but TLS 1.3 suite names
/// may be mixed in) and an optional TLS 1.3 list (`--ciphersuites`). As in OpenSSL, a `-C` string
/// without TLS 1.3 names leaves the TLS 1.3 suites at their defaults.
pub fn choose_suites(
    ciphers: Option<&str>,
    ciphersuites: Option<&str>,
    role: Role,
) -> Result<SuiteChoice> {
    let all = rustls_suites();
    let mut tls13_names: Vec<String> = Vec::new();
    let mut tls12_tokens: Vec<String> = Vec::new();
    if let Some(c) = ciphers {
        for tok in c.split([':', ',', ' ']).filter(|t| !t.is_empty()) {
            if is_tls13_name(tok) {
                tls13_names.push(tok.to_string());
            } else {
                tls12_tokens.push(tok.to_string());
            }
        }
    }
    if let Some(cs) = ciphersuites {
        tls13_names.extend(
            cs.split([':', ',', ' '])
                .filter(|t| !t.is_empty())
                .map(String::from),
        );
    }

    let mut dropped: Vec<&'static CipherSuite> = Vec::new();

    // TLS 1.3 suites.
    let tls13: Vec<SupportedCipherSuite> = if tls13_names.is_empty() {
        all.iter()
            .filter(|s| s.tls13().is_some())
            .cloned()
            .collect()
    } else {
        let wanted = tlskit_wire::cipherstring::select_tls13(&tls13_names.join(":"))
            .map_err(|e| Error::usage(format!("{e}")))?;
        let mut v = Vec::new();
        for w in wanted {
            match all.iter().find(|s| suite_id(s) == w.id) {
                Some(s) => v.push(*s),
                None => dropped.push(w),
            }
        }
        if v.is_empty() {
            return Err(Error::usage(refuse_suites(
                &tls13_names.join(":"),
                &dropped,
                role,
            )));
        }
        v
    };

    // TLS 1.2 suites.
    let tls12: Vec<SupportedCipherSuite> = if tls12_tokens.is_empty() {
        all.iter()
            .filter(|s| s.tls13().is_none())
            .cloned()
            .collect()
    } else {
        let text = tls12_tokens.join(":");
        let selected =
            tlskit_wire::cipherstring::select(&text).map_err(|e| Error::usage(format!("{e}")))?;
        let mut v = Vec::new();
        let mut dropped12 = Vec::new();
        for w in selected {
            match all.iter().find(|s| suite_id(s) == w.id) {
                Some(s) => v.push(*s),
                None => dropped12.push(w),
            }
        }
        if v.is_empty() {
            return Err(Error::usage(refuse_suites(&text, &dropped12, role)));
        }
        dropped.extend(dropped12);
        v
    };

    let mut suites = tls13;
    suites.extend(tls12);
    Ok(SuiteChoice { suites, dropped })
}

/// Why rustls does not implement a suite, in one phrase.
pub fn why_not_spoken(s: &CipherSuite) -> &'static str {
    if s.export {
        return "export-grade suites are deliberately weak (FREAK, Logjam)";
    }
    if s.null_encryption() {
        return "NULL encryption sends the data in plaintext";
    }
    if s.anonymous() {
        return "anonymous suites cannot authenticate the server";
    }
    match s.enc {
        Enc::Rc4_40 | Enc::Rc4_128 => return "RC4 is broken and prohibited (RFC 7465)",
        _ => {}
    }
    if s.block_bits() == Some(64) {
        return "64-bit block ciphers such as 3DES are open to SWEET32";
    }
    match s.kx {
        Kx::Rsa | Kx::RsaExport => return "static RSA key exchange has no forward secrecy",
        Kx::Dh | Kx::Dhe | Kx::DhExport | Kx::DheExport => {
            return "finite-field DHE suites are not implemented by rustls"
        }
        _ => {}
    }
    if s.is_cbc() {
        return "CBC-mode suites (padding-oracle prone) are not implemented by rustls";
    }
    "this suite is not implemented by rustls"
}

fn refuse_suites(text: &str, dropped: &[&'static CipherSuite], role: Role) -> String {
    let mut reasons: Vec<&'static str> = dropped.iter().map(|s| why_not_spoken(s)).collect();
    reasons.dedup();
    reasons.sort();
    reasons.dedup();
    let what = if reasons.is_empty() {
        "no suites tlskit speaks".to_string()
    } else {
        reasons.join("; ")
    };
    let who = match role {
        Role::Client => "tlskit connect",
        Role::Server => "tlskit serve",
    };
    let tail = match role {
        Role::Client => "to find out whether a server accepts them, run `tlskit scan HOST:PORT`",
        Role::Server => "see `tlskit ciphers -v` for what each string selects",
    };
    format!(
        "the cipher string '{text}' selects only suites {who} will not use: {what}. \
{who} uses TLSv1.3 suites and TLSv1.2 ECDHE suites with AES-GCM or ChaCha20-Poly1305; {tail}"
    )
}

/// Key-exchange groups from a list like `x25519:secp256r1` (IANA or OpenSSL spellings).
pub fn choose_groups(
    list: Option<&str>,
) -> Result<Vec<&'static dyn rustls::crypto::SupportedKxGroup>> {
    let all = crate::provider().kx_groups.clone();
    let Some(list) = list else { return Ok(all) };
    let mut out: Vec<&'static dyn rustls::crypto::SupportedKxGroup> = Vec::new();
    for tok in list.split([':', ',', ' ']).filter(|t| !t.is_empty()) {
        let id = registry::named_group_by_name(tok)
            .map(|g| g.id)
            .ok_or_else(|| {
                Error::usage(format!(
                    "unknown group '{tok}' (try x25519, secp256r1, secp384r1, X25519MLKEM768)"
                ))
            })?;
        match all.iter().find(|g| u16::from(g.name()) == id) {
            Some(g) => out.push(*g),
            None => {
                let names: Vec<String> = all
                    .iter()
                    .map(|g| group_name(u16::from(g.name())))
                    .collect();
                return Err(Error::usage(format!(
                    "group '{tok}' is not implemented by rustls; available: {}",
                    names.join(", ")
                )));
            }
        }
    }
    Ok(out)
}

/// IANA name of a group code point.
pub fn group_name(id: u16) -> String {
    registry::named_group(id)
        .map(|g| g.name.to_string())
        .unwrap_or_else(|| format!("0x{id:04x}"))
}
