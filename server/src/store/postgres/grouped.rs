//! The writer's rows that wait in its queue (`queue`) as rows of one multi-row `INSERT` per
//! statement, sent before the next answered statement: a push's events, their log leaves and their
//! routes, one statement each for the whole push rather than one per row (issue 16's push on
//! PostgreSQL, where each statement costs the backend a parse, a plan's start and a round of its
//! executor).
//!
//! Only plain single-row inserts into [`GROUPED`] tables wait so: tables that no trigger reads and
//! that no write of the writer reads without an answer, so that their rows may reach the table
//! later than the writes queued after them. A queued statement that names one of these tables,
//! and every answered statement, sends the waiting rows first.

/// The tables whose rows may wait. A trigger, or a write the writer queues, that reads one of them
/// would have to name it in its text or be kept off this list.
pub const GROUPED: [&str; 3] = ["events", "merkle_leaves", "event_routes"];

/// An insert whose rows wait: the statement's text up to its `VALUES`, and the rows so far.
#[derive(Debug)]
pub struct Group {
    /// The statement as written (`?N` placeholders), which identifies the group.
    pub sql: String,
    /// `INSERT INTO t (columns) VALUES `.
    head: String,
    /// `(literal, …), (literal, …)`.
    rows: String,
}

impl Group {
    pub fn new(sql: &str, head: &str) -> Group {
        Group { sql: sql.to_owned(), head: head.to_owned(), rows: String::new() }
    }

    /// Adds a row, written as `(literal, …)`.
    pub fn add(&mut self, row: &str) {
        if !self.rows.is_empty() {
            self.rows.push_str(", ");
        }
        self.rows.push_str(row);
    }

    /// The statement inserting every row, ended by `;`.
    pub fn statement(&self) -> String {
        format!("{}{};", self.head, self.rows)
    }
}

/// The text up to `VALUES ` of `sql` if its rows may wait: a single-row insert into a [`GROUPED`]
/// table, `INSERT INTO t (columns) VALUES (?1, ?2, …, ?n)` with its `n` placeholders in order and
/// nothing after them (no `ON CONFLICT`, no `RETURNING`).
pub fn groupable(sql: &str) -> Option<String> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let text = words.join(" ");
    let rest = text.strip_prefix("INSERT INTO ")?;
    let table = rest.split([' ', '(']).next()?;
    if !GROUPED.contains(&table) {
        return None;
    }
    let (head, values) = text.split_once(" VALUES ")?;
    let inner = values.strip_prefix('(')?.strip_suffix(')')?;
    let in_order = inner.split(',').enumerate().all(|(i, p)| p.trim() == format!("?{}", i + 1));
    (in_order && !head.contains('?')).then(|| format!("{head} VALUES "))
}

/// Whether `sql` names a table whose rows may be waiting (conservatively: any mention of the name,
/// even inside a longer one).
pub fn names_grouped(sql: &str) -> bool {
    GROUPED.iter().any(|t| sql.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_inserts_into_the_grouped_tables_wait() {
        let head = groupable("INSERT INTO event_routes (bucket, server_seq)\n VALUES (?1, ?2)");
        assert_eq!(head.as_deref(), Some("INSERT INTO event_routes (bucket, server_seq) VALUES "));
        for sql in [
            "INSERT INTO flags (event_id, kind) VALUES (?1, ?2)",
            "INSERT INTO events (a, b) VALUES (?2, ?1)",
            "INSERT INTO events (a, b) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            "INSERT INTO events (a, b) VALUES (?1, ?2) RETURNING a",
            "INSERT INTO events (a, b) SELECT ?1, ?2",
            "INSERT INTO events (a, b) VALUES (?1, 'x')",
            "UPDATE events SET a = ?1",
        ] {
            assert_eq!(groupable(sql), None, "{sql}");
        }
        assert!(names_grouped("SELECT raw FROM events WHERE id = ?1"));
        assert!(!names_grouped("INSERT INTO patrol_checks (patrol) VALUES (?1)"));
    }

    #[test]
    fn a_group_is_one_statement_of_its_rows() {
        let mut group = Group::new("INSERT INTO events (a, b) VALUES (?1, ?2)", "INSERT INTO events (a, b) VALUES ");
        group.add("('1', 'x')");
        group.add("('2', NULL)");
        assert_eq!(group.statement(), "INSERT INTO events (a, b) VALUES ('1', 'x'), ('2', NULL);");
    }
}
