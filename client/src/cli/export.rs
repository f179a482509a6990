//! `ledger-export`: the server's patrol ledger (巡查台帐) for a date range, written to a file as CSV,
//! XLSX or JSON, with Chinese headings or English ones (needs the network).

use clap::Args;
use std::path::PathBuf;

use crate::replica::Replica;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// First day, county time (YYYY-MM-DD).
    #[arg(long)]
    pub from: String,
    /// Last day, county time, inclusive (YYYY-MM-DD).
    #[arg(long)]
    pub to: String,
    /// One officer's ledger (otherwise everything in your scope).
    #[arg(long)]
    pub officer: Option<String>,
    #[arg(long)]
    pub village: Option<String>,
    #[arg(long)]
    pub township: Option<String>,
    /// csv, xlsx or json.
    #[arg(long, default_value = "csv", value_parser = ["csv", "xlsx", "json"])]
    pub format: String,
    /// Column headings: zh (中文) or en.
    #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    /// Where to write the file.
    #[arg(long)]
    pub out: PathBuf,
}

pub async fn ledger_export(replica: &Replica, a: ExportArgs) -> anyhow::Result<()> {
    let mut query = vec![("from", a.from), ("to", a.to), ("format", a.format), ("lang", a.lang)];
    for (key, value) in [("officer", a.officer), ("village", a.village), ("township", a.township)] {
        if let Some(v) = value {
            query.push((key, v));
        }
    }
    let bytes = crate::sync::ledger_export(replica, &query).await?;
    std::fs::write(&a.out, &bytes)?;
    println!("wrote {} ({} bytes)", a.out.display(), bytes.len());
    Ok(())
}
