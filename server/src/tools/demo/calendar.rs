//! Calendar dates of the county (Asia/Shanghai, UTC+8 all year) as Unix milliseconds, computed
//! with integer arithmetic only, so the demo never consults a clock or a time-zone database.

use sync_protocol::values::COUNTY_UTC_OFFSET_MS;

const DAY_MS: i64 = 86_400_000;

/// Days from 1970-01-01 to the proleptic Gregorian date `y-m-d` (Howard Hinnant's
/// `days_from_civil`). `m` is 1–12 and `d` 1–31; out-of-range input gives a meaningless day.
const fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Midnight at the start of `y-m-d`, county time, as Unix milliseconds.
pub const fn county_midnight_ms(y: i32, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d) * DAY_MS - COUNTY_UTC_OFFSET_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnights_agree_with_chrono() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2026, 1, 1), (2026, 11, 30), (2030, 12, 31), (2100, 3, 1)] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
            let utc = date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis();
            assert_eq!(county_midnight_ms(y, m, d), utc - 8 * 3_600_000, "{y}-{m}-{d}");
        }
        assert_eq!(county_midnight_ms(2026, 1, 1), 1_767_196_800_000);
    }
}
