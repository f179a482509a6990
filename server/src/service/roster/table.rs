//! A roster file as a table of text cells: read from CSV (UTF-8, a byte-order mark allowed) or
//! from the first sheet of an XLSX workbook (calamine), and written back in either (csv,
//! rust_xlsxwriter). Numbers and dates typed into a spreadsheet read as the text they show: a
//! phone number without a decimal point, a date as `YYYY-MM-DD`.

use std::io::Cursor;

use super::RosterError;

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The format a file name's extension says (`.csv` or `.xlsx`, any case).
    pub fn of_path(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// Every row of the file, the heading row first, each a list of cells (trailing empty cells of a
/// row may be missing).
pub type Rows = Vec<Vec<String>>;

/// Reads a roster file's bytes.
pub fn read(bytes: &[u8], format: Format) -> Result<Rows, RosterError> {
    match format {
        Format::Csv => read_csv(bytes),
        Format::Xlsx => read_xlsx(bytes),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Rows, RosterError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| RosterError::Unreadable(e.to_string()))?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Rows, RosterError> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsxError| RosterError::Unreadable(e.to_string()))?;
    let sheet = book
        .worksheet_range_at(0)
        .ok_or_else(|| RosterError::Unreadable("the workbook has no sheet".into()))?
        .map_err(|e| RosterError::Unreadable(e.to_string()))?;
    // Rows and columns are counted from A1, whatever the first used cell.
    let (top, left) = sheet.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let mut rows: Rows = vec![Vec::new(); top];
    for row in sheet.rows() {
        let mut cells = vec![String::new(); left];
        cells.extend(row.iter().map(cell_text));
        rows.push(cells);
    }
    Ok(rows)
}

/// A spreadsheet cell as the text it shows.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()).unwrap_or_else(|| d.to_string()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`, if it is a whole day.
fn excel_date(serial: f64) -> Option<String> {
    if serial.fract() != 0.0 || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    Some(epoch.checked_add_days(chrono::Days::new(serial as u64))?.format("%Y-%m-%d").to_string())
}

/// Writes `rows` (the heading first) in `format`. Every cell is written as text, so that an id or
/// a phone number never turns into a number.
pub fn write(rows: &Rows, format: Format) -> Result<Vec<u8>, RosterError> {
    match format {
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for row in rows {
                writer.write_record(row).map_err(|e| RosterError::Encode(e.to_string()))?;
            }
            writer.into_inner().map_err(|e| RosterError::Encode(e.to_string()))
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name("roster").map_err(|e| RosterError::Encode(e.to_string()))?;
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    sheet.write_string(r as u32, c as u16, cell).map_err(|e| RosterError::Encode(e.to_string()))?;
                }
            }
            book.save_to_buffer().map_err(|e| RosterError::Encode(e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_round_trip_text_cells() -> Result<(), RosterError> {
        let rows: Rows = vec![
            vec!["类别".into(), "编号".into(), "电话".into()],
            vec!["人员".into(), "vo-t01-v01".into(), "013907970001".into()],
            vec!["单位".into(), "T01,\"x\"".into(), String::new()],
        ];
        for format in [Format::Csv, Format::Xlsx] {
            let mut back = read(&write(&rows, format)?, format)?;
            for row in &mut back {
                row.resize(3, String::new());
            }
            assert_eq!(back, rows, "{format:?}");
        }
        Ok(())
    }

    #[test]
    fn numbers_and_dates_read_as_they_show() {
        use calamine::Data;
        assert_eq!(cell_text(&Data::Float(13907970001.0)), "13907970001");
        assert_eq!(cell_text(&Data::Float(2.5)), "2.5");
        assert_eq!(excel_date(46023.0).as_deref(), Some("2026-01-01"));
        assert_eq!(excel_date(46023.5), None);
        assert_eq!(
            read(b"\xef\xbb\xbfkind,id\nunit,T01\n", Format::Csv).ok(),
            Some(vec![vec!["kind".into(), "id".into()], vec!["unit".into(), "T01".into()]])
        );
    }
}
