//! `tlskit scan`'s revocation check against real revocation services on 127.0.0.1: a CA made by
//! `tlskit cert ca`, leaves it signs (with `openssl x509 -req`, which writes the OCSP and CRL
//! URLs tlskit's issuer does not take on the command line), `openssl ocsp -index` as the OCSP
//! responder, the CRL from `openssl ca -gencrl` served by `python3 -m http.server`, and
//! `openssl s_server` serving each leaf. Revoked by OCSP, revoked by the CRL only, good, the
//! responder down (unknown, never good), `--no-revocation`, and a stapled answer.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The CA, its revocation database (index.txt, in `openssl ca` format) and the services.
struct RevocationLab {
    pki: Pki,
    /// Lines of index.txt.
    index: Vec<String>,
    ocsp_port: u16,
    crl_port: u16,
}

/// How a leaf is revoked (if at all) and which URLs it carries.
struct Leaf<'a> {
    name: &'a str,
    serial: u32,
    revoked: bool,
    ocsp: bool,
    crl: bool,
    must_staple: bool,
}

impl RevocationLab {
    fn new() -> RevocationLab {
        openssl();
        RevocationLab {
            pki: Pki::new("ecdsa-p256"),
            index: Vec::new(),
            ocsp_port: free_port(),
            crl_port: free_port(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.pki.path(name)
    }

    fn openssl(&self, args: &[&str]) {
        let r = run_cmd(
            Command::new(openssl())
                .args(args)
                .current_dir(self.pki.dir.path()),
            Duration::from_secs(60),
        );
        assert_eq!(r.code, 0, "openssl {args:?}: {}", r.stderr);
    }

    /// Sign a leaf for localhost with the CA's key, and record it in index.txt.
    fn leaf(&mut self, l: &Leaf) -> (PathBuf, PathBuf) {
        let mut ext = String::from("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
        if l.ocsp {
            ext.push_str(&format!(
                "authorityInfoAccess=OCSP;URI:http://127.0.0.1:{}/\n",
                self.ocsp_port
            ));
        }
        if l.crl {
            ext.push_str(&format!(
                "crlDistributionPoints=URI:http://127.0.0.1:{}/ca.crl\n",
                self.crl_port
            ));
        }
        if l.must_staple {
            ext.push_str("tlsfeature=status_request\n");
        }
        let name = l.name;
        std::fs::write(self.path(&format!("{name}.ext")), ext).unwrap();
        self.openssl(&[
            "req",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            "/CN=localhost",
        ]);
        let ca = self.pki.ca_dir();
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            p(&ca.join("ca.crt")),
            "-CAkey",
            p(&ca.join("ca.key")),
            "-set_serial",
            &l.serial.to_string(),
            "-days",
            "30",
            "-extfile",
            &format!("{name}.ext"),
            "-out",
            &format!("{name}.crt"),
        ]);
        // index.txt times: YYMMDDHHMMSSZ.
        let fmt = |days: i64| {
            let t = time::OffsetDateTime::now_utc() + time::Duration::days(days);
            format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}Z",
                t.year() % 100,
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        };
        let status = if l.revoked {
            format!("R\t{}\t{},keyCompromise", fmt(30), fmt(-1))
        } else {
            format!("V\t{}\t", fmt(30))
        };
        self.index.push(format!(
            "{status}\t{:04X}\tunknown\t/CN=localhost",
            l.serial
        ));
        (
            self.path(&format!("{name}.crt")),
            self.path(&format!("{name}.key")),
        )
    }

