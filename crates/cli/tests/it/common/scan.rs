//! Running `tlskit scan --json` and reading its report, for every scan test.

use super::{run_cmd, tlskit, validate_schema, Run};
use serde_json::Value;
use std::time::Duration;

/// `tlskit scan --json --no-progress ARGS…` (the target among `args`; the probe timeout is the
/// default 5 s unless `args` say otherwise), bounded at 5 minutes: the exit code must be one of `codes` (0: ran; 1: ran and a policy or the
/// findings failed it), nothing may panic, and the JSON must follow docs/scan.schema.json.
pub fn scan_json_exit(args: &[&str], codes: &[i32]) -> Value {
    let r = scan_run(&[&["--json"], args].concat());
    assert!(
        codes.contains(&r.code),
        "scan {args:?} exited {} (expected {codes:?}):\n{}\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("scan --json prints JSON");
    validate_schema(&v);
    v
}

/// [`scan_json_exit`] expecting exit 0.
pub fn scan_json_ok(args: &[&str]) -> Value {
    scan_json_exit(args, &[0])
}

/// `tlskit scan --no-progress ARGS…`, as it ran (text or JSON, any exit code).
pub fn scan_run(args: &[&str]) -> Run {
    run_cmd(
        tlskit().args(["scan", "--no-progress"]).args(args),
        Duration::from_secs(300),
    )
}

/// [`scan_run`] that must exit 0 without a panic (text or JSON, as `args` ask).
pub fn scan_ok(args: &[&str]) -> Run {
    let r = scan_run(args);
    assert_eq!(r.code, 0, "scan {args:?}:\n{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}
