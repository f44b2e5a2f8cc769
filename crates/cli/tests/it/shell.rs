//! Shell habits: completion scripts that the shells themselves accept (and that complete),
//! manual pages that man and groff render, `--version` naming the TLS stack, and `--color`.

use crate::common::*;
use std::process::Command;
use std::time::Duration;

fn sh(shell: &std::path::Path, args: &[&str]) -> Run {
    run_cmd(Command::new(shell).args(args), Duration::from_secs(60))
}

#[test]
fn completion_scripts_parse_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let write = |shell: &str| {
        let r = run(&["completions", shell]);
        r.ok();
        assert!(r.stdout.contains("connect"), "{shell}: {}", r.stdout);
        let p = dir.path().join(format!("tlskit.{shell}"));
        std::fs::write(&p, &r.stdout).unwrap();
        p
    };
    let bash = require_tool("bash", "bash");
    let script = write("bash");
    sh(&bash, &["-n", script.to_str().unwrap()]).ok();
    // And it completes: subcommands, then flags of a subcommand.
    let complete = |words: &str, cword: usize| {
        let prog = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; _tlskit tlskit \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let r = sh(&bash, &["-c", &prog]);
        r.ok();
        r.stdout
    };
    let subs = complete("tlskit sc", 1);
    assert!(subs.lines().any(|l| l == "scan"), "{subs}");
    let flags = complete("tlskit connect --pro", 2);
    assert!(flags.lines().any(|l| l == "--proxy"), "{flags}");
    let shells = complete("tlskit completions ", 2);
    for s in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(shells.lines().any(|l| l == s), "{shells}");
    }

    let zsh = require_tool("zsh", "zsh");
    let script = write("zsh");
    sh(&zsh, &["-n", script.to_str().unwrap()]).ok();
    let fish = require_tool("fish", "fish");
    let script = write("fish");
    sh(&fish, &["--no-execute", script.to_str().unwrap()]).ok();
    // fish completes from the script, too.
    let r = sh(
        &fish,
        &[
            "--no-config",
            "-c",
            &format!(
                "source {}; complete --do-complete 'tlskit cert i'",
                script.display()
            ),
        ],
    );
    r.ok();
    assert!(r.stdout.contains("issue"), "{}", r.stdout);
    // No interpreter here for these two: they are generated and name the commands.
    for shell in ["powershell", "elvish"] {
        let s = std::fs::read_to_string(write(shell)).unwrap();
        assert!(s.contains("tlskit") && s.contains("scan"), "{shell}");
    }
    let r = run(&["completions", "tcsh"]);
    assert!(r.code == 2 && r.stderr.contains("invalid value"), "{r:?}");
}

#[test]
fn man_pages_render() {
    let man = require_tool("man", "man-db");
    let groff = require_tool("groff", "groff");
    for page in [vec![], vec!["connect"], vec!["cert", "issue"], vec!["scan"]] {
        let mut args = vec!["man"];
        args.extend(&page);
        let r = run(&args);
        r.ok();
        assert!(
            r.stdout.starts_with(".ie") || r.stdout.contains(".TH"),
            "{page:?}"
        );
        let title = if page.is_empty() {
            "tlskit".to_string()
        } else {
            format!("tlskit-{}", page.join("-"))
        };
        assert!(r.stdout.contains(&format!(".TH {title} 1")), "{page:?}");
        // groff (with preconv, -k) renders it without a warning.
        let mut cmd = Command::new(&groff);
        cmd.args(["-k", "-man", "-Tutf8", "-ww", "-z"]);
        let g = run_with_stdin(&mut cmd, r.stdout.as_bytes(), Duration::from_secs(30));
        let warnings: Vec<&str> = g
            .stderr
            .lines()
            .filter(|l| !l.contains("can't break line"))
            .collect();
        assert!(warnings.is_empty(), "{page:?}: {warnings:?}");
        // man shows it: NAME, SYNOPSIS, the options.
        let mut cmd = Command::new(&man);
        cmd.args(["-l", "-"])
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "0");
        let mut m = run_with_stdin(&mut cmd, r.stdout.as_bytes(), Duration::from_secs(30));
        m.ok();
        m.stdout = plain(&m.stdout);
        assert!(
            m.stdout.contains("NAME") && m.stdout.contains("SYNOPSIS"),
            "{}",
            m.stdout
        );
        assert!(m.stdout.contains(&title), "{}", m.stdout);
        assert!(m.stdout.contains("--color"), "{}", m.stdout);
    }
    // One page per subcommand with --dir.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let r = run(&["man", "--dir", out.to_str().unwrap()]);
    r.ok();
    for stem in [
        "tlskit",
        "tlskit-connect",
        "tlskit-scan",
        "tlskit-cert-show",
        "tlskit-completions",
    ] {
        assert!(out.join(format!("{stem}.1")).is_file(), "{stem}.1 missing");
    }
    let m = run_cmd(
        Command::new(&man)
            .args(["-M", dir.path().to_str().unwrap(), "tlskit-scan"])
            .env("MANPAGER", "cat")
            .env("PAGER", "cat"),
        Duration::from_secs(30),
    );
    m.ok();
    assert!(plain(&m.stdout).contains("tlskit scan"), "{}", m.stdout);
    run(&["man", "nosuch"]).failed_with(2, "pages exist for");
}

