//! The client-simulation profiles (clients.toml): the ClientHello of each well-known client and
//! what it requires of a server, read once from the data file compiled into the binary.
//!
//! TOML because the profiles are data people read and correct (hex code points with comments);
//! the `toml` crate parses it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tlskit_wire::version::Version;

const DATA: &str = include_str!("clients.toml");

/// One client: its hello and its requirements (see the header of clients.toml for each field).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// "Chrome 101 / Windows 10".
    pub name: String,
    /// Where the profile comes from (the facts' source, named in clients.toml; read by people).
    #[allow(dead_code)]
    pub source: String,
    /// Anything a reader should know.
    #[serde(default)]
    #[allow(dead_code)]
    pub note: Option<String>,
    /// Versions offered, in the client's order.
    #[serde(with = "crate::scan::version_serde::version_names")]
    pub versions: Vec<Version>,
    /// Cipher suites, in the client's order.
    pub suites: Vec<u16>,
    /// Compression methods.
    #[serde(default = "null_compression")]
    pub compression: Vec<u8>,
    /// Sends a 32-byte legacy session id.
    #[serde(default)]
    pub session_id: bool,
    /// Extension types, in the client's order.
    pub extensions: Vec<u16>,
    /// Sends server_name.
    #[serde(default = "yes")]
    pub sni: bool,
    /// supported_groups.
    #[serde(default)]
    pub groups: Vec<u16>,
    /// ec_point_formats.
    #[serde(default = "uncompressed")]
    pub point_formats: Vec<u8>,
    /// signature_algorithms.
    #[serde(default)]
    pub sigalgs: Vec<u16>,
    /// ALPN protocols.
    #[serde(default)]
    pub alpn: Vec<String>,
    /// Groups of the TLS 1.3 key shares sent in the first hello.
    #[serde(default)]
    pub key_shares: Vec<u16>,
    /// The lowest version accepted, when lower ones are offered on the wire.
    #[serde(default, with = "opt_version")]
    pub min_version: Option<Version>,
    /// Smallest DH prime accepted (bits).
    #[serde(default)]
    pub min_dh_bits: Option<u32>,
    /// Largest DH prime accepted (bits).
    #[serde(default)]
    pub max_dh_bits: Option<u32>,
    /// Smallest RSA key accepted (bits).
    #[serde(default)]
    pub min_rsa_bits: Option<u32>,
    /// Largest RSA key accepted (bits).
    #[serde(default)]
    pub max_rsa_bits: Option<u32>,
    /// Smallest ECDSA key accepted (bits).
    #[serde(default)]
    pub min_ecdsa_bits: Option<u32>,
    /// Refuses SHA-1/MD5-signed certificates.
    #[serde(default)]
    pub requires_sha2: bool,
    /// The data of the extensions replayed as captured: type (decimal) → hex.
    #[serde(default)]
    ext_data: BTreeMap<String, String>,
}

fn null_compression() -> Vec<u8> {
    vec![0]
}
fn yes() -> bool {
    true
}
fn uncompressed() -> Vec<u8> {
    vec![0]
}

mod opt_version {
    use serde::{Deserialize, Deserializer};
    use tlskit_wire::version::Version;

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Version>, D::Error> {
        let name = String::deserialize(d)?;
        crate::scan::version_serde::version_name::parse(&name)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown protocol version {name:?}")))
    }
}

impl Profile {
    /// The data of extension `typ` as captured (empty when the file gives none).
    pub fn ext_data(&self, typ: u16) -> Vec<u8> {
        self.ext_data
            .get(&typ.to_string())
            .and_then(|h| hex::decode(h).ok())
            .unwrap_or_default()
    }

    /// The newest version offered.
    pub fn max_version(&self) -> Option<Version> {
        self.versions.iter().copied().max()
    }

    /// Whether the client accepts `v` (offered and not below its minimum).
    pub fn accepts_version(&self, v: Version) -> bool {
        self.versions.contains(&v) && self.min_version.is_none_or(|m| v >= m)
    }

