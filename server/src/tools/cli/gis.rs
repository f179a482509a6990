//! `patrolsync-server gis-views`: the GIS views of a county's store on PostgreSQL with PostGIS
//! (zones, licence areas, patrol tracks, findings), made and granted to a read-only role for QGIS.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

use super::fail;
use crate::tools::log::{self, LogCommandError, store_error};

#[derive(Args)]
pub(super) struct GisArgs {
    /// The server's TOML config file, whose store is PostgreSQL (`[store] kind = "postgres"`).
    #[arg(long)]
    config: PathBuf,
    /// The county whose views to make; without it, every county of the deployment.
    #[arg(long)]
    county: Option<String>,
    /// An existing role to grant the views to, read-only (and nothing else of the store).
    #[arg(long)]
    grant: Option<String>,
}

/// Makes the views in the county's store (or every county's), granted to `--grant`.
pub(super) fn run(args: GisArgs) -> ExitCode {
    let GisArgs { config, county, grant } = args;
    let stores = match county {
        Some(code) => log::store_of(None, Some(&config), Some(&code)).map(|store| vec![(code, store)]),
        None => log::county_stores(&config),
    };
    let made = stores.and_then(|stores| {
        stores.iter().try_for_each(|(county, store)| {
            let views = store.gis_views(grant.as_deref()).map_err(store_error(store))?;
            let granted = views.reader.map(|r| format!(", readable by {r}")).unwrap_or_default();
            println!("county {county}: {} in schema {}{granted}", views.views.join(", "), views.schema);
            Ok::<_, LogCommandError>(())
        })
    });
    match made {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}
