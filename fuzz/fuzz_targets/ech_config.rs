//! ECHConfigLists (wire::ech), as a server sends them in retry_configs and as `--ech-config`
//! files hold them (session::ech::parse_config_file: PEM, base64 or raw): any bytes parse
//! or fail with an error, never panic; what parses encodes back to the same bytes and shows as
//! the report's summary line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlskit::scan::report::ech::EchConfigInfo;
use tlskit::session::ech::parse_config_file;
use tlskit_wire::codec::Codec;
use tlskit_wire::ech::EchConfigList;

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = EchConfigList::parse(data) {
        assert_eq!(list.to_bytes(), data);
        for c in &list.0 {
            let _ = EchConfigInfo::from_config(c).summary();
        }
    }
    if let Ok(list) = parse_config_file(data) {
        assert!(EchConfigList::parse(&list).is_ok());
    }
});
