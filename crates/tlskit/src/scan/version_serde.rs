//! How the report and the data files name protocol versions ("SSLv2" … "TLSv1.3"): serde helpers
//! for [`tlskit_wire::version::Version`] fields. Apart from `report` so the data files
//! (`scan::data`) and the report model can both use them without depending on each other.

use serde::{Deserialize, Deserializer, Serializer};
use tlskit_wire::version::Version;

/// A version's JSON name ("SSLv2" … "TLSv1.3") and back; the model stores
/// [`tlskit_wire::version::Version`] itself.
pub(crate) mod version_name {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Version, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.name())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Version, D::Error> {
        let name = String::deserialize(d)?;
        parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown protocol version {name:?} (expected SSLv2, SSLv3, TLSv1.0 … TLSv1.3)"
            ))
        })
    }

    /// The version named `name` exactly as the report writes it.
    pub(crate) fn parse(name: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// A list of versions as their JSON names.
pub(crate) mod version_names {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[Version], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|v| v.name()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Version>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|n| {
                version_name::parse(n).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown protocol version {n:?}"))
                })
            })
            .collect()
    }
}
