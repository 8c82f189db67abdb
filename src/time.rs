//! Instants in term lists (`until=2026-12-31T00:00Z`), without a date library.

/// Parses an RFC 3339-style instant into Unix seconds.
///
/// Accepted: `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM[:SS]` followed by `Z` or an offset
/// `+HH:MM` / `-HH:MM`. A missing zone is refused rather than guessed.
pub(crate) fn parse_instant(s: &str) -> Result<i64, &'static str> {
    let b = s.as_bytes();
    let num = |range: core::ops::Range<usize>| -> Result<i64, &'static str> {
        let digits = b.get(range).ok_or("the instant is too short")?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err("expected digits");
        }
        Ok(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let expect = |i: usize, c: u8| -> Result<(), &'static str> {
        if b.get(i) == Some(&c) {
            Ok(())
        } else {
            Err("expected an instant like 2026-12-31T00:00Z")
        }
    };
    let year = num(0..4)?;
    expect(4, b'-')?;
    let month = num(5..7)?;
    expect(7, b'-')?;
    let day = num(8..10)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("no such date");
    }
    let date = days_from_civil(year, month, day) * 86_400;
    if b.len() == 10 {
        return Ok(date);
    }
    if !matches!(b.get(10), Some(b'T' | b't')) {
        return Err("expected 'T' after the date");
    }
    let hour = num(11..13)?;
    expect(13, b':')?;
    let minute = num(14..16)?;
    let mut i = 16;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = num(17..19)?;
        i = 19;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("no such time of day");
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if b.len() == i + 1 => 0,
        Some(&sign @ (b'+' | b'-')) if b.len() == i + 6 => {
            let oh = num(i + 1..i + 3)?;
            expect(i + 3, b':')?;
            let om = num(i + 4..i + 6)?;
            if oh > 23 || om > 59 {
                return Err("no such zone offset");
            }
            let off = oh * 3600 + om * 60;
            if sign == b'+' {
                off
            } else {
                -off
            }
        }
        None => return Err("the instant needs a zone: add 'Z' for UTC or an offset like +09:00"),
        _ => return Err("expected 'Z' or an offset like +09:00 at the end"),
    };
    Ok(date + hour * 3600 + minute * 60 + second - offset)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`, the inverse of [`parse_instant`].
pub(crate) fn format_instant(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Formats milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC (proleptic
/// Gregorian calendar): what JavaScript's `Date.prototype.toISOString` writes for years 0 to 9999.
///
/// ```
/// assert_eq!(termgate::format_instant_millis(0), "1970-01-01T00:00:00.000Z");
/// assert_eq!(termgate::format_instant_millis(1_795_000_000_123), "2026-11-18T11:06:40.123Z");
/// ```
pub fn format_instant_millis(ms: i64) -> String {
    let seconds = format_instant(ms.div_euclid(1000));
    // `format_instant` ends in `Z`; the milliseconds go before it.
    let without_zone = seconds.strip_suffix('Z').unwrap_or(&seconds);
    format!("{without_zone}.{:03}Z", ms.rem_euclid(1000))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's algorithms, proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        let t = |s| parse_instant(s);
        assert_eq!(t("1970-01-01"), Ok(0));
        assert_eq!(t("2026-12-31T00:00Z"), Ok(1_798_675_200));
        assert_eq!(t("2026-12-31T09:00+09:00"), Ok(1_798_675_200));
        assert_eq!(t("2026-12-30T19:00:00-05:00"), Ok(1_798_675_200));
        assert_eq!(t("2024-02-29"), Ok(1_709_164_800));
        assert!(t("2023-02-29").is_err());
        assert!(t("2026-12-31T00:00").is_err());
        assert!(t("2026-13-01").is_err());
        assert!(t("2026-12-31T24:00Z").is_err());
        assert!(t("２０２６-12-31").is_err());
        assert!(t("").is_err());
        assert_eq!(format_instant(1_798_675_200), "2026-12-31T00:00:00Z");
    }

    #[test]
    fn instants_with_milliseconds() {
        assert_eq!(format_instant_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_instant_millis(7), "1970-01-01T00:00:00.007Z");
        assert_eq!(
            format_instant_millis(951_782_400_000),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(
            format_instant_millis(1_798_675_199_999),
            "2026-12-30T23:59:59.999Z"
        );
        // Before the epoch the milliseconds still count forward from the second before.
        assert_eq!(format_instant_millis(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            format_instant_millis(253_402_300_799_999),
            "9999-12-31T23:59:59.999Z"
        );
    }

    proptest::proptest! {
        #[test]
        fn format_parse_round_trip(t in -10_000_000_000i64..100_000_000_000) {
            proptest::prop_assert_eq!(parse_instant(&format_instant(t)), Ok(t));
        }

        #[test]
        fn millis_agree_with_seconds(ms in -10_000_000_000_000i64..100_000_000_000_000) {
            let with_ms = format_instant_millis(ms);
            proptest::prop_assert_eq!(parse_instant(&format!("{}Z", &with_ms[..with_ms.len() - 5])), Ok(ms.div_euclid(1000)));
            proptest::prop_assert_eq!(&with_ms[with_ms.len() - 4..with_ms.len() - 1], format!("{:03}", ms.rem_euclid(1000)));
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = parse_instant(&s);
        }
    }
}
