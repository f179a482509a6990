//! The real parts the tests drive and this machine may lack (Chromium, PostgreSQL), installed from
//! Debian's packages by `.ci/test-deps` the first time a test asks for one, once per test process.

use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// A part `.ci/test-deps` installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// Headless Chromium and chromedriver, for the console's tests.
    Browser,
    /// PostgreSQL's server binaries and PostGIS, for the second engine's tests.
    Postgres,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Browser => "browser",
            Part::Postgres => "postgres",
        }
    }
}

/// What each part's first call found, so that the tests of one process run the script once a part.
static DONE: Mutex<BTreeMap<Part, Result<(), String>>> = Mutex::new(BTreeMap::new());

/// Makes sure `part` is installed: runs `.ci/test-deps` for it (which does nothing when it is
/// there, installs it as root from Debian's packages, or else says what to install), once per
/// process. The error carries the script's words.
pub fn ensure(part: Part) -> Result<()> {
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    let outcome = done.entry(part).or_insert_with(|| run(part)).clone();
    match outcome {
        Ok(()) => Ok(()),
        Err(why) => bail!("{} for the tests: {why}", part.name()),
    }
}

fn run(part: Part) -> Result<(), String> {
    let script = script();
    let out = Command::new("bash").arg(&script).arg(part.name()).output().map_err(|e| format!("{}: {e}", script.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{} {} failed ({}): {}", script.display(), part.name(), out.status, String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// `.ci/test-deps` of this checkout.
fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(".ci").join("test-deps")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_the_checkouts_and_refuses_a_part_it_does_not_know() -> Result<()> {
        assert!(script().is_file(), "{}", script().display());
        let out = Command::new("bash").arg(script()).arg("no-such-part").output()?;
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("unknown part 'no-such-part'"));
        Ok(())
    }
}
