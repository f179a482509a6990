//! `ledger-export`: the server's patrol ledger (巡查台帐) for a date range, written to a file as CSV,
//! XLSX or JSON, with Chinese headings or English ones (needs the network).

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use sync_protocol::ids::{UnitId, UserId};
use sync_protocol::wire::reports::{Format, Lang, LedgerQuery};

use crate::replica::Replica;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// First day, county time (YYYY-MM-DD).
    #[arg(long)]
    pub from: NaiveDate,
    /// Last day, county time, inclusive (YYYY-MM-DD).
    #[arg(long)]
    pub to: NaiveDate,
    /// One officer's ledger (otherwise everything in your scope).
    #[arg(long)]
    pub officer: Option<UserId>,
    #[arg(long)]
    pub village: Option<UnitId>,
    #[arg(long)]
    pub township: Option<UnitId>,
    /// csv, xlsx or json.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Column headings: zh (中文) or en.
    #[arg(long, value_enum, default_value_t = Headings::Zh)]
    pub lang: Headings,
    /// Where to write the file.
    #[arg(long)]
    pub out: PathBuf,
}

/// The file formats of `--format` (the wire's [`Format`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

/// The heading languages of `--lang` (the wire's [`Lang`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Headings {
    Zh,
    En,
}

pub async fn ledger_export(replica: &Replica, a: ExportArgs) -> anyhow::Result<()> {
    let format = match a.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Xlsx => Format::Xlsx,
        ExportFormat::Json => Format::Json,
    };
    let lang = match a.lang {
        Headings::Zh => Lang::Zh,
        Headings::En => Lang::En,
    };
    let query = LedgerQuery {
        from: a.from,
        to: a.to,
        officer: a.officer,
        village: a.village,
        township: a.township,
        format,
        lang,
        limit: None,
        after: None,
    };
    let bytes = crate::sync::ledger_export(replica, &query).await?;
    std::fs::write(&a.out, &bytes).map_err(|e| anyhow::anyhow!("could not write {}: {e}", a.out.display()))?;
    println!("wrote {} ({} bytes)", a.out.display(), bytes.len());
    Ok(())
}
