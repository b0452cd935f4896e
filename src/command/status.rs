//! The argument readers of the Status page rows added for incidents that know their components:
//! several components at once, `on ...` clauses, `affect`, `impact`, templates, uptime and
//! postmortems.

use statuspage_client::Impact;

use super::parse::{looks_like_incident_id, split_status_suffix, split_word};
use super::vocabulary::incident_status;
use super::{ArgsResult, Command, OnClause, StatusCommand};

fn status(cmd: StatusCommand) -> Command {
    Command::Status(cmd)
}

/// Every way the end of `text` reads as `on <component>[, <component>...] <status>`, shortest
/// first. `on` must be a whole word; every component name must be non-empty.
pub(super) fn on_clauses(text: &str) -> Vec<OnClause> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut out = Vec::new();
    for (at, _) in lower
        .match_indices("on")
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        let starts_word = at == 0 || bytes.get(at - 1).is_some_and(u8::is_ascii_whitespace);
        let ends_word = bytes.get(at + 2).is_some_and(u8::is_ascii_whitespace);
        if !(starts_word && ends_word) {
            continue;
        }
        // `at` and `at + 2` are ASCII positions, so they are char boundaries of `text` too.
        let Some((names, status)) = split_status_suffix(text[at + 2..].trim()) else {
            continue;
        };
        let components: Vec<String> = names.split(',').map(|n| n.trim().to_owned()).collect();
        if components.iter().any(String::is_empty) {
            continue;
        }
        out.push(OnClause {
            before: text[..at].trim().to_owned(),
            components,
            status,
        });
    }
    out
}

/// `status open <state> <name>[: <message>] [on ...]`.
pub(super) fn open(rest: &str) -> ArgsResult {
    let (word, rest) = split_word(rest);
    let status_word = incident_status(word).ok_or(
        "say what state the incident is in: investigating, identified, monitoring or resolved",
    )?;
    let (name, message) = match rest.split_once(':') {
        Some((name, message)) => (name.trim(), Some(message.trim()).filter(|m| !m.is_empty())),
        None => (rest.trim(), None),
    };
    if name.is_empty() {
        return Err("the incident needs a name".into());
    }
    let on = match message {
        Some(message) => on_clauses(message),
        // Without a message the clause ends the name, and the name cannot be only the clause.
        None => on_clauses(name)
            .into_iter()
            .filter(|c| !c.before.is_empty())
            .collect(),
    };
    Ok(Some(status(StatusCommand::Open {
        status: status_word,
        name: name.to_owned(),
        message: message.map(str::to_owned),
        on,
    })))
}

/// `status open from <template name> [on ...]`.
pub(super) fn open_from(rest: &str) -> ArgsResult {
    if rest.is_empty() {
        return Err("say which template, see status templates".into());
    }
    let on = on_clauses(rest)
        .into_iter()
        .filter(|c| !c.before.is_empty())
        .collect();
    Ok(Some(status(StatusCommand::OpenFrom {
        template: rest.to_owned(),
        on,
    })))
}

/// An incident id first, when what follows still makes sense without it.
fn with_incident<T>(rest: &str, read: impl Fn(&str) -> Option<T>) -> Option<(Option<String>, T)> {
    let (first, tail) = split_word(rest);
    if looks_like_incident_id(first)
        && let Some(value) = read(tail)
    {
        return Some((Some(first.to_owned()), value));
    }
    read(rest).map(|value| (None, value))
}

/// `status affect [<incident id>] <component> <status>`.
pub(super) fn affect(rest: &str) -> ArgsResult {
    let read = |text: &str| {
        split_status_suffix(text)
            .filter(|(component, _)| !component.is_empty())
            .map(|(component, status)| (component.to_owned(), status))
    };
    let (incident, (component, new_status)) = with_incident(rest, read).ok_or(
        "say which component and its status, e.g. status affect API major outage \
         (statuses: operational, degraded, partial, major, maintenance)",
    )?;
    Ok(Some(status(StatusCommand::Affect {
        incident,
        component,
        status: new_status,
    })))
}

const IMPACT_WORDS: &str = "none, minor, major or critical";

fn impact_word(word: &str) -> Result<Impact, String> {
    match word.to_ascii_lowercase().as_str() {
        "none" => Ok(Impact::None),
        "minor" => Ok(Impact::Minor),
        "major" => Ok(Impact::Major),
        "critical" => Ok(Impact::Critical),
        _ => Err(format!("`{word}` is not an impact: say {IMPACT_WORDS}")),
    }
}

/// `status impact [<incident id>] <none|minor|major|critical>`.
pub(super) fn impact(rest: &str) -> ArgsResult {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (incident, word) = match words.as_slice() {
        [] => return Err(format!("say the impact: {IMPACT_WORDS}")),
        [word] => (None, *word),
        [id, word] if looks_like_incident_id(id) => (Some((*id).to_owned()), *word),
        // `status Impact Tracker major` sets a component whose name starts with "Impact".
        _ if split_status_suffix(rest).is_some() => return Ok(None),
        _ => return Err(format!("say the impact: {IMPACT_WORDS}")),
    };
    let impact = impact_word(word)?;
    Ok(Some(status(StatusCommand::Impact { incident, impact })))
}

/// `status uptime <component>`.
pub(super) fn uptime(rest: &str) -> ArgsResult {
    let component = rest.strip_suffix('?').unwrap_or(rest).trim();
    if component.is_empty() {
        return Err("say which component".into());
    }
    Ok(Some(status(StatusCommand::Uptime {
        component: component.to_owned(),
    })))
}

/// `status postmortem [<incident id>]`.
pub(super) fn postmortem(rest: &str) -> ArgsResult {
    let incident = match rest.split_whitespace().collect::<Vec<_>>().as_slice() {
        [] => None,
        [id] if looks_like_incident_id(id) => Some((*id).to_owned()),
        _ => return Err(format!("`{rest}` is not an incident id")),
    };
    Ok(Some(status(StatusCommand::Postmortem { incident })))
}

/// `status <component>, <component>... <status>`: only when there is a comma in the names.
pub(super) fn set_several(rest: &str) -> ArgsResult {
    if rest.ends_with('?') {
        return Ok(None);
    }
    let Some((names, new_status)) = split_status_suffix(rest) else {
        return Ok(None);
    };
    if !names.contains(',') {
        return Ok(None);
    }
    let components: Vec<String> = names.split(',').map(|n| n.trim().to_owned()).collect();
    if components.iter().any(String::is_empty) {
        return Err("a component name is missing between the commas".into());
    }
    Ok(Some(status(StatusCommand::SetSeveral {
        components,
        status: new_status,
    })))
}
