//! A county founded without the demo, as its administrator founds it with the real binary: `init`
//! (the admin's password on standard input), the roster (花名册) as a spreadsheet with Chinese or
//! English headings, and the reference GeoJSON; and server commands run to their end.

use anyhow::{Context, Result, ensure};
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::server::TestServer;

/// The first admin's password, given to `init` on standard input.
pub const ADMIN_PASSWORD: &str = "the county admin 1";
/// The roster's headings in Chinese and in English, in export order.
pub const HEAD_ZH: [&str; 11] = ["类别", "编号", "名称", "中文名称", "级别", "角色", "所属单位", "国土资源所", "电话", "片区", "起始日期"];
pub const HEAD_EN: [&str; 11] = ["kind", "id", "name", "name_zh", "level", "role", "unit", "land_office", "phone", "zone", "from"];

/// `patrolsync-server init` of Yunshan County (云山县, unit `CTY`, the demo county's id) in `db`,
/// its first admin `admin`: the arguments, without the password.
pub fn init_args(db: &Path) -> Result<Vec<String>> {
    let db = db.to_str().context("a utf-8 path")?;
    Ok(["init", "--db", db, "--county", "CTY", "--name", "Yunshan County", "--name-zh", "云山县", "--admin", "admin"]
        .map(str::to_owned)
        .to_vec())
}

/// Runs `init` (see [`init_args`]) with [`ADMIN_PASSWORD`] on standard input, to its end.
pub fn init(db: &Path) -> Result<Output> {
    let args = init_args(db)?;
    TestServer::command(&args.iter().map(String::as_str).collect::<Vec<_>>(), &format!("{ADMIN_PASSWORD}\n"))
}

/// Runs a server command with `input` on standard input: whether it succeeded, and all it said
/// (standard output, then standard error).
pub fn server_said(args: &[&str], input: &str) -> Result<(bool, String)> {
    let out = TestServer::command(args, input)?;
    Ok((out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))))
}

/// Runs a server command that must succeed; returns its standard output.
pub fn server_ok(args: &[&str]) -> Result<String> {
    let out = TestServer::command(args, "")?;
    ensure!(
        out.status.success(),
        "patrolsync-server {} failed ({}):\n{}{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// Runs a server command that must fail; returns everything it printed.
pub fn server_refused(args: &[&str]) -> Result<String> {
    let out = TestServer::command(args, "")?;
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    ensure!(!out.status.success(), "patrolsync-server {} succeeded:\n{said}", args.join(" "));
    Ok(said)
}

/// Writes `rows` as the first sheet of an XLSX workbook, as a spreadsheet program would: empty
/// cells left out, a phone (column I) that reads as a number typed as one.
pub fn write_xlsx(path: &Path, rows: &[Vec<&str>]) -> Result<()> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(n) if c == 8 => sheet.write_number(r as u32, c as u16, n)?,
                _ => sheet.write_string(r as u32, c as u16, *cell)?,
            };
        }
    }
    book.save(path)?;
    Ok(())
}

/// The files a county's administrator brings: the whole county's roster (an XLSX workbook with
/// Chinese headings: its 15 township-level units, 120 villages, 127 village officers with their
/// zones, 39 township inspectors, its mineral section) and its reference GeoJSON (boundaries,
/// zones, licences).
pub struct CountyFiles {
    pub roster: PathBuf,
    pub reference: PathBuf,
}

impl CountyFiles {
    /// Makes them in `dir` from the generated Yunshan County: a copy of the demo county's store
    /// ([`crate::app`] loads it once), written out by the real binary's `roster export --chinese`
    /// and `reference export`.
    pub fn yunshan(dir: &Path) -> Result<CountyFiles> {
        let scratch = tempfile::tempdir()?;
        let db = scratch.path().join("central.db");
        std::fs::write(&db, crate::app::demo_store()?)?;
        let files = CountyFiles { roster: dir.join("花名册.xlsx"), reference: dir.join("county.geojson") };
        let (db, roster, reference) = (path(&db)?, path(&files.roster)?, path(&files.reference)?);
        server_ok(&["roster", "export", "--db", db, "--chinese", "-o", roster])?;
        server_ok(&["reference", "export", "--db", db, "-o", reference])?;
        Ok(files)
    }
}

/// A path as a command-line argument.
pub fn path(p: &Path) -> Result<&str> {
    p.to_str().context("a utf-8 path")
}
