//! `tlskit pcap`: each TLS connection's timeline from a tcpdump/Wireshark capture.

use crate::output;
use std::path::PathBuf;
use tlskit::pcap::{self, PcapOptions};
use tlskit::{Error, Result};

#[derive(clap::Args, Debug)]
#[command(
    about = "Read a tcpdump/Wireshark capture and show each TLS connection's timeline",
    long_about = "Read a capture file (pcap from tcpdump, pcapng from Wireshark/tshark/dumpcap) and show, for each\n\
TCP stream, the TCP handshake (SYN, SYN-ACK, ACK) and then the TLS handshake and records as an\n\
observer sees them: ClientHello (SNI, offered versions and suites, JA3 and JA4), ServerHello\n\
(version, suite, JA3S and JA4S),\n\
the end of the handshake, the application records and their sizes — merged on one time line.\n\n\
Each stream ends with the answer to the lecture's question: which step triggers which handshake.\n\
connect() sends the SYN (the TCP handshake, one round trip); only then does the TLS handshake\n\
start, with the ClientHello (wrap_socket/do_handshake in Python). The line says how long each took\n\
and how many round trips the TLS handshake needed.\n\n\
With --keylog FILE (an NSS key log, e.g. from `tlskit connect --keylog FILE` or SSLKEYLOGFILE) it\n\
says which sessions the key log can decrypt in Wireshark.",
    after_help = "Examples:\n  tcpdump -i lo -w tls.pcap port 8443        # then run a client, stop with Ctrl-C\n  tlskit pcap tls.pcap\n  tlskit pcap --keylog keys.log capture.pcapng\n  tlskit pcap --json tls.pcap | jq '.streams[].summary'"
)]
pub struct Args {
    /// The capture file (pcap or pcapng).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// An NSS key log file: report which sessions it covers.
    #[arg(long, value_name = "FILE")]
    keylog: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Show only stream N (numbered as in the text report).
    #[arg(long, value_name = "N")]
    stream: Option<usize>,
    /// Read the complete packets of a truncated or damaged capture instead of failing.
    #[arg(long)]
    partial: bool,
    /// Records listed per stream (the rest are counted).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_records: usize,
}

pub fn run(args: Args) -> Result<i32> {
    let opts = PcapOptions {
        keylog: args.keylog.clone(),
        partial: args.partial,
        max_records: args.max_records.max(1),
    };
    let mut report = pcap::analyze_file(&args.file, &opts)?;
    if let Some(n) = args.stream {
        if !report.streams.iter().any(|s| s.index == n) {
            return Err(Error::usage(format!(
                "--stream {n}: the capture has {} TCP stream(s), numbered from 1",
                report.streams.len()
            )));
        }
        report.streams.retain(|s| s.index == n);
    }
    for w in &report.warnings {
        output::warn(w);
    }
    if args.json {
        output::print_json(&report)?;
    } else {
        print!("{}", report.render_text());
    }
    Ok(0)
}
