//! The scan's HTTP layer (scan/checks/http.rs): a response head from a hostile server becomes the
//! report's `http` and its findings without a panic, and the header parsers it uses
//! (Strict-Transport-Security, Public-Key-Pins, Set-Cookie, Date) take any text; the text
//! section never lets a control character through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::http;
use tlskit::scan::checks::http as check;
use tlskit::scan::report::http::HttpReport;
use tlskit::scan::report::Style;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(h) = check::parse_hsts(&text) {
        let _ = h.describe();
    }
    let _ = check::parse_hpkp(&text, false);
    if let Some(c) = check::parse_cookie(&text) {
        assert!(!c.describe().contains('\n'));
    }
    let _ = check::parse_http_date(&text);
    if let Some(end) = http::head_end(data) {
        if let Ok(head) = http::parse_response_head(&data[..end]) {
            let mut report = HttpReport::default();
            let findings = check::analyse(&head, &mut report, time::OffsetDateTime::UNIX_EPOCH);
            for f in findings {
                assert!(!f.message.contains('\n'));
            }
            let out = report.render_text(Style::new(false));
            assert!(!out.contains('\x1b'));
            assert!(out.lines().all(|l| !l.contains('\r')));
        }
    }
});
