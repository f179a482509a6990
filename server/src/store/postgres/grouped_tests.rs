//! Which statements' rows may wait (`groupable`), and the statement a group of them becomes.

use super::*;
use std::sync::Arc;

/// A row of `shape` with each argument written as its number.
fn row(shape: &Shape) -> String {
    shape
        .render::<()>(&mut |out, n| {
            out.push_str(&n.to_string());
            Ok(())
        })
        .expect("written")
}

/// The text around `shape`'s rows, each argument's type named `tN`.
fn ends(shape: &Shape) -> (String, String) {
    shape.ends(&|n| format!("t{n}"))
}

#[test]
fn plain_inserts_into_the_grouped_tables_wait() {
    let shape = groupable("INSERT INTO event_routes (bucket, server_seq)\n VALUES (?1, ?2)").expect("groupable");
    assert_eq!(ends(&shape), ("INSERT INTO event_routes (bucket, server_seq) VALUES ".into(), String::new()));
    assert_eq!((row(&shape), shape.keyed, shape.rank, shape.selects()), ("(1, 2)".into(), false, 2, false));
    // The values in any order: each is written where its placeholder stands.
    assert_eq!(row(&groupable("INSERT INTO events (a, b) VALUES (?2, ?1)").expect("groupable")), "(2, 1)");
    for sql in [
        "INSERT INTO flags (event_id, kind) VALUES (?1, ?2)",
        "INSERT INTO events (a, b) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        "INSERT INTO events (a, b) VALUES (?1, ?2) RETURNING a",
        "INSERT INTO events (a, b) SELECT ?1, ?2",
        "INSERT INTO events (a, b) VALUES (?1, 'x')",
        "INSERT INTO events (a, b) VALUES (?1, NULL)",
        "INSERT INTO events (a, b) VALUES (?1)",
        "INSERT INTO events (a, b) VALUES (?1, ?)",
        "INSERT INTO events (a, b) VALUES (?1, ?2) -- a comment",
        "UPDATE events SET a = ?1",
    ] {
        assert_eq!(groupable(sql), None, "{sql}");
    }
    assert!(names_grouped("SELECT raw FROM events WHERE id = ?1"));
    assert!(names_grouped("UPDATE patrol_checks SET counts = ?2 WHERE patrol = ?1"));
    assert!(!names_grouped("INSERT INTO flags (event_id) VALUES (?1)"));
}

#[test]
fn a_value_may_be_an_expression_of_the_rows_arguments() {
    let sql = "INSERT INTO patrols (id, note, kept) VALUES (?1, ?2, CASE WHEN (SELECT string_agg(kind, ',') FROM flags
                   WHERE event_id = ?1) IS NOT DISTINCT FROM ?4 THEN ?3 END) ON CONFLICT (id) DO UPDATE SET note = excluded.note";
    let shape = groupable(sql).expect("groupable");
    // The rows are the arguments alone; the statement selects the values from them.
    assert_eq!((row(&shape), shape.keyed, shape.arguments(), shape.selects()), ("(1, 2, 3, 4)".into(), true, 4, true));
    assert_eq!(
        ends(&shape),
        (
            "INSERT INTO patrols (id, note, kept) SELECT CAST(v.a1 AS t1), CAST(v.a2 AS t2), CASE WHEN (SELECT string_agg(kind, ',') \
             FROM flags WHERE event_id = CAST(v.a1 AS t1)) IS NOT DISTINCT FROM CAST(v.a4 AS t4) THEN CAST(v.a3 AS t3) END FROM (VALUES "
                .into(),
            ") AS v(a1, a2, a3, a4) ON CONFLICT (id) DO UPDATE SET note = excluded.note".into()
        )
    );
    // A placeholder's look-alike in quotes is text, and so is a comma inside one.
    let quoted = groupable("INSERT INTO events (a, b) VALUES (?1, coalesce(?2, '?3, ?4'))").expect("groupable");
    assert_eq!(ends(&quoted).0, "INSERT INTO events (a, b) SELECT CAST(v.a1 AS t1), coalesce(CAST(v.a2 AS t2), '?3, ?4') FROM (VALUES ");
    assert_eq!((row(&quoted), ends(&quoted).1.as_str()), ("(1, 2)".into(), ") AS v(a1, a2)"));
    for sql in [
        // The key is the first column and the first argument, and the upsert's own text holds none.
        "INSERT INTO patrols (id, note) VALUES (?1, ?2) ON CONFLICT (note) DO UPDATE SET id = excluded.id",
        "INSERT INTO patrols (id, note) VALUES (?2, ?1) ON CONFLICT (id) DO UPDATE SET note = excluded.note",
        "INSERT INTO patrols (id, note) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET note = ?2",
        "INSERT INTO patrols (id, note) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET note = excluded.note RETURNING id",
        "INSERT INTO patrols (id, note) VALUES (?1, lower('x'))",
        // Quoting this layer does not read: dollar quotes, strings with a prefix.
        "INSERT INTO events (a, b) VALUES (?1, coalesce(?2, $$a  b$$))",
        "INSERT INTO events (a, b) VALUES (?1, coalesce(?2, E'it\\'s ?3'))",
        "INSERT INTO events (a, b) VALUES (?1, coalesce(?2, U&'d\\0061t'))",
        // A value that reads its own table, or one whose rows are written after it, would not see them.
        "INSERT INTO patrols (id, note) VALUES (?1, (SELECT count(*) FROM patrols WHERE author = ?2))",
        "INSERT INTO patrol_checks (patrol, n) VALUES (?1, (SELECT count(*) FROM patrols WHERE id = ?1))",
        "INSERT INTO patrols (id, note) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET note = (SELECT max(note) FROM patrols)",
    ] {
        assert_eq!(groupable(sql), None, "{sql}");
    }
    // One whose rows are written before it may be read: a patrol's check, written before its row.
    assert!(groupable("INSERT INTO patrols (id, kept) VALUES (?1, (SELECT counts FROM patrol_checks WHERE patrol = ?1))").is_some());
}

#[test]
fn a_group_is_one_statement_of_its_rows() {
    let group_of = |sql: &str| {
        let shape = Arc::new(groupable(sql).expect("groupable"));
        Group::new(sql, shape.clone(), ends(&shape))
    };
    let mut group = group_of("INSERT INTO events (a, b) VALUES (?1, ?2)");
    group.add("('1', 'x')", None);
    group.add("('2', NULL)", None);
    assert_eq!(group.statement(), "INSERT INTO events (a, b) VALUES ('1', 'x'), ('2', NULL);");

    let mut group = group_of("INSERT INTO patrols (id, note) VALUES (?1, lower(?2)) ON CONFLICT (id) DO UPDATE SET note = excluded.note");
    group.add("('\\x01', 'A')", Some("'\\x01'".into()));
    assert!(group.holds("'\\x01'") && !group.holds("'\\x02'"));
    group.add("('\\x02', NULL)", Some("'\\x02'".into()));
    assert_eq!(
        group.statement(),
        "INSERT INTO patrols (id, note) SELECT CAST(v.a1 AS t1), lower(CAST(v.a2 AS t2)) FROM (VALUES ('\\x01', 'A'), ('\\x02', NULL)) \
         AS v(a1, a2) ON CONFLICT (id) DO UPDATE SET note = excluded.note;"
    );
}
