//! The report's `client_auth`: whether the server asks for a client certificate (a
//! CertificateRequest), whether its handshake fails without one, and what it asks for.

use super::version_names;
use serde::{Deserialize, Serialize};
use tlskit_wire::version::Version;

/// Client authentication (mutual TLS) as the server asks for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientAuth {
    /// The server sends a CertificateRequest. null: not determined (see `errors`).
    pub requested: Option<bool>,
    /// The handshake fails without a client certificate (TLS 1.2: handshake_failure or
    /// bad_certificate after an empty Certificate; TLS 1.3: certificate_required). false when
    /// the certificate is not requested; null: not determined (see `errors`).
    pub required: Option<bool>,
    /// Versions whose handshake carried a CertificateRequest.
    #[serde(with = "version_names")]
    pub versions: Vec<Version>,
    /// The acceptable CAs of the CertificateRequest (its distinguished names, TLS 1.3's
    /// certificate_authorities), as RFC 4514 strings, most specific RDN first; names that are
    /// not DER Names are shown as `#` and their hex.
    pub ca_names: Vec<String>,
    /// The signature algorithms the server accepts for the client's CertificateVerify.
    pub signature_algorithms: Vec<ClientSigAlg>,
    /// With `--client-cert`: whether a handshake with that certificate succeeded (null: no
    /// `--client-cert`, or not determined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_accepted: Option<bool>,
}

/// One signature algorithm of a CertificateRequest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientSigAlg {
    /// IANA code point.
    pub id: u16,
    /// IANA name.
    pub name: String,
}

impl ClientSigAlg {
    /// The entry for a code point, named by the wire crate's registry.
    pub fn from_id(id: u16) -> ClientSigAlg {
        ClientSigAlg {
            id,
            name: tlskit_wire::registry::signature_scheme_name(id),
        }
    }
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not determined (see errors)",
    }
}

impl ClientAuth {
    /// The line shown under the report's header when the server requires a client
    /// certificate: what a reader must know before reading on.
    pub fn banner(&self, st: super::Style) -> Option<String> {
        (self.required == Some(true)).then(|| {
            let with = match self.client_cert_accepted {
                Some(true) => "; the --client-cert certificate was accepted",
                Some(false) => "; the --client-cert certificate was refused",
                None => "; handshake-based checks need --client-cert FILE to complete",
            };
            format!(
                "  {}{}\n",
                st.warn("client certificate required"),
                st.dim(&format!(
                    " (the handshake fails without one){with}; versions and suites are found before it is asked for"
                ))
            )
        })
    }

    /// The report's "Client authentication" section (without its heading). Every name the
    /// server sent is escaped.
    pub fn render_text(&self, st: super::Style) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let requested = match self.requested {
            Some(true) => st.warn("yes"),
            other => yes_no(other).to_string(),
        };
        let versions: Vec<&str> = self.versions.iter().map(|v| v.name()).collect();
        let _ = writeln!(
            s,
            "  certificate requested  {requested}{}",
            if versions.is_empty() {
                String::new()
            } else {
                st.dim(&format!(" ({})", versions.join(", ")))
            }
        );
        let required = match self.required {
            Some(true) => st.warn("yes — a client without a certificate cannot connect"),
            other => yes_no(other).to_string(),
        };
        let _ = writeln!(s, "  certificate required   {required}");
        if let Some(a) = self.client_cert_accepted {
            let _ = writeln!(
                s,
                "  --client-cert          {}",
                if a {
                    st.good("accepted")
                } else {
                    st.bad("refused")
                }
            );
        }
        if self.requested == Some(true) {
            if self.ca_names.is_empty() {
                let _ = writeln!(s, "  acceptable CAs         (none named: any)");
            }
            for (i, n) in self.ca_names.iter().enumerate() {
                let label = if i == 0 { "acceptable CAs" } else { "" };
                let _ = writeln!(s, "  {label:<22} {}", crate::escape::text(n));
            }
            if !self.signature_algorithms.is_empty() {
                let names: Vec<&str> = self
                    .signature_algorithms
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect();
                let _ = writeln!(s, "  signature algorithms   {}", names.join(", "));
            }
        }
        s
    }
}
