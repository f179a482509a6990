//! The matrix against the server's route table: every route has rows, every op names a route that
//! exists, and every op's request goes to the route it names. A route added to the server without
//! rows in the matrix fails the test here.

use std::collections::BTreeSet;

use super::spec::{CheckedRow, Matrix};

/// `"GET /v1/x"` → `("GET", "/v1/x")`.
fn split(route: &str) -> Option<(&str, &str)> {
    route.split_once(' ').map(|(m, p)| (m, p.trim()))
}

/// Whether a request path (its query left out) fits a route pattern, `{name}` matching one
/// non-empty segment and a last `{name:.+}` the non-empty rest of the path.
pub fn fits(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    let (mut p, mut q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if p.last().is_some_and(|last| last.starts_with('{') && last.ends_with(":.+}")) && q.len() >= p.len() {
        let rest = q.split_off(p.len() - 1).join("/");
        p.pop();
        if rest.is_empty() {
            return false;
        }
    }
    p.len() == q.len() && p.iter().zip(&q).all(|(p, q)| if p.starts_with('{') && p.ends_with('}') { !q.is_empty() } else { p == q })
}

/// Every problem found, empty when the matrix covers exactly the server's routes.
pub fn problems(matrix: &Matrix, rows: &[CheckedRow], routes: &[(&str, &str)]) -> Vec<String> {
    let mut problems = Vec::new();
    let table: BTreeSet<(String, String)> = routes.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    let used: BTreeSet<&str> = rows.iter().map(|r| r.op.as_str()).collect();
    let mut covered = BTreeSet::new();
    for (name, op) in &matrix.ops {
        let Some((method, pattern)) = split(&op.route) else {
            problems.push(format!("op {name}: route {:?} is not \"METHOD /path\"", op.route));
            continue;
        };
        if !table.contains(&(method.to_owned(), pattern.to_owned())) {
            problems.push(format!("op {name}: the server has no route {}", op.route));
        }
        match split(&op.call) {
            Some((m, path)) if m == method && fits(pattern, path) => {}
            _ => problems.push(format!("op {name}: call {:?} does not go to {}", op.call, op.route)),
        }
        if !used.contains(name.as_str()) {
            problems.push(format!("op {name}: no row uses it"));
        } else {
            covered.insert((method.to_owned(), pattern.to_owned()));
        }
    }
    for (method, pattern) in table.difference(&covered) {
        problems.push(format!("route {method} {pattern} has no rows in the access matrix"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::fits;

    #[test]
    fn paths_fit_patterns_segment_by_segment() {
        assert!(fits("/v1/blobs/{sha256}", "/v1/blobs/{sha256}"));
        assert!(fits("/v1/admin/users/{id}/disable", "/v1/admin/users/cm-7/disable"));
        assert!(fits("/v1/flags", "/v1/flags?village=T01-V01"));
        assert!(!fits("/v1/admin/users/{id}/disable", "/v1/admin/users/cm-7/enable"));
        assert!(!fits("/v1/blobs/{sha256}", "/v1/blobs/"));
        assert!(fits("/console/{file:.+}", "/console/js/pages/week.js"));
        assert!(fits("/console/{file:.+}", "/console/app.css"));
        assert!(!fits("/console/{file:.+}", "/console/"));
        assert!(!fits("/console/{file:.+}", "/other/app.css"));
        assert!(!fits("/v1/flags", "/v1/flags/x"));
    }
}
