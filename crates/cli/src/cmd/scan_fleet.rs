//! `tlskit scan` for fleets: `--shard I/N` (or a Kubernetes Indexed Job's environment),
//! `--resume OUT.ndjson`, and the progress line for many targets. The batch engine (Kubernetes,
//! a CI matrix, GNU parallel) runs the workers; this only decides what one worker scans and
//! records what it has done.

use crate::output;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;
use tlskit::fleet::resume::{self, Done, ResumeFile};
use tlskit::fleet::shard::{Shard, ShardSource};
use tlskit::net::target::TargetSpec;
use tlskit::Result;

#[derive(clap::Args, Debug, Default)]
pub struct FleetArgs {
    /// Scan only shard I of N (0 <= I < N): the targets whose host hashes to I (SHA-256 of the
    /// lower-case host, first 8 bytes big-endian, mod N; all ports of a host land on one shard).
    /// Run N workers with 0/N … N-1/N and together they scan every target once. Without it,
    /// JOB_COMPLETION_INDEX / JOB_COMPLETIONS (a Kubernetes Indexed Job) are used when set.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Append one JSON line per target to FILE (created if missing) instead of printing reports,
    /// and skip the targets FILE already holds (reports and errors alike): rerun the same
    /// command after a crash or a pre-empted pod and it finishes the work without repeating it.
    /// A line left unfinished by a crash is cut off and its target scanned again.
    #[arg(long, value_name = "OUT.ndjson", conflicts_with_all = ["json", "json_lines"])]
    pub resume: Option<PathBuf>,
}

impl FleetArgs {
    /// Any fleet option in use (shard from the flag or the environment, or --resume)?
    pub fn active(&self) -> bool {
        self.shard.is_some()
            || self.resume.is_some()
            || std::env::var_os("JOB_COMPLETION_INDEX").is_some_and(|v| !v.is_empty())
    }

    /// The shard this run scans, if any: --shard, else the Indexed Job's environment.
    pub fn shard(&self) -> Result<Option<(Shard, ShardSource)>> {
        if let Some(s) = &self.shard {
            return Ok(Some((Shard::parse(s)?, ShardSource::Flag)));
        }
        Ok(Shard::from_env(|k| std::env::var(k).ok())?.map(|s| (s, ShardSource::Environment)))
    }
}

/// Keep this shard's targets (and each target once). Says what was kept on stderr.
pub fn select(targets: Vec<TargetSpec>, shard: Option<(Shard, ShardSource)>) -> Vec<TargetSpec> {
    let total = targets.len();
    let mut seen = HashSet::new();
    let mut kept = Vec::with_capacity(total);
    let mut duplicates = 0;
    for t in targets {
        if !seen.insert(resume::key(&t.target.host, t.target.port)) {
            duplicates += 1;
            continue;
        }
        if shard.is_none_or(|(s, _)| s.contains(&t.target.host)) {
            kept.push(t);
        }
    }
    if duplicates > 0 {
        output::note(format!(
            "{duplicates} target{} listed more than once: each is scanned once",
            if duplicates == 1 { "" } else { "s" }
        ));
    }
    if let Some((s, source)) = shard {
        let from = match source {
            ShardSource::Flag => String::new(),
            ShardSource::Environment => " (JOB_COMPLETION_INDEX/JOB_COMPLETIONS)".into(),
        };
        output::note(format!(
            "shard {s}{from}: {} of {} targets",
            kept.len(),
            total - duplicates
        ));
    }
    kept
}

/// Open the --resume file, saying what it already holds.
pub fn open_resume(args: &FleetArgs) -> Result<Option<ResumeFile>> {
    let Some(path) = &args.resume else {
        return Ok(None);
    };
    let rf = ResumeFile::open(path)?;
    if rf.dropped_bytes > 0 {
        output::note(format!(
            "{}: cut off an unfinished last line ({} bytes, from a run that was stopped while writing); its target is scanned again",
            path.display(),
            rf.dropped_bytes
        ));
    }
    Ok(Some(rf))
}

/// Targets found done in the --resume file, by outcome.
#[derive(Debug, Default)]
pub struct Skipped {
    pub total: usize,
    pub failed: usize,
    pub noncompliant: usize,
}

impl Skipped {
    pub fn add(&mut self, d: &Done) {
        self.total += 1;
        self.failed += usize::from(d.failed);
        self.noncompliant += usize::from(d.noncompliant);
    }
}

/// The line for many targets on a terminal: done/total, rate, ETA, failures.
#[derive(Clone)]
pub struct Overall {
    bar: ProgressBar,
    failed: usize,
}

impl Overall {
    pub fn new(mp: &indicatif::MultiProgress, total: usize, skipped: usize) -> Overall {
        let bar = mp.insert(0, ProgressBar::new(total as u64));
        let already = if skipped > 0 {
            format!(" ({skipped} already done)")
        } else {
            String::new()
        };
        let template = format!(
            "{{bar:24.cyan/blue}} {{pos}}/{{len}} targets{already} · {{per_sec}} · ETA {{eta}} · {{msg}}"
        );
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message("0 failed");
        bar.enable_steady_tick(Duration::from_millis(200));
        Overall { bar, failed: 0 }
    }

    pub fn finished(&mut self, failed: bool) {
        if failed {
            self.failed += 1;
            self.bar.set_message(format!("{} failed", self.failed));
        }
        self.bar.inc(1);
    }

    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}
