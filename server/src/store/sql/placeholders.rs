//! Placeholders rewritten for PostgreSQL: the store writes `?1`, `?2` (or a bare `?`, numbered in
//! order) as SQLite reads them, and PostgreSQL reads `$1`, `$2`. Quoted text, quoted names and
//! comments are left as they are.

/// `sql` with every `?N` as `$N` and every bare `?` as `$k`, k counting the bare ones from 1.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut bare = 0;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                // To the closing quote; a doubled quote inside reopens it on the next turn.
                for q in chars.by_ref() {
                    out.push(q);
                    if q == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for q in chars.by_ref() {
                    out.push(q);
                    if q == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                out.push('$');
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    while let Some(d) = chars.next_if(char::is_ascii_digit) {
                        out.push(d);
                    }
                } else {
                    bare += 1;
                    out.push_str(&bare.to_string());
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn numbered_and_bare_placeholders_become_dollars() {
        assert_eq!(numbered("SELECT a FROM t WHERE b = ?1 AND c = ?12 OR d = ?1"), "SELECT a FROM t WHERE b = $1 AND c = $12 OR d = $1");
        assert_eq!(numbered("INSERT INTO t VALUES (?, ?, ?)"), "INSERT INTO t VALUES ($1, $2, $3)");
    }

    #[test]
    fn quoted_text_names_and_comments_are_kept() {
        let sql = "SELECT '?1', 'it''s ?', \"odd?name\" FROM t -- why ?\nWHERE x = ?2";
        assert_eq!(numbered(sql), "SELECT '?1', 'it''s ?', \"odd?name\" FROM t -- why ?\nWHERE x = $2");
    }
}
