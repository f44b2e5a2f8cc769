//! The target parser (net::target): whatever a user, a --targets file or stdin holds — URLs,
//! HOST:PORT, lists, --resolve entries and proxy URLs — parses or fails with a sentence, never
//! panics; what parses is a usable target.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::net::proxy::{NoProxy, Proxy, ProxySource};
use tlskit::net::target::{parse_list, ResolveOverride, TargetSpec};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = TargetSpec::parse(text, 443) {
        assert!(!spec.target.host.is_empty());
        assert_ne!(spec.target.port, 0);
        let _ = spec.start(None, false);
        // What parses prints as HOST:PORT, which parses back to the same target.
        let again = TargetSpec::parse(&spec.target.to_string(), 1).expect("a target's own form parses");
        assert_eq!(again.target, spec.target);
    }
    let _ = parse_list(text, "fuzz", 443);
    let _ = ResolveOverride::parse(text);
    if let Ok(p) = Proxy::parse(text, ProxySource::Flag) {
        let _ = p.display();
    }
    let _ = NoProxy::parse(text).covers(text);
});
