//! STARTTLS (sieve): the parsers of what a server says before TLS take any bytes without a
//! panic or an endless loop (seeds: transcripts of the Debian daemons the tests start).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tlskit::net::starttls::fuzz::sieve(data);
});
