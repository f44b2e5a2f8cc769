//! Session features: what the server supports beyond versions and suites (renegotiation,
//! TLS_FALLBACK_SCSV, compression, resumption, 0-RTT, ALPN, heartbeat, OCSP stapling). Filled by
//! [`crate::scan::checks::features`]; read by the grade, the policy and the renderers.

/// ALPN support.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Alpn {
    /// The server selects a protocol when offered one it knows.
    pub supported: bool,
    /// Protocols the server selected, in the order found (first: its choice among all).
    pub protocols: Vec<String>,
    /// The server ends the handshake (no_application_protocol) when offered only an unknown
    /// protocol. null: not told.
    pub rejects_unknown: Option<bool>,
}

/// The lifetime of the server's session tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct TicketLifetime {
    /// TLS ≤ 1.2: the NewSessionTicket's ticket_lifetime_hint in seconds (RFC 5077 section
    /// 3.3; 0: unspecified); null when no TLS ≤ 1.2 ticket was read.
    pub lifetime_hint_s: Option<u32>,
    /// TLS 1.3: the first NewSessionTicket's ticket_lifetime in seconds (RFC 8446 section
    /// 4.6.1: at most 7 days); null when no TLS 1.3 ticket was read.
    #[serde(default)]
    pub tls13_lifetime_s: Option<u32>,
}

impl TicketLifetime {
    /// A day: testssl.sh rates a longer hint LOW, since forward secrecy needs the ticket keys
    /// rotated at least daily.
    pub const LONG_S: u32 = 86_400;
    /// RFC 8446 section 4.6.1: TLS 1.3 tickets live at most 7 days.
    pub const TLS13_MAX_S: u32 = 604_800;
}

/// What the server supports beyond versions and suites. null: not tested or not applicable —
/// `notes` says why.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct SessionFeatures {
    /// RFC 5746: the server answers renegotiation_info (TLS ≤ 1.2).
    pub secure_renegotiation: Option<bool>,
    /// The server accepts a renegotiation started by the client (with RFC 5746).
    pub client_renegotiation: Option<bool>,
    /// The server accepts a client-initiated renegotiation from a client without RFC 5746
    /// (CVE-2009-3555).
    pub insecure_renegotiation: Option<bool>,
    /// The server refuses a downgraded hello carrying TLS_FALLBACK_SCSV (RFC 7507).
    pub fallback_scsv: Option<bool>,
    /// The server compresses (DEFLATE) when the client offers it (CRIME).
    pub compression: Option<bool>,
    /// RFC 7627 extended master secret.
    pub extended_master_secret: Option<bool>,
    /// RFC 7366 encrypt-then-MAC with CBC suites (null when no CBC suite is offered).
    pub encrypt_then_mac: Option<bool>,
    /// TLS ≤ 1.2 session tickets (RFC 5077) are issued.
    pub session_tickets: Option<bool>,
    /// A TLS 1.2 session resumes by session ID.
    pub session_id_resumption: Option<bool>,
    /// A TLS 1.2 session resumes by ticket.
    pub ticket_resumption: Option<bool>,
    /// TLS 1.3 NewSessionTickets are issued.
    pub tls13_tickets: Option<bool>,
    /// A TLS 1.3 session resumes with a PSK from a ticket.
    pub tls13_psk_resumption: Option<bool>,
    /// 0-RTT early data is accepted on a resumed TLS 1.3 connection.
    pub early_data: Option<bool>,
    /// Largest max_early_data_size the server's TLS 1.3 tickets announce.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_early_data: Option<u32>,
    /// The lifetime the server gives its tickets (absent: no ticket was read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_ticket: Option<TicketLifetime>,
    /// ALPN support (null: not tested).
    pub alpn: Option<Alpn>,
    /// The server negotiates the heartbeat extension (RFC 6520).
    pub heartbeat: Option<bool>,
    /// The server staples an OCSP response when asked (status_request).
    pub ocsp_stapling: Option<bool>,
    /// Why something is null, and other remarks.
    pub notes: Vec<String>,
    /// The SCSV was ignored only on a fallback from TLS 1.3, where the ServerHello's downgrade
    /// sentinel protects TLS 1.3 clients anyway.
    #[serde(skip)]
    pub(crate) sentinel_protects: bool,
}

impl SessionFeatures {
    /// The grouped text for `tlskit scan` (one line per feature; notes in verbose mode).
    pub fn render_text(&self, st: super::Style, verbose: bool) -> String {
        use std::fmt::Write;
        // (name, value, whether "yes" is the good answer)
        let rows: [(&str, Option<bool>, bool); 15] = [
            (
                "Secure renegotiation (RFC 5746)",
                self.secure_renegotiation,
                true,
            ),
            (
                "Client-initiated renegotiation",
                self.client_renegotiation,
                false,
            ),
            ("Insecure renegotiation", self.insecure_renegotiation, false),
            ("TLS_FALLBACK_SCSV honoured", self.fallback_scsv, true),
            ("TLS compression", self.compression, false),
            ("Extended master secret", self.extended_master_secret, true),
            ("Encrypt-then-MAC (CBC suites)", self.encrypt_then_mac, true),
            ("Session tickets (TLS <= 1.2)", self.session_tickets, true),
            ("Resumption by session ID", self.session_id_resumption, true),
            ("Resumption by ticket", self.ticket_resumption, true),
            ("TLS 1.3 tickets", self.tls13_tickets, true),
            ("TLS 1.3 PSK resumption", self.tls13_psk_resumption, true),
            ("0-RTT early data", self.early_data, false),
            ("Heartbeat extension", self.heartbeat, false),
            ("OCSP stapling", self.ocsp_stapling, true),
        ];
        let mut s = String::new();
        for (name, v, good) in rows {
            let text = match v {
                Some(true) if good => st.good("yes"),
                Some(false) if !good => st.good("no"),
                Some(true) => st.warn("yes"),
                Some(false) => st.warn("no"),
                None => st.dim("not tested"),
            };
            let _ = writeln!(s, "  {name:<34} {text}");
        }
        if let Some(h) = self.session_ticket.and_then(|t| t.lifetime_hint_s) {
            let text = match h {
                0 => "0 (unspecified)".to_string(),
                h if h > TicketLifetime::LONG_S => st.warn(&format!("{h} s (more than a day)")),
                h => format!("{h} s"),
            };
            let _ = writeln!(s, "  {:<34} {text}", "Ticket lifetime hint (TLS <= 1.2)");
        }
        if let Some(h) = self.session_ticket.and_then(|t| t.tls13_lifetime_s) {
            let text = match h {
                h if h > TicketLifetime::TLS13_MAX_S => {
                    st.warn(&format!("{h} s (more than the 7 days RFC 8446 allows)"))
                }
                h => format!("{h} s"),
            };
            let _ = writeln!(s, "  {:<34} {text}", "Ticket lifetime (TLS 1.3)");
        }
        let alpn = match &self.alpn {
            Some(a) if a.supported => a.protocols.join(", "),
            Some(_) => "no".to_string(),
            None => st.dim("not tested"),
        };
        let _ = writeln!(s, "  {:<34} {alpn}", "ALPN");
        if verbose {
            for n in &self.notes {
                let _ = writeln!(s, "    {}", st.dim(n));
            }
        }
        s
    }
}
