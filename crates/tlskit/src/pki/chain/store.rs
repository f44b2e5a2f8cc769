//! Trust stores: the Mozilla roots built in, the system store, and `--ca`.

use super::*;

/// One set of trust anchors.
#[derive(Debug, Clone)]
pub struct Store {
    /// `"mozilla"`, `"system"` or `"custom"` (the value of [`TrustResult::store`]).
    pub name: &'static str,
    /// Where the anchors came from, for people: `"Mozilla roots built into tlskit (146)"`.
    pub description: String,
    pub anchors: Vec<TrustAnchor<'static>>,
    /// Certificates in the store that could not be used (unparsable, not a CA), and errors reading it.
    pub problems: Vec<String>,
}

impl Store {
    pub(super) fn from_certs(
        name: &'static str,
        description: String,
        certs: &[CertificateDer<'_>],
    ) -> Store {
        let mut anchors = Vec::new();
        let mut problems = Vec::new();
        for (i, c) in certs.iter().enumerate() {
            match webpki::anchor_from_trusted_cert(c) {
                Ok(a) => anchors.push(a.to_owned()),
                Err(e) => problems.push(format!(
                    "certificate #{} cannot be a trust anchor ({})",
                    i + 1,
                    crate::pki::error_words(&e)
                )),
            }
        }
        Store {
            name,
            description,
            anchors,
            problems,
        }
    }

    /// The Mozilla root program's anchors, as compiled into tlskit (webpki-roots).
    pub fn mozilla() -> Store {
        let anchors = webpki_roots::TLS_SERVER_ROOTS.to_vec();
        Store {
            name: "mozilla",
            description: format!("Mozilla roots built into tlskit ({})", roots(anchors.len())),
            anchors,
            problems: Vec::new(),
        }
    }

    /// The operating system's store (rustls-native-certs: `SSL_CERT_FILE` / `SSL_CERT_DIR` when
    /// set, else the platform's CA bundle).
    pub fn system() -> Store {
        let found = rustls_native_certs::load_native_certs();
        let mut from_env = Vec::new();
        for var in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
            if let Some(v) = std::env::var_os(var) {
                from_env.push(format!("{var}={}", v.to_string_lossy()));
            }
        }
        let source = if from_env.is_empty() {
            "the system CA bundle".to_string()
        } else {
            from_env.join(" ")
        };
        let mut store = Store::from_certs("system", String::new(), &found.certs);
        store.description = format!("{source} ({})", roots(store.anchors.len()));
        store
            .problems
            .extend(found.errors.iter().map(|e| e.to_string()));
        store
    }

    /// Anchors from `--ca` files or directories; an error if one of them holds no usable anchor.
    pub fn custom(paths: &[PathBuf]) -> Result<Store> {
        let mut all = Vec::new();
        for path in paths {
            let certs = crate::pki::load::load_trust(path)?;
            let store = Store::from_certs("custom", String::new(), &certs);
            if store.anchors.is_empty() {
                return Err(Error::input(format!(
                    "{} holds no certificate usable as a trust anchor (--ca wants CA certificates in PEM or DER)",
                    path.display()
                )));
            }
            all.extend(certs);
        }
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let mut store = Store::from_certs("custom", String::new(), &all);
        store.description = format!("--ca {} ({})", names.join(", "), roots(store.anchors.len()));
        Ok(store)
    }
}

pub(super) fn roots(n: usize) -> String {
    if n == 1 {
        "1 root".to_string()
    } else {
        format!("{n} roots")
    }
}

/// The trust anchors a scan judges chains against. Load once per run and share (it is cheap to
/// clone behind an `Arc`).
#[derive(Debug, Clone)]
pub struct TrustStores {
    pub mozilla: Store,
    pub system: Store,
    /// Present when `--ca` was given.
    pub custom: Option<Store>,
}

impl TrustStores {
    /// Mozilla roots, the system store, and the CAs in `ca` (files or directories).
    pub fn load(ca: &[PathBuf]) -> Result<TrustStores> {
        Ok(TrustStores {
            mozilla: Store::mozilla(),
            system: Store::system(),
            custom: if ca.is_empty() {
                None
            } else {
                Some(Store::custom(ca)?)
            },
        })
    }

    /// Stores from certificates already in memory (the Mozilla set is always the built-in one);
    /// an empty `custom` means no custom store. Meant for tests and embedders.
    pub fn from_certs(system: &[CertificateDer<'_>], custom: &[CertificateDer<'_>]) -> TrustStores {
        TrustStores {
            mozilla: Store::mozilla(),
            system: Store::from_certs(
                "system",
                format!("given system roots ({})", roots(system.len())),
                system,
            ),
            custom: (!custom.is_empty()).then(|| {
                Store::from_certs(
                    "custom",
                    format!("given CAs ({})", roots(custom.len())),
                    custom,
                )
            }),
        }
    }

    /// The stores in report order: mozilla, system, custom.
    pub fn stores(&self) -> Vec<&Store> {
        let mut v = vec![&self.mozilla, &self.system];
        if let Some(c) = &self.custom {
            v.push(c);
        }
        v
    }
}
