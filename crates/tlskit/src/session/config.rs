//! Safe rustls configurations for tlskit's client and server, built from command-line style options.
//!
//! Defaults: TLS 1.2 and 1.3 only, AEAD suites with forward secrecy only (that is all rustls
//! implements), certificate and hostname verification on, SNI sent for names.

use super::keylog::{self, KeyLogFile};
use super::suites::{self, Role};
use super::verify::RecordingVerifier;
use crate::error::{Error, Result};
use crate::pki::load;
use rustls::client::WebPkiServerVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::path::PathBuf;
use std::sync::Arc;

/// Where the client's trust comes from.
#[derive(Debug, Clone)]
pub struct Trust {
    pub roots: Arc<RootCertStore>,
    /// The subject of every trust anchor, in load order (Python's `context.get_ca_certs()`).
    pub subjects: Vec<String>,
    /// For messages: `ca.crt (1 certificate)` or `the system trust store (140 certificates)`.
    pub description: String,
}

/// Build the trust store: the given CA files/directories, or the system's (SSL_CERT_FILE and
/// SSL_CERT_DIR are honoured), falling back to Mozilla's roots when the system has none.
pub fn load_trust(ca: &[PathBuf]) -> Result<Trust> {
    let mut roots = RootCertStore::empty();
    let mut subjects = Vec::new();
    if !ca.is_empty() {
        let mut names = Vec::new();
        for path in ca {
            let certs = load::load_trust(path)?;
            subjects.extend(certs.iter().filter_map(|c| subject_of(c.as_ref())));
            let (added, _ignored) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(Error::input(format!(
                    "{} holds no certificate usable as a trust anchor",
                    path.display()
                )));
            }
            names.push(path.display().to_string());
        }
        let n = roots.len();
        return Ok(Trust {
            roots: Arc::new(roots),
            subjects,
            description: format!(
                "{} ({n} certificate{})",
                names.join(", "),
                if n == 1 { "" } else { "s" }
            ),
        });
    }
    let native = rustls_native_certs::load_native_certs();
    subjects.extend(native.certs.iter().filter_map(|c| subject_of(c.as_ref())));
    let (added, _) = roots.add_parsable_certificates(native.certs);
    if added > 0 {
        return Ok(Trust {
            roots: Arc::new(roots),
            subjects,
            description: format!("the system trust store ({added} certificates)"),
        });
    }
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let subjects = webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .map(|a| {
            // The anchor's subject is a Name without its SEQUENCE header: add one to parse it.
            let mut der = Vec::new();
            crate::pki::der::push_tlv(&mut der, 0x30, a.subject.as_ref());
            <x509_parser::x509::X509Name as x509_parser::prelude::FromDer<_>>::from_der(&der)
                .map(|(_, n)| n.to_string())
                .unwrap_or_else(|_| "(unreadable name)".to_string())
        })
        .collect();
    Ok(Trust {
        roots: Arc::new(roots),
        subjects,
        description: "Mozilla's root store (the system store is empty)".to_string(),
    })
}

/// Options for a client configuration; mirrors `tlskit connect`'s flags.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub ca: Vec<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub insecure: bool,
    /// Verify the chain but not the name (Python's `check_hostname = False` with CERT_REQUIRED).
    pub no_verify_name: bool,
    /// Certificate revocation lists (DER or PEM files) to check the server's certificate against.
    pub crls: Vec<PathBuf>,
    pub no_sni: bool,
    pub protocols: Vec<String>,
    pub ciphers: Option<String>,
    pub ciphersuites: Option<String>,
    pub groups: Option<String>,
    pub alpn: Vec<String>,
    pub keylog: Option<PathBuf>,
    /// Offer Encrypted Client Hello with this ECHConfigList (its bytes, with the length): the
    /// real server name goes in the encrypted inner ClientHello, the configuration's public
    /// name in the outer one. TLS 1.3 only; the handshake fails if the server does not accept.
    pub ech_config: Option<Vec<u8>>,
}

/// A client configuration and what a report needs to know about how it was made.
pub struct ClientSetup {
    pub config: Arc<ClientConfig>,
    pub verifier: Arc<RecordingVerifier>,
    pub trust: String,
    /// Subjects of the trusted CA certificates.
    pub trust_subjects: Vec<String>,
    /// `-C` named TLSv1.2 suites only (TLS 1.3 suites stayed the default set).
    pub ciphers_tls12_only: bool,
    pub keylog: Option<PathBuf>,
    /// Subject of the configured client certificate (mutual TLS).
    pub client_cert_subject: Option<String>,
    /// Remarks for the user (suites dropped from -C, and so on).
    pub notes: Vec<String>,
    /// The Encrypted Client Hello offer, when one is made.
    pub ech: Option<super::ech::EchOffer>,
}

