//! The argument readers of the `genie` rows added for alert handling and on-call (issue 17):
//! several tiny ids at once, snooze, escalate, assign, own, priority, show, status filters,
//! next on call, schedules, overrides, take for someone, release.

use super::parse::{priority, split_word, tiny_id};
use super::{AlertFilter, ArgsResult, Command, GenieCommand, parse_duration};

fn genie(cmd: GenieCommand) -> ArgsResult {
    Ok(Some(Command::Genie(cmd)))
}

/// Every word of `rest` as a tiny id (at least one).
fn tiny_ids(rest: &str) -> Result<Vec<String>, String> {
    let ids = rest
        .split_whitespace()
        .map(tiny_id)
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Err("say which alert, by its number".into());
    }
    Ok(ids)
}

/// `genie ack <tiny id> [<tiny id> ...]`: one id is [`GenieCommand::Ack`], more [`GenieCommand::AckMany`].
pub(super) fn ack(rest: &str) -> ArgsResult {
    let mut ids = tiny_ids(rest)?;
    if ids.len() == 1 {
        return genie(GenieCommand::Ack {
            tiny_id: ids.remove(0),
        });
    }
    genie(GenieCommand::AckMany { tiny_ids: ids })
}

/// `genie close <tiny id> [<tiny id> ...]`.
pub(super) fn close(rest: &str) -> ArgsResult {
    let mut ids = tiny_ids(rest)?;
    if ids.len() == 1 {
        return genie(GenieCommand::Close {
            tiny_id: ids.remove(0),
        });
    }
    genie(GenieCommand::CloseMany { tiny_ids: ids })
}

/// `genie snooze <tiny id> <duration>`.
pub(super) fn snooze(rest: &str) -> ArgsResult {
    let (id, tail) = split_word(rest);
    let tiny_id = tiny_id(id)?;
    let tail = tail.trim();
    if tail.is_empty() {
        return Err("say for how long, e.g. 30m, 2h or 1d".into());
    }
    let duration = parse_duration(tail)
        .ok_or_else(|| format!("`{tail}` is not a duration like 30m, 2h or 1d"))?;
    genie(GenieCommand::Snooze { tiny_id, duration })
}

/// `genie escalate <tiny id> [<escalation>]`.
pub(super) fn escalate(rest: &str) -> ArgsResult {
    let (id, tail) = split_word(rest);
    let tiny_id = tiny_id(id)?;
    let escalation = Some(tail.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    genie(GenieCommand::Escalate {
        tiny_id,
        escalation,
    })
}

/// `genie assign <tiny id> <opsgenie user>`.
pub(super) fn assign(rest: &str) -> ArgsResult {
    let (id, user) = split_word(rest);
    let tiny_id = tiny_id(id)?;
    let user = user.trim();
    if user.is_empty() || user.contains(char::is_whitespace) {
        return Err("say which Opsgenie user, e.g. ann@example.com".into());
    }
    genie(GenieCommand::Assign {
        tiny_id,
        user: user.to_owned(),
    })
}

/// `genie own <tiny id>`.
pub(super) fn own(rest: &str) -> ArgsResult {
    let tiny_id = tiny_id(rest)?;
    genie(GenieCommand::Own { tiny_id })
}

/// `genie priority <tiny id> <P1..P5>`.
pub(super) fn set_priority(rest: &str) -> ArgsResult {
    let (id, word) = split_word(rest);
    let tiny_id = tiny_id(id)?;
    let word = word.trim();
    let priority =
        priority(word).ok_or_else(|| format!("`{word}` is not a priority: say P1 to P5"))?;
    genie(GenieCommand::Priority { tiny_id, priority })
}

/// `genie show <tiny id>`.
pub(super) fn show(rest: &str) -> ArgsResult {
    let tiny_id = tiny_id(rest)?;
    genie(GenieCommand::Show { tiny_id })
}

/// `genie status P1`, `genie status unacked`, `genie status tag <tag>`; anything else is not
/// this row.
pub(super) fn status_filter(rest: &str) -> ArgsResult {
    let (word, tail) = split_word(rest);
    let filter = if let Some(p) = priority(word).filter(|_| tail.is_empty()) {
        AlertFilter::Priority(p)
    } else if word.eq_ignore_ascii_case("unacked") && tail.is_empty() {
        AlertFilter::Unacked
    } else if word.eq_ignore_ascii_case("tag") {
        let tag = tail.trim();
        if tag.is_empty() || tag.contains(char::is_whitespace) {
            return Err("say which tag, one word".into());
        }
        AlertFilter::Tag(tag.to_owned())
    } else {
        return Err(format!(
            "`{}` is not a filter: say P1..P5, unacked or tag <tag>",
            rest.trim()
        ));
    };
    genie(GenieCommand::StatusFilter { filter })
}

fn optional_schedule(rest: &str) -> Option<String> {
    Some(rest.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `genie oncall next [<schedule>]`.
pub(super) fn oncall_next(rest: &str) -> ArgsResult {
    genie(GenieCommand::OnCallNext {
        schedule: optional_schedule(rest),
    })
}

/// `genie schedules`.
pub(super) fn schedules(rest: &str) -> ArgsResult {
    Ok(rest
        .is_empty()
        .then_some(Command::Genie(GenieCommand::Schedules)))
}

/// `genie overrides [<schedule>]`.
pub(super) fn overrides(rest: &str) -> ArgsResult {
    genie(GenieCommand::Overrides {
        schedule: optional_schedule(rest),
    })
}

/// `genie release [<schedule>]`.
pub(super) fn release(rest: &str) -> ArgsResult {
    genie(GenieCommand::Release {
        schedule: optional_schedule(rest),
    })
}

/// `genie take [<schedule>] <duration> [for <opsgenie user>]`.
pub(super) fn take(rest: &str) -> ArgsResult {
    let (head, user) = match split_for(rest) {
        Some((head, user)) => (head, Some(user)),
        None => (rest.trim(), None),
    };
    if let Some(user) = user
        && (user.is_empty() || user.contains(char::is_whitespace))
    {
        return Err("say who the override is for: for <opsgenie user>".into());
    }
    let (schedule, duration) = match head.rsplit_once(char::is_whitespace) {
        Some((schedule, duration)) => (Some(schedule.trim().to_owned()), duration),
        None => (None, head),
    };
    let duration = parse_duration(duration).ok_or_else(|| {
        if duration.is_empty() {
            "say for how long, e.g. 2h or 30m".to_owned()
        } else {
            format!("`{duration}` is not a duration like 2h or 30m")
        }
    })?;
    genie(GenieCommand::Take {
        schedule,
        duration,
        user: user.map(str::to_owned),
    })
}

/// Splits `ops 2h for bob` into (`ops 2h`, `bob`): the last ` for ` (any case) with a duration
/// before it.
fn split_for(rest: &str) -> Option<(&str, &str)> {
    let lower = rest.to_ascii_lowercase();
    let at = lower.rfind(" for ")?;
    let head = rest[..at].trim();
    let last = head.rsplit(char::is_whitespace).next().unwrap_or(head);
    parse_duration(last)?;
    Some((head, rest[at + 5..].trim()))
}
