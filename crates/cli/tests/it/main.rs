//! tlskit's integration tests: one test binary (so the shared helpers are compiled and linked
//! once), one module per command or area. Every test talks to real peers on loopback; a test
//! whose peer is missing fails naming the Debian package (see `common::require_tool`).

mod common;
mod daemons;

mod bench;
mod capture;
mod cert;
mod ciphers;
mod connect_seeds;
mod hostile;
mod hostile_clients;
mod hostile_e2e;
mod hostile_escape;
mod ja4;
mod lab;
mod observe;
mod outbound_proxy;
mod pcap;
mod proxy;
mod scan;
mod scan_certs;
mod scan_checks;
mod scan_client_auth;
mod scan_details;
mod scan_ech;
mod scan_facts;
mod scan_fleet;
mod scan_golden;
mod scan_hostile;
mod scan_html;
mod scan_http;
mod scan_http2;
mod scan_legacy_features;
mod scan_many;
mod scan_revocation;
mod scan_select;
mod scan_simulation;
mod scan_sni;
mod scan_weak;
mod scan_weak2;
mod serve_faults;
mod session;
mod shell;
mod starttls;
mod starttls_scan;
mod targets;
mod trust_stores;
