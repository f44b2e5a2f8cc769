//! One module per subcommand: its clap `Args` and a `run` that returns the exit status.

pub mod cert;
pub mod common;
pub mod connect;
pub mod demo;
pub mod serve;
