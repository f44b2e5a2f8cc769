//! The small typed values of the report: cipher-suite ids and weakness ids (versions are
//! [`tlskit_wire::version::Version`], named in JSON by `scan::version_serde`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tlskit_wire::registry::{self, CipherSuite};

/// A cipher suite's code point: a TLS/SSLv3 suite (two bytes) or an SSLv2 cipher kind (three
/// bytes). Serialised as one number, as the JSON always was (SSLv2 kinds are above 0xFFFF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SuiteId {
    /// An IANA TLS cipher suite (also SSLv3's).
    Tls(u16),
    /// An SSLv2 cipher kind (3-byte code).
    Ssl2(u32),
}

impl SuiteId {
    /// The number in the JSON.
    pub fn code(self) -> u32 {
        match self {
            SuiteId::Tls(id) => id as u32,
            SuiteId::Ssl2(id) => id,
        }
    }

    /// The two-byte TLS id, when this is one.
    pub fn tls(self) -> Option<u16> {
        match self {
            SuiteId::Tls(id) => Some(id),
            SuiteId::Ssl2(_) => None,
        }
    }

    /// The registry entry of a TLS suite (None for SSLv2 kinds and unknown code points).
    pub fn suite(self) -> Option<&'static CipherSuite> {
        self.tls().and_then(registry::cipher_suite)
    }

    /// "0x002F", or "0x010080" for an SSLv2 kind.
    pub fn hex(self) -> String {
        match self {
            SuiteId::Tls(id) => format!("0x{id:04X}"),
            SuiteId::Ssl2(id) => format!("0x{id:06X}"),
        }
    }
}

impl From<u32> for SuiteId {
    fn from(code: u32) -> SuiteId {
        match u16::try_from(code) {
            Ok(id) => SuiteId::Tls(id),
            Err(_) => SuiteId::Ssl2(code),
        }
    }
}

impl Serialize for SuiteId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.code())
    }
}

impl<'de> Deserialize<'de> for SuiteId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SuiteId, D::Error> {
        u32::deserialize(d).map(SuiteId::from)
    }
}

/// The weaknesses tlskit judges, by their stable JSON id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WeaknessId {
    /// Heartbleed (CVE-2014-0160): the heartbeat over-read.
    Heartbleed,
    /// CCS injection (CVE-2014-0224): an early ChangeCipherSpec accepted.
    CcsInjection,
    /// Ticketbleed (CVE-2016-9244): a resumed session's ID echoed longer than sent.
    Ticketbleed,
    /// ROBOT: a Bleichenbacher oracle in RSA key exchange.
    Robot,
    /// POODLE (CVE-2014-3566): SSLv3 with CBC suites.
    Poodle,
    /// SWEET32: 64-bit block ciphers.
    Sweet32,
    /// FREAK: RSA export suites.
    Freak,
    /// LOGJAM: DHE export suites or DH groups of 1024 bits or less.
    Logjam,
    /// DROWN: SSLv2 offered.
    Drown,
    /// BEAST: CBC suites with TLS 1.0 or SSLv3.
    Beast,
    /// Lucky Thirteen (CVE-2013-0169): CBC suites with TLS ≤ 1.2 (potentially: a timing side
    /// channel).
    Lucky13,
    /// CRIME: TLS compression.
    Crime,
    /// RC4 suites.
    Rc4,
    /// Suites without encryption.
    Null,
    /// Anonymous (unauthenticated) key exchange.
    Anonymous,
    /// Static RSA key exchange (no forward secrecy).
    StaticRsa,
    /// BREACH: HTTP compression of the answers (from the HTTP layer).
    Breach,
}

impl WeaknessId {
    /// Every weakness, in the order of the report.
    pub const ALL: [WeaknessId; 17] = [
        WeaknessId::Heartbleed,
        WeaknessId::CcsInjection,
        WeaknessId::Ticketbleed,
        WeaknessId::Robot,
        WeaknessId::Poodle,
        WeaknessId::Sweet32,
        WeaknessId::Freak,
        WeaknessId::Logjam,
        WeaknessId::Drown,
        WeaknessId::Beast,
        WeaknessId::Lucky13,
        WeaknessId::Crime,
        WeaknessId::Rc4,
        WeaknessId::Null,
        WeaknessId::Anonymous,
        WeaknessId::StaticRsa,
        WeaknessId::Breach,
    ];

    /// The JSON id: "heartbleed", "ccs_injection" …
    pub fn as_str(self) -> &'static str {
        match self {
            WeaknessId::Heartbleed => "heartbleed",
            WeaknessId::CcsInjection => "ccs_injection",
            WeaknessId::Ticketbleed => "ticketbleed",
            WeaknessId::Robot => "robot",
            WeaknessId::Poodle => "poodle",
            WeaknessId::Sweet32 => "sweet32",
            WeaknessId::Freak => "freak",
            WeaknessId::Logjam => "logjam",
            WeaknessId::Drown => "drown",
            WeaknessId::Beast => "beast",
            WeaknessId::Lucky13 => "lucky13",
            WeaknessId::Crime => "crime",
            WeaknessId::Rc4 => "rc4",
            WeaknessId::Null => "null",
            WeaknessId::Anonymous => "anonymous",
            WeaknessId::StaticRsa => "static_rsa",
            WeaknessId::Breach => "breach",
        }
    }

    /// The id named `s` ("poodle"), if any.
    pub fn parse(s: &str) -> Option<WeaknessId> {
        WeaknessId::ALL.into_iter().find(|w| w.as_str() == s)
    }
}

impl std::fmt::Display for WeaknessId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
