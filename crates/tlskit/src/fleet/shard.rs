//! `--shard I/N`: which targets one worker of N scans.
//!
//! A target belongs to shard `h mod N`, where `h` is the first 8 bytes, read as a big-endian
//! unsigned 64-bit integer, of the SHA-256 digest of the target's host in ASCII lower case (the
//! name or address as written, IPv6 without brackets, no port). SHA-256 is fixed by FIPS 180-4,
//! so the assignment is the same on every platform and in every version of tlskit, and anyone
//! can recompute it:
//!
//! ```text
//! printf %s www.example.test | sha256sum | cut -c1-16   # h in hex; shard = h mod N
//! ```
//!
//! Hashing the host, not host and port, keeps every port of a host on one shard, so the per-host
//! politeness of one `tlskit scan` (targets on the same host one after the other, at most
//! `--max-connections` at once) holds across the whole fleet. Every target falls in exactly one
//! shard, so the union of shards 0 … N−1 is the whole list, each target once.

use crate::{Error, Result};
use sha2::{Digest, Sha256};

/// One worker's part of a target list: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// Where the shard came from (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSource {
    /// `--shard I/N`.
    Flag,
    /// `JOB_COMPLETION_INDEX` / `JOB_COMPLETIONS` (a Kubernetes Indexed Job).
    Environment,
}

impl Shard {
    /// Parse `I/N` (0 ≤ I < N).
    pub fn parse(s: &str) -> Result<Shard> {
        let bad = |why: &str| {
            Error::usage(format!(
                "--shard '{s}': {why}; give I/N with 0 <= I < N, e.g. --shard 0/4 … --shard 3/4"
            ))
        };
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| bad("no '/' between index and count"))?;
        let index: u64 = i
            .trim()
            .parse()
            .map_err(|_| bad("the index is not a whole number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| bad("the count is not a whole number"))?;
        Shard::new(index, count).map_err(|_| {
            if count == 0 {
                bad("the count must be at least 1")
            } else {
                bad("the index must be less than the count (shards are numbered from 0)")
            }
        })
    }

    pub fn new(index: u64, count: u64) -> Result<Shard> {
        if count == 0 || index >= count {
            return Err(Error::usage(format!(
                "shard {index}/{count} does not exist: shards are 0 … N-1 of N >= 1"
            )));
        }
        Ok(Shard { index, count })
    }

    /// The shard of a Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (set by Kubernetes) of
    /// `JOB_COMPLETIONS` (set in the pod template to the Job's `.spec.completions`, which
    /// Kubernetes does not export itself). `None` when `JOB_COMPLETION_INDEX` is not set.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>> {
        let Some(index) = get("JOB_COMPLETION_INDEX").filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        let index: u64 = index.trim().parse().map_err(|_| {
            Error::usage(format!(
                "JOB_COMPLETION_INDEX is '{index}', not a whole number"
            ))
        })?;
        let count = get("JOB_COMPLETIONS").filter(|v| !v.trim().is_empty()).ok_or_else(|| {
            Error::usage(
                "JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not: set JOB_COMPLETIONS to the Job's \
                 .spec.completions in the pod template (deploy/kubernetes/scan-job.yaml does), or give --shard I/N",
            )
        })?;
        let count: u64 = count.trim().parse().map_err(|_| {
            Error::usage(format!("JOB_COMPLETIONS is '{count}', not a whole number"))
        })?;
        Shard::new(index, count).map(Some).map_err(|_| {
            Error::usage(format!(
                "JOB_COMPLETION_INDEX={index} is not below JOB_COMPLETIONS={count}: set JOB_COMPLETIONS to the Job's .spec.completions"
            ))
        })
    }

    /// Does this shard scan `host`?
    pub fn contains(&self, host: &str) -> bool {
        shard_of(host, self.count) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The first 8 bytes of SHA-256(lower-case host), big-endian (see the module documentation).
pub fn host_hash(host: &str) -> u64 {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let digest = Sha256::digest(host.to_ascii_lowercase().as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The shard (0 … count−1) that scans `host`.
pub fn shard_of(host: &str, count: u64) -> u64 {
    host_hash(host) % count.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        assert_eq!(Shard::parse("0/4").unwrap(), Shard { index: 0, count: 4 });
        assert_eq!(Shard::parse("3/4").unwrap(), Shard { index: 3, count: 4 });
        for bad in ["4/4", "1/0", "x/2", "1", "-1/2", "1/2/3", ""] {
            let e = Shard::parse(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.message().contains("--shard"), "{}", e.message());
        }
    }

    #[test]
    fn hash_is_sha256_prefix() {
        // printf %s example.com | sha256sum → a379a6f6eeafb9a55e378c118034e2751e682fab9f2d30ab13d2125586ce1947
        assert_eq!(host_hash("example.com"), 0xa379a6f6eeafb9a5);
        assert_eq!(host_hash("EXAMPLE.com"), 0xa379a6f6eeafb9a5);
        // printf %s ::1 | sha256sum → eff8e7ca506627fe… (brackets dropped)
        assert_eq!(host_hash("::1"), 0xeff8e7ca506627fe);
        assert_eq!(host_hash("[::1]"), host_hash("::1"));
    }

    #[test]
    fn every_host_in_exactly_one_shard() {
        let hosts: Vec<String> = (0..500).map(|i| format!("host{i}.example.test")).collect();
        for n in [1u64, 2, 3, 7, 16] {
            let mut counts = vec![0usize; n as usize];
            for h in &hosts {
                let owners: Vec<u64> = (0..n)
                    .filter(|&i| Shard { index: i, count: n }.contains(h))
                    .collect();
                assert_eq!(owners.len(), 1, "{h} in {owners:?} of {n}");
                counts[owners[0] as usize] += 1;
            }
            // Spread: no shard empty with 500 hosts.
            assert!(counts.iter().all(|&c| c > 0), "{n}: {counts:?}");
        }
    }

    #[test]
    fn environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Shard::from_env(env(&[])).unwrap(), None);
        assert_eq!(
            Shard::from_env(env(&[
                ("JOB_COMPLETION_INDEX", "2"),
                ("JOB_COMPLETIONS", "5")
            ]))
            .unwrap(),
            Some(Shard { index: 2, count: 5 })
        );
        let e = Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "2")])).unwrap_err();
        assert!(e.message().contains("JOB_COMPLETIONS"), "{}", e.message());
        assert!(Shard::from_env(env(&[
            ("JOB_COMPLETION_INDEX", "5"),
            ("JOB_COMPLETIONS", "5")
        ]))
        .is_err());
    }
}
