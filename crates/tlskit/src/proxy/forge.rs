//! Certificates forged on the fly: for each server name a client asks for, a leaf certificate for
//! that name signed by the lab CA (ECDSA P-256, so forging is cheap), cached per name in a bounded
//! LRU, with concurrent requests for the same new name sharing one forging.

use crate::error::{Error, Result};
use crate::pki::ca::{Ca, IssueRequest, KeyType, Validity};
use rustls::server::{ProducesTickets, StoresServerSessions};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Days a forged certificate is valid.
pub const FORGED_DAYS: u32 = 30;

/// A forged certificate, ready to serve.
pub struct Forged {
    pub name: String,
    /// Serves `http/1.1` by ALPN (for clients that offer it).
    pub config_http11: Arc<ServerConfig>,
    /// Serves without ALPN (for clients that offer none, or no protocol we relay).
    pub config_plain: Arc<ServerConfig>,
    /// SHA-256 of the forged certificate (hex), for the log.
    pub fingerprint: String,
}

type Slot = Arc<OnceCell<Arc<Forged>>>;

struct Cache {
    map: HashMap<String, (Slot, u64)>,
    tick: u64,
}

/// Forges and caches certificates for server names.
pub struct Forge {
    ca: Arc<Ca>,
    capacity: usize,
    cache: Mutex<Cache>,
    forged: AtomicU64,
    sessions: Arc<dyn StoresServerSessions>,
    ticketer: Arc<dyn ProducesTickets>,
}

impl Forge {
    /// A forge for the CA, keeping at most `capacity` names.
    pub fn new(ca: Ca, capacity: usize) -> Result<Forge> {
        let ticketer = rustls::crypto::aws_lc_rs::Ticketer::new()
            .map_err(|e| Error::other(format!("cannot create the session ticketer: {e}")))?;
        Ok(Forge {
            ca: Arc::new(ca),
            capacity: capacity.max(1),
            cache: Mutex::new(Cache {
                map: HashMap::new(),
                tick: 0,
            }),
            forged: AtomicU64::new(0),
            sessions: rustls::server::ServerSessionMemoryCache::new(4096),
            ticketer,
        })
    }

    /// The CA certificate's subject, for messages.
    pub fn ca_subject(&self) -> &str {
        &self.ca.info.subject
    }

    /// How many certificates were forged so far.
    pub fn forged_count(&self) -> u64 {
        self.forged.load(Ordering::Relaxed)
    }

    /// Names currently cached.
    pub fn cached_names(&self) -> usize {
        self.cache.lock().map(|c| c.map.len()).unwrap_or(0)
    }

    /// The certificate for `name`, forging it on first use. Returns it and whether it came from
    /// the cache.
    pub async fn get(&self, name: &str) -> Result<(Arc<Forged>, bool)> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let slot = {
            let mut c = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            c.tick += 1;
            let tick = c.tick;
            let slot = match c.map.get_mut(&name) {
                Some((slot, used)) => {
                    *used = tick;
                    slot.clone()
                }
                None => {
                    let slot: Slot = Arc::new(OnceCell::new());
                    c.map.insert(name.clone(), (slot.clone(), tick));
                    if c.map.len() > self.capacity {
                        // Evict the least recently used name (in-flight users keep their Arc).
                        if let Some(old) = c
                            .map
                            .iter()
                            .min_by_key(|(_, (_, used))| *used)
                            .map(|(k, _)| k.clone())
                        {
                            c.map.remove(&old);
                        }
                    }
                    slot
                }
            };
            slot
        };
        if let Some(f) = slot.get() {
            return Ok((f.clone(), true));
        }
        let forged_now = std::sync::atomic::AtomicBool::new(false);
        let f = slot
            .get_or_try_init(|| async {
                forged_now.store(true, Ordering::Relaxed);
                let ca = self.ca.clone();
                let sessions = self.sessions.clone();
                let ticketer = self.ticketer.clone();
                let n = name.clone();
                let f = tokio::task::spawn_blocking(move || forge(&ca, &n, sessions, ticketer))
                    .await
                    .map_err(|e| Error::other(format!("forging a certificate failed: {e}")))??;
                self.forged.fetch_add(1, Ordering::Relaxed);
                Ok::<_, Error>(Arc::new(f))
            })
            .await?;
        Ok((f.clone(), !forged_now.load(Ordering::Relaxed)))
    }
}

/// Issue a certificate for `name` and build the two server configurations that present it.
fn forge(
    ca: &Ca,
    name: &str,
    sessions: Arc<dyn StoresServerSessions>,
    ticketer: Arc<dyn ProducesTickets>,
) -> Result<Forged> {
    let validity = Validity::from_flags(None, None, Some(FORGED_DAYS), FORGED_DAYS)?;
    let issued = ca
        .issue(&IssueRequest {
            names: vec![name.to_string()],
            common_name: None,
            server: true,
            client: false,
            key_type: Some(KeyType::EcdsaP256),
            validity,
        })
        .map_err(|e| e.context(format!("forging a certificate for '{name}'")))?;
    let key = PrivateKeyDer::from_pem_slice(issued.key_pem().as_bytes())
        .map_err(|e| Error::other(format!("the forged key for '{name}' does not parse: {e}")))?;
    let chain = vec![issued.cert.clone()];
    let build = |alpn: bool| -> Result<Arc<ServerConfig>> {
        let mut cfg = ServerConfig::builder_with_provider(crate::provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::other(format!("TLS settings: {e}")))?
            .with_no_client_auth()
            .with_single_cert(chain.clone(), key.clone_key())
            .map_err(|e| {
                Error::other(format!(
                    "cannot serve the forged certificate for '{name}': {e}"
                ))
            })?;
        if alpn {
            cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        }
        cfg.session_storage = sessions.clone();
        cfg.ticketer = ticketer.clone();
        Ok(Arc::new(cfg))
    };
    let fingerprint = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(issued.cert.as_ref()))
    };
    Ok(Forged {
        name: name.to_string(),
        config_http11: build(true)?,
        config_plain: build(false)?,
        fingerprint,
    })
}