/// Build a client configuration.
pub fn client_config(opts: &ClientOptions) -> Result<ClientSetup> {
    let versions = suites::parse_versions(&opts.protocols, Role::Client)?;
    let choice = suites::choose_suites(
        opts.ciphers.as_deref(),
        opts.ciphersuites.as_deref(),
        Role::Client,
    )?;
    let groups = suites::choose_groups(opts.groups.as_deref())?;
    let mut notes = Vec::new();
    if !choice.dropped.is_empty() {
        let names: Vec<&str> = choice
            .dropped
            .iter()
            .map(|s| s.openssl.unwrap_or(s.iana))
            .collect();
        notes.push(not_offered_note(&names, opts.ciphers.as_deref()));
    }
    let ciphers_tls12_only = opts.ciphers.as_deref().is_some_and(|c| {
        opts.ciphersuites.is_none()
            && !c
                .split([':', ',', ' '])
                .any(|t| t.starts_with("TLS_") && !t.contains("_WITH_"))
    });
    // Only suites of the chosen versions; rustls rejects a configuration with none.
    let suites: Vec<_> = choice
        .suites
        .into_iter()
        .filter(|s| versions.iter().any(|v| v.version == s.version().version))
        .collect();
    if suites.is_empty() {
        return Err(Error::usage(
            "the chosen cipher suites and protocol versions do not overlap (e.g. TLSv1.2 suites with -p TLSv1_3)",
        ));
    }
    let provider = rustls::crypto::CryptoProvider {
        cipher_suites: suites,
        kx_groups: groups,
        ..rustls::crypto::aws_lc_rs::default_provider()
    };

    let trust = load_trust(&opts.ca)?;
    let mut crls = Vec::new();
    for path in &opts.crls {
        let bytes = load::read_file(path)?;
        let found: Vec<_> = if bytes.starts_with(b"-----") {
            use rustls::pki_types::pem::PemObject;
            rustls::pki_types::CertificateRevocationListDer::pem_slice_iter(&bytes)
                .filter_map(|c| c.ok())
                .collect()
        } else {
            vec![rustls::pki_types::CertificateRevocationListDer::from(bytes)]
        };
        if found.is_empty() {
            return Err(Error::input(format!(
                "{} holds no CRL (expected DER, or PEM with -----BEGIN X509 CRL-----)",
                path.display()
            )));
        }
        crls.extend(found);
    }
    let mut vb = WebPkiServerVerifier::builder_with_provider(
        trust.roots.clone(),
        Arc::new(provider.clone()),
    );
    if !crls.is_empty() {
        // The server's own certificate is checked; a CRL from another CA is no reason to fail.
        vb = vb
            .with_crls(crls)
            .only_check_end_entity_revocation()
            .allow_unknown_revocation_status();
    }
    let inner = vb
        .build()
        .map_err(|e| Error::input(format!("cannot build the certificate verifier: {e}")))?;
    let mut verifier = RecordingVerifier::new(Some(inner), opts.insecure);
    if opts.no_verify_name {
        verifier = verifier.without_name_check();
    }
    let verifier = Arc::new(verifier);

    let base = ClientConfig::builder_with_provider(Arc::new(provider));
    let mut ech = None;
    let builder = match &opts.ech_config {
        None => base
            .with_protocol_versions(&versions)
            .map_err(|e| Error::usage(format!("inconsistent TLS settings: {e}")))?,
        Some(list) => {
            if !versions.iter().any(|v| v.version == rustls::ProtocolVersion::TLSv1_3) {
                return Err(Error::usage(
                    "--ech-config needs TLS 1.3 (Encrypted Client Hello exists only there): leave out -p TLSv1_2",
                ));
            }
            if opts.no_sni {
                return Err(Error::usage(
                    "--ech-config hides the server name inside the ClientHello; --no-sni sends none: use one or the other",
                ));
            }
            let (mode, offer) = super::ech::client_mode(list)?;
            ech = Some(offer);
            // ECH implies TLS 1.3 alone: rustls then offers no other version.
            base.with_ech(mode).map_err(|e| {
                Error::usage(format!(
                    "--ech-config cannot be used with these settings ({e}): ECH needs TLS 1.3 suites and groups"
                ))
            })?
        }
    }
    .dangerous()
    .with_custom_certificate_verifier(verifier.clone());

    let mut client_cert_subject = None;
    let mut config = match &opts.client_cert {
        Some(cert) => {
            let ck = load::load_cert_key(cert, opts.client_key.as_deref())?;
            client_cert_subject = ck.chain.first().and_then(|c| subject_of(c.as_ref()));
            builder
                .with_client_auth_cert(ck.chain, ck.key)
                .map_err(|e| {
                    Error::input(format!(
                        "cannot use client certificate {}: {e}",
                        cert.display()
                    ))
                })?
        }
        None => builder.with_no_client_auth(),
    };
    config.enable_sni = !opts.no_sni;
    config.alpn_protocols = opts.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    let keylog_path = keylog::resolve(opts.keylog.as_deref());
    if let Some(p) = &keylog_path {
        config.key_log = Arc::new(KeyLogFile::open(p)?);
    }
    Ok(ClientSetup {
        config: Arc::new(config),
        verifier,
        trust: trust.description,
        trust_subjects: trust.subjects,
        ciphers_tls12_only,
        keylog: keylog_path,
        client_cert_subject,
        notes,
        ech,
    })
}

