//! The zero-report system (零报告制度) against the findings: a zero report says an officer found
//! nothing in a week, so a finding the same officer observed in that week contradicts it.
//!
//! # The rule
//! A zero report of officer O for ISO week W (county time) is contradictory when O reported a
//! finding whose `observed_at` falls in W. The zero report is flagged `contradictory_zero_report`,
//! naming the finding, whichever of the two the server received first; once per zero report.
//! The finding is not flagged: it is the evidence, the "nothing found" is what is wrong.
//!
//! # A week not yet begun
//! A zero report speaks for a week lived: one for a week that begins more than `future_slack_s`
//! [300 s] after the server's clock is flagged `future_timestamp` ([`ahead`]), as a patrol's fixes
//! ahead of it are. The phone refuses to file one.

use crate::body::{FindingReported, ZeroReportFiled};
use crate::ids::{EventId, UserId};
use crate::values::IsoWeek;

/// The officer and week a finding counts against, as a zero report states them.
pub fn finding_week(officer: &UserId, finding: &FindingReported) -> (UserId, IsoWeek) {
    (officer.clone(), IsoWeek::of_ms(finding.observed_at))
}

/// The officer and week a zero report speaks for.
pub fn report_week(report: &ZeroReportFiled) -> (UserId, IsoWeek) {
    (report.officer.clone(), report.week)
}

/// The flag's explanation, e.g. "a zero report for 2026-W48, in which the officer reported finding …".
pub fn detail(week: IsoWeek, finding: EventId) -> String {
    format!("a zero report for {week}, in which the officer reported finding {finding}")
}

/// Why `report`'s week has not begun at `now_ms`, if it begins more than `slack_ms` later, e.g.
/// "a zero report for 2027-W10, a week that begins 12 days after the server's clock".
pub fn ahead(report: &ZeroReportFiled, now_ms: i64, slack_ms: i64) -> Option<String> {
    let ahead_ms = report.week.bounds_ms().0.saturating_sub(now_ms);
    (ahead_ms > slack_ms).then(|| {
        let (days, hours) = (ahead_ms / 86_400_000, (ahead_ms % 86_400_000 / 3_600_000).max(1));
        let count = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
        let after = if days > 0 { count(days, "day") } else { count(hours, "hour") };
        format!("a zero report for {}, a week that begins {after} after the server's clock", report.week)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::FindingKind;
    use crate::ids::ZoneId;
    use crate::values::Coord;

    /// Monday 2026-11-23 00:00 county time (2026-W48 starts).
    const MONDAY: i64 = 1_795_363_200_000;

    #[test]
    fn a_finding_in_the_week_of_the_same_officer_contradicts_it() {
        let officer = UserId::new("vo-t01-v01").expect("user");
        let week: IsoWeek = "2026-W48".parse().expect("week");
        let report = ZeroReportFiled { officer: officer.clone(), week, zone: None, note: String::new() };
        let other = UserId::new("vo-t01-v02").expect("user");
        let mut finding = FindingReported {
            patrol: EventId(uuid::Uuid::nil()),
            zone: ZoneId::new("Z-T01-V01").expect("zone"),
            kind: FindingKind::Other,
            location: Coord { lon: 1_145_000_000, lat: 255_000_000 },
            depth_m: None,
            surface_elevation_m: None,
            licence: None,
            mineral: None,
            description: String::new(),
            stopped_on_spot: false,
            observed_at: MONDAY,
        };
        let cases = [
            ("Monday 00:00 county time", &officer, MONDAY, true),
            ("Sunday 23:59", &officer, MONDAY + 7 * 86_400_000 - 60_000, true),
            ("the Sunday before", &officer, MONDAY - 60_000, false),
            ("the Monday after", &officer, MONDAY + 7 * 86_400_000, false),
            ("another officer", &other, MONDAY + 86_400_000, false),
        ];
        for (what, who, at, expected) in cases {
            finding.observed_at = at;
            assert_eq!(finding_week(who, &finding) == report_week(&report), expected, "{what}");
        }
        assert_eq!(ahead(&report, MONDAY, 300_000), None, "the week under way");
        assert_eq!(ahead(&report, MONDAY - 300_000, 300_000), None, "within the slack");
        assert_eq!(
            ahead(&report, MONDAY - 300_001, 300_000).as_deref(),
            Some("a zero report for 2026-W48, a week that begins 1 hour after the server's clock")
        );
        assert_eq!(
            ahead(&report, MONDAY - 12 * 86_400_000 - 5 * 3_600_000, 300_000).as_deref(),
            Some("a zero report for 2026-W48, a week that begins 12 days after the server's clock")
        );
        assert_eq!(ahead(&report, MONDAY + 30 * 86_400_000, 300_000), None, "a past week");
        assert_eq!(
            detail(week, EventId(uuid::Uuid::nil())),
            "a zero report for 2026-W48, in which the officer reported finding 00000000-0000-0000-0000-000000000000"
        );
    }
}
