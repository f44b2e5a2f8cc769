//! The TLS extensions the server sends, per version: those of its ServerHello (TLS ≤ 1.2) and,
//! in TLS 1.3, of its ServerHello and EncryptedExtensions. Names come from the wire crate's
//! registry ([`tlskit_wire::extensions::ExtensionType`]), the one list of them.

use super::version_name;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tlskit_wire::extensions::ExtensionType;
use tlskit_wire::version::Version;

/// One extension the server sent, by its code point. JSON: `{"id": 23, "name":
/// "extended_master_secret"}` (the name from the registry; "unknown" for code points it lacks).
///
/// Left open (a public `u16`, no `#[non_exhaustive]`): it is the code point and nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerExtension(pub u16);

impl ServerExtension {
    /// The registry's type.
    pub fn typ(self) -> ExtensionType {
        ExtensionType::from(self.0)
    }

    /// The IANA name.
    pub fn name(self) -> &'static str {
        self.typ().name()
    }
}

#[derive(Serialize, Deserialize)]
struct ExtJson<'a> {
    id: u16,
    #[serde(borrow)]
    name: std::borrow::Cow<'a, str>,
}

impl Serialize for ServerExtension {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ExtJson {
            id: self.0,
            name: self.name().into(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ServerExtension {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ServerExtension, D::Error> {
        ExtJson::deserialize(d).map(|j| ServerExtension(j.id))
    }
}

/// The extensions one version's handshake carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VersionExtensions {
    /// The version.
    #[serde(with = "version_name")]
    pub version: Version,
    /// In the order the server sent them (TLS 1.3: ServerHello's, then EncryptedExtensions').
    pub extensions: Vec<ServerExtension>,
    /// Why the list is incomplete or missing (e.g. the EncryptedExtensions could not be read);
    /// the extensions seen so far stay listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The text section's lines: one per version.
pub fn render_text(list: &[VersionExtensions]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for v in list {
        let names: Vec<String> = v
            .extensions
            .iter()
            .map(|e| match e.typ() {
                ExtensionType::Unknown(id) => format!("unknown 0x{id:04x}"),
                t => t.name().to_string(),
            })
            .collect();
        let _ = write!(
            s,
            "  {:<8} {}",
            v.version.name(),
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        );
        if let Some(e) = &v.error {
            let _ = write!(s, "  (not determined: {})", crate::escape::text(e));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_come_from_the_registry_and_read_back() {
        let v = VersionExtensions {
            version: Version::Tls12,
            extensions: vec![
                ServerExtension(0xff01),
                ServerExtension(23),
                ServerExtension(0x7777),
            ],
            error: None,
        };
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(
            json,
            r#"{"version":"TLSv1.2","extensions":[{"id":65281,"name":"renegotiation_info"},{"id":23,"name":"extended_master_secret"},{"id":30583,"name":"unknown"}]}"#
        );
        assert_eq!(serde_json::from_str::<VersionExtensions>(&json).unwrap(), v);
        assert!(render_text(&[v])
            .contains("renegotiation_info, extended_master_secret, unknown 0x7777"));
    }
}
