//! One cell of the matrix: `STATUS [NOTE] [{OBJECTS}]`, e.g. `"401"`, `"200 accepted"`,
//! `"200 not_allowed"`, `"404 incomplete"`, `"200 {patrol_v1 finding_v1}"`, `"200 {}"`.
//! The note is the ack of a push (`accepted` or a rejection reason) or, for `HEAD` of a blob,
//! `incomplete` (visible, bytes not all on the server: `404` with `Upload-Offset`).

use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub status: u16,
    pub note: Option<String>,
    /// The exact set of objects the answer reveals; `None`: not checked.
    pub ids: Option<BTreeSet<String>>,
}

impl FromStr for Expect {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<Expect> {
        let (head, ids) = match text.split_once('{') {
            Some((head, rest)) => {
                let inner = rest.strip_suffix('}').with_context(|| format!("{text:?}: the set of objects ends with }}"))?;
                let ids = inner.split(|c: char| c.is_whitespace() || c == ',').filter(|s| !s.is_empty()).map(str::to_owned);
                (head, Some(ids.collect()))
            }
            None => (text, None),
        };
        let mut words = head.split_whitespace();
        let status = words.next().with_context(|| format!("{text:?}: no status"))?;
        let status: u16 = status.parse().with_context(|| format!("{text:?}: {status:?} is not a status"))?;
        if !(100..600).contains(&status) {
            bail!("{text:?}: {status} is not an HTTP status");
        }
        let note = words.next().map(str::to_owned);
        if let Some(extra) = words.next() {
            bail!("{text:?}: unexpected {extra:?}");
        }
        Ok(Expect { status, note, ids })
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(note) = &self.note {
            write!(f, " {note}")?;
        }
        if let Some(ids) = &self.ids {
            write!(f, " {{{}}}", ids.iter().cloned().collect::<Vec<_>>().join(" "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_and_print_back() {
        for text in ["401", "200 accepted", "404 incomplete", "200 {a b}", "200 {}", "200 note {a}"] {
            let e: Expect = text.parse().expect(text);
            assert_eq!(e.to_string(), text);
        }
        let e: Expect = "200 {b, a}".parse().expect("commas");
        assert_eq!(e.ids, Some(BTreeSet::from(["a".to_owned(), "b".to_owned()])));
        for bad in ["", "ok", "200 a b", "200 {a", "999"] {
            assert!(bad.parse::<Expect>().is_err(), "{bad}");
        }
    }
}
