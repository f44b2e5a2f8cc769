//! `tlskit pcap` (being written).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> tlskit::Result<i32> {
    Err(tlskit::Error::other("tlskit pcap is not available yet"))
}
