//! Encrypted Client Hello (RFC 9849): the answer to "the SNI travels in clear".
//!
//! Two ways to learn, both rustls handshakes driven by [`engine::ech`](crate::scan::engine::ech):
//! - The probe: an ECH offer made with a configuration nobody holds the key of (a fresh X25519
//!   key; the outer SNI is the scan's server name). A server that supports ECH cannot decrypt it,
//!   finishes the handshake with the outer ClientHello and sends its `retry_configs` in
//!   EncryptedExtensions; one that does not support ECH ignores the extension. The scanner only
//!   reads what comes back.
//! - With a configuration the user gives (`--ech-config FILE`: the ECHConfigList of a DNS
//!   HTTPS record's `ech=`, or the PEM `openssl ech` writes): a real ECH handshake with it, the
//!   inner ClientHello naming the scan's server name: accepted or not.
//!
//! ECH is TLS 1.3 only: a server without TLS 1.3 is "not supported" with that reason. A probe
//! that failed is "not determined" with the error, never "no".

use crate::error::Result;
use crate::finding::Severity;
use crate::net::dns::Resolver;
use crate::scan::checks::dns::DnsOptions;
use crate::scan::engine::ech::{self as engine, EchEnd};
use crate::scan::report::ech::{EchConfigInfo, EchConfigSource, EchHandshake, EchReport};
use crate::scan::report::{Finding, ScanReport};
use crate::scan::Ctx;
use tlskit_wire::ech::{EchConfig, EchConfigList};
use tlskit_wire::version::Version;

/// An ECHConfigList to try in a real ECH handshake, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KnownConfig {
    /// Where it came from.
    pub source: EchConfigSource,
    /// The ECHConfigList's bytes (with its 2-byte length).
    pub list: Vec<u8>,
}

/// Read `--ech-config FILE` (see [`crate::session::ech::read_config_file`]).
pub fn load_config(path: &std::path::Path) -> Result<KnownConfig> {
    Ok(KnownConfig {
        source: EchConfigSource::File,
        list: crate::session::ech::read_config_file(path)?,
    })
}

/// What the ECH check found.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Found {
    /// The report's `ech`.
    pub ech: EchReport,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Probes that could not be completed.
    pub errors: Vec<String>,
}

/// The outer public name of the probe's configuration: the scan's server name when it is a DNS
/// name, else a name that cannot exist (RFC 2606 `.invalid`).
fn probe_name(ctx: &Ctx) -> String {
    ctx.sni
        .clone()
        .filter(|n| engine::dns_name(n).is_ok())
        .unwrap_or_else(|| "ech-probe.invalid".to_string())
}

fn infos(configs: &[EchConfig]) -> Vec<EchConfigInfo> {
    configs.iter().map(EchConfigInfo::from_config).collect()
}

/// With `--dns`: the ECHConfigList the scanned name's DNS HTTPS record publishes (its `ech`
/// SvcParam), into `found.ech.published`; a lookup that fails is an error entry, never "not
/// published".
async fn published(ctx: &Ctx, dns: &DnsOptions, found: &mut Found) -> Option<KnownConfig> {
    let Some(name) = ctx.sni.clone().filter(|n| engine::dns_name(n).is_ok()) else {
        found.ech.published = Some(None);
        found
            .errors
            .push("ECH: --dns: the target has no DNS name to look up an HTTPS record for".into());
        return None;
    };
    let lookup = match Resolver::new(dns.server, ctx.prober.timeout()) {
        Ok(r) => r.https_records(&name).await,
        Err(e) => Err(e),
    };
    match lookup {
        Ok(records) => {
            let list = records
                .iter()
                .find_map(|r| r.ech_config_list())
                .map(<[u8]>::to_vec);
            found.ech.published = Some(Some(list.is_some()));
            list.map(|list| KnownConfig {
                source: EchConfigSource::Dns,
                list,
            })
        }
        Err(e) => {
            found.ech.published = Some(None);
            found.errors.push(format!(
                "ECH: the DNS HTTPS record of {} could not be read: {}",
                crate::escape::text(&name),
                e.0
            ));
            None
        }
    }
}

