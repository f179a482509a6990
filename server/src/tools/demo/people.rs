//! The people of the patrol network as `user.enrolled` bodies, and the village officers' zone
//! assignments as `assignment.set` bodies: 127 officers, 39 inspectors, 4 auditors, 7 commissioners, 1 admin.

use rand_chacha::ChaCha8Rng;
use sync_protocol::body::{AssignmentSet, Role, UserEnrolled};
use sync_protocol::ids::{UnitId, UserId};

use super::layout::{TOWNSHIPS, TownshipSpec, VACANT, VillagePlan};
use super::names::person_names;
use super::units::{COUNTY_ID, township_id, village_id, zone_id};
use super::{EPOCH_MS, slug};

/// Inspectors (国土资源执法监察员) at each land office.
pub const INSPECTORS_PER_OFFICE: usize = 3;
pub const AUDITORS: usize = 4;

/// Who the 7 special commissioners (特邀监察专员) are.
const COMMISSIONER_SEATS: [&str; 7] = [
    "people's deputy 人大代表",
    "people's deputy 人大代表",
    "CPPCC member 政协委员",
    "CPPCC member 政协委员",
    "discipline inspector 纪检监察干部",
    "discipline inspector 纪检监察干部",
    "journalist 新闻记者",
];

/// Everyone, grouped by role, plus the officers' assignments in the order of `officers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct People {
    pub admin: UserEnrolled,
    pub auditors: Vec<UserEnrolled>,
    pub commissioners: Vec<UserEnrolled>,
    pub inspectors: Vec<UserEnrolled>,
    pub officers: Vec<UserEnrolled>,
    pub assignments: Vec<AssignmentSet>,
}

pub fn people(rng: &mut ChaCha8Rng, plans: &[VillagePlan]) -> People {
    let offices = TOWNSHIPS.iter().filter(|s| s.has_land_office()).count();
    let staffed: Vec<&VillagePlan> = plans.iter().filter(|p| !is_vacant(p)).collect();
    let total = staffed.len() + offices * INSPECTORS_PER_OFFICE + AUDITORS + COMMISSIONER_SEATS.len();
    let mut names = person_names(rng, total).into_iter();
    let mut next = || names.next().map(|n| format!("{} {}", n.en, n.zh)).unwrap_or_default();
    let county = || vec![slug::<UnitId>(COUNTY_ID)];

    let officers: Vec<UserEnrolled> = staffed.iter().map(|p| officer(p, next())).collect();
    let assignments = staffed.iter().map(|p| assignment(p)).collect();
    let inspectors = TOWNSHIPS
        .iter()
        .filter(|s| s.has_land_office())
        .flat_map(|s| (1..=INSPECTORS_PER_OFFICE).map(move |k| (s, k)))
        .map(|(s, k)| user(&format!("ti-t{:02}-{k}", s.number), next(), Role::TownshipInspector, served_units(s)))
        .collect();
    let auditors = (1..=AUDITORS).map(|k| user(&format!("ca-{k}"), next(), Role::CountyAuditor, county())).collect();
    let commissioners = (1..)
        .zip(COMMISSIONER_SEATS)
        .map(|(k, seat)| user(&format!("cm-{k}"), format!("{} ({seat})", next()), Role::Commissioner, county()))
        .collect();
    let admin = user("admin", "System Administrator 系统管理员".into(), Role::Admin, county());
    People { admin, auditors, commissioners, inspectors, officers, assignments }
}

/// Whether the village's officer post is vacant (see [`VACANT`]).
pub fn is_vacant(plan: &VillagePlan) -> bool {
    VACANT.contains(&(TOWNSHIPS[plan.township].number, plan.number))
}

/// The units a land office serves: its own unit, and any farm it serves.
pub fn served_units(office: &TownshipSpec) -> Vec<UnitId> {
    let farms = TOWNSHIPS.iter().filter(|s| s.served_by == Some(office.number));
    std::iter::once(office).chain(farms).map(township_id).collect()
}

/// `vo-t03-v02`, the information officer (动态巡查信息员) of village `T03-V02`.
fn officer_id(plan: &VillagePlan) -> UserId {
    slug(&format!("vo-{}", village_id(plan).as_str().to_lowercase()))
}

fn officer(plan: &VillagePlan, display_name: String) -> UserEnrolled {
    UserEnrolled { user: officer_id(plan), display_name, role: Role::VillageOfficer, units: vec![village_id(plan)], phone: None, by: None }
}

fn assignment(plan: &VillagePlan) -> AssignmentSet {
    AssignmentSet { officer: officer_id(plan), zone: Some(zone_id(plan)), from: EPOCH_MS, by: None }
}

fn user(id: &str, display_name: String, role: Role, units: Vec<UnitId>) -> UserEnrolled {
    UserEnrolled { user: slug(id), display_name, role, units, phone: None, by: None }
}
