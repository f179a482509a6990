//! Evidence in the central store: accepted attachments with the place they concern and their
//! evidence checks (written by the writer), blob completeness, and the scoped reads the blob and
//! missing-evidence routes make.
//!
//! # Layout
//! - `subjects`: the stored patrol or finding an attachment names.
//! - `record`: an accepted `attachment.added` stored, checked and flagged; a verified blob recorded.
//! - `access`: who may see a blob, and which attachments still miss their bytes.

pub mod access;
mod record;
mod subjects;
