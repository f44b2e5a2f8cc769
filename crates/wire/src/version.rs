//! Protocol versions, from SSL 2.0 to TLS 1.3.

use std::fmt;

/// An SSL/TLS protocol version. Ordered from oldest to newest.
///
/// Exhaustive on purpose: every report, grade and policy rule matches on the version, and a
/// new protocol version is a change each of those matches must decide on (a wildcard arm would
/// hide it), so adding one is a breaking change of this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    Ssl2,
    Ssl3,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 6] = [
        Version::Ssl2,
        Version::Ssl3,
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
    ];

    /// The two-byte code point used on the wire (SSLv2 uses 0x0002).
    pub fn wire(self) -> u16 {
        match self {
            Version::Ssl2 => 0x0002,
            Version::Ssl3 => 0x0300,
            Version::Tls10 => 0x0301,
            Version::Tls11 => 0x0302,
            Version::Tls12 => 0x0303,
            Version::Tls13 => 0x0304,
        }
    }

    /// The version for a wire code point, if it is one we know.
    pub fn from_wire(v: u16) -> Option<Version> {
        Some(match v {
            0x0002 => Version::Ssl2,
            0x0300 => Version::Ssl3,
            0x0301 => Version::Tls10,
            0x0302 => Version::Tls11,
            0x0303 => Version::Tls12,
            0x0304 => Version::Tls13,
            _ => return None,
        })
    }

    /// The name used in tlskit's reports and JSON: "SSLv2" "SSLv3" "TLSv1.0" "TLSv1.1" "TLSv1.2" "TLSv1.3".
    pub fn name(self) -> &'static str {
        match self {
            Version::Ssl2 => "SSLv2",
            Version::Ssl3 => "SSLv3",
            Version::Tls10 => "TLSv1.0",
            Version::Tls11 => "TLSv1.1",
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
        }
    }

    /// Parse the spellings users type: `TLSv1_2`, `TLSv1.2`, `tls1.2`, `tls12`, `1.2`, `SSLv3`, `TLSv1`.
    pub fn parse(s: &str) -> Option<Version> {
        let norm: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !matches!(c, '_' | '.' | '-' | 'v' | ' '))
            .collect();
        Some(match norm.as_str() {
            "ssl2" | "sslv2" => Version::Ssl2,
            "ssl3" | "sslv3" => Version::Ssl3,
            "tls1" | "tls10" | "10" => Version::Tls10,
            "tls11" | "11" => Version::Tls11,
            "tls12" | "12" => Version::Tls12,
            "tls13" | "13" => Version::Tls13,
            _ => return None,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_user_spellings() {
        assert_eq!(Version::parse("TLSv1_2"), Some(Version::Tls12));
        assert_eq!(Version::parse("TLSv1.3"), Some(Version::Tls13));
        assert_eq!(Version::parse("tls1"), Some(Version::Tls10));
        assert_eq!(Version::parse("TLSv1_1"), Some(Version::Tls11));
        assert_eq!(Version::parse("SSLv3"), Some(Version::Ssl3));
        assert_eq!(Version::parse("TLSv9"), None);
    }

    #[test]
    fn wire_round_trip() {
        for v in Version::ALL {
            assert_eq!(Version::from_wire(v.wire()), Some(v));
        }
    }
}
