//! What `tlskit scan` is asked to do: the targets (arguments, stdin, --targets), their STARTTLS
//! and HTTP options, and the checks chosen (--checks, --skip, --list-checks).

use super::*;

/// The checks to run: --checks and --skip, and the --no-… flags (each the --skip of its
/// section).
pub(super) fn selection(
    args: &Args,
    registry: &[&'static dyn scan::checks::Check],
) -> Result<scan::checks::registry::Selection> {
    use scan::checks::registry::Section;
    let mut selection = scan::checks::registry::Selection::parse(
        args.checks.as_deref(),
        args.skip.as_deref(),
        registry,
    )?;
    for (off, section) in [
        (args.no_simulation, Section::ClientSimulation),
        (args.no_http, Section::Http),
        (args.no_revocation, Section::Revocation),
    ] {
        if off {
            selection.skip_section(section);
        }
    }
    Ok(selection)
}

pub(super) fn read_targets_file(
    path: &std::path::Path,
    default_port: u16,
) -> Result<Vec<TargetSpec>> {
    let origin = path.display().to_string();
    let text = if origin == "-" {
        read_stdin_targets()?
    } else {
        std::fs::read_to_string(path).map_err(|e| {
            Error::usage(tlskit::error::file_error(path, "read --targets file", &e).message())
        })?
    };
    target::parse_list(
        &text,
        if origin == "-" { "stdin" } else { &origin },
        default_port,
    )
}

pub(super) fn read_stdin_targets() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| Error::usage(format!("cannot read targets from stdin: {e}")))?;
    Ok(s)
}

/// The STARTTLS protocol (and `--starttls-name`) of one target, if it uses STARTTLS.
pub(super) type StartTls = Option<(Protocol, Option<String>)>;

/// STARTTLS per target: the URL scheme's, -t, or auto-detected by port (one warning per port).
pub(super) fn starttls_per_target(
    args: &Args,
    targets: &[TargetSpec],
    explicit_starttls: Option<Protocol>,
) -> Result<Vec<StartTls>> {
    let mut warned = BTreeSet::new();
    let mut starttls_for = |t: &TargetSpec| -> Result<StartTls> {
        let start = t.start(explicit_starttls, args.no_starttls)?;
        if let Start::Starttls(p, StartReason::Port) = start {
            if warned.insert(t.target.port) {
                output::warn(format!(
                    "port {} is usually {}: using STARTTLS (-t {}); --no-starttls to speak TLS directly",
                    t.target.port,
                    p.name().to_uppercase(),
                    p.name()
                ));
            }
        }
        Ok(start.protocol().map(|p| (p, args.starttls_name.clone())))
    };
    targets.iter().map(&mut starttls_for).collect()
}

/// The targets as the user gave them: arguments, '-' (stdin) and --targets FILE.
pub(super) fn parse_targets(
    args: &Args,
    default_port: u16,
    from_stdin: bool,
) -> Result<Vec<TargetSpec>> {
    if from_stdin && (args.target.len() > 1 || args.targets.is_some()) {
        return Err(Error::usage(
            "'-' reads the targets from stdin: give it alone, without other targets or --targets",
        ));
    }
    let mut targets = if from_stdin {
        target::parse_list(&read_stdin_targets()?, "stdin", default_port)?
    } else if args.target.is_empty() {
        Vec::new()
    } else {
        target::parse_args(&args.target, default_port)?
    };
    if let Some(f) = &args.targets {
        targets.extend(read_targets_file(f, default_port)?);
    }
    if targets.is_empty() {
        return Err(Error::usage(
            "no targets: give HOST[:PORT] arguments, '-' (stdin) or a --targets file with at least one line",
        ));
    }
    Ok(targets)
}

/// The HTTP layer's options for one target: the flags, and what its URL said.
pub(super) fn http_options(args: &Args, t: &TargetSpec) -> scan::checks::http::HttpOptions {
    scan::checks::http::HttpOptions {
        skip: args.no_http,
        path: args.http_path.clone().or_else(|| t.path.clone()),
        host: args.http_host.clone(),
        url: t.scheme.is_some_and(|s| s.name == "https"),
    }
}

pub(super) fn list_checks(
    registry: &[&'static dyn scan::checks::Check],
    json: bool,
) -> Result<String> {
    let list = scan::checks::registry::list(registry);
    if json {
        let mut s = serde_json::to_string_pretty(&list)
            .map_err(|e| Error::other(format!("cannot write the list as JSON: {e}")))?;
        s.push('\n');
        return Ok(s);
    }
    let mut s = String::new();
    for c in list {
        let cves = if c.cves.is_empty() {
            "-".to_string()
        } else {
            c.cves.join(", ")
        };
        s.push_str(&format!("{:<18} {:<36} {cves}\n", c.id, c.name));
    }
    Ok(s)
}

/// --max-connections and --parallel must be at least 1.
pub(super) fn check_limits(args: &Args) -> Result<()> {
    if args.max_connections == 0 {
        return Err(Error::usage("--max-connections must be at least 1"));
    }
    if args.parallel == 0 {
        return Err(Error::usage("--parallel must be at least 1"));
    }
    Ok(())
}

/// Drop the jobs the results file already holds; what they were is counted in the result.
pub(super) fn skip_done(
    jobs: &mut Vec<Job>,
    rf: &tlskit::fleet::resume::ResumeFile,
    all_ips: bool,
) -> crate::cmd::scan_fleet::Skipped {
    let mut skipped = crate::cmd::scan_fleet::Skipped::default();
    jobs.retain(|j| {
        let ip = if all_ips { j.ip.as_deref() } else { None };
        match rf.lookup(&j.label, ip) {
            Some(d) => {
                skipped.add(d);
                false
            }
            None => true,
        }
    });
    skipped
}
