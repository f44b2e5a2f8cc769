//! Time: parsing `--not-before`/`--not-after` and the validity window.

use super::*;

/// Parse a point in time for `--not-before` / `--not-after`:
///
/// * `now`
/// * relative to now: `-30d`, `+2d`, `-12h`, `+90m`, `-1w` (s, m, h, d, w; the sign is required)
/// * a date: `2025-03-01` (midnight UTC)
/// * RFC 3339: `2025-03-01T12:00:00Z`, `2025-03-01T12:00:00+02:00` (a space instead of `T` is fine)
/// * OpenSSL / ASN.1 style: `20250301120000Z`
pub fn parse_time(s: &str, now: OffsetDateTime) -> Result<OffsetDateTime> {
    let text = s.trim();
    let bad = || {
        Error::usage(format!(
            "cannot read the time {s:?}: write a date (2025-03-01), an RFC 3339 time (2025-03-01T12:00:00Z), \
             or an offset from now with a sign and a unit (-30d, +2d, -12h; units s, m, h, d, w)"
        ))
    };
    if text.eq_ignore_ascii_case("now") {
        return check_year(now, s);
    }
    if let Some(sign) = text.chars().next().filter(|c| *c == '+' || *c == '-') {
        let body = &text[1..];
        let unit_at = body.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (digits, unit) = body.split_at(unit_at);
        let n: i64 = digits.parse().map_err(|_| bad())?;
        let secs = match unit {
            "s" => Some(n),
            "m" | "min" => n.checked_mul(60),
            "h" => n.checked_mul(3600),
            "d" => n.checked_mul(86_400),
            "w" => n.checked_mul(7 * 86_400),
            _ => return Err(bad()),
        }
        .ok_or_else(bad)?;
        let delta = Duration::seconds(if sign == '-' { -secs } else { secs });
        let t = now.checked_add(delta).ok_or_else(bad)?;
        return check_year(t, s);
    }
    if text.chars().next().is_some_and(|c| c.is_ascii_digit()) && !text.contains(['-', ':']) {
        // 20250301120000Z
        let digits = text
            .strip_suffix('Z')
            .or_else(|| text.strip_suffix('z'))
            .ok_or_else(bad)?;
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let rfc = format!(
            "{}-{}-{}T{}:{}:{}Z",
            &digits[0..4],
            &digits[4..6],
            &digits[6..8],
            &digits[8..10],
            &digits[10..12],
            &digits[12..14]
        );
        let t = OffsetDateTime::parse(&rfc, &time::format_description::well_known::Rfc3339)
            .map_err(|_| bad())?;
        return check_year(t, s);
    }
    if text.len() == 10 {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = time::Date::parse(text, &format).map_err(|_| bad())?;
        return check_year(date.midnight().assume_utc(), s);
    }
    let rfc = text.replacen(' ', "T", 1);
    let t = OffsetDateTime::parse(&rfc, &time::format_description::well_known::Rfc3339)
        .map_err(|_| bad())?;
    check_year(t.to_offset(time::UtcOffset::UTC), s)
}

pub(super) fn check_year(t: OffsetDateTime, original: &str) -> Result<OffsetDateTime> {
    if !(1950..=9999).contains(&t.year()) {
        return Err(Error::usage(format!(
            "the time {original:?} is outside what a certificate can hold (years 1950 to 9999)"
        )));
    }
    Ok(t.replace_nanosecond(0).unwrap_or(t))
}

/// A validity window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

impl Validity {
    /// Work out the window from the command-line choices:
    ///
    /// * nothing: from now (backdated by [`BACKDATE`]) for `default_days`;
    /// * `not_before` (+ `days`): from that time, for `days` (default `default_days`);
    /// * `not_after` alone (+ `days`): ends then, started `days` earlier;
    /// * both ends: exactly that (then `days` must not be given).
    ///
    /// The window may lie entirely in the past or the future: labs need such certificates.
    pub fn resolve(
        not_before: Option<&str>,
        not_after: Option<&str>,
        days: Option<u32>,
        default_days: u32,
        now: OffsetDateTime,
    ) -> Result<Validity> {
        let now = now.replace_nanosecond(0).unwrap_or(now);
        if days == Some(0) {
            return Err(Error::usage("--days must be at least 1"));
        }
        let length = Duration::days(i64::from(days.unwrap_or(default_days)));
        let nb = not_before.map(|s| parse_time(s, now)).transpose()?;
        let na = not_after.map(|s| parse_time(s, now)).transpose()?;
        let (not_before, not_after) = match (nb, na) {
            (Some(_), Some(_)) if days.is_some() => {
                return Err(Error::usage(
                    "give at most two of --not-before, --not-after and --days (the third follows from the others)",
                ))
            }
            (Some(b), Some(a)) => (b, a),
            (Some(b), None) => (b, b.checked_add(length).ok_or_else(out_of_range)?),
            (None, Some(a)) => (a.checked_sub(length).ok_or_else(out_of_range)?, a),
            (None, None) => {
                let b = now - BACKDATE;
                (b, b.checked_add(length).ok_or_else(out_of_range)?)
            }
        };
        check_year(not_before, "the start of the validity period")?;
        check_year(not_after, "the end of the validity period")?;
        if not_after <= not_before {
            return Err(Error::usage(format!(
                "the certificate would end ({}) before it starts ({}); check --not-before / --not-after",
                rfc3339(not_after),
                rfc3339(not_before)
            )));
        }
        Ok(Validity {
            not_before,
            not_after,
        })
    }

    /// [`Validity::resolve`] at the current time.
    pub fn from_flags(
        not_before: Option<&str>,
        not_after: Option<&str>,
        days: Option<u32>,
        default_days: u32,
    ) -> Result<Validity> {
        Validity::resolve(
            not_before,
            not_after,
            days,
            default_days,
            OffsetDateTime::now_utc(),
        )
    }
}

pub(super) fn out_of_range() -> Error {
    Error::usage(
        "the validity period reaches beyond what a certificate can hold (years 1950 to 9999)",
    )
}

pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}
