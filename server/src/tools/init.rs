//! `patrolsync-server init`: an empty store for one county, without the demo: the county's unit
//! (no boundary until the reference GeoJSON gives one), its time zone and its first admin, whose
//! password is read from standard input. All in one transaction: a crash leaves an empty store,
//! and `init` can simply run again.

use sync_protocol::body::{Role, UnitDefined, UnitLevel, UserEnrolled};
use sync_protocol::ids::{EventId, UnitId, UserId};

use crate::service::auth::password::{PasswordCost, PasswordError, check_new_password, hash};
use crate::store::people::{NewCounty, PasswordHash};
use crate::store::{People, StoreError};

/// The only time zone the server keeps: every date rule (weeks, licence days, reports) is in
/// UTC+8, which Asia/Shanghai keeps all year.
pub const TIME_ZONE: &str = "Asia/Shanghai";

/// What `init` founds.
#[derive(Debug, Clone)]
pub struct County {
    pub unit: UnitId,
    pub name: String,
    pub name_zh: String,
    pub time_zone: String,
    pub admin: UserId,
    pub admin_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("time zone {0:?} is not supported: the server keeps county time in {TIME_ZONE} (UTC+8) only")]
    TimeZone(String),
    #[error("{0}")]
    Invalid(sync_protocol::ValidationError),
    #[error("the admin's password is refused: {0}")]
    Password(#[source] PasswordError),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Founds `county` in the empty `store` with the admin's `password`; returns the two events.
pub async fn init(store: &dyn People, county: County, password: String, cost: PasswordCost) -> Result<Vec<EventId>, InitError> {
    if county.time_zone != TIME_ZONE {
        return Err(InitError::TimeZone(county.time_zone));
    }
    check_new_password(&password).map_err(InitError::Password)?;
    let unit = UnitDefined {
        unit: county.unit.clone(),
        level: UnitLevel::County,
        name: county.name,
        name_zh: county.name_zh,
        parent: None,
        land_office: false,
        boundary: None,
    };
    unit.validate().map_err(InitError::Invalid)?;
    let admin = UserEnrolled {
        user: county.admin.clone(),
        display_name: county.admin_name,
        role: Role::Admin,
        units: vec![county.unit],
        phone: None,
        by: None,
    };
    admin.validate().map_err(InitError::Invalid)?;
    let phc = tokio::task::spawn_blocking(move || hash(&password, cost))
        .await
        .map_err(|e| InitError::Hash(e.to_string()))?
        .map_err(InitError::Password)?;
    let password = PasswordHash { user: county.admin, phc, one_time: false };
    Ok(store.found_county(NewCounty { county: unit, time_zone: county.time_zone, admin, password }).await?)
}
