//! The per-store chain verdicts (issue 12 item 7): Mozilla, Apple, Android, Microsoft and Java
//! built in, beside the system store and `--ca`.
//!
//! A real public chain (Let's Encrypt, tests/fixtures/public_chains/README.md) judged at a fixed
//! time by `tlskit cert show --at`, and `tlskit scan` of an `openssl s_server` with a certificate
//! from a tlskit CA: no built-in store trusts it, `--ca` does.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The built-in stores, in report order, with the name the text line uses.
const BUILT_IN: [(&str, &str); 5] = [
    ("mozilla", "Mozilla"),
    ("apple", "Apple"),
    ("android", "Android"),
    ("microsoft", "Microsoft"),
    ("java", "Java"),
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/public_chains")
        .join(name)
}

fn verdict<'a>(trust: &'a Value, store: &str) -> &'a Value {
    trust
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["store"] == store)
        .unwrap_or_else(|| panic!("no {store} verdict in {trust}"))
}

fn show(file: &Path, json: bool) -> Run {
    let mut args = vec!["cert", "show", "--at", "2024-12-01T00:00:00Z"];
    if json {
        args.push("--json");
    }
    let file = file.to_str().unwrap();
    args.push(file);
    let r = run(&args);
    r.ok();
    r
}

#[test]
fn a_lets_encrypt_chain_via_isrg_root_x1_is_trusted_by_every_built_in_store() {
    let file = fixture("wikipedia-e5-via-x1.pem");
    let v = show(&file, true).json();
    let trust = &v["trust"];
    let order: Vec<&str> = trust
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["store"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["mozilla", "apple", "android", "microsoft", "java", "system"]
    );
    for (store, _) in BUILT_IN {
        let t = verdict(trust, store);
        assert_eq!(t["trusted"], true, "{t}");
        assert_eq!(t["path"].as_array().unwrap().len(), 3, "{t}");
        assert!(
            t["path"][2].as_str().unwrap().contains("ISRG Root X1"),
            "{t}"
        );
    }
    let text = show(&file, false).stdout;
    assert!(
        text.contains("Trusted by: Mozilla, Apple, Android, Microsoft, Java"),
        "{text}"
    );
}

#[test]
fn the_same_leaf_via_isrg_root_x2_is_not_trusted_by_android() {
    let file = fixture("wikipedia-e5-via-x2.pem");
    let v = show(&file, true).json();
    let trust = &v["trust"];
    for store in ["mozilla", "apple", "microsoft", "java"] {
        let t = verdict(trust, store);
        assert_eq!(t["trusted"], true, "{t}");
        assert!(
            t["path"][2].as_str().unwrap().contains("ISRG Root X2"),
            "{t}"
        );
    }
    let android = verdict(trust, "android");
    assert_eq!(android["trusted"], false, "{android}");
    assert_eq!(
        android["error"],
        "not issued by a CA in the Android root store"
    );
    let text = show(&file, false).stdout;
    assert!(
        text.contains("Trusted by: Mozilla, Apple, Microsoft, Java"),
        "{text}"
    );
    assert!(
        text.contains("not by: Android") && text.contains("(its roots did not issue the chain)"),
        "{text}"
    );

    // Judged now, the leaf (valid until 2025-01-29) has expired: no store trusts it, and each
    // says so (naming the certificate where the chain leads to the store's root).
    let r = run(&["cert", "show", "--json", file.to_str().unwrap()]);
    r.ok();
    let now = r.json();
    for (store, _) in BUILT_IN {
        let t = verdict(&now["trust"], store);
        assert_eq!(t["trusted"], false, "{t}");
        assert!(t["error"].as_str().unwrap().contains("expired"), "{t}");
    }
}

#[test]
fn cert_show_at_refuses_a_malformed_time() {
    let file = fixture("wikipedia-e5-via-x1.pem");
    let r = run(&["cert", "show", "--at", "yesterday", file.to_str().unwrap()]);
    r.failed_with(2, "is not an RFC 3339 time");
}

#[test]
fn a_scan_of_a_tlskit_ca_chain_is_untrusted_by_every_built_in_store_and_trusted_with_ca() {
    let openssl = require_tool("openssl", "openssl");
    let pki = Pki::new("ecdsa-p256");
    let (crt, key) = pki.issue("srv", &["localhost", "127.0.0.1"], &[]);
    let port = free_port();
    let mut cmd = Command::new(openssl);
    cmd.args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
        .args([
            "-cert",
            crt.to_str().unwrap(),
            "-key",
            key.to_str().unwrap(),
        ])
        .args(["-www", "-quiet"]);
    let _server = Peer::listening("openssl s_server", &mut cmd, port);

    let ca = pki.ca_cert();
    let target = format!("localhost:{port}");
    let args = [
        "scan",
        "--no-progress",
        "--checks",
        "heartbleed",
        "--ca",
        ca.to_str().unwrap(),
        &target,
    ];
    let mut json_args = args.to_vec();
    json_args.insert(1, "--json");
    let r = run_cmd(tlskit().args(&json_args), Duration::from_secs(60));
    assert!(r.code == 0 || r.code == 1, "{}\n{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    validate_schema(&v);
    let analysis = &v["certificates"][0]["analysis"];
    let trust = &analysis["trust"];
    assert_eq!(trust.as_array().unwrap().len(), 7, "{trust}");
    for (store, label) in BUILT_IN {
        let t = verdict(trust, store);
        assert_eq!(t["trusted"], false, "{t}");
        assert_eq!(
            t["error"],
            format!("not issued by a CA in the {label} root store"),
            "{t}"
        );
        assert!(
            t["description"]
                .as_str()
                .unwrap()
                .contains("built into tlskit"),
            "{t}"
        );
    }
    assert_eq!(verdict(trust, "system")["trusted"], false);
    assert_eq!(verdict(trust, "custom")["trusted"], true);
    // --ca decides trust, as before the other stores were added.
    assert_eq!(analysis["trusted"], true);

    let t = run_cmd(tlskit().args(args), Duration::from_secs(60));
    assert!(
        t.stdout.contains(
            "Trusted by: --ca; not by: Mozilla, Apple, Android, Microsoft, Java, system (its roots did not issue the chain)"
        ),
        "{}",
        t.stdout
    );
}
