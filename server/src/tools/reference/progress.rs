//! The progress bar of import and export: on standard error, drawn only when it is a terminal
//! (indicatif hides a bar whose target is not one), so scripts and logs get no escape codes.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for a command run by a person.
pub fn terminal() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Starts a phase of `len` steps.
pub fn phase(bar: &ProgressBar, message: &'static str, len: usize) {
    bar.reset();
    bar.set_message(message);
    bar.set_length(u64::try_from(len).unwrap_or(u64::MAX));
}
