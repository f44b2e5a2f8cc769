//! The report's `ech`: whether the server supports Encrypted Client Hello (RFC 9849), the
//! configurations it sends back as `retry_configs`, and — given a configuration (`--ech-config`)
//! — whether a real ECH handshake with it was accepted.

use serde::{Deserialize, Serialize};
use tlskit_wire::ech::{aead_name, kdf_name, kem_name, EchConfig};

/// Encrypted Client Hello as the server handles it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EchReport {
    /// The server answers an ECH offer it cannot decrypt with retry configurations (or accepted
    /// a real offer). false: it does not (with `reason`); null: not determined (with `error`).
    pub supported: Option<bool>,
    /// Why `supported` is false ("TLSv1.3 is not offered" …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why `supported` could not be determined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The ECHConfigList the server sent as `retry_configs` after rejecting an offer, decoded
    /// (empty when it sent none).
    pub retry_configs: Vec<EchConfigInfo>,
    /// A real ECH handshake with a known configuration was accepted: true / false; null when no
    /// configuration was known (no `--ech-config`) or it could not be told (`handshake.error`).
    pub accepted: Option<bool>,
    /// The real ECH handshake, when a configuration was known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake: Option<EchHandshake>,
    /// With `--dns` (and no `--ech-config`): the name's DNS HTTPS record publishes an
    /// ECHConfigList (true; it is then tried in the real handshake) or not (false); absent
    /// without `--dns`, null when the record could not be read (an entry in `errors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Option<bool>>,
}

/// One ECHConfig, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EchConfigInfo {
    /// The ECHConfig version (65037 = 0xfe0d, RFC 9849).
    pub version: u16,
    /// The configuration id (null for a version this tool cannot read).
    pub config_id: Option<u8>,
    /// The HPKE KEM: id and name.
    pub kem: Option<HpkeAlgorithm>,
    /// The name the outer ClientHello carries in its SNI (the client-facing server), exactly as
    /// sent (invalid UTF-8 replaced).
    pub public_name: Option<String>,
    /// The longest inner name the server expects (0: not said).
    pub maximum_name_length: Option<u8>,
    /// The HPKE symmetric suites the server accepts.
    pub cipher_suites: Vec<EchCipherSuite>,
    /// The types of the configuration's extensions.
    pub extensions: Vec<u16>,
}

/// An HPKE algorithm id with its IANA name (or hex when not known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HpkeAlgorithm {
    /// The IANA id.
    pub id: u16,
    /// Its name.
    pub name: String,
}

/// One HPKE symmetric suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EchCipherSuite {
    /// The KDF.
    pub kdf: HpkeAlgorithm,
    /// The AEAD.
    pub aead: HpkeAlgorithm,
}

/// Where a configuration tried in a real ECH handshake came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EchConfigSource {
    /// `--ech-config FILE`.
    File,
    /// The `ech` SvcParam of the name's DNS HTTPS record (`--dns`, RFC 9460 / RFC 9848).
    Dns,
}

/// A real ECH handshake with a known configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EchHandshake {
    /// Where the configuration came from.
    pub source: EchConfigSource,
    /// The id of the configuration used (null when none of the list could be used).
    pub config_id: Option<u8>,
    /// The outer SNI: the configuration's public_name.
    pub public_name: Option<String>,
    /// The server name sent encrypted in the inner ClientHello.
    pub inner_sni: Option<String>,
    /// The server accepted the encrypted inner ClientHello (null: not determined, see `error`).
    pub accepted: Option<bool>,
    /// Why it could not be told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn algorithm(id: u16, name: fn(u16) -> String) -> HpkeAlgorithm {
    HpkeAlgorithm { id, name: name(id) }
}

