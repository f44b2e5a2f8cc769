//! How strong an accepted cipher suite is, decided once for every renderer.

use super::SuiteResult;
use tlskit_wire::registry::Enc;

/// How strong an accepted cipher suite is: the one rating behind the text report's colours and
/// the HTML report's table classes and chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Strength {
    /// Forward secrecy and an AEAD cipher of at least 128 bits.
    Strong,
    /// 128 bits or more, but CBC or no forward secrecy.
    Acceptable,
    /// Under 128 bits, RC4, DES, 3DES, RC2, IDEA, NULL, export or anonymous.
    Weak,
}

impl Strength {
    /// The strength of one accepted suite (unknown code points: by their bits alone).
    pub fn of(s: &SuiteResult) -> Strength {
        let Some(r) = s.suite() else {
            return if s.bits < 128 {
                Strength::Weak
            } else {
                Strength::Acceptable
            };
        };
        let weak_cipher = matches!(
            r.enc,
            Enc::Null
                | Enc::Rc4_40
                | Enc::Rc4_56
                | Enc::Rc4_64
                | Enc::Rc4_128
                | Enc::Rc2_40
                | Enc::Rc2_56
                | Enc::Rc2_128
                | Enc::Des40
                | Enc::Des
                | Enc::TripleDes
                | Enc::Idea
        );
        if s.bits < 128 || weak_cipher || r.export || (r.anonymous() && !r.tls13) {
            return Strength::Weak;
        }
        if (r.is_aead() || r.tls13) && s.forward_secrecy {
            Strength::Strong
        } else {
            Strength::Acceptable
        }
    }

    /// The HTML class of a suite of this strength.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Strength::Strong => "strong",
            Strength::Acceptable => "ok",
            Strength::Weak => "weak",
        }
    }
    /// Its words in the HTML chart's legend.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Strength::Strong => "strong (forward secret AEAD)",
            Strength::Acceptable => "acceptable (CBC or no forward secrecy)",
            Strength::Weak => "weak",
        }
    }
}
