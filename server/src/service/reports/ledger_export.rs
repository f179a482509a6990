//! The ledger written as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
//! Chinese headings) or as an XLSX workbook of one sheet; the same cells as the JSON rows.

use rust_xlsxwriter::Workbook;

use super::ledger::Ledger;
use sync_protocol::ledger::{Cell, cells};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the CSV")]
    Csv(#[from] csv::Error),
    #[error("cannot write the workbook")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot write the CSV")]
    Io(#[from] std::io::Error),
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Number(n) => n.to_string(),
        Cell::Empty => String::new(),
    }
}

pub fn csv(ledger: &Ledger) -> Result<Vec<u8>, ExportError> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(ledger.columns.iter().map(|c| c.heading.as_str()))?;
    for row in &ledger.rows {
        out.write_record(cells(row).iter().map(text))?;
    }
    out.into_inner().map_err(|e| ExportError::Io(e.into_error()))
}

pub fn xlsx(ledger: &Ledger) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("巡查台帐")?;
    for (c, column) in ledger.columns.iter().enumerate() {
        sheet.write_string(0, c as u16, &column.heading)?;
    }
    for (r, row) in ledger.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in cells(row).iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => sheet.write_string(r, c, s)?,
                Cell::Number(n) => sheet.write_number(r, c, *n as f64)?,
                Cell::Empty => sheet,
            };
        }
    }
    Ok(book.save_to_buffer()?)
}
