//! Capture time and place read from a photo's EXIF (DateTimeOriginal with OffsetTimeOriginal,
//! GPS latitude and longitude). A time without an offset is taken as China Standard Time
//! (UTC+8, the county's time all year): phones sold there write local time without one.

use std::io::{BufRead, Seek};
use sync_protocol::values::{COUNTY_UTC_OFFSET_MS, Coord};

/// What the EXIF says of where and when a photo was taken; both may be absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capture {
    /// Unix ms, UTC.
    pub at: Option<i64>,
    pub place: Option<Coord>,
}

/// Reads the capture time and place of a JPEG, HEIC or PNG; files without EXIF give nothing.
pub fn read_capture(file: &mut (impl BufRead + Seek)) -> Capture {
    let Ok(exif) = exif::Reader::new().read_from_container(file) else { return Capture::default() };
    Capture { at: taken_at(&exif), place: place(&exif) }
}

fn taken_at(exif: &exif::Exif) -> Option<i64> {
    let field = exif.get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY)?;
    let exif::Value::Ascii(ref parts) = field.value else { return None };
    let mut dt = exif::DateTime::from_ascii(parts.first()?).ok()?;
    if let Some(offset) = exif.get_field(exif::Tag::OffsetTimeOriginal, exif::In::PRIMARY)
        && let exif::Value::Ascii(ref o) = offset.value
        && let Some(o) = o.first()
    {
        let _ = dt.parse_offset(o);
    }
    let date = chrono::NaiveDate::from_ymd_opt(dt.year.into(), dt.month.into(), dt.day.into())?;
    let local = date.and_hms_opt(dt.hour.into(), dt.minute.into(), dt.second.into())?.and_utc().timestamp_millis();
    let offset_ms = dt.offset.map_or(COUNTY_UTC_OFFSET_MS, |minutes| i64::from(minutes) * 60_000);
    Some(local - offset_ms)
}

fn place(exif: &exif::Exif) -> Option<Coord> {
    let degrees = |tag, reference, negative: u8| {
        let exif::Value::Rational(ref dms) = exif.get_field(tag, exif::In::PRIMARY)?.value else { return None };
        let [d, m, s] = dms.as_slice() else { return None };
        let value = d.to_f64() + m.to_f64() / 60.0 + s.to_f64() / 3600.0;
        let sign = match exif.get_field(reference, exif::In::PRIMARY).map(|f| &f.value) {
            Some(exif::Value::Ascii(r)) if r.first().and_then(|r| r.first()) == Some(&negative) => -1.0,
            _ => 1.0,
        };
        value.is_finite().then_some(sign * value)
    };
    let lat = degrees(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, b'S')?;
    let lon = degrees(exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef, b'W')?;
    Coord::from_degrees(lon, lat).ok()
}