    /// Write index.txt and the CRL (crl/ca.crl, DER), then start the OCSP responder and the
    /// CRL's HTTP server.
    fn start(&self) -> (Peer, Peer) {
        let mut index = self.index.join("\n");
        index.push('\n');
        std::fs::write(self.path("index.txt"), index).unwrap();
        std::fs::write(
            self.path("ca.cnf"),
            "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ndefault_md=sha256\ndefault_crl_days=7\n",
        )
        .unwrap();
        std::fs::create_dir_all(self.path("crl")).unwrap();
        let ca = self.pki.ca_dir();
        self.openssl(&[
            "ca",
            "-gencrl",
            "-config",
            "ca.cnf",
            "-keyfile",
            p(&ca.join("ca.key")),
            "-cert",
            p(&ca.join("ca.crt")),
            "-out",
            "crl.pem",
        ]);
        self.openssl(&[
            "crl",
            "-in",
            "crl.pem",
            "-outform",
            "DER",
            "-out",
            "crl/ca.crl",
        ]);
        // Not Peer::listening: its probe connection, closed without a request, wedges
        // `openssl ocsp` (OpenSSL 3.0 keeps waiting on it); wait for its banner instead.
        let ocsp = Peer::spawn(
            "openssl ocsp",
            Command::new(openssl())
                .args([
                    "ocsp",
                    "-index",
                    "index.txt",
                    "-port",
                    &self.ocsp_port.to_string(),
                    "-rsigner",
                    p(&ca.join("ca.crt")),
                    "-rkey",
                    p(&ca.join("ca.key")),
                    "-CA",
                    p(&ca.join("ca.crt")),
                    "-ignore_err",
                ])
                .current_dir(self.pki.dir.path()),
        );
        assert!(
            ocsp.wait_output(
                "waiting for OCSP client connections",
                Duration::from_secs(20)
            ),
            "openssl ocsp did not start: {}",
            ocsp.output()
        );
        let http = Peer::listening(
            "python3 -m http.server",
            Command::new(require_tool("python3", "python3")).args([
                "-m",
                "http.server",
                &self.crl_port.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
                p(&self.path("crl")),
            ]),
            self.crl_port,
        );
        (ocsp, http)
    }
}

/// Scan localhost:PORT trusting the lab CA; the JSON report (schema-checked) and the text.
fn scan(lab: &RevocationLab, port: u16, extra: &[&str]) -> (Value, String) {
    let ca = lab.pki.ca_cert();
    let target = format!("localhost:{port}");
    let mut args = vec!["--ca", p(&ca), "--checks", "heartbleed,revocation"];
    args.extend_from_slice(extra);
    args.push(&target);
    let v = scan_json_exit(&args, &[0, 1]);
    (v, scan_run(&args).stdout)
}

fn leaf_revocation(v: &Value) -> &Value {
    &v["certificates"][0]["certificates"][0]["revocation"]
}

fn finding_ids(v: &Value) -> Vec<&str> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect()
}