/// man's output without overstriking (`N\bN` for bold, `_\bx` for underlined).
fn plain(s: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    for c in s.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out.into_iter().collect()
}

/// The version of `name` in the workspace's Cargo.lock, read here independently of the build
/// script.
fn locked(name: &str) -> String {
    let lock = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock"),
    )
    .unwrap();
    let i = lock
        .find(&format!("name = \"{name}\"\nversion = \""))
        .unwrap_or_else(|| panic!("{name} is not in Cargo.lock"));
    let rest = &lock[i..];
    let v = rest.split("version = \"").nth(1).unwrap();
    v[..v.find('"').unwrap()].to_string()
}

#[test]
fn version_names_the_tls_stack() {
    let r = run(&["--version"]);
    r.ok();
    for (name, shown) in [
        ("rustls", "rustls"),
        ("aws-lc-rs", "aws-lc-rs"),
        ("aws-lc-sys", "aws-lc-sys"),
        ("webpki-roots", "webpki-roots"),
    ] {
        let v = locked(name);
        assert!(
            r.stdout.contains(&format!("{shown} {v}")),
            "--version should name {shown} {v}:\n{}",
            r.stdout
        );
    }
    assert!(r.stdout.contains("roots"), "{}", r.stdout);
    // -V stays one line.
    assert_eq!(run(&["-V"]).stdout.lines().count(), 1);
}

#[test]
fn color_flag_on_every_command() {
    let pki = Pki::new("ecdsa-p256");
    let pem = pki.issue_combined("srv.pem", &["localhost", "127.0.0.1"], &[]);
    let srv = serve(&["-s", pem.to_str().unwrap(), "-q"]);
    let target = format!("localhost:{}", srv.port);
    let ca = pki.ca_cert();
    let scan = |color: &[&str], env: &[(&str, &str)]| {
        let mut cmd = tlskit();
        cmd.args(["scan", "--no-progress", "-a", ca.to_str().unwrap()])
            .args(color)
            .arg(&target);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let r = run_cmd(&mut cmd, Duration::from_secs(120));
        r.ok();
        r.stdout.contains('\x1b')
    };
    // tests run with NO_COLOR=1 (common::tlskit): --color always wins, never and auto (a pipe) do not colour.
    assert!(scan(&["--color", "always"], &[]));
    assert!(scan(&["--color=always"], &[("NO_COLOR", "")]));
    assert!(!scan(&["--color", "never"], &[]));
    assert!(!scan(&[], &[("NO_COLOR", "")]), "a pipe is not a terminal");

    // On a terminal (script(1) gives one), auto colours unless NO_COLOR is set and not empty.
    let script = require_tool("script", "bsdutils");
    let on_tty = |no_color: Option<&str>, flag: &str| {
        let line = format!(
            "{} scan --no-progress {flag} -a {} {target}",
            tlskit_bin().display(),
            ca.display()
        );
        let mut cmd = Command::new(&script);
        cmd.args(["-qec", &line, "/dev/null"]);
        cmd.env_remove("NO_COLOR");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let r = run_cmd(&mut cmd, Duration::from_secs(120));
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        r.stdout.contains('\x1b')
    };
    assert!(on_tty(None, ""), "a terminal is coloured");
    assert!(on_tty(Some(""), ""), "an empty NO_COLOR does not count");
    assert!(!on_tty(Some("1"), ""), "NO_COLOR=1 turns colour off");
    assert!(!on_tty(None, "--color never"));

    // The flag is global: every command takes it, before or after the subcommand.
    run(&["--color", "never", "ciphers", "HIGH"]).ok();
    run(&["ciphers", "--color", "always", "HIGH"]).ok();
    run(&["cert", "show", "--color", "never", pem.to_str().unwrap()]).ok();
    run(&["demo", "--help", "--color", "never"]).ok();
    let r = run(&["ciphers", "--color", "sometimes"]);
    assert!(r.code == 2 && r.stderr.contains("invalid value"), "{r:?}");
}
