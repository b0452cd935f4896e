//! The subset of Opsgenie's search language that bots use.

use crate::alerts::{Alert, Priority};

/// One condition of a query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cond {
    Status(String),
    Acknowledged(bool),
    Priority(Priority),
    Tag(String),
    TinyId(String),
    Alias(String),
    CreatedAt(Cmp, i64),
    UpdatedAt(Cmp, i64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

/// Parses `a:b AND c:d AND createdAt <= 123`; `Err` names what is not understood.
pub(crate) fn parse(query: &str) -> Result<Vec<Cond>, String> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let mut conds = Vec::new();
    for term in split_and(query) {
        let term = term
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        if term.is_empty() {
            return Err("empty term".into());
        }
        // Nested parentheses from window queries: `(a AND b) AND createdAt <= n`.
        if term.to_ascii_uppercase().contains(" AND ") {
            conds.extend(parse(term)?);
            continue;
        }
        conds.push(parse_term(term)?);
    }
    Ok(conds)
}

fn split_and(query: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let words: Vec<&str> = query.split(' ').collect();
    for word in words {
        if depth == 0 && word.eq_ignore_ascii_case("AND") {
            parts.push(std::mem::take(&mut current));
            continue;
        }
        depth += word.matches('(').count() as i32 - word.matches(')').count() as i32;
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    parts.push(current);
    parts
}

fn parse_term(term: &str) -> Result<Cond, String> {
    for (op, cmp) in [
        ("<=", Cmp::Le),
        (">=", Cmp::Ge),
        ("<", Cmp::Lt),
        (">", Cmp::Gt),
    ] {
        if let Some((field, value)) = term.split_once(op) {
            let field = field.trim();
            if !matches!(field, "createdAt" | "updatedAt") {
                return Err(format!("unsupported comparison on `{field}`"));
            }
            let value = value.trim().trim_matches('"');
            let ms = value
                .parse::<i64>()
                .ok()
                .or_else(|| {
                    chrono::DateTime::parse_from_rfc3339(value)
                        .ok()
                        .map(|d| d.timestamp_millis())
                })
                .ok_or_else(|| format!("bad {field} value `{value}`"))?;
            return Ok(if field == "updatedAt" {
                Cond::UpdatedAt(cmp, ms)
            } else {
                Cond::CreatedAt(cmp, ms)
            });
        }
    }
    let (field, value) = term
        .split_once(':')
        .ok_or_else(|| format!("cannot parse `{term}`"))?;
    let value = value.trim().trim_matches('"');
    match field.trim() {
        "status" => match value {
            // `acked` and `snoozed` are JSM's statuses of alerts that are still open.
            "open" | "closed" | "resolved" | "acked" | "snoozed" => {
                Ok(Cond::Status(value.to_owned()))
            }
            other => Err(format!("unknown status `{other}`")),
        },
        "acknowledged" => match value {
            "true" => Ok(Cond::Acknowledged(true)),
            "false" => Ok(Cond::Acknowledged(false)),
            other => Err(format!("acknowledged must be true or false, not `{other}`")),
        },
        "priority" => match value.parse::<Priority>() {
            Ok(p) => Ok(Cond::Priority(p)),
            Err(_) => Err(format!("unknown priority `{value}`")),
        },
        "tag" | "tags" => Ok(Cond::Tag(value.to_owned())),
        "tinyId" => Ok(Cond::TinyId(value.to_owned())),
        "alias" => Ok(Cond::Alias(
            value.replace("\\\"", "\"").replace("\\\\", "\\"),
        )),
        other => Err(format!("unsupported field `{other}`")),
    }
}

/// Whether an alert matches every condition.
pub(crate) fn matches(alert: &Alert, conds: &[Cond]) -> bool {
    conds.iter().all(|c| match c {
        Cond::Status(s) if s == "acked" => {
            alert.is_open() && alert.acknowledged && !snoozed_now(alert)
        }
        Cond::Status(s) if s == "snoozed" => alert.is_open() && snoozed_now(alert),
        Cond::Status(s) => alert.status.as_ref().map(|v| v.as_str()) == Some(s.as_str()),
        Cond::Acknowledged(a) => alert.acknowledged == *a,
        Cond::Priority(p) => alert.priority.as_ref() == Some(p),
        Cond::Tag(t) => alert.tags.iter().any(|x| x == t),
        Cond::TinyId(t) => alert.tiny_id.as_deref() == Some(t.as_str()),
        Cond::Alias(a) => alert.alias.as_deref() == Some(a.as_str()),
        Cond::CreatedAt(cmp, ms) => compare(alert.created_at, *cmp, *ms),
        Cond::UpdatedAt(cmp, ms) => compare(alert.updated_at, *cmp, *ms),
    })
}

fn compare(at: Option<chrono::DateTime<chrono::Utc>>, cmp: Cmp, ms: i64) -> bool {
    let at = at.map(|d| d.timestamp_millis()).unwrap_or(0);
    match cmp {
        Cmp::Lt => at < ms,
        Cmp::Le => at <= ms,
        Cmp::Gt => at > ms,
        Cmp::Ge => at >= ms,
    }
}

fn snoozed_now(alert: &Alert) -> bool {
    alert.snoozed
        && alert
            .snoozed_until
            .is_none_or(|until| until > chrono::Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_bot_subset() {
        assert_eq!(
            parse("status:open AND acknowledged:false"),
            Ok(vec![Cond::Status("open".into()), Cond::Acknowledged(false)])
        );
        assert_eq!(
            parse("status: open and priority:P1 AND tag:db"),
            Ok(vec![
                Cond::Status("open".into()),
                Cond::Priority(Priority::P1),
                Cond::Tag("db".into())
            ])
        );
        assert_eq!(
            parse("(status:open AND tag:x) AND createdAt <= 1700000000000"),
            Ok(vec![
                Cond::Status("open".into()),
                Cond::Tag("x".into()),
                Cond::CreatedAt(Cmp::Le, 1_700_000_000_000)
            ])
        );
        assert_eq!(
            parse("updatedAt >= 1700000000000"),
            Ok(vec![Cond::UpdatedAt(Cmp::Ge, 1_700_000_000_000)])
        );
        assert_eq!(parse(""), Ok(vec![]));
        assert!(parse("priority:P9").is_err());
        assert!(parse("teams:ops").is_err());
        assert!(parse("status:maybe").is_err());
    }
}
