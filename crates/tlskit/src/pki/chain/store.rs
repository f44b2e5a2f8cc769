//! Trust stores: the root programs built into tlskit (Mozilla, Apple, Android, Microsoft, Java),
//! the system store, and `--ca`.
//!
//! The Mozilla roots come from webpki-roots; the other four are dated PEM bundles in
//! `crates/tlskit/data/roots/` (sources and dates in their headers and the README there, refreshed
//! by `scripts/refresh-trust-stores`), compiled in with `include_bytes!` and parsed once per
//! process, the first time a store is asked for (a scan asks on a blocking thread while its first
//! connection is made).

use super::*;
use rustls_pki_types::pem::PemObject;
use std::sync::{Arc, OnceLock};

/// One set of trust anchors.
#[derive(Debug, Clone)]
pub struct Store {
    /// Which store (the value of [`TrustResult::store`]).
    pub id: StoreId,
    /// Where the anchors came from, for people: `"Mozilla roots built into tlskit (146 roots)"`.
    pub description: String,
    pub anchors: Vec<TrustAnchor<'static>>,
    /// Certificates in the store that could not be used (unparsable, not a CA), and errors reading it.
    pub problems: Vec<String>,
}

/// The bundles compiled in: the store, its PEM (a `# Dated: YYYY-MM-DD` line in the header).
const BUNDLES: [(StoreId, &[u8]); 4] = [
    (
        StoreId::Apple,
        include_bytes!("../../../data/roots/apple.pem"),
    ),
    (
        StoreId::Android,
        include_bytes!("../../../data/roots/android.pem"),
    ),
    (
        StoreId::Microsoft,
        include_bytes!("../../../data/roots/microsoft.pem"),
    ),
    (
        StoreId::Java,
        include_bytes!("../../../data/roots/java.pem"),
    ),
];

/// The date in a bundle's `# Dated: ` header line.
fn bundle_date(pem: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(pem.get(..2048.min(pem.len()))?).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("# Dated: "))
        .and_then(|rest| rest.split_whitespace().next())
}

impl Store {
    pub(super) fn from_certs(
        id: StoreId,
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
            id,
            description,
            anchors,
            problems,
        }
    }

    /// The Mozilla root program's anchors, as compiled into tlskit (webpki-roots).
    fn mozilla() -> Store {
        let anchors = webpki_roots::TLS_SERVER_ROOTS.to_vec();
        Store {
            id: StoreId::Mozilla,
            description: format!(
                "Mozilla roots built into tlskit (webpki-roots, {})",
                roots(anchors.len())
            ),
            anchors,
            problems: Vec::new(),
        }
    }

    /// A compiled-in PEM bundle. Every block that is not a usable certificate is a problem of the
    /// store (the unit tests keep the bundles clean).
    fn bundle(id: StoreId, pem: &[u8]) -> Store {
        let mut certs = Vec::new();
        let mut problems = Vec::new();
        for (i, item) in CertificateDer::pem_slice_iter(pem).enumerate() {
            match item {
                Ok(c) => certs.push(c),
                Err(e) => problems.push(format!("PEM block #{} is unreadable ({e:?})", i + 1)),
            }
        }
        let mut store = Store::from_certs(id, String::new(), &certs);
        problems.append(&mut store.problems);
        store.problems = problems;
        store.description = format!(
            "{} roots built into tlskit ({}, dated {})",
            id.label(),
            roots(store.anchors.len()),
            bundle_date(pem).unwrap_or("unknown")
        );
        store
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
        let mut store = Store::from_certs(StoreId::System, String::new(), &found.certs);
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
            let store = Store::from_certs(StoreId::Custom, String::new(), &certs);
            if store.anchors.is_empty() {
                return Err(Error::input(format!(
                    "{} holds no certificate usable as a trust anchor (--ca wants CA certificates in PEM or DER)",
                    path.display()
                )));
            }
            all.extend(certs);
        }
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let mut store = Store::from_certs(StoreId::Custom, String::new(), &all);
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

/// The stores compiled into tlskit, parsed once per process.
#[derive(Debug)]
struct BuiltIn {
    mozilla: Arc<Store>,
    apple: Arc<Store>,
    android: Arc<Store>,
    microsoft: Arc<Store>,
    java: Arc<Store>,
}

fn built_in() -> &'static BuiltIn {
    static BUILT_IN: OnceLock<BuiltIn> = OnceLock::new();
    BUILT_IN.get_or_init(|| {
        let [apple, android, microsoft, java] =
            BUNDLES.map(|(id, pem)| Arc::new(Store::bundle(id, pem)));
        BuiltIn {
            mozilla: Arc::new(Store::mozilla()),
            apple,
            android,
            microsoft,
            java,
        }
    })
}

/// The trust anchors a scan judges chains against. Load once per run and share; the built-in
/// stores are shared by every `TrustStores` of the process.
#[derive(Debug, Clone)]
pub struct TrustStores {
    pub mozilla: Arc<Store>,
    pub apple: Arc<Store>,
    pub android: Arc<Store>,
    pub microsoft: Arc<Store>,
    pub java: Arc<Store>,
    pub system: Store,
    /// Present when `--ca` was given.
    pub custom: Option<Store>,
}

