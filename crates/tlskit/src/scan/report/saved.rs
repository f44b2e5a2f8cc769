//! Saved scan output read back (`tlskit report`): what `tlskit scan --json` wrote — one report,
//! the array of a multi-target scan, or one JSON document per line (`--json-lines`, `--resume`).
//!
//! The file is input like any other: it may have been edited, truncated or crafted. Parsing
//! never panics, and every failure is one [`Error`] naming the file (and the line, for JSON
//! lines) and what to do. The fuzz target `report_file` drives [`parse_saved`] and the text
//! renderer with arbitrary bytes.

use super::ScanReport;
use crate::{Error, Result};
use serde::Deserialize;

/// One element of saved scan output: a report, or a target that could not be scanned.
///
/// Exhaustive: `scan --json` writes exactly these two shapes, and every reader must decide
/// what to do with each.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum SavedItem {
    /// A complete scan report.
    Report(Box<ScanReport>),
    /// A target that could not be scanned.
    Failed {
        /// The report's target object (or, in files written before it existed, the `host:port`
        /// the user wrote, with `ip` beside it).
        target: serde_json::Value,
        /// The address, in the older form.
        #[serde(default)]
        ip: Option<String>,
        /// Why the scan failed.
        error: String,
    },
}

impl SavedItem {
    /// For a failed entry: `host:port` (`[v6]:port`) and the address scanned, in either form
    /// of `target`; `None` for a report.
    pub fn failed_target(&self) -> Option<(String, Option<String>)> {
        let SavedItem::Failed { target, ip, .. } = self else {
            return None;
        };
        Some(match target {
            serde_json::Value::String(label) => (label.clone(), ip.clone()),
            info => {
                let host = info["host"].as_str().unwrap_or("?");
                let port = info["port"].as_u64().unwrap_or(0);
                let label = if host.contains(':') {
                    format!("[{host}]:{port}")
                } else {
                    format!("{host}:{port}")
                };
                let ip = info["ip"]
                    .as_str()
                    .filter(|i| !i.is_empty())
                    .map(str::to_string)
                    .or_else(|| ip.clone());
                (label, ip)
            }
        })
    }
}

/// The items of saved scan output `text` (one object, an array, or one object per line);
/// `origin` names the file in errors.
pub fn parse_saved(text: &str, origin: &str) -> Result<Vec<SavedItem>> {
    let bad = |e: serde_json::Error| {
        Error::usage(format!(
            "{origin}: not a tlskit scan report ({e}); save one with `tlskit scan --json`"
        ))
    };
    let t = text.trim_start();
    if t.starts_with('[') {
        return serde_json::from_str::<Vec<SavedItem>>(t).map_err(bad);
    }
    if let Ok(item) = serde_json::from_str::<SavedItem>(t) {
        return Ok(vec![item]);
    }
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let item = serde_json::from_str::<SavedItem>(line).map_err(|e| {
            Error::usage(format!(
                "{origin}, line {}: not a tlskit scan report ({e}); save one with `tlskit scan --json`",
                n + 1
            ))
        })?;
        items.push(item);
    }
    if items.is_empty() {
        return Err(Error::usage(format!(
            "{origin}: empty; save a report with `tlskit scan --json`"
        )));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_entries_in_both_forms() {
        let items = parse_saved(
            "{\"target\":\"a.test:443\",\"ip\":\"127.0.0.1\",\"error\":\"refused\"}\n\
             {\"target\":{\"host\":\"::1\",\"port\":8443,\"ip\":\"::1\"},\"error\":\"reset\"}\n",
            "f",
        )
        .unwrap();
        assert_eq!(
            items[0].failed_target(),
            Some(("a.test:443".into(), Some("127.0.0.1".into())))
        );
        assert_eq!(
            items[1].failed_target(),
            Some(("[::1]:8443".into(), Some("::1".into())))
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = parse_saved(
            "{\"target\":\"a:1\",\"error\":\"x\"}\nnot json\n",
            "saved.json",
        )
        .unwrap_err();
        assert!(e.to_string().contains("saved.json, line 2"), "{e}");
        let e = parse_saved("  \n", "empty.json").unwrap_err();
        assert!(e.to_string().contains("empty.json: empty"), "{e}");
    }
}
