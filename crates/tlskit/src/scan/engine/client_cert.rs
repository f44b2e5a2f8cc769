//! Answering a server's CertificateRequest in the scanner's rustls handshakes: a resolver that
//! records what the server asked for and answers with `--client-cert`'s key, or with nothing.

use rustls::client::ResolvesClientCert;
use rustls::sign::CertifiedKey;
use rustls::SignatureScheme;
use std::sync::{Arc, Mutex};

/// What a CertificateRequest asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// DER distinguished names of the acceptable CAs.
    pub ca_names: Vec<Vec<u8>>,
    /// Signature scheme code points.
    pub sigschemes: Vec<u16>,
}

/// A client-certificate resolver that remembers what the server asked for and answers with
/// `key` (none: an empty Certificate).
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    key: Option<Arc<CertifiedKey>>,
    seen: Mutex<Option<Request>>,
}

impl Recorder {
    pub(crate) fn new(key: Option<Arc<CertifiedKey>>) -> Arc<Recorder> {
        Arc::new(Recorder {
            key,
            seen: Mutex::new(None),
        })
    }

    /// What the server's CertificateRequest asked for, once one came.
    pub(crate) fn seen(&self) -> Option<Request> {
        self.seen.lock().ok().and_then(|g| g.clone())
    }
}

impl ResolvesClientCert for Recorder {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        if let Ok(mut g) = self.seen.lock() {
            *g = Some(Request {
                ca_names: root_hint_subjects.iter().map(|n| n.to_vec()).collect(),
                sigschemes: sigschemes.iter().map(|s| u16::from(*s)).collect(),
            });
        }
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}
