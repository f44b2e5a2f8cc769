//! `tlskit report FILE` (scan::report::saved): a saved scan report, which may have been edited,
//! truncated or crafted, parses or fails with a sentence naming the file, never panics; what
//! parses renders as text (plain, coloured, verbose) and as the HTML page without panicking, and
//! the HTML holds no `<script` (it has none of its own, so one would be the input's, unescaped).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::html::{render_page, Entry};
use tlskit::scan::report::{parse_saved, SavedItem, Style};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let items = match parse_saved(&text, "fuzz.json") {
        Ok(items) => items,
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("fuzz.json"), "{msg}");
            assert!(!msg.contains('\n'), "one line: {msg}");
            return;
        }
    };
    let mut entries = Vec::new();
    for item in &items {
        match item {
            SavedItem::Report(r) => {
                let _ = r.render_full_text(Style::new(false), false);
                let _ = r.render_full_text(Style::new(true), true);
            }
            SavedItem::Failed { .. } => {
                assert!(item.failed_target().is_some());
            }
        }
        let value = match item {
            SavedItem::Report(r) => serde_json::to_value(&**r).unwrap_or_default(),
            SavedItem::Failed { target, ip, error } => {
                serde_json::json!({"target": target, "ip": ip, "error": error})
            }
        };
        if let Ok(e) = Entry::from_json(&value) {
            entries.push(e);
        }
    }
    let page = render_page(&entries, "fuzz");
    // The page has no script of its own: any `<script` came from the input unescaped.
    assert!(!page.contains("<script"), "input <script> reached the page raw");
});