#[test]
fn revoked_by_ocsp_and_by_the_crl_alone_grade_f() {
    let mut lab = RevocationLab::new();
    let by_ocsp = lab.leaf(&Leaf {
        name: "ocsp-revoked",
        serial: 0x1001,
        revoked: true,
        ocsp: true,
        crl: false,
        must_staple: false,
    });
    let by_crl = lab.leaf(&Leaf {
        name: "crl-revoked",
        serial: 0x1002,
        revoked: true,
        ocsp: false,
        crl: true,
        must_staple: false,
    });
    let (ocsp, _http) = lab.start();

    let Listening { peer: _s, port } = openssl_s_server(&by_ocsp.0, &by_ocsp.1, &[]);
    let (v, text) = scan(&lab, port, &[]);
    let r = leaf_revocation(&v);
    assert_eq!(r["status"], "revoked", "{r}");
    assert_eq!(r["source"], "ocsp", "{r}");
    assert_eq!(r["reason"], "keyCompromise", "{r}");
    assert!(r["revoked_at"].is_string(), "{r}");
    assert!(
        finding_ids(&v).contains(&"cert.revoked"),
        "{}",
        v["findings"]
    );
    assert_eq!(v["grade"]["grade"], "F", "{}", v["grade"]);
    assert!(
        text.contains("revocation: REVOKED (OCSP: keyCompromise"),
        "{text}"
    );
    // The responder was really asked.
    assert!(
        ocsp.wait_output("Received request", Duration::from_secs(5)),
        "{}",
        ocsp.output()
    );

    let Listening { peer: _s, port } = openssl_s_server(&by_crl.0, &by_crl.1, &[]);
    let (v, _) = scan(&lab, port, &[]);
    let r = leaf_revocation(&v);
    assert_eq!(r["status"], "revoked", "{r}");
    assert_eq!(r["source"], "crl", "{r}");
    assert_eq!(r["checked"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(v["grade"]["grade"], "F", "{}", v["grade"]);
    // The CA itself (a trust anchor, not sent) is not in the chain; nothing else was asked.
    assert_eq!(
        v["certificates"][0]["certificates"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn good_then_responder_down_is_unknown_never_good() {
    let mut lab = RevocationLab::new();
    let good = lab.leaf(&Leaf {
        name: "good",
        serial: 0x2001,
        revoked: false,
        ocsp: true,
        crl: true,
        must_staple: false,
    });
    let (ocsp, http) = lab.start();
    let Listening { peer: _s, port } = openssl_s_server(&good.0, &good.1, &[]);
    let (v, text) = scan(&lab, port, &[]);
    let r = leaf_revocation(&v);
    assert_eq!(r["status"], "good", "{r}");
    assert_eq!(r["source"], "ocsp", "{r}");
    let checked: Vec<(&str, &str)> = r["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["source"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(checked, [("ocsp", "good"), ("crl", "good")], "{r}");
    assert!(!finding_ids(&v).contains(&"cert.revoked"));
    assert!(text.contains("revocation: good (OCSP)"), "{text}");

    // --no-revocation: nothing asked, no field.
    let (v, _) = scan(&lab, port, &["--no-revocation"]);
    assert!(leaf_revocation(&v).is_null(), "{}", leaf_revocation(&v));
    assert!(!finding_ids(&v).contains(&"revocation.no_urls"));

    // Both services down: unknown with the reason, an error entry, and still a finished scan.
    drop(ocsp);
    drop(http);
    let (v, _) = scan(&lab, port, &[]);
    let r = leaf_revocation(&v);
    assert_eq!(r["status"], "unknown", "{r}");
    assert!(r["source"].is_null(), "{r}");
    let reason = r["reason"].as_str().unwrap();
    assert!(reason.contains("connection refused"), "{reason}");
    let errors = v["errors"].to_string();
    assert!(errors.contains("revocation of"), "{errors}");
    assert_ne!(v["grade"]["grade"], "F", "{}", v["grade"]);
}

#[test]
fn a_certificate_without_ocsp_or_crl_url_is_a_finding() {
    let mut lab = RevocationLab::new();
    let bare = lab.leaf(&Leaf {
        name: "bare",
        serial: 0x4001,
        revoked: false,
        ocsp: false,
        crl: false,
        must_staple: false,
    });
    let Listening { peer: _s, port } = openssl_s_server(&bare.0, &bare.1, &[]);
    for extra in [&[][..], &["--no-revocation"][..]] {
        let (v, text) = scan(&lab, port, extra);
        let f: Vec<&Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["id"] == "revocation.no_urls")
            .collect();
        assert_eq!(f.len(), 1, "{}", v["findings"]);
        let m = f[0]["message"].as_str().unwrap();
        assert!(
            m.contains("CN=localhost names no OCSP responder and no CRL"),
            "{m}"
        );
        assert!(
            text.contains("no client can check whether it is revoked"),
            "{text}"
        );
        if extra.is_empty() {
            assert_eq!(leaf_revocation(&v)["status"], "unknown");
        }
    }
}

#[test]
fn a_stapled_answer_counts_and_must_staple_without_one_is_a_finding() {
    let mut lab = RevocationLab::new();
    let stapled = lab.leaf(&Leaf {
        name: "stapled",
        serial: 0x3001,
        revoked: true,
        ocsp: true,
        crl: false,
        must_staple: true,
    });
    let (_ocsp, _http) = lab.start();
    // The staple: the responder's own answer, fetched with `openssl ocsp` as a server would.
    let ca = lab.pki.ca_dir();
    lab.openssl(&[
        "ocsp",
        "-issuer",
        p(&ca.join("ca.crt")),
        "-cert",
        p(&stapled.0),
        "-url",
        &format!("http://127.0.0.1:{}/", lab.ocsp_port),
        "-noverify",
        "-respout",
        "staple.der",
    ]);
    let staple = lab.path("staple.der");
    let Listening { peer: _s, port } =
        openssl_s_server(&stapled.0, &stapled.1, &["-status_file", p(&staple)]);
    let (v, _) = scan(&lab, port, &[]);
    let r = leaf_revocation(&v);
    assert_eq!(r["status"], "revoked", "{r}");
    assert_eq!(r["source"], "stapled", "{r}");
    assert_eq!(r["checked"][1]["source"], "ocsp", "{r}");
    assert_eq!(r["checked"][1]["status"], "revoked", "{r}");
    assert_eq!(v["grade"]["grade"], "F");

    // The same must-staple certificate without a staple.
    let Listening { peer: _s, port } = openssl_s_server(&stapled.0, &stapled.1, &[]);
    let (v, _) = scan(&lab, port, &[]);
    assert!(
        finding_ids(&v).contains(&"cert.must_staple_violated"),
        "{}",
        v["findings"]
    );
    assert_eq!(leaf_revocation(&v)["source"], "ocsp");
}
