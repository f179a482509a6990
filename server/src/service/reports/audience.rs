//! Who may read a report and what it shows them: a village officer their own rows, a township
//! inspector their townships, the county section and commissioners everything (read-only).
//! Admins manage users and reference data and read no report.

use std::collections::BTreeSet;
use sync_protocol::body::Role;
use sync_protocol::ids::{UnitId, UserId};

use super::ReportError;
use crate::service::principal::Principal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// A village officer: only their own rows.
    Officer(UserId),
    /// A township inspector: the townships they answer for.
    Townships(BTreeSet<UnitId>),
    /// The county section and the commissioners: everything.
    County,
}

impl Audience {
    /// The caller's audience; an admin is refused (403).
    pub fn of(principal: &Principal) -> Result<Audience, ReportError> {
        match principal.user.role {
            Role::VillageOfficer => Ok(Audience::Officer(principal.user.id.clone())),
            Role::TownshipInspector => Ok(Audience::Townships(principal.user.units.iter().cloned().collect())),
            Role::CountyAuditor | Role::Commissioner => Ok(Audience::County),
            Role::Admin => Err(ReportError::Forbidden("an admin reads no report")),
        }
    }

    /// Like [`Audience::of`], refusing village officers too (403): reports about a township.
    pub fn above_village(principal: &Principal) -> Result<Audience, ReportError> {
        match Audience::of(principal)? {
            Audience::Officer(_) => Err(ReportError::Forbidden("this report is for township inspectors and the county")),
            other => Ok(other),
        }
    }

    /// Only the county section and commissioners (403 for everyone else).
    pub fn county(principal: &Principal) -> Result<Audience, ReportError> {
        match Audience::of(principal)? {
            Audience::County => Ok(Audience::County),
            _ => Err(ReportError::Forbidden("this report is for the county mineral section and commissioners")),
        }
    }

    /// Only the county auditor (403 for everyone else, commissioners included): the log's
    /// checkpoints and proofs are the auditor's instruments, and making a checkpoint writes one.
    pub fn county_auditor(principal: &Principal) -> Result<Audience, ReportError> {
        match principal.user.role {
            Role::CountyAuditor => Ok(Audience::County),
            _ => Err(ReportError::Forbidden("this is for the county auditor")),
        }
    }

    /// Whether the audience sees the township `t`.
    pub fn sees_township(&self, t: &UnitId) -> bool {
        match self {
            Audience::Officer(_) => false,
            Audience::Townships(mine) => mine.contains(t),
            Audience::County => true,
        }
    }

    /// Checks a requested township filter: outside the audience it does not exist for them (404).
    pub fn township_filter(&self, t: Option<&UnitId>) -> Result<(), ReportError> {
        match t {
            Some(t) if !self.sees_township(t) => Err(ReportError::NotFound),
            _ => Ok(()),
        }
    }
}
