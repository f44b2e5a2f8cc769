//! OpenSSL-style cipher strings (-C, --ciphersuites) from the command line and config: any text
//! gives a choice or one error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::session::suites::{choose_suites, Role};

fuzz_target!(|data: &[u8]| {
    // Cipher strings are typed by people or read from a config line: OpenSSL's longest built-in
    // list is under 1 KiB. Longer inputs explore nothing new and only slow the search.
    if data.len() > 4096 {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('|').unwrap_or((text, ""));
    let _ = choose_suites(Some(a), None, Role::Client);
    let _ = choose_suites(Some(a), Some(b), Role::Server);
    let _ = choose_suites(None, Some(a), Role::Client);
});
