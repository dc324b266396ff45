//! RFC 5322 §3.3 dates: writing them from Unix time, and checking `Date` values.

use crate::sink::SliceSink;
use crate::Error;

const DAY_NAMES: [&[u8; 3]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];
const MONTH_NAMES: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Days from 1970-01-01 of 1900-01-01 and of 9999-12-31, the range RFC 5322 dates use here.
const FIRST_DAY: i32 = -25_567;
const LAST_DAY: i32 = 2_932_896;

/// Howard Hinnant's `civil_from_days`: proleptic Gregorian (year, month 1..=12, day 1..=31).
/// 32-bit arithmetic on purpose: the supported range fits, and 64-bit division costs a
/// Cortex-M a kilobyte of helper code.
fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day of the week, 0 = Sunday (1970-01-01 was a Thursday).
fn weekday(days: i32) -> usize {
    (days + 4).rem_euclid(7) as usize
}

fn two_digits(sink: &mut SliceSink<'_>, n: u32) {
    sink.write(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
}

pub(crate) fn write_date(
    sink: &mut SliceSink<'_>,
    unix_seconds: i64,
    utc_offset_minutes: i32,
) -> Result<(), Error> {
    if !(-1439..=1439).contains(&utc_offset_minutes) {
        return Err(Error::InvalidDate);
    }
    let local = unix_seconds
        .checked_add(i64::from(utc_offset_minutes) * 60)
        .ok_or(Error::InvalidDate)?;
    let first = i64::from(FIRST_DAY) * 86_400;
    let last = (i64::from(LAST_DAY) + 1) * 86_400 - 1;
    if !(first..=last).contains(&local) {
        return Err(Error::InvalidDate);
    }
    // Seconds since 1900-01-01 fit in 38 bits; 86400 = 2^7 * 675, so after a shift the day
    // number comes from a 32-bit division (a Cortex-M has no 64-bit divide instruction).
    let since = (local - first) as u64;
    let day_index = ((since >> 7) as u32) / 675;
    let secs = (since - u64::from(day_index) * 86_400) as u32;
    let days = FIRST_DAY + day_index as i32;
    let (year, month, day) = civil_from_days(days);
    let year = year as u32;

    // `% len` on indices that are always in range lets the compiler drop the bounds check
    // (and with it the panic path; scripts/check-no-panic.sh).
    sink.write(DAY_NAMES[weekday(days) % DAY_NAMES.len()]);
    sink.write(b", ");
    two_digits(sink, day);
    sink.byte(b' ');
    sink.write(MONTH_NAMES[(month as usize).wrapping_sub(1) % MONTH_NAMES.len()]);
    sink.byte(b' ');
    two_digits(sink, year / 100);
    two_digits(sink, year % 100);
    sink.byte(b' ');
    two_digits(sink, secs / 3600);
    sink.byte(b':');
    two_digits(sink, secs / 60 % 60);
    sink.byte(b':');
    two_digits(sink, secs % 60);
    sink.write(if utc_offset_minutes < 0 { b" -" } else { b" +" });
    let off = utc_offset_minutes.unsigned_abs();
    two_digits(sink, off / 60);
    two_digits(sink, off % 60);
    Ok(())
}

/// A cursor over a `Date` value for [`check_date_time`].
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// Skips white space (and caller folds); returns whether there was any.
    fn ws(&mut self) -> bool {
        let start = self.i;
        while self.i < self.b.len() && crate::input::is_space(self.b[self.i]) {
            self.i += 1;
        }
        self.i > start
    }

    fn digits(&mut self, min: usize, max: usize) -> Result<u32, Error> {
        let start = self.i;
        let mut n: u32 = 0;
        while self.i < self.b.len() && self.b[self.i].is_ascii_digit() && self.i - start < max {
            n = n * 10 + u32::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        if self.i - start < min || self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            return Err(Error::InvalidDate);
        }
        Ok(n)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn name(&mut self, names: &[&[u8; 3]]) -> Option<usize> {
        let word = self.b.get(self.i..self.i + 3)?;
        let found = names.iter().position(|n| n.eq_ignore_ascii_case(word))?;
        self.i += 3;
        Some(found)
    }
}

/// Checks an RFC 5322 §3.3 `date-time` (`[day-of-week ","] day month year hh:mm[:ss] zone`,
/// with optional trailing comments). The obsolete forms (two-digit years, named zones) are
/// rejected: a generator must not produce them. The day of week must match the date.
pub(crate) fn check_date_time(value: &[u8]) -> Result<(), Error> {
    let mut c = Cursor { b: value, i: 0 };
    c.ws();
    let dow = match c.name(&DAY_NAMES) {
        Some(d) => {
            // `day-of-week = ([FWS] day-name)`, then the `,` right after it: white space
            // between them is obs-day-of-week (RFC 5322 §4.3), like the forms below.
            if !c.eat(b',') {
                return Err(Error::InvalidDate);
            }
            c.ws();
            Some(d)
        }
        None => None,
    };
    let day = c.digits(1, 2)?;
    if !c.ws() {
        return Err(Error::InvalidDate);
    }
    let month = c.name(&MONTH_NAMES).ok_or(Error::InvalidDate)? as u32 + 1;
    if !c.ws() {
        return Err(Error::InvalidDate);
    }
    let year = c.digits(4, 4)? as i32;
    if !c.ws() {
        return Err(Error::InvalidDate);
    }
    let hour = c.digits(2, 2)?;
    let minute = if c.eat(b':') {
        c.digits(2, 2)?
    } else {
        return Err(Error::InvalidDate);
    };
    let second = if c.eat(b':') { c.digits(2, 2)? } else { 0 };
    if !c.ws() {
        return Err(Error::InvalidDate);
    }
    if !(c.eat(b'+') || c.eat(b'-')) {
        return Err(Error::InvalidDate);
    }
    let zone = c.digits(4, 4)?;
    c.ws();
    // Trailing comments such as "(UTC)" (`[CFWS]`: any number of them, white space between):
    // printable text, balanced parentheses.
    while c.eat(b'(') {
        let mut depth = 1;
        while depth > 0 {
            match c.b.get(c.i) {
                None => return Err(Error::InvalidDate),
                Some(b'(') => depth += 1,
                Some(b')') => depth -= 1,
                Some(b'\\') => c.i += 1,
                Some(_) => {}
            }
            c.i += 1;
        }
        c.ws();
    }
    if c.i != value.len()
        || year < 1900
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
        // An offset of 24 hours or more is no offset (CPython reads no date from +2400);
        // `write_date` never writes one either.
        || zone / 100 > 23
        || zone % 100 > 59
    {
        return Err(Error::InvalidDate);
    }
    if let Some(d) = dow {
        if d != weekday(days_from_civil(year, month, day)) {
            return Err(Error::InvalidDate);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(secs: i64, off: i32) -> Result<heapless::String<40>, Error> {
        let mut buf = [0u8; 40];
        let mut sink = SliceSink::new(&mut buf);
        write_date(&mut sink, secs, off)?;
        let n = sink.finish()?;
        Ok(heapless::String::try_from(core::str::from_utf8(&buf[..n]).unwrap()).unwrap())
    }

    #[test]
    fn known_dates() {
        assert_eq!(date(0, 0).unwrap(), "Thu, 01 Jan 1970 00:00:00 +0000");
        // 2024-02-29 12:00:00 UTC, a leap day.
        assert_eq!(
            date(1_709_208_000, 0).unwrap(),
            "Thu, 29 Feb 2024 12:00:00 +0000"
        );
        assert_eq!(date(0, -210).unwrap(), "Wed, 31 Dec 1969 20:30:00 -0330");
        assert_eq!(date(0, 345).unwrap(), "Thu, 01 Jan 1970 05:45:00 +0545");
        assert_eq!(
            date(-2_208_988_800, 0).unwrap(),
            "Mon, 01 Jan 1900 00:00:00 +0000"
        );
        assert_eq!(
            date(253_402_300_799, 0).unwrap(),
            "Fri, 31 Dec 9999 23:59:59 +0000"
        );
        assert_eq!(date(0, 1439).unwrap(), "Thu, 01 Jan 1970 23:59:00 +2359");
        assert_eq!(date(0, -1439).unwrap(), "Wed, 31 Dec 1969 00:01:00 -2359");
    }

    #[test]
    fn out_of_range() {
        assert_eq!(date(0, 1440), Err(Error::InvalidDate));
        assert_eq!(date(0, -1440), Err(Error::InvalidDate));
        assert_eq!(date(-2_208_988_801, 0), Err(Error::InvalidDate));
        assert_eq!(date(253_402_300_800, 0), Err(Error::InvalidDate));
        assert_eq!(date(i64::MAX, 1), Err(Error::InvalidDate));
        assert_eq!(date(i64::MIN, -1), Err(Error::InvalidDate));
        // The local year counts: 9999-12-31 23:00 UTC is 10000 in +0100.
        assert_eq!(date(253_402_297_200, 60), Err(Error::InvalidDate));
    }

    #[test]
    fn roundtrip_civil() {
        for days in (FIRST_DAY..=LAST_DAY).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn date_time_syntax() {
        let ok = [
            "Thu, 01 Jan 1970 00:00:00 +0000",
            "1 Jan 1970 00:00 -0000",
            "Thu,1 Jan 1970 00:00:00 +0000",
            "Sat, 29 Feb 2020 23:59:60 +1400 (leap)",
            "Tue, 1 Jul 2003 10:52:37 +0200 (CEST)",
            "Tue, 1 Jul 2003 10:52:37 +0200 (CEST) (Central European Summer Time)",
        ];
        for v in ok {
            assert_eq!(check_date_time(v.as_bytes()), Ok(()), "{v}");
        }
        let bad = [
            "",
            "Fri, 01 Jan 1970 00:00:00 +0000", // wrong weekday
            "Thu, 01 Jan 70 00:00:00 +0000",   // obsolete two-digit year
            "Thu, 01 Jan 1970 00:00:00 GMT",   // obsolete zone
            "Sat, 29 Feb 2021 00:00:00 +0000", // no such day
            "Thu, 01 Jan 1970 24:00:00 +0000",
            "Thu, 01 Jan 1970 00:00:00 +0060",
            "Thu, 01 Jan 1970 00:00:00 +2400",
            "Thu, 01 Jan 1970 00:00:00 -9959",
            "Thu, 01 Jan 1970 00:00:00 +0000 junk",
            "Thu, 001 Jan 1970 00:00:00 +0000",
            "Mon, 01 Jan 1899 00:00:00 +0000",
        ];
        for v in bad {
            assert_eq!(
                check_date_time(v.as_bytes()),
                Err(Error::InvalidDate),
                "{v}"
            );
        }
    }
}
