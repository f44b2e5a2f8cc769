//! The report's `client_simulation`: what each well-known client (scan::data::clients) would
//! negotiate with the server, or why its handshake fails.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tlskit_wire::version::Version;

/// One simulated client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SimulatedClient {
    /// The profile's name ("Chrome 101 / Windows 10").
    pub client: String,
    /// The version negotiated.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_version")]
    pub protocol: Option<Version>,
    /// The suite negotiated (IANA name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher_suite: Option<String>,
    /// The key-exchange group (IANA name: "x25519", "ffdhe2048").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Bits of the key exchange when it is not a named group: the DH prime, or the RSA key of
    /// RSA key transport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_bits: Option<u32>,
    /// Why the handshake fails for this client (or why it could not be determined: then it
    /// starts with "not determined").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl SimulatedClient {
    /// A client whose handshake fails (or could not be simulated), and why.
    pub fn failed(client: &str, why: impl Into<String>) -> SimulatedClient {
        SimulatedClient {
            client: client.to_string(),
            protocol: None,
            cipher_suite: None,
            group: None,
            key_bits: None,
            error: Some(why.into()),
        }
    }

    /// Whether the outcome could not be determined (no answer, a reset …): not a verdict.
    pub fn undetermined(&self) -> bool {
        self.error
            .as_deref()
            .is_some_and(|e| e.starts_with("not determined"))
    }

    /// The key exchange in words: "x25519", "DH 1024", "RSA 2048".
    pub fn key_exchange(&self, rsa: bool) -> String {
        match (&self.group, self.key_bits) {
            (Some(g), _) => g.clone(),
            (None, Some(b)) if rsa => format!("RSA {b}"),
            (None, Some(b)) => format!("DH {b}"),
            (None, None) => String::new(),
        }
    }
}

mod opt_version {
    use super::*;

    pub(super) fn serialize<S: Serializer>(v: &Option<Version>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(v.name()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Version>, D::Error> {
        let name = String::deserialize(d)?;
        super::super::version_name::parse(&name)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown protocol version {name:?}")))
    }
}

/// The text section's rows (without its heading): one line per client.
pub fn render_text(clients: &[SimulatedClient], st: super::Style) -> String {
    use std::fmt::Write;
    let width = clients
        .iter()
        .map(|c| c.client.chars().count())
        .max()
        .unwrap_or(0);
    let mut s = String::new();
    for c in clients {
        let name = format!("{:<width$}", crate::escape::text(&c.client));
        match (&c.error, c.protocol) {
            (Some(e), _) => {
                let e = crate::escape::text(e);
                let shown = if c.undetermined() {
                    st.warn(&e)
                } else {
                    st.bad(&format!("fails: {e}"))
                };
                let _ = writeln!(s, "  {name}  {shown}");
            }
            (None, Some(v)) => {
                let suite = c.cipher_suite.clone().unwrap_or_default();
                let rsa = suite.starts_with("TLS_RSA_");
                let _ = writeln!(
                    s,
                    "  {name}  {:<7}  {suite:<45}  {}",
                    v.name(),
                    c.key_exchange(rsa)
                );
            }
            (None, None) => {
                let _ = writeln!(s, "  {name}  ?");
            }
        }
    }
    s
}
