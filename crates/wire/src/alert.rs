//! Alerts: level and description, with their RFC names.

use std::fmt;

use crate::codec::{Codec, DecodeError, Reader};

/// An alert's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertLevel {
    /// warning (1).
    Warning,
    /// fatal (2).
    Fatal,
    /// Any other value.
    Unknown(u8),
}

impl AlertLevel {
    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            AlertLevel::Warning => 1,
            AlertLevel::Fatal => 2,
            AlertLevel::Unknown(v) => v,
        }
    }

    /// `warning`, `fatal` or `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            AlertLevel::Warning => "warning",
            AlertLevel::Fatal => "fatal",
            AlertLevel::Unknown(_) => "unknown",
        }
    }
}

impl From<u8> for AlertLevel {
    fn from(v: u8) -> Self {
        match v {
            1 => AlertLevel::Warning,
            2 => AlertLevel::Fatal,
            v => AlertLevel::Unknown(v),
        }
    }
}

macro_rules! alert_descriptions {
    ($( $variant:ident = $value:expr, $name:expr; )*) => {
        /// An alert's description (IANA "TLS Alerts", including SSLv3's and obsolete ones).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AlertDescription {
            $( #[doc = $name] $variant, )*
            /// Any other value.
            Unknown(u8),
        }

        impl AlertDescription {
            /// The wire value.
            pub fn to_u8(self) -> u8 {
                match self {
                    $( AlertDescription::$variant => $value, )*
                    AlertDescription::Unknown(v) => v,
                }
            }

            /// The RFC name (`handshake_failure`, `protocol_version`, …), `unknown` otherwise.
            pub fn name(self) -> &'static str {
                match self {
                    $( AlertDescription::$variant => $name, )*
                    AlertDescription::Unknown(_) => "unknown",
                }
            }
        }

        impl From<u8> for AlertDescription {
            fn from(v: u8) -> Self {
                match v {
                    $( $value => AlertDescription::$variant, )*
                    v => AlertDescription::Unknown(v),
                }
            }
        }
    };
}

alert_descriptions! {
    CloseNotify = 0, "close_notify";
    UnexpectedMessage = 10, "unexpected_message";
    BadRecordMac = 20, "bad_record_mac";
    DecryptionFailed = 21, "decryption_failed";
    RecordOverflow = 22, "record_overflow";
    DecompressionFailure = 30, "decompression_failure";
    HandshakeFailure = 40, "handshake_failure";
    NoCertificate = 41, "no_certificate";
    BadCertificate = 42, "bad_certificate";
    UnsupportedCertificate = 43, "unsupported_certificate";
    CertificateRevoked = 44, "certificate_revoked";
    CertificateExpired = 45, "certificate_expired";
    CertificateUnknown = 46, "certificate_unknown";
    IllegalParameter = 47, "illegal_parameter";
    UnknownCa = 48, "unknown_ca";
    AccessDenied = 49, "access_denied";
    DecodeError = 50, "decode_error";
    DecryptError = 51, "decrypt_error";
    TooManyCidsRequested = 52, "too_many_cids_requested";
    ExportRestriction = 60, "export_restriction";
    ProtocolVersion = 70, "protocol_version";
    InsufficientSecurity = 71, "insufficient_security";
    InternalError = 80, "internal_error";
    InappropriateFallback = 86, "inappropriate_fallback";
    UserCanceled = 90, "user_canceled";
    NoRenegotiation = 100, "no_renegotiation";
    MissingExtension = 109, "missing_extension";
    UnsupportedExtension = 110, "unsupported_extension";
    CertificateUnobtainable = 111, "certificate_unobtainable";
    UnrecognizedName = 112, "unrecognized_name";
    BadCertificateStatusResponse = 113, "bad_certificate_status_response";
    BadCertificateHashValue = 114, "bad_certificate_hash_value";
    UnknownPskIdentity = 115, "unknown_psk_identity";
    CertificateRequired = 116, "certificate_required";
    GeneralError = 117, "general_error";
    NoApplicationProtocol = 120, "no_application_protocol";
    EchRequired = 121, "ech_required";
}

/// An alert message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert {
    /// The level.
    pub level: AlertLevel,
    /// The description.
    pub description: AlertDescription,
}

impl Alert {
    /// A fatal alert with the given description.
    pub fn fatal(description: AlertDescription) -> Self {
        Alert {
            level: AlertLevel::Fatal,
            description,
        }
    }

    /// A warning alert with the given description.
    pub fn warning(description: AlertDescription) -> Self {
        Alert {
            level: AlertLevel::Warning,
            description,
        }
    }

    /// The description's name, e.g. `handshake_failure`.
    pub fn name(&self) -> &'static str {
        self.description.name()
    }

    /// Whether this is a fatal alert.
    pub fn is_fatal(&self) -> bool {
        self.level == AlertLevel::Fatal
    }
}

impl Codec for Alert {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.level.to_u8());
        out.push(self.description.to_u8());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let [level, description] = r.array()?;
        Ok(Alert {
            level: level.into(),
            description: description.into(),
        })
    }
}

impl fmt::Display for Alert {
    /// `fatal handshake_failure (40)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({})",
            self.level.name(),
            self.description.name(),
            self.description.to_u8()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_names() {
        let a = Alert::read_exact(&[2, 40], "alert").unwrap();
        assert_eq!(a, Alert::fatal(AlertDescription::HandshakeFailure));
        assert_eq!(a.name(), "handshake_failure");
        assert_eq!(a.to_string(), "fatal handshake_failure (40)");
        assert_eq!(
            Alert::read_exact(&[2, 70], "alert").unwrap().name(),
            "protocol_version"
        );
        assert_eq!(
            Alert::read_exact(&[2, 86], "alert").unwrap().name(),
            "inappropriate_fallback"
        );
        assert_eq!(
            Alert::read_exact(&[1, 112], "alert").unwrap().name(),
            "unrecognized_name"
        );
        assert_eq!(
            Alert::read_exact(&[2, 120], "alert").unwrap().name(),
            "no_application_protocol"
        );
        assert_eq!(
            Alert::read_exact(&[2, 71], "alert").unwrap().name(),
            "insufficient_security"
        );
        assert_eq!(
            Alert::read_exact(&[9, 200], "alert").unwrap(),
            Alert {
                level: AlertLevel::Unknown(9),
                description: AlertDescription::Unknown(200)
            }
        );
        assert!(Alert::read_exact(&[2], "alert").is_err());
        assert!(Alert::read_exact(&[2, 40, 0], "alert").is_err());
    }

    #[test]
    fn codes_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(AlertDescription::from(v).to_u8(), v);
            assert_eq!(AlertLevel::from(v).to_u8(), v);
        }
        assert_eq!(
            Alert::warning(AlertDescription::CloseNotify).to_bytes(),
            [1, 0]
        );
    }
}
