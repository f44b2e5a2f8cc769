//! One module per subcommand: its clap `Args` and a `run` that returns the exit status.

pub mod bench;
pub mod cert;
pub mod ciphers;
pub mod common;
pub mod completions;
pub mod connect;
pub mod demo;
pub mod lab;
pub mod man;
pub mod observe;
pub mod pcap;
pub mod proxy;
pub mod report;
pub mod scan;
pub mod scan_fleet;
pub mod scan_html;
pub mod serve;
