//! The words the table's rows share: splitting, status phrases, incident states, priorities,
//! tiny ids, durations and times.

use chrono::{DateTime, NaiveDateTime, Utc};
use opsgenie_client::Priority;
use statuspage_client::{ComponentStatus, IncidentStatus};

/// If `line` starts with `words` (each `a|b` accepts either; case-insensitive, whole words),
/// what follows them, trimmed. A last word written with a `?` glued on (`status?`) matches, and
/// leaves the `?`.
pub(super) fn strip_words(line: &str, words: &[&str]) -> Option<String> {
    let mut rest = line.trim_start();
    for (i, word) in words.iter().enumerate() {
        let (typed, tail) = split_word(rest);
        let matches = |typed: &str| word.split('|').any(|w| typed.eq_ignore_ascii_case(w));
        if matches(typed) {
            rest = tail;
        } else if i + 1 == words.len()
            && typed.len() > 1
            && typed.ends_with('?')
            && matches(&typed[..typed.len() - 1])
        {
            return Some(
                format!("?{}{tail}", if tail.is_empty() { "" } else { " " })
                    .trim()
                    .to_owned(),
            );
        } else {
            return None;
        }
    }
    Some(rest.trim().to_owned())
}

/// Splits off the first whitespace-separated word.
pub(super) fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find(char::is_whitespace) {
        Some(at) => (&text[..at], text[at..].trim_start()),
        None => (text, ""),
    }
}

/// The component status phrases people type, longest first so `major outage` wins over `outage`.
pub(super) const STATUS_PHRASES: &[&str] = &[
    "degraded performance",
    "under maintenance",
    "partial outage",
    "major outage",
    "operational",
    "maintenance",
    "degraded",
    "partial",
    "major",
];

/// The status a phrase of [`STATUS_PHRASES`] means: chat vocabulary is the parser's, the SDK
/// only takes Statuspage's own values.
fn component_status(phrase: &str) -> Option<ComponentStatus> {
    match phrase {
        "operational" => Some(ComponentStatus::Operational),
        "degraded performance" | "degraded" => Some(ComponentStatus::DegradedPerformance),
        "partial outage" | "partial" => Some(ComponentStatus::PartialOutage),
        "major outage" | "major" => Some(ComponentStatus::MajorOutage),
        "under maintenance" | "maintenance" => Some(ComponentStatus::UnderMaintenance),
        _ => None,
    }
}

/// Splits `Build Processing major outage` into (`Build Processing`, MajorOutage).
pub(super) fn split_status_suffix(text: &str) -> Option<(&str, ComponentStatus)> {
    let lower = text.to_ascii_lowercase();
    for phrase in STATUS_PHRASES {
        if let Some(head) = lower.strip_suffix(phrase) {
            // The phrase must be whole words: `Ops degraded`, not `Opsdegraded`.
            if !(head.is_empty() || head.ends_with(char::is_whitespace)) {
                continue;
            }
            let status = component_status(phrase)?;
            return Some((text[..head.len()].trim_end(), status));
        }
    }
    None
}

pub(super) fn incident_status(word: &str) -> Option<IncidentStatus> {
    match word.to_ascii_lowercase().as_str() {
        "investigating" => Some(IncidentStatus::Investigating),
        "identified" => Some(IncidentStatus::Identified),
        "monitoring" => Some(IncidentStatus::Monitoring),
        "resolved" => Some(IncidentStatus::Resolved),
        _ => None,
    }
}

/// An incident id as the bot shows it: Statuspage ids are 12 lowercase alphanumerics.
pub(super) fn looks_like_incident_id(word: &str) -> bool {
    word.len() >= 8
        && word.chars().all(|c| c.is_ascii_alphanumeric())
        && word.chars().any(|c| c.is_ascii_digit())
        && incident_status(word).is_none()
}

pub(super) fn priority(word: &str) -> Option<Priority> {
    match word.to_ascii_uppercase().as_str() {
        "P1" => Some(Priority::P1),
        "P2" => Some(Priority::P2),
        "P3" => Some(Priority::P3),
        "P4" => Some(Priority::P4),
        "P5" => Some(Priority::P5),
        _ => None,
    }
}

/// `42` or `#42`.
pub(super) fn tiny_id(text: &str) -> Result<String, String> {
    let id = text.trim().trim_start_matches('#');
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("`{}` is not an alert number", text.trim()));
    }
    Ok(id.to_owned())
}

/// `90m`, `2h`, `1h30m`, `1d`, `45s`: at least one part, no sign, under a year.
pub fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let text = text.trim().to_ascii_lowercase();
    if text.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        let n: i64 = number.parse().ok()?;
        number.clear();
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    if !number.is_empty() || total == 0 || total > 366 * 86_400 {
        return None;
    }
    Some(chrono::Duration::seconds(total))
}

/// RFC 3339 (`2026-12-01T02:00:00Z`, offsets allowed) or minute precision (`2026-12-01T02:00Z`,
/// `2026-12-01T02:00`, `2026-12-01 02:00`, read as UTC), in any case.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    // Words are case-insensitive, times too: `2026-12-01t02:00z`.
    let text = text.to_ascii_uppercase();
    let text = text.as_str();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = text.strip_suffix('Z').unwrap_or(text);
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(naive, format).ok())
        .map(|t| t.and_utc())
}
