//! Turning `SystemTime`s into what the database stores (Unix seconds, days)
//! and what people read (UTC dates, the calendar from the `time` crate).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (negative before it).
pub(crate) fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The time at a number of Unix seconds.
#[cfg(test)]
pub(crate) fn from_unix_seconds(seconds: i64) -> SystemTime {
    if seconds >= 0 {
        UNIX_EPOCH + std::time::Duration::from_secs(seconds.unsigned_abs())
    } else {
        UNIX_EPOCH - std::time::Duration::from_secs(seconds.unsigned_abs())
    }
}

/// Days since 1970-01-01 (UTC) of a time.
pub(crate) fn unix_day(time: SystemTime) -> i64 {
    unix_seconds(time).div_euclid(86_400)
}

/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// `YYYY-MM-DD` of a day number (days since 1970-01-01; outside the years
/// -9999 to 9999, which no stored time reaches, the number itself).
pub(crate) fn date(day: i64) -> String {
    let calendar = day
        .checked_add(UNIX_EPOCH_JULIAN_DAY)
        .and_then(|julian| i32::try_from(julian).ok())
        .and_then(|julian| time::Date::from_julian_day(julian).ok());
    match calendar {
        Some(date) => format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        ),
        None => format!("day {day}"),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` of Unix seconds.
pub(crate) fn timestamp(seconds: i64) -> String {
    let day = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date(day),
        second_of_day / 3_600,
        second_of_day % 3_600 / 60,
        second_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps_are_utc() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(timestamp(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(date(-719_468), "0000-03-01");
        assert_eq!(date(i64::MAX), format!("day {}", i64::MAX));
    }

    #[test]
    fn seconds_round_trip() {
        let time = from_unix_seconds(1_700_000_000);
        assert_eq!(unix_seconds(time), 1_700_000_000);
        assert_eq!(unix_day(time), 19_675);
    }
}
