//! The report's `http` section: what one GET over TLS (HTTP/1.1, or HTTP/2 where the server
//! offers only h2) showed (the check is
//! [`crate::scan::checks::http`]). Every string here is the server's, kept exact in JSON and
//! escaped when printed (text and HTML).

use serde::{Deserialize, Serialize};

/// HSTS (RFC 6797) with a max-age of at least this many seconds (180 days) is what SSL Labs asks
/// of an A+, and what tlskit asks too.
pub const HSTS_MIN_AGE_APLUS: u64 = 15_552_000;

/// The answer to one GET, or why there is none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HttpReport {
    /// What was asked: `GET https://HOST[:PORT]PATH` (HOST as sent in the Host header).
    pub request: String,
    /// The ALPN protocol the server chose (null: none).
    pub alpn: Option<String>,
    /// The HTTP version the GET was sent in (null: no request was sent).
    pub http_version: Option<HttpVersion>,
    /// The status code (null when the GET failed).
    pub status: Option<u16>,
    /// The Server header (the banner), as sent.
    pub server: Option<String>,
    /// Strict-Transport-Security as a browser reads it (the first header only, RFC 6797 §8.1);
    /// null when absent or invalid (then a finding says why).
    pub hsts: Option<Hsts>,
    /// Public-Key-Pins (or its Report-Only form), when sent; null when absent.
    pub hpkp: Option<Hpkp>,
    /// The security headers, present or absent (null when the GET failed).
    pub headers: Option<SecurityHeaders>,
    /// The cookies set (Set-Cookie), with their flags.
    pub cookies: Vec<Cookie>,
    /// The Content-Encoding the server applied when asked `Accept-Encoding: gzip, deflate, br`
    /// (lowercase, e.g. "gzip"); null when the body was not compressed.
    pub compression: Option<String>,
    /// The server's Date minus the local clock, in seconds (null: no or an unreadable Date).
    pub date_skew_s: Option<i64>,
    /// The Location of a 3xx answer (reported, never followed).
    pub redirect: Option<String>,
    /// Why the GET failed (then the fields above are null or empty).
    pub error: Option<String>,
}

/// The HTTP version of the GET, named by its ALPN protocol id (RFC 7301 registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum HttpVersion {
    /// HTTP/1.1: the server accepted ALPN `http/1.1`, or spoke HTTP without ALPN.
    #[serde(rename = "http/1.1")]
    Http11,
    /// HTTP/2 over TLS: the server selected ALPN `h2` and does not accept `http/1.1`.
    #[serde(rename = "h2")]
    H2,
}

impl HttpVersion {
    /// "HTTP/1.1", "HTTP/2": as reports print it.
    pub fn label(self) -> &'static str {
        match self {
            HttpVersion::Http11 => "HTTP/1.1",
            HttpVersion::H2 => "HTTP/2",
        }
    }
}

/// Strict-Transport-Security.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hsts {
    /// Seconds a browser remembers to use HTTPS only.
    pub max_age: u64,
    /// The `includeSubDomains` directive.
    pub include_subdomains: bool,
    /// The `preload` directive.
    pub preload: bool,
}

/// Public-Key-Pins (RFC 7469, deprecated: browsers dropped it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hpkp {
    /// Sent as Public-Key-Pins-Report-Only.
    pub report_only: bool,
    /// Its max-age (null when missing or unreadable).
    pub max_age: Option<u64>,
    /// How many `pin-sha256` directives it has.
    pub pins: usize,
}

/// Whether each security header was sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SecurityHeaders {
    /// Content-Security-Policy.
    pub content_security_policy: bool,
    /// X-Frame-Options.
    pub x_frame_options: bool,
    /// X-Content-Type-Options.
    pub x_content_type_options: bool,
    /// Referrer-Policy.
    pub referrer_policy: bool,
}

