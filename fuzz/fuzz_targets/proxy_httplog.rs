//! The proxy's HTTP logger: a stream of either direction's bytes, in pieces, gives messages and
//! raw events, bounded memory, and text lines with no control character (the log is escaped).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tlskit::proxy::httplog::{Event, HttpParser, Side};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let side = if sel & 1 == 0 { Side::Request } else { Side::Response };
    let methods = Arc::new(Mutex::new(VecDeque::from(vec!["GET".to_string()])));
    let mut p = HttpParser::new(side, methods);
    let step = 1 + (sel as usize >> 1) % 64;
    let mut events = Vec::new();
    for piece in rest.chunks(step) {
        events.extend(p.push(piece));
    }
    events.extend(p.finish());
    for e in events {
        if let Event::Message(mut m) = e {
            for l in m.render_lines(4096) {
                let _ = tlskit::escape::text(&l);
            }
            let secrets = m.secrets();
            m.redact();
            m.scrub(&secrets);
            let _ = m.render_lines(4096);
        }
    }
});
