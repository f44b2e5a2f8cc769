//! `tlskit proxy` (being written).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> tlskit::Result<i32> {
    Err(tlskit::Error::other("tlskit proxy is not available yet"))
}