/// Run the check on a server whose versions `report` holds. `known` is `--ech-config`'s list;
/// without it, `dns` (`--dns`) looks for one in the name's HTTPS record.
pub async fn run(
    ctx: &Ctx,
    report: &ScanReport,
    known: Option<&KnownConfig>,
    dns: Option<&DnsOptions>,
) -> Found {
    let mut found = Found::default();
    match report.protocol(Version::Tls13) {
        Some(p) if p.offered => {}
        Some(p) if p.error.is_none() => {
            found.ech.supported = Some(false);
            found.ech.reason =
                Some("TLSv1.3 is not offered, and ECH is TLS 1.3 only (RFC 9849)".into());
            return found;
        }
        _ => {
            let why = "whether TLSv1.3 is offered could not be determined, and ECH is TLS 1.3 only";
            found.ech.supported = None;
            found.ech.error = Some(why.into());
            found.errors.push(format!("ECH: {why}"));
            return found;
        }
    }
    let name = probe_name(ctx);
    let probe = match engine::probe_config(&name) {
        Ok(list) => engine::handshake(ctx, &list, &name).await,
        Err(e) => EchEnd::Failed(e),
    };
    match probe {
        EchEnd::Rejected { retry: Ok(configs) } if !configs.is_empty() => {
            found.ech.supported = Some(true);
            found.ech.retry_configs = infos(&configs);
        }
        EchEnd::Rejected { retry: Ok(_) } => {
            found.ech.supported = Some(false);
            found.ech.reason = Some(
                "the server ignored the ECH offer: no retry_configs in its EncryptedExtensions (a server with ECH may withhold them, RFC 9849 section 7.1; --ech-config FILE or --dns tries a real ECH handshake, which tells)"
                    .into(),
            );
        }
        EchEnd::Rejected { retry: Err(e) } => {
            found.ech.supported = Some(true);
            found.errors.push(format!("ECH: {e}"));
        }
        // Nobody holds the key of the probe's configuration: an acceptance is a server that
        // does not check what it accepts.
        EchEnd::Accepted => {
            found.ech.supported = None;
            let e = "the server claimed to accept an ECH offer it cannot have decrypted";
            found.ech.error = Some(e.into());
            found.errors.push(format!("ECH: {e}"));
        }
        EchEnd::Failed(e) => {
            let e = format!("the ECH probe handshake failed: {e}");
            found.ech.error = Some(e.clone());
            found.errors.push(format!("ECH: {e}"));
        }
    }
    let from_dns = match (known, dns) {
        (None, Some(d)) => published(ctx, d, &mut found).await,
        _ => None,
    };
    if let Some(k) = known.or(from_dns.as_ref()) {
        real_handshake(ctx, k, &mut found).await;
    }
    found
}

/// A real ECH handshake with a known configuration.
async fn real_handshake(ctx: &Ctx, known: &KnownConfig, found: &mut Found) {
    let chosen = EchConfigList::parse(&known.list)
        .ok()
        .and_then(|l| crate::session::ech::chosen(&l).cloned());
    let mut hs = EchHandshake {
        source: known.source,
        config_id: chosen.as_ref().map(|c| c.config_id),
        public_name: chosen
            .as_ref()
            .map(|c| String::from_utf8_lossy(&c.public_name).into_owned()),
        inner_sni: ctx.sni.clone(),
        accepted: None,
        error: None,
    };
    let end = match (&chosen, &ctx.sni) {
        (None, _) => EchEnd::Failed(
            "no configuration of the list has a version and HPKE suite tlskit's client supports"
                .into(),
        ),
        (_, None) => EchEnd::Failed(
            "no server name to send in the inner ClientHello (give --servername NAME)".into(),
        ),
        (Some(_), Some(inner)) => engine::handshake(ctx, &known.list, inner).await,
    };
    match end {
        EchEnd::Accepted => {
            hs.accepted = Some(true);
            found.ech.supported = Some(true);
            found.ech.reason = None;
            found.ech.error = None;
        }
        EchEnd::Rejected { retry } => {
            hs.accepted = Some(false);
            if let Ok(configs) = &retry {
                if found.ech.retry_configs.is_empty() && !configs.is_empty() {
                    found.ech.retry_configs = infos(configs);
                    found.ech.supported = Some(true);
                }
            }
            found.findings.push(Finding::new(
                Severity::Low,
                "ech.config_rejected",
                format!(
                    "the server rejected the ECH configuration given (config id {}): the inner ClientHello was not decrypted, so clients using this configuration fall back to the public name (a stale or foreign key?)",
                    hs.config_id.map(|i| i.to_string()).unwrap_or_else(|| "?".into())
                ),
            ));
        }
        EchEnd::Failed(e) => {
            found.errors.push(format!(
                "ECH: the handshake with the given configuration failed: {e}"
            ));
            hs.error = Some(e);
        }
    }
    found.ech.accepted = hs.accepted;
    found.ech.handshake = Some(hs);
}
