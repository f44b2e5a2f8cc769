//! Latency percentiles from collected samples (microseconds), and byte sizes in words.

use crate::error::{Error, Result};
use serde::Serialize;

/// Percentiles of a set of latencies, in milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Percentiles {
    pub samples: u64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Percentiles (nearest rank) of `samples_us`, which is sorted in place. None when empty.
pub fn percentiles(samples_us: &mut [u32]) -> Option<Percentiles> {
    if samples_us.is_empty() {
        return None;
    }
    samples_us.sort_unstable();
    let n = samples_us.len();
    let at = |q: f64| {
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        samples_us[rank - 1] as f64 / 1000.0
    };
    let sum: u64 = samples_us.iter().map(|&v| v as u64).sum();
    Some(Percentiles {
        samples: n as u64,
        mean: (sum as f64 / n as f64).round() / 1000.0,
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        max: samples_us[n - 1] as f64 / 1000.0,
    })
}

/// Parse a size: `1048576`, `64k`, `10M`, `1G`, `1GiB` (binary: K, M, G, KiB, MiB, GiB) or
/// `10MB`, `1GB` (decimal: KB, MB, GB).
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let bad = || {
        Error::usage(format!(
            "'{s}' is not a size: write a number of bytes, optionally with K, M, G (powers of 1024) or KB, MB, GB (powers of 1000), e.g. 1GiB or 100MB"
        ))
    };
    let n: u64 = num.parse().map_err(|_| bad())?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return Err(bad()),
    };
    n.checked_mul(mult).filter(|&v| v > 0).ok_or_else(bad)
}

/// `1.00 GiB`, `12.5 MiB`, `512 B`.
pub fn fmt_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = "B";
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.2} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_nearest_rank() {
        let mut v: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        let p = percentiles(&mut v).unwrap();
        assert_eq!(p.samples, 100);
        assert_eq!(p.p50, 50.0);
        assert_eq!(p.p99, 99.0);
        assert_eq!(p.max, 100.0);
        assert_eq!(p.mean, 50.5);
        assert!(percentiles(&mut []).is_none());
        let mut one = vec![1500];
        assert_eq!(percentiles(&mut one).unwrap().p99, 1.5);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("10MB").unwrap(), 10_000_000);
        assert_eq!(parse_size("64k").unwrap(), 65536);
        assert_eq!(parse_size("123").unwrap(), 123);
        assert!(parse_size("abc").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("1TB").is_err());
        assert_eq!(fmt_bytes(1 << 30), "1.00 GiB");
        assert_eq!(fmt_bytes(500), "500 B");
    }
}
