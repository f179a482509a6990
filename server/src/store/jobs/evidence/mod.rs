//! Evidence in the central store: accepted attachments with the place they concern and their
//! evidence checks, and blob completeness, written by the writer (on either engine; the scoped
//! reads of the blob and missing-evidence routes are `store::reads::evidence`).
//!
//! # Layout
//! - `subjects`: the stored patrol or finding an attachment names.
//! - `record`: an accepted `attachment.added` stored, checked and flagged; a verified blob recorded.

mod record;
mod subjects;
