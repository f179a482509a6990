//! Administrative changes to reference data, authored by the server as events so that every
//! device learns them through sync.

use serde::Deserialize;
use sync_protocol::body::{AssignmentSet, Body, Role};
use sync_protocol::ids::{EventId, UserId, ZoneId};

use crate::error::ApiError;
use crate::store::{Store, StoreError, principal};

/// An officer's new zone (or none) from `from` (Unix ms) on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub officer: UserId,
    pub zone: Option<ZoneId>,
    pub from: i64,
}

pub async fn assign(store: &Store, request: AssignRequest) -> Result<EventId, ApiError> {
    let body = Body::AssignmentSet(AssignmentSet { officer: request.officer, zone: request.zone, from: request.from });
    let checked = Body::parse(body.kind(), &body.to_value()).map_err(|e| ApiError::MalformedRequest(e.to_string()))?;
    let id = store
        .writer()
        .run(move |ctx| {
            let Body::AssignmentSet(a) = &checked else { return Err(StoreError::Corrupt("not an assignment".into())) };
            let officer =
                principal::user(ctx.conn, a.officer.as_str())?.ok_or_else(|| StoreError::NotFound(format!("officer {}", a.officer)))?;
            if officer.role != Role::VillageOfficer {
                return Err(StoreError::Conflict(format!("{} is not a village officer", a.officer)));
            }
            if let Some(zone) = &a.zone {
                let known: bool = ctx.conn.query_row("SELECT count(*) > 0 FROM zones WHERE id = ?1", [zone.as_str()], |r| r.get(0))?;
                if !known {
                    return Err(StoreError::NotFound(format!("zone {zone}")));
                }
            }
            ctx.author(&checked)
        })
        .await?;
    Ok(id)
}
