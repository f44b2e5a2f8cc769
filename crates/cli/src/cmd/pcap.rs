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
says which sessions the key log can decrypt in Wireshark.\n\n\
DNS queries and answers (UDP and TCP port 53) are listed too, each tied to the TCP stream its\n\
answer led to: the lookup of the server's name is the first thing TLS does not hide.\n\n\
--svg FILE draws the lecture's picture from the capture: a ladder diagram with client and server\n\
(and resolver) columns, one arrow per TCP handshake segment and TLS record with time, size and\n\
message names, the TCP and TLS handshakes shaded apart; open it in a browser.\n\n\
Capture recipe: start tcpdump with -U (write each packet at once), run the client, then STOP\n\
tcpdump (Ctrl-C) before reading the file: a capture still being written ends mid-packet.",
    after_help = "Examples:\n  tcpdump -i lo -U -w tls.pcap port 8443 or port 53 &   # -U: packets reach the file at once\n  tlskit connect -a ca.crt localhost 8443\n  kill -INT %1                               # stop tcpdump first\n  tlskit pcap tls.pcap\n  tlskit pcap --svg ladder.svg tls.pcap      # then open ladder.svg in a browser\n  tlskit pcap --keylog keys.log capture.pcapng\n  tlskit pcap --json tls.pcap | jq '.streams[].summary'"
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
    /// Draw the ladder diagram of one stream (--stream N, else the first TLS stream) to FILE (SVG).
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
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
    if let Some(path) = &args.svg {
        let stream = report
            .streams
            .iter()
            .find(|s| s.tls.client_hello.is_some())
            .or_else(|| report.streams.first())
            .ok_or_else(|| Error::input("the capture has no TCP stream to draw"))?;
        let dns = stream
            .dns
            .as_ref()
            .and_then(|d| report.dns.iter().find(|e| e.index == d.exchange))
            .map(|e| {
                (
                    e,
                    -stream
                        .dns
                        .as_ref()
                        .map(|d| d.query_before_ms)
                        .unwrap_or(0.0),
                )
            });
        let svg = pcap::svg::ladder(&pcap::svg::Ladder {
            title: format!(
                "{}: stream {} {} → {}",
                args.file.display(),
                stream.index,
                stream.client,
                stream.server
            ),
            client: stream.client.clone(),
            server: stream.server.clone(),
            tcp: &stream.tcp,
            tls: &stream.tls,
            dns,
            caption: stream.summary.clone(),
        });
        tlskit::fsutil::write_atomic(path, svg.as_bytes(), tlskit::fsutil::PUBLIC_MODE, true)?;
        eprintln!(
            "tlskit pcap: wrote the ladder diagram of stream {} to {}",
            stream.index,
            path.display()
        );
    }
    if args.json {
        output::print_json(&report)?;
    } else {
        crate::out!("{}", report.render_text());
    }
    Ok(0)
}
