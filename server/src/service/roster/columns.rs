//! The roster's columns and their headings, in Chinese or English, and the words of its cells
//! (kinds, roles, levels) in either language. One table holds the county's townships and villages
//! (`unit` rows) and its people (`person` rows, a village officer with their zone).

use sync_protocol::body::{Role, UnitLevel};

/// One column of the roster, in the order export writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Kind,
    Id,
    Name,
    NameZh,
    Level,
    Role,
    Unit,
    LandOffice,
    Phone,
    Zone,
    From,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Column::Kind,
        Column::Id,
        Column::Name,
        Column::NameZh,
        Column::Level,
        Column::Role,
        Column::Unit,
        Column::LandOffice,
        Column::Phone,
        Column::Zone,
        Column::From,
    ];

    /// The English heading.
    pub fn english(self) -> &'static str {
        match self {
            Column::Kind => "kind",
            Column::Id => "id",
            Column::Name => "name",
            Column::NameZh => "name_zh",
            Column::Level => "level",
            Column::Role => "role",
            Column::Unit => "unit",
            Column::LandOffice => "land_office",
            Column::Phone => "phone",
            Column::Zone => "zone",
            Column::From => "from",
        }
    }

    /// The Chinese heading.
    pub fn chinese(self) -> &'static str {
        match self {
            Column::Kind => "类别",
            Column::Id => "编号",
            Column::Name => "名称",
            Column::NameZh => "中文名称",
            Column::Level => "级别",
            Column::Role => "角色",
            Column::Unit => "所属单位",
            Column::LandOffice => "国土资源所",
            Column::Phone => "电话",
            Column::Zone => "片区",
            Column::From => "起始日期",
        }
    }

    /// The column a heading names, in either language (case and surrounding spaces ignored).
    pub fn from_heading(heading: &str) -> Option<Column> {
        let h = heading.trim();
        Column::ALL.into_iter().find(|c| c.english().eq_ignore_ascii_case(h) || c.chinese() == h)
    }
}

/// Which language a roster's headings (and the words export writes in its cells) are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    English,
    Chinese,
}

impl Language {
    pub fn heading(self, c: Column) -> &'static str {
        match self {
            Language::English => c.english(),
            Language::Chinese => c.chinese(),
        }
    }
}

/// A row's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Unit,
    Person,
}

/// Words in either language: (English, Chinese, value).
const KINDS: [(&str, &str, RowKind); 2] = [("unit", "单位", RowKind::Unit), ("person", "人员", RowKind::Person)];
const ROLES: [(&str, &str, Role); 5] = [
    ("village_officer", "动态巡查信息员", Role::VillageOfficer),
    ("township_inspector", "执法监察员", Role::TownshipInspector),
    ("county_auditor", "矿产股", Role::CountyAuditor),
    ("commissioner", "特邀监察专员", Role::Commissioner),
    ("admin", "系统管理员", Role::Admin),
];
const LEVELS: [(&str, &str, UnitLevel); 4] = [
    ("township", "乡", UnitLevel::Township),
    ("town", "镇", UnitLevel::Town),
    ("farm", "场", UnitLevel::Farm),
    ("village", "村", UnitLevel::Village),
];
const YES_NO: [(&str, &str, bool); 2] = [("yes", "是", true), ("no", "否", false)];

fn read<T: Copy>(table: &[(&str, &str, T)], cell: &str) -> Option<T> {
    let c = cell.trim();
    table.iter().find(|(en, zh, _)| en.eq_ignore_ascii_case(c) || *zh == c).map(|(_, _, v)| *v)
}

fn write<T: Copy + PartialEq>(table: &[(&'static str, &'static str, T)], value: T, language: Language) -> &'static str {
    let (en, zh, _) = table.iter().find(|(_, _, v)| *v == value).copied().unwrap_or(("", "", value));
    match language {
        Language::English => en,
        Language::Chinese => zh,
    }
}

pub fn kind(cell: &str) -> Option<RowKind> {
    read(&KINDS, cell)
}

pub fn role(cell: &str) -> Option<Role> {
    read(&ROLES, cell)
}

/// A roster's units are township-level units and villages (the county is made by `init`).
pub fn level(cell: &str) -> Option<UnitLevel> {
    read(&LEVELS, cell)
}

/// Empty means no.
pub fn yes_no(cell: &str) -> Option<bool> {
    if cell.trim().is_empty() { Some(false) } else { read(&YES_NO, cell) }
}

pub fn kind_word(k: RowKind, l: Language) -> &'static str {
    write(&KINDS, k, l)
}

pub fn role_word(r: Role, l: Language) -> &'static str {
    write(&ROLES, r, l)
}

pub fn level_word(v: UnitLevel, l: Language) -> &'static str {
    write(&LEVELS, v, l)
}

pub fn yes_no_word(b: bool, l: Language) -> &'static str {
    write(&YES_NO, b, l)
}

/// A column's letter in a spreadsheet: 0 → A, 25 → Z, 26 → AA.
pub fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_words_read_in_either_language_and_write_back() {
        for c in Column::ALL {
            assert_eq!(Column::from_heading(c.english()), Some(c));
            assert_eq!(Column::from_heading(&format!(" {} ", c.chinese())), Some(c));
        }
        assert_eq!(Column::from_heading("ID"), Some(Column::Id));
        assert_eq!(Column::from_heading("备注"), None);
        for (en, zh, r) in ROLES {
            assert_eq!((role(en), role(zh)), (Some(r), Some(r)));
            assert_eq!((role_word(r, Language::English), role_word(r, Language::Chinese)), (en, zh));
        }
        assert_eq!(level("镇"), Some(UnitLevel::Town));
        assert_eq!(level("county"), None, "the county is not a roster unit");
        assert_eq!((yes_no(""), yes_no("是"), yes_no("No"), yes_no("maybe")), (Some(false), Some(true), Some(false), None));
        assert_eq!([letter(0), letter(25), letter(26), letter(27)], ["A", "Z", "AA", "AB"]);
    }
}
