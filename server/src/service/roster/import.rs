//! Carrying a roster import out: the file is read and checked off the async workers, then
//! planned against the store's reference events and authored, all in one writer transaction (so a
//! crash leaves the store as before or as the roster says, and a dry run writes nothing).

use std::sync::Arc;
use sync_protocol::body::Role;
use sync_protocol::ids::UserId;

use super::plan::{Summary, plan};
use super::stored::People;
use super::table::{Format, read};
use super::{RosterError, parse};
use crate::store::ReferenceData;

/// How to import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RosterOptions {
    /// Check and plan, author nothing.
    pub dry_run: bool,
}

/// What an import reports as it goes (the command line shows it as a progress bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Checking this many rows.
    Checking(usize),
    /// Authoring this many events.
    Importing(usize),
    /// One event authored.
    Authored,
}

pub type OnStep = Arc<dyn Fn(Step) + Send + Sync>;

/// Imports a roster file's bytes in the name of the admin `by`; returns what was (or, in a dry
/// run, would be) authored. An invalid roster writes nothing and returns every problem.
pub async fn import(
    store: &dyn ReferenceData,
    bytes: Vec<u8>,
    format: Format,
    by: UserId,
    options: RosterOptions,
    on_step: OnStep,
) -> Result<Summary, RosterError> {
    let step = on_step.clone();
    let roster = tokio::task::spawn_blocking(move || {
        let rows = read(&bytes, format)?;
        step(Step::Checking(rows.len()));
        parse::parse(&rows).map_err(RosterError::Invalid)
    })
    .await
    .map_err(|e| RosterError::Check(e.to_string()))??;
    let step = on_step.clone();
    // Planned against what is stored, in the writer's transaction that authors the plan.
    let planner = move |bodies: &[sync_protocol::body::Body], _now_ms: i64| {
        let stored = People::fold(bodies);
        if stored.people.get(&by).is_none_or(|p| p.role != Role::Admin || p.disabled) {
            return (Vec::new(), Err(RosterError::NotAnAdmin(by.clone())));
        }
        match plan(&roster, &stored, &by) {
            Ok(plan) if options.dry_run => (Vec::new(), Ok(plan.summary)),
            Ok(plan) => {
                step(Step::Importing(plan.bodies.len()));
                (plan.bodies, Ok(plan.summary))
            }
            Err(problems) => (Vec::new(), Err(RosterError::Invalid(problems))),
        }
    };
    store.author_with(planner, Vec::new(), Box::new(move || on_step(Step::Authored))).await?
}