impl SecurityHeaders {
    /// (header name, sent) in the order reports list them.
    pub fn list(&self) -> [(&'static str, bool); 4] {
        [
            ("Content-Security-Policy", self.content_security_policy),
            ("X-Frame-Options", self.x_frame_options),
            ("X-Content-Type-Options", self.x_content_type_options),
            ("Referrer-Policy", self.referrer_policy),
        ]
    }
}

/// One Set-Cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cookie {
    /// Its name, as sent.
    pub name: String,
    /// The Secure attribute.
    pub secure: bool,
    /// The HttpOnly attribute.
    pub http_only: bool,
    /// The SameSite attribute's value as sent ("Strict", "Lax", "None"); null when absent.
    pub same_site: Option<String>,
}

impl HttpReport {
    /// The report's "HTTP" text section (without its heading). Peer strings are escaped.
    pub fn render_text(&self, st: super::Style) -> String {
        use crate::escape::short;
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "  request                {}", short(&self.request, 200));
        if let Some(v) = self.http_version {
            let _ = writeln!(s, "  HTTP version           {}", v.label());
        }
        if let Some(e) = &self.error {
            let _ = writeln!(
                s,
                "  {}",
                st.bad(&format!("not determined: {}", short(e, 300)))
            );
            return s;
        }
        let status = self
            .status
            .map(|c| format!("{c} {}", crate::http::reason(c)))
            .unwrap_or_else(|| "?".into());
        let alpn = self
            .alpn
            .as_deref()
            .map(|a| format!(" (ALPN {})", short(a, 40)))
            .unwrap_or_default();
        let _ = writeln!(s, "  status                 {status}{alpn}");
        if let Some(l) = &self.redirect {
            let _ = writeln!(
                s,
                "  redirect               {} {}",
                short(l, 200),
                st.dim("(not followed)")
            );
        }
        if let Some(b) = &self.server {
            let _ = writeln!(s, "  server                 {}", short(b, 120));
        }
        let hsts = match &self.hsts {
            Some(h) if h.max_age >= HSTS_MIN_AGE_APLUS => st.good(&h.describe()),
            Some(h) => st.warn(&h.describe()),
            None => st.warn("not sent"),
        };
        let _ = writeln!(s, "  HSTS                   {hsts}");
        if let Some(p) = &self.hpkp {
            let _ = writeln!(
                s,
                "  HPKP                   {}",
                st.warn(&format!(
                    "{}{} pin(s), max-age {} (deprecated)",
                    if p.report_only { "report-only, " } else { "" },
                    p.pins,
                    p.max_age
                        .map(|a| a.to_string())
                        .unwrap_or_else(|| "?".into())
                ))
            );
        }
        if let Some(h) = &self.headers {
            for (name, sent) in h.list() {
                let _ = writeln!(
                    s,
                    "  {name:<22} {}",
                    if sent {
                        st.good("sent")
                    } else {
                        "not sent".to_string()
                    }
                );
            }
        }
        let compression = match &self.compression {
            Some(c) => st.warn(&format!("{} (BREACH)", short(c, 40))),
            None => "none".to_string(),
        };
        let _ = writeln!(s, "  compression            {compression}");
        if let Some(d) = self.date_skew_s {
            let _ = writeln!(
                s,
                "  clock skew             {d} s (server Date − local clock)"
            );
        }
        for c in &self.cookies {
            let _ = writeln!(s, "  cookie                 {}", c.describe());
        }
        s
    }
}

impl Hsts {
    /// "max-age 31536000 s (365 days), includeSubDomains, preload".
    pub fn describe(&self) -> String {
        let mut s = format!(
            "max-age {} s ({} days)",
            self.max_age,
            self.max_age / 86_400
        );
        if self.include_subdomains {
            s.push_str(", includeSubDomains");
        }
        if self.preload {
            s.push_str(", preload");
        }
        s
    }
}

impl Cookie {
    /// "session: Secure, HttpOnly, SameSite=Lax" (the name escaped).
    pub fn describe(&self) -> String {
        let mut flags = Vec::new();
        flags.push(if self.secure { "Secure" } else { "not Secure" });
        flags.push(if self.http_only {
            "HttpOnly"
        } else {
            "not HttpOnly"
        });
        let same_site = match &self.same_site {
            Some(v) => format!("SameSite={}", crate::escape::short(v, 20)),
            None => "no SameSite".into(),
        };
        format!(
            "{}: {}, {same_site}",
            crate::escape::short(&self.name, 60),
            flags.join(", ")
        )
    }
}
