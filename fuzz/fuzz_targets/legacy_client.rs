//! The scanner's TLS ≤ 1.2 client (scan::engine::legacy) fed a hostile server's bytes: any input ends in
//! events or a one-line error, never a panic. The first byte picks what was offered (ECDHE, DHE
//! or RSA key exchange); the rest arrives in chunks whose sizes come from the data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::scan::engine::legacy::{Client, Config};
use tlskit_wire::version::Version;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let suites = match sel % 3 {
        0 => vec![0xc02f, 0xc013, 0xcca8],
        1 => vec![0x0033, 0x009e, 0x0016],
        _ => vec![0x002f, 0x000a, 0x0005, 0xc09c],
    };
    let version = if sel & 0x80 != 0 { Version::Tls10 } else { Version::Tls12 };
    let mut c = Client::new(Config::new(version, suites));
    let _ = c.take_output();
    let mut rest = rest;
    let mut step = (sel as usize >> 2) % 7 + 1;
    while !rest.is_empty() {
        let n = step.min(rest.len()) * 97 % (rest.len() + 1) + 1;
        let n = n.min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        step += 1;
        match c.feed(chunk) {
            Ok(()) => while c.next_event().is_some() {},
            Err(e) => {
                let line = e.to_string();
                assert!(!line.contains('\n'), "{line:?}");
                let _ = c.take_output();
                return;
            }
        }
        let _ = c.take_output();
    }
});