impl EchConfigInfo {
    /// The report's view of a decoded configuration.
    pub fn from_config(c: &EchConfig) -> EchConfigInfo {
        match c {
            EchConfig::V0xfe0d(c) => EchConfigInfo {
                version: tlskit_wire::ech::ECH_VERSION,
                config_id: Some(c.config_id),
                kem: Some(algorithm(c.kem_id, kem_name)),
                public_name: Some(String::from_utf8_lossy(&c.public_name).into_owned()),
                maximum_name_length: Some(c.maximum_name_length),
                cipher_suites: c
                    .cipher_suites
                    .iter()
                    .map(|s| EchCipherSuite {
                        kdf: algorithm(s.kdf, kdf_name),
                        aead: algorithm(s.aead, aead_name),
                    })
                    .collect(),
                extensions: c.extensions.iter().map(|e| e.typ).collect(),
            },
            EchConfig::Other { version, .. } => EchConfigInfo {
                version: *version,
                config_id: None,
                kem: None,
                public_name: None,
                maximum_name_length: None,
                cipher_suites: Vec::new(),
                extensions: Vec::new(),
            },
        }
    }

    /// One line: `config id 173, DHKEM(X25519, HKDF-SHA256), public name example.com,
    /// HKDF-SHA256/AES-128-GCM`. It holds the peer's public name as sent: escape it to show it.
    pub fn summary(&self) -> String {
        let (Some(id), Some(kem)) = (self.config_id, &self.kem) else {
            return format!("version 0x{:04x} (not readable by tlskit)", self.version);
        };
        let suites: Vec<String> = self
            .cipher_suites
            .iter()
            .map(|s| format!("{}/{}", s.kdf.name, s.aead.name))
            .collect();
        format!(
            "config id {id}, {}, public name {}, {}",
            kem.name,
            self.public_name.as_deref().unwrap_or(""),
            suites.join(", ")
        )
    }
}

impl EchReport {
    /// The report's "Encrypted Client Hello" section (without its heading). Peer-sent names are
    /// escaped.
    pub fn render_text(&self, st: super::Style) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let supported = match self.supported {
            Some(true) => st.good("yes"),
            Some(false) => format!(
                "no{}",
                st.dim(
                    &self
                        .reason
                        .as_ref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                )
            ),
            None => format!(
                "{}{}",
                st.warn("not determined"),
                st.dim(
                    &self
                        .error
                        .as_ref()
                        .map(|e| format!(" ({})", crate::escape::text(e)))
                        .unwrap_or_default()
                )
            ),
        };
        let _ = writeln!(s, "  supported              {supported}");
        for (i, c) in self.retry_configs.iter().enumerate() {
            let label = if i == 0 { "retry configs" } else { "" };
            let _ = writeln!(s, "  {label:<22} {}", crate::escape::text(&c.summary()));
        }
        if let Some(p) = self.published {
            let said = match p {
                Some(true) => "publishes an ECHConfigList (tried below)".to_string(),
                Some(false) => "publishes no ECHConfigList".to_string(),
                None => st.warn("could not be read (see errors)"),
            };
            let _ = writeln!(s, "  DNS HTTPS record       {said}");
        }
        if let Some(h) = &self.handshake {
            let outcome = match h.accepted {
                Some(true) => st.good("accepted"),
                Some(false) => st.bad("rejected"),
                None => format!(
                    "{}{}",
                    st.warn("not determined"),
                    st.dim(
                        &h.error
                            .as_ref()
                            .map(|e| format!(" ({})", crate::escape::text(e)))
                            .unwrap_or_default()
                    )
                ),
            };
            let names = match (&h.public_name, &h.inner_sni) {
                (Some(p), Some(i)) => st.dim(&format!(
                    " (outer SNI {}, inner SNI {})",
                    crate::escape::text(p),
                    crate::escape::text(i)
                )),
                _ => String::new(),
            };
            let from = match h.source {
                EchConfigSource::File => "",
                EchConfigSource::Dns => " with the DNS configuration",
            };
            let _ = writeln!(s, "  ECH handshake          {outcome}{from}{names}");
        }
        s
    }
}