impl TrustStores {
    /// The built-in stores, the system store, and `custom`.
    pub fn with_custom(custom: Option<Store>) -> TrustStores {
        let b = built_in();
        TrustStores {
            mozilla: b.mozilla.clone(),
            apple: b.apple.clone(),
            android: b.android.clone(),
            microsoft: b.microsoft.clone(),
            java: b.java.clone(),
            system: Store::system(),
            custom,
        }
    }

    /// The built-in stores, the system store, and the CAs in `ca` (files or directories).
    pub fn load(ca: &[PathBuf]) -> Result<TrustStores> {
        let custom = if ca.is_empty() {
            None
        } else {
            Some(Store::custom(ca)?)
        };
        Ok(TrustStores::with_custom(custom))
    }

    /// Stores from certificates already in memory (the built-in stores are always the built-in
    /// ones); an empty `custom` means no custom store. Meant for tests and embedders.
    pub fn from_certs(system: &[CertificateDer<'_>], custom: &[CertificateDer<'_>]) -> TrustStores {
        let b = built_in();
        TrustStores {
            mozilla: b.mozilla.clone(),
            apple: b.apple.clone(),
            android: b.android.clone(),
            microsoft: b.microsoft.clone(),
            java: b.java.clone(),
            system: Store::from_certs(
                StoreId::System,
                format!("given system roots ({})", roots(system.len())),
                system,
            ),
            custom: (!custom.is_empty()).then(|| {
                Store::from_certs(
                    StoreId::Custom,
                    format!("given CAs ({})", roots(custom.len())),
                    custom,
                )
            }),
        }
    }

    /// The stores in report order ([`StoreId::ALL`]): mozilla, apple, android, microsoft, java,
    /// system, custom.
    pub fn stores(&self) -> Vec<&Store> {
        let mut v = vec![
            &*self.mozilla,
            &*self.apple,
            &*self.android,
            &*self.microsoft,
            &*self.java,
            &self.system,
        ];
        if let Some(c) = &self.custom {
            v.push(c);
        }
        v
    }

    /// The stores whose verdict decides whether a chain is trusted ([`StoreId::decides_trust`]).
    pub fn deciding(&self) -> Vec<&Store> {
        let mut v = self.stores();
        v.retain(|s| s.id.decides_trust());
        v
    }

    /// One store, if present.
    pub fn get(&self, id: StoreId) -> Option<&Store> {
        self.stores().into_iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Subject common names of a store's anchors (lossy, for the tests' look-ups).
    fn has_root(store: &Store, name: &str) -> bool {
        store
            .anchors
            .iter()
            .any(|a| name_from_content(a.subject.as_ref()).contains(name))
    }

    #[test]
    fn every_built_in_bundle_parses_with_a_plausible_count_and_known_roots() {
        let b = built_in();
        // (store, at least, at most, roots it is known to hold)
        let expect: [(&Store, usize, usize, &[&str]); 5] = [
            (&*b.mozilla, 100, 250, &["ISRG Root X1", "ISRG Root X2"]),
            (
                &*b.apple,
                100,
                250,
                &["ISRG Root X1", "DigiCert Global Root G2"],
            ),
            (
                &*b.android,
                100,
                200,
                &["ISRG Root X1", "DigiCert Global Root G2"],
            ),
            (
                &*b.microsoft,
                300,
                800,
                &[
                    "ISRG Root X1",
                    "Microsoft RSA Root Certificate Authority 2017",
                ],
            ),
            (
                &*b.java,
                80,
                200,
                &["ISRG Root X1", "DigiCert Global Root G2"],
            ),
        ];
        for (store, lo, hi, known) in expect {
            let n = store.anchors.len();
            assert!(
                (lo..=hi).contains(&n),
                "{}: {n} anchors, expected {lo}..={hi}",
                store.id
            );
            assert!(
                store.problems.is_empty(),
                "{}: {:?}",
                store.id,
                store.problems
            );
            for name in known {
                assert!(has_root(store, name), "{} lacks {name}", store.id);
            }
            assert!(
                store.description.contains(store.id.label()),
                "{}",
                store.description
            );
        }
        // Android 13 predates ISRG Root X2 in AOSP (added in Android 14).
        assert!(!has_root(&b.android, "ISRG Root X2"));
        for (id, pem) in BUNDLES {
            let date = bundle_date(pem).unwrap_or_else(|| panic!("{id}: no Dated line"));
            assert!(date.len() == 10 && date.starts_with("20"), "{id}: {date}");
        }
    }

    #[test]
    fn the_store_ids_serialise_to_todays_json_names() {
        for id in StoreId::ALL {
            assert_eq!(serde_json::to_value(id).unwrap(), id.as_str());
            let back: StoreId = serde_json::from_value(id.as_str().into()).unwrap();
            assert_eq!(back, id);
        }
        let stores = TrustStores::from_certs(&[], &[]);
        let ids: Vec<StoreId> = stores.stores().iter().map(|s| s.id).collect();
        assert_eq!(ids, &StoreId::ALL[..6]);
        assert_eq!(
            stores.deciding().iter().map(|s| s.id).collect::<Vec<_>>(),
            [StoreId::Mozilla, StoreId::System]
        );
    }
}
