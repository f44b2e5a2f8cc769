//! CPU time and memory of processes, from /proc (Linux) and getrusage: how a benchmark tells
//! what the server and the load generator each spent.

use crate::error::{Error, Result};

/// CPU seconds (user + system) this process has used so far, all threads.
pub fn self_cpu_seconds() -> f64 {
    #[cfg(unix)]
    // SAFETY: rusage is plain data (all-zero is a valid value); getrusage writes into it and
    // nothing else.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut ru) == 0 {
            let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            return tv(ru.ru_utime) + tv(ru.ru_stime);
        }
    }
    0.0
}

fn clock_ticks() -> f64 {
    #[cfg(unix)]
    {
        // SAFETY: sysconf only reads a configuration value; no memory is passed.
        let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        if t > 0 {
            return t as f64;
        }
    }
    100.0
}

/// The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// CPU seconds (user + system, all threads) used by process `pid`, or None if it is gone.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let f = stat_fields(pid)?;
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

/// Resident memory of process `pid` in KiB (VmRSS), or None if it is gone.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `pids` and all their descendants (nginx's workers under its master, for instance).
pub fn with_descendants(pids: &[u32]) -> Vec<u32> {
    let mut all: Vec<u32> = pids.to_vec();
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if let Some(ppid) = stat_fields(pid).and_then(|f| f.get(1).and_then(|p| p.parse().ok()))
            {
                parents.push((pid, ppid));
            }
        }
    }
    let mut i = 0;
    while i < all.len() {
        let parent = all[i];
        for (pid, ppid) in &parents {
            if *ppid == parent && !all.contains(pid) {
                all.push(*pid);
            }
        }
        i += 1;
    }
    all
}

/// Check that every pid names a running process.
pub fn check_pids(pids: &[u32]) -> Result<()> {
    for pid in pids {
        if cpu_seconds(*pid).is_none() {
            return Err(Error::usage(format!(
                "--server-pid {pid}: no such process (give the pid of the server, e.g. $(pgrep -o nginx))"
            )));
        }
    }
    Ok(())
}

/// A snapshot of a set of server processes: their total CPU seconds and resident memory.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snapshot {
    pub cpu_s: f64,
    pub rss_kib: u64,
}

/// CPU and memory of `pids` and their descendants, summed.
pub fn snapshot(pids: &[u32]) -> Snapshot {
    let mut s = Snapshot::default();
    for pid in with_descendants(pids) {
        s.cpu_s += cpu_seconds(pid).unwrap_or(0.0);
        s.rss_kib += rss_kib(pid).unwrap_or(0);
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_own_process() {
        let me = std::process::id();
        assert!(super::rss_kib(me).unwrap() > 0);
        assert!(super::cpu_seconds(me).is_some());
        assert!(super::with_descendants(&[me]).contains(&me));
        assert!(super::check_pids(&[u32::MAX - 1]).is_err());
    }
}
