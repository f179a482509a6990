//! Tests of the device library that need no server: replica transactions, recording offline,
//! outbox states, replies applied through the same function sync uses, identities, tracks.

mod acks;
mod cli;
mod converge;
mod copies;
pub(crate) mod fixture;
mod fold_parts;
mod identities;
mod overlaps;
mod pulls;
mod reads;
mod recording;
mod tracks;
mod upgrade;
mod upload_loop;
