//! `tlskit scan --html FILE`: the reports of this run as one self-contained page
//! (tlskit::html renders it).

use std::path::Path;
use tlskit::html::{self, Entry};
use tlskit::{Error, Result};

/// Write the page for `items` (reports and error objects, in their JSON form) to `path`.
pub fn write(path: &Path, items: &[serde_json::Value]) -> Result<()> {
    let entries = items
        .iter()
        .map(|v| Entry::from_json(v).map_err(|e| Error::other(format!("--html: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    let title = match entries.as_slice() {
        [Entry::Report(r)] => format!("tlskit scan of {}:{}", r.target.host, r.target.port),
        [Entry::Failed { target, .. }] => format!("tlskit scan of {target}"),
        _ => format!("tlskit scan of {} targets", entries.len()),
    };
    let page = html::render_page(&entries, &title);
    tlskit::fsutil::write_atomic(path, page.as_bytes(), tlskit::fsutil::PUBLIC_MODE, true)
}
