//! The store's roster written back in the import's form: every township-level unit and village,
//! then every person who is not disabled (admins included), each village officer with their
//! current zone and its first day. Importing the export changes nothing.

use sync_protocol::body::{Role, UnitLevel};

use super::RosterError;
use super::columns::{self, Column, Language, RowKind};
use super::dates::day_text;
use super::parse::unit_list_text;
use super::stored::People;
use super::table::{Format, Rows, write};
use crate::store::ReferenceData;

/// The roster of `store` in `format`, with headings and words in `language`.
pub async fn export(store: &dyn ReferenceData, format: Format, language: Language) -> Result<Vec<u8>, RosterError> {
    let bodies = store.reference_bodies().await?;
    write(&rows(&People::fold(&bodies), language), format)
}

fn rows(stored: &People, language: Language) -> Rows {
    let mut rows = vec![Column::ALL.iter().map(|c| language.heading(*c).to_owned()).collect::<Vec<_>>()];
    let cells = |pairs: &[(Column, String)]| -> Vec<String> {
        Column::ALL.iter().map(|c| pairs.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone()).unwrap_or_default()).collect()
    };
    let mut units: Vec<_> = stored.units.values().filter(|u| u.level != UnitLevel::County).collect();
    units.sort_by_key(|u| (u.level == UnitLevel::Village, u.unit.clone()));
    for u in units {
        rows.push(cells(&[
            (Column::Kind, columns::kind_word(RowKind::Unit, language).into()),
            (Column::Id, u.unit.to_string()),
            (Column::Name, u.name.clone()),
            (Column::NameZh, u.name_zh.clone()),
            (Column::Level, columns::level_word(u.level, language).into()),
            (Column::Unit, u.parent.as_ref().map(ToString::to_string).unwrap_or_default()),
            (Column::LandOffice, if u.land_office { columns::yes_no_word(true, language).into() } else { String::new() }),
        ]));
    }
    for (user, p) in stored.people.iter().filter(|(_, p)| !p.disabled) {
        let assignment = stored.assignments.get(user).filter(|_| p.role == Role::VillageOfficer);
        let zone = assignment.and_then(|a| a.zone.as_ref().map(|z| (z.to_string(), day_text(a.from))));
        rows.push(cells(&[
            (Column::Kind, columns::kind_word(RowKind::Person, language).into()),
            (Column::Id, user.to_string()),
            (Column::Name, p.name.clone()),
            (Column::Role, columns::role_word(p.role, language).into()),
            (Column::Unit, unit_list_text(&p.units)),
            (Column::Phone, p.phone.clone().unwrap_or_default()),
            (Column::Zone, zone.as_ref().map(|z| z.0.clone()).unwrap_or_default()),
            (Column::From, zone.map(|z| z.1).unwrap_or_default()),
        ]));
    }
    rows
}