    /// Problems a profile must not have: unknown fields are refused by the parser; this checks
    /// what it cannot (ext_data keys and hex, a version list).
    fn validate(&self) -> Result<(), String> {
        if self.versions.is_empty() || self.suites.is_empty() {
            return Err(format!("{}: no versions or no suites", self.name));
        }
        for (k, v) in &self.ext_data {
            let t: u16 = k
                .parse()
                .map_err(|_| format!("{}: ext_data key {k:?} is not a type", self.name))?;
            if !self.extensions.contains(&t) {
                return Err(format!(
                    "{}: ext_data for {t}, not in extensions",
                    self.name
                ));
            }
            hex::decode(v).map_err(|_| format!("{}: ext_data {t} is not hex", self.name))?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    client: Vec<Profile>,
}

fn parse(text: &str) -> Result<Vec<Profile>, String> {
    let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
    for p in &f.client {
        p.validate()?;
    }
    Ok(f.client)
}

/// Every profile, in the file's order; an error (the file did not parse: a build that a unit
/// test would have failed) names what is wrong.
pub fn profiles() -> Result<&'static [Profile], String> {
    static PROFILES: OnceLock<Result<Vec<Profile>, String>> = OnceLock::new();
    match PROFILES.get_or_init(|| parse(DATA)) {
        Ok(v) => Ok(v),
        Err(e) => Err(format!(
            "the client profiles (clients.toml) are broken: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tlskit_wire::client_hello::ClientHello;
    use tlskit_wire::extensions::is_grease;

    #[test]
    fn the_profiles_parse_and_cover_the_required_clients() {
        let all = profiles().unwrap();
        assert!(all.len() >= 25, "{} profiles", all.len());
        for want in [
            "Chrome",
            "Firefox",
            "Safari",
            "Edge",
            "Android 4.4",
            "Android 7",
            "Android 10",
            "iOS",
            "IE 11 / Windows 7",
            "Java 8",
            "Java 11",
            "Java 17",
            "OpenSSL 1.0.2",
            "OpenSSL 1.1.1",
            "OpenSSL 3.0",
            "Python",
            "Go",
            "curl",
            "GnuTLS",
        ] {
            assert!(
                all.iter().any(|p| p.name.contains(want)),
                "no profile for {want}"
            );
        }
        let mut names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len(), "profile names repeat");
    }

    /// Every profile says what its source hello says (client_hellos.txt, decoded by the wire
    /// crate's parser): suites, versions, extensions in order, groups, signature algorithms,
    /// ALPN, key share groups and the replayed extension data.
    #[test]
    fn the_profiles_match_their_captured_hellos() {
        let all = profiles().unwrap();
        let hellos = include_str!("client_hellos.txt");
        let mut checked = 0;
        for line in hellos
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (name, hex) = line.split_once('\t').unwrap();
            let p = all
                .iter()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("no profile named {name}"));
            let rec = hex::decode(hex).unwrap();
            let ch = ClientHello::parse_message(&rec[5..]).unwrap();
            let nog =
                |v: &[u16]| -> Vec<u16> { v.iter().copied().filter(|x| !is_grease(*x)).collect() };
            assert_eq!(p.suites, nog(&ch.cipher_suites), "{name}: suites");
            assert_eq!(p.compression, ch.compression_methods, "{name}: compression");
            assert_eq!(
                p.session_id,
                !ch.session_id.is_empty(),
                "{name}: session id"
            );
            let types: Vec<u16> = ch.extensions.iter().map(|e| e.typ).collect();
            assert_eq!(p.extensions, nog(&types), "{name}: extensions");
            assert_eq!(p.sni, ch.server_name().unwrap().is_some(), "{name}: sni");
            let groups = ch.supported_groups().unwrap().unwrap_or_default();
            assert_eq!(p.groups, nog(&groups), "{name}: groups");
            let sigalgs = ch.signature_algorithms().unwrap().unwrap_or_default();
            assert_eq!(p.sigalgs, nog(&sigalgs), "{name}: sigalgs");
            let alpn: Vec<String> = ch
                .alpn()
                .unwrap()
                .unwrap_or_default()
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            assert_eq!(p.alpn, alpn, "{name}: alpn");
            let shares: Vec<u16> = ch
                .key_shares()
                .unwrap()
                .unwrap_or_default()
                .iter()
                .map(|k| k.group)
                .collect();
            assert_eq!(p.key_shares, nog(&shares), "{name}: key shares");
            match ch.supported_versions().unwrap() {
                Some(v) => {
                    let wire: Vec<u16> = p.versions.iter().map(|v| v.wire()).collect();
                    assert_eq!(wire, nog(&v), "{name}: supported_versions");
                }
                None => assert_eq!(
                    p.max_version().map(|v| v.wire()),
                    Some(ch.legacy_version),
                    "{name}: version"
                ),
            }
            for e in &ch.extensions {
                if !p.ext_data.contains_key(&e.typ.to_string()) {
                    continue;
                }
                assert_eq!(
                    p.ext_data(e.typ),
                    e.data,
                    "{name}: data of extension {}",
                    e.typ
                );
            }
            checked += 1;
        }
        assert_eq!(
            checked,
            all.len(),
            "every profile has its hello in client_hellos.txt"
        );
    }
}