/// One line about suites a cipher string selected that tlskit will not speak: the count, the
/// first few names, and where to see them all.
fn not_offered_note(names: &[&str], cipher_string: Option<&str>) -> String {
    const SHOWN: usize = 4;
    let mut list = names
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if names.len() > SHOWN {
        list.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    let see = cipher_string
        .map(|c| format!("; `tlskit ciphers -v '{c}'` lists them"))
        .unwrap_or_default();
    format!(
        "{} suite(s) selected by the cipher string are not offered (tlskit connect speaks only AEAD suites with forward secrecy): {list}{see}",
        names.len()
    )
}

/// The subject of a DER certificate as text.
pub fn subject_of(der: &[u8]) -> Option<String> {
    x509_parser::parse_x509_certificate(der)
        .ok()
        .map(|(_, c)| c.subject().to_string())
}

/// Options for a server configuration; mirrors `tlskit serve`'s flags.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    pub cert: PathBuf,
    pub key: Option<PathBuf>,
    pub client_ca: Vec<PathBuf>,
    pub require_client_cert: bool,
    pub protocols: Vec<String>,
    pub ciphers: Option<String>,
    pub ciphersuites: Option<String>,
    pub groups: Option<String>,
    pub alpn: Vec<String>,
    pub keylog: Option<PathBuf>,
    /// Choose the suite by the server's order rather than the client's.
    pub server_preference: bool,
    /// Disable session tickets and the session cache (resumption off).
    pub no_resumption: bool,
}

/// A server configuration and facts about it.
pub struct ServerSetup {
    pub config: Arc<ServerConfig>,
    pub chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    pub keylog: Option<PathBuf>,
    pub notes: Vec<String>,
}

/// Build a server configuration.
pub fn server_config(opts: &ServerOptions) -> Result<ServerSetup> {
    let versions = suites::parse_versions(&opts.protocols, Role::Server)?;
    let choice = suites::choose_suites(
        opts.ciphers.as_deref(),
        opts.ciphersuites.as_deref(),
        Role::Server,
    )?;
    let groups = suites::choose_groups(opts.groups.as_deref())?;
    let mut notes = Vec::new();
    if !choice.dropped.is_empty() {
        let names: Vec<&str> = choice
            .dropped
            .iter()
            .map(|s| s.openssl.unwrap_or(s.iana))
            .collect();
        notes.push(format!(
            "{} suite(s) selected by the cipher string are not served because rustls does not implement them: {}",
            names.len(),
            names.join(" ")
        ));
    }
    let suites: Vec<_> = choice
        .suites
        .into_iter()
        .filter(|s| versions.iter().any(|v| v.version == s.version().version))
        .collect();
    if suites.is_empty() {
        return Err(Error::usage(
            "the chosen cipher suites and protocol versions do not overlap (e.g. TLSv1.2 suites with -p TLSv1_3)",
        ));
    }
    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: suites,
        kx_groups: groups,
        ..rustls::crypto::aws_lc_rs::default_provider()
    });
    let ck = load::load_cert_key(&opts.cert, opts.key.as_deref())?;
    let chain = ck.chain.clone();

    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| Error::usage(format!("inconsistent TLS settings: {e}")))?;
    let builder = if opts.client_ca.is_empty() {
        if opts.require_client_cert {
            return Err(Error::usage(
                "--require-client-cert needs -a/--client-ca FILE|DIR: the CA whose client certificates are accepted",
            ));
        }
        builder.with_no_client_auth()
    } else {
        let trust = load_trust(&opts.client_ca)?;
        let vb = WebPkiClientVerifier::builder_with_provider(trust.roots.clone(), provider.clone());
        let vb = if opts.require_client_cert {
            vb
        } else {
            vb.allow_unauthenticated()
        };
        let v = vb.build().map_err(|e| {
            Error::input(format!("cannot build the client-certificate verifier: {e}"))
        })?;
        builder.with_client_cert_verifier(v)
    };
    let mut config = builder.with_single_cert(ck.chain, ck.key).map_err(|e| {
        Error::input(format!(
            "cannot use certificate {}: {e}",
            opts.cert.display()
        ))
    })?;
    config.alpn_protocols = opts.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    config.ignore_client_order = opts.server_preference;
    if opts.no_resumption {
        config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    } else {
        config.session_storage = rustls::server::ServerSessionMemoryCache::new(4096);
        config.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new()
            .map_err(|e| Error::other(format!("cannot create the session ticketer: {e}")))?;
    }
    let keylog_path = keylog::resolve(opts.keylog.as_deref());
    if let Some(p) = &keylog_path {
        config.key_log = Arc::new(KeyLogFile::open(p)?);
    }
    Ok(ServerSetup {
        config: Arc::new(config),
        chain,
        keylog: keylog_path,
        notes,
    })
}
