//! A roster's days: `YYYY-MM-DD` in county time (UTC+8), stored as the Unix ms of that day's
//! midnight. An assignment starting mid-day (made through the API) is written as its day.

use chrono::NaiveDate;
use sync_protocol::values::COUNTY_UTC_OFFSET_MS;

const DAY_MS: i64 = 86_400_000;

/// The county midnight starting `text` (`YYYY-MM-DD`).
pub fn parse_day(text: &str) -> Result<i64, String> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "not a date YYYY-MM-DD".to_owned())?;
    let ms = date.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis() - COUNTY_UTC_OFFSET_MS).ok_or("no midnight")?;
    sync_protocol::values::check_time("from", ms).map_err(|e| e.to_string())?;
    Ok(ms)
}

/// The county day (as its midnight's Unix ms) that `ms` falls in.
pub fn day_of(ms: i64) -> i64 {
    (ms + COUNTY_UTC_OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - COUNTY_UTC_OFFSET_MS
}

/// `YYYY-MM-DD` of the county day `ms` falls in.
pub fn day_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + COUNTY_UTC_OFFSET_MS)
        .map(|t| t.date_naive().format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_county_midnights() {
        let jan1 = 1_767_196_800_000; // 2026-01-01T00:00:00+08:00
        assert_eq!(parse_day("2026-01-01"), Ok(jan1));
        assert_eq!(day_text(jan1), "2026-01-01");
        assert_eq!(day_of(jan1 + 23 * 3_600_000), jan1);
        assert_eq!(day_text(jan1 - 1), "2025-12-31");
        for bad in ["2026-02-30", "2026/01/01", "01-01-2026", "1999-12-31", ""] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }
}
