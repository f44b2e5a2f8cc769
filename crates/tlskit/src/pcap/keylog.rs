//! NSS key log files: which sessions of a capture the keys could decrypt.

use super::KeylogCoverage;
use crate::error::{Error, Result};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// An NSS key log: labels per client random.
#[derive(Debug, Clone)]
pub struct KeyLog {
    pub path: PathBuf,
    entries: HashMap<String, BTreeSet<String>>,
    pub malformed_lines: usize,
}

const TLS13_LABELS: [&str; 4] = [
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0",
];

impl KeyLog {
    /// Read `LABEL <client random hex> <secret hex>` lines (comments and blank lines skipped).
    pub fn load(path: &Path) -> Result<KeyLog> {
        let bytes = crate::pki::load::read_file(path)?;
        let text = String::from_utf8_lossy(&bytes);
        let mut entries: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut malformed = 0;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut it = line.split_whitespace();
            let (Some(label), Some(random), Some(secret), None) =
                (it.next(), it.next(), it.next(), it.next())
            else {
                malformed += 1;
                continue;
            };
            let is_hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
            if !label
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                || random.len() != 64
                || !is_hex(random)
                || !is_hex(secret)
            {
                malformed += 1;
                continue;
            }
            entries
                .entry(random.to_ascii_lowercase())
                .or_default()
                .insert(label.to_string());
        }
        if entries.is_empty() {
            return Err(Error::input(format!(
                "{} holds no key log lines (expected NSS key log lines such as 'CLIENT_RANDOM <64 hex digits> <secret>', written by `tlskit connect --keylog FILE` or SSLKEYLOGFILE)",
                path.display()
            )));
        }
        Ok(KeyLog {
            path: path.to_path_buf(),
            entries,
            malformed_lines: malformed,
        })
    }

    /// Distinct sessions (client randoms) in the file.
    pub fn sessions(&self) -> usize {
        self.entries.len()
    }

    /// What the log holds for a session with this client random (hex).
    pub fn coverage(&self, random: &str, version: Option<&str>) -> KeylogCoverage {
        let labels: Vec<String> = self
            .entries
            .get(&random.to_ascii_lowercase())
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        let has = |l: &str| labels.iter().any(|x| x == l);
        let complete = match version {
            Some("TLSv1.3") => TLS13_LABELS.iter().all(|l| has(l)),
            Some(_) => has("CLIENT_RANDOM"),
            None => !labels.is_empty(),
        };
        KeylogCoverage {
            covered: !labels.is_empty(),
            complete,
            labels,
        }
    }
}
