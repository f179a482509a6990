//! Flags: problems found at ingest that never reject an event. Each carries the place and week it
//! concerns, so that a village, a township and the county each list their own, and a re-check
//! withdraws a flag by stamping it, never by deleting it.

use sync_protocol::ids::{DeviceId, EventId, UnitId, UserId, ZoneId};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::FlagKind;

use crate::args;
use crate::store::jobs::reference::Reference;
use crate::store::sql::Sql;
use crate::store::{StoreError, jobs::WriteCtx};

/// Where and when a flag applies; `None` parts are seen by the county only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub officer: Option<UserId>,
    pub village: Option<UnitId>,
    pub township: Option<UnitId>,
    pub week: Option<IsoWeek>,
}

impl Place {
    /// The place of something an officer did in `zone` at `at_ms`: the zone's village and its
    /// township, and the ISO week (China Standard Time) of `at_ms`.
    pub fn of_zone(reference: &Reference, officer: &UserId, zone: &ZoneId, at_ms: i64) -> Place {
        let village = reference.village_of_zone(zone).cloned();
        let township = village.as_ref().and_then(|v| reference.parent_of(v)).cloned();
        Place { officer: Some(officer.clone()), village, township, week: Some(IsoWeek::of_ms(at_ms)) }
    }
}

impl Place {
    /// The place as stored in `patrol_checks` (or `flags`): officer, village, township and week.
    pub fn parse(
        officer: Option<String>,
        village: Option<String>,
        township: Option<String>,
        week: Option<String>,
    ) -> Result<Place, StoreError> {
        let corrupt = |what: &str| StoreError::corrupt("patrol_checks", format!("stored place: bad {what}"));
        let unit = |u: Option<String>| u.map(|u| u.parse::<UnitId>()).transpose().map_err(|_| corrupt("unit"));
        Ok(Place {
            officer: officer.map(|o| o.parse::<UserId>()).transpose().map_err(|_| corrupt("officer"))?,
            village: unit(village)?,
            township: unit(township)?,
            week: week.map(|w| w.parse::<IsoWeek>()).transpose().map_err(|_| corrupt("week"))?,
        })
    }
}

/// The device and the place stored with a patrol's check, if it has one.
pub fn stored_patrol_place(sql: &dyn Sql, patrol: EventId) -> Result<Option<(DeviceId, Place)>, StoreError> {
    let sql_text = "SELECT device_id, officer, village, township, week FROM patrol_checks WHERE patrol = ?1";
    let Some(row) = sql.optional(sql_text, args![patrol.0.as_bytes()])? else { return Ok(None) };
    let (device, officer, village, township, week): (Vec<u8>, String, _, _, _) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?);
    let device = uuid::Uuid::from_slice(&device).map(DeviceId).map_err(|_| StoreError::corrupt("patrol_checks", "device"))?;
    Ok(Some((device, Place::parse(Some(officer), village, township, week)?)))
}

impl WriteCtx<'_> {
    /// Raises a flag on `event` (or on a device, or on nothing in particular).
    pub fn raise(
        &self,
        event: Option<EventId>,
        device: Option<DeviceId>,
        kind: FlagKind,
        detail: &str,
        place: &Place,
    ) -> Result<(), StoreError> {
        self.conn.write(
            "INSERT INTO flags (event_id, device_id, kind, detail, raised_at, officer, village, township, week)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            args![
                event.map(|e| e.0.as_bytes().to_vec()),
                device.map(|d| d.0.as_bytes().to_vec()),
                kind.as_str(),
                detail,
                self.now_ms,
                place.officer.as_ref().map(UserId::as_str),
                place.village.as_ref().map(UnitId::as_str),
                place.township.as_ref().map(UnitId::as_str),
                place.week.map(|w| w.to_string()),
            ],
        )?;
        *self.raised.borrow_mut().entry(kind.as_str().to_owned()).or_default() += 1;
        if let Some(event) = event {
            self.flagged.borrow_mut().entry(event).or_default().push(kind);
        }
        Ok(())
    }

    /// Makes the open flags of `kind` on `event` exactly `detail`: raises it if it is not open
    /// with that text, withdraws any other open one, and with `None` withdraws them all. Running
    /// it twice with the same arguments changes nothing.
    pub fn settle_flag(
        &self,
        event: EventId,
        device: Option<DeviceId>,
        kind: FlagKind,
        detail: Option<&str>,
        place: &Place,
    ) -> Result<(), StoreError> {
        let id = event.0.as_bytes();
        self.conn.write(
            "UPDATE flags SET cleared_at = ?4 WHERE event_id = ?1 AND kind = ?2 AND cleared_at IS NULL AND detail IS DISTINCT FROM ?3",
            args![id, kind.as_str(), detail, self.now_ms],
        )?;
        let Some(detail) = detail else { return Ok(()) };
        let open: bool = self
            .conn
            .one("SELECT EXISTS (SELECT 1 FROM flags WHERE event_id = ?1 AND kind = ?2 AND cleared_at IS NULL)", args![id, kind.as_str()])?
            .get(0)?;
        if !open {
            self.raise(Some(event), device, kind, detail, place)?;
        }
        Ok(())
    }
}
