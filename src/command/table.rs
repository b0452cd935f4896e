//! The command table: one row per command form, in the order the parser tries them (keyword rows
//! before the catch-all `status <component> ...` rows). `help` prints the rows in this order.

use super::genie as g;
use super::parse::{looks_like_incident_id, priority, split_status_suffix, split_word, tiny_id};
use super::status as status_rows;
use super::vocabulary::incident_status;
use super::{
    Access, ArgsResult, Command, CommandSpec, DEFAULT_LOG_LINES, GenieCommand, MAX_LOG_LINES,
    StatusCommand, parse_duration, parse_time,
};

/// Every command, in parsing and `help` order.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        words: &["status"],
        usage: "status",
        about: "every component with its status, and the unresolved incidents",
        access: Access::Read,
        example: "status?",
        args: |rest| Ok(matches!(rest, "" | "?").then_some(status(StatusCommand::Overview))),
    },
    CommandSpec {
        words: &["status", "incidents"],
        usage: "status incidents",
        about: "unresolved incidents",
        access: Access::Read,
        example: "status incidents",
        args: |rest| Ok(rest.is_empty().then_some(status(StatusCommand::Incidents))),
    },
    CommandSpec {
        words: &["status", "templates"],
        usage: "status templates",
        about: "the page's incident templates",
        access: Access::Read,
        example: "status templates",
        args: |rest| Ok(rest.is_empty().then_some(status(StatusCommand::Templates))),
    },
    CommandSpec {
        words: &["status", "open", "from"],
        usage: "status open from <template name> [on <component>[, <component>...] <status>]",
        about: "open an incident from a template (its title, body, state and notification choice)",
        access: Access::Change,
        example: "status open from Slow builds on Build Processing degraded",
        args: status_rows::open_from,
    },
    CommandSpec {
        words: &["status", "open"],
        usage: "status open <state> <name>[: <message>] [on <component>[, <component>...] <status>]",
        about: "open an incident (state: investigating, identified, monitoring or resolved); a trailing on-clause naming known components sets them to that status through it",
        access: Access::Change,
        example: "status open investigating Builds delayed: jobs are queueing on Build Processing major",
        args: status_rows::open,
    },
    CommandSpec {
        words: &["status", "affect"],
        usage: "status affect [<incident id>] <component> <status>",
        about: "set a component's status through an open incident (default: the most recent unresolved one)",
        access: Access::Change,
        example: "status affect API partial outage",
        args: status_rows::affect,
    },
    CommandSpec {
        words: &["status", "impact"],
        usage: "status impact [<incident id>] <none|minor|major|critical>",
        about: "override an incident's impact (default: the most recent unresolved one)",
        access: Access::Change,
        example: "status impact critical",
        args: status_rows::impact,
    },
    CommandSpec {
        words: &["status", "update"],
        usage: "status update [<incident id>] <investigating|identified|monitoring|resolved> <message>",
        about: "add an update to an incident (default: the most recent unresolved one)",
        access: Access::Change,
        example: "status update identified a bad deploy",
        args: update,
    },
    CommandSpec {
        words: &["status", "resolve"],
        usage: "status resolve [<incident id>] [<message>]",
        about: "resolve an incident and set its components back to operational",
        access: Access::Change,
        example: "status resolve all fixed",
        args: resolve,
    },
    CommandSpec {
        words: &["status", "maintenance"],
        usage: "status maintenance <start> <duration> <name>",
        about: "schedule a maintenance, e.g. status maintenance 2026-12-01T02:00Z 2h Database upgrade",
        access: Access::Change,
        example: "status maintenance 2026-12-01T02:00Z 2h Database upgrade",
        args: maintenance,
    },
    CommandSpec {
        words: &["status", "maintenances"],
        usage: "status maintenances",
        about: "upcoming and active maintenances",
        access: Access::Read,
        example: "status maintenances",
        args: |rest| {
            Ok(rest
                .is_empty()
                .then_some(status(StatusCommand::Maintenances)))
        },
    },
    CommandSpec {
        words: &["status", "uptime"],
        usage: "status uptime <component>",
        about: "a component's uptime over the period Statuspage reports",
        access: Access::Read,
        example: "status uptime API",
        args: status_rows::uptime,
    },
    CommandSpec {
        words: &["status", "postmortem"],
        usage: "status postmortem [<incident id>]",
        about: "save a postmortem draft on an incident (default: the most recent) from its updates and the audit log",
        access: Access::Change,
        example: "status postmortem",
        args: status_rows::postmortem,
    },
    CommandSpec {
        words: &["status", "log"],
        usage: "status log [<n>]",
        about: "the last changing status commands, who ran them and what came of it (operators)",
        access: Access::OperatorRead,
        example: "status log 5",
        args: |rest| log_lines(rest).map(|n| n.map(|lines| status(StatusCommand::Log { lines }))),
    },
    CommandSpec {
        words: &["status"],
        usage: "status <component>, <component>... <operational|degraded|partial|major|maintenance>",
        about: "set several components' status at once",
        access: Access::Change,
        example: "status API, Website major outage",
        args: status_rows::set_several,
    },
    CommandSpec {
        words: &["status"],
        usage: "status <component> <operational|degraded|partial|major|maintenance>",
        about: "set a component's status (long forms such as major outage too)",
        access: Access::Change,
        example: "status Build Processing degraded",
        args: set_component,
    },
    CommandSpec {
        words: &["status"],
        usage: "status <component>?",
        about: "one component's status",
        access: Access::Read,
        example: "status Build Processing?",
        args: show_component,
    },
    CommandSpec {
        words: &["genie", "status"],
        usage: "genie status",
        about: "every open alert",
        access: Access::Read,
        example: "genie status",
        args: |rest| Ok(matches!(rest, "" | "?").then_some(genie(GenieCommand::Status))),
    },
    CommandSpec {
        words: &["genie", "status"],
        usage: "genie status <P1..P5|unacked|tag <tag>>",
        about: "the open alerts of a priority, unacknowledged, or with a tag",
        access: Access::Read,
        example: "genie status tag prod",
        args: g::status_filter,
    },
    CommandSpec {
        words: &["genie", "ack"],
        usage: "genie ack",
        about: "acknowledge every open, unacknowledged alert",
        access: Access::Change,
        example: "genie ack",
        args: |rest| Ok(rest.is_empty().then_some(genie(GenieCommand::AckAll))),
    },
    CommandSpec {
        words: &["genie", "ack"],
        usage: "genie ack <tiny id> [<tiny id> ...]",
        about: "acknowledge alerts, each outcome reported",
        access: Access::Change,
        example: "genie ack 42 43",
        args: g::ack,
    },
    CommandSpec {
        words: &["genie", "unack"],
        usage: "genie unack <tiny id>",
        about: "unacknowledge one alert",
        access: Access::Change,
        example: "genie unack #42",
        args: |rest| tiny_id(rest).map(|tiny_id| Some(genie(GenieCommand::Unack { tiny_id }))),
    },
    CommandSpec {
        words: &["genie", "close"],
        usage: "genie close",
        about: "how many alerts are open, and how to close them",
        access: Access::Read,
        example: "genie close",
        args: |rest| Ok(rest.is_empty().then_some(genie(GenieCommand::CloseHint))),
    },
    CommandSpec {
        words: &["genie", "close"],
        usage: "genie close all",
        about: "close every open alert",
        access: Access::Change,
        example: "genie close ALL",
        args: |rest| {
            Ok(rest
                .eq_ignore_ascii_case("all")
                .then_some(genie(GenieCommand::CloseAll)))
        },
    },
    CommandSpec {
        words: &["genie", "close"],
        usage: "genie close <tiny id> [<tiny id> ...]",
        about: "close alerts, each outcome reported",
        access: Access::Change,
        example: "genie close 7 8",
        args: g::close,
    },
    CommandSpec {
        words: &["genie", "snooze"],
        usage: "genie snooze <tiny id> <duration>",
        about: "snooze an alert for 30m, 2h, 1d ...",
        access: Access::Change,
        example: "genie snooze 7 2h",
        args: g::snooze,
    },
    CommandSpec {
        words: &["genie", "escalate"],
        usage: "genie escalate <tiny id> [<escalation>]",
        about: "escalate an alert (default: its owner team's escalation, or the only one)",
        access: Access::Change,
        example: "genie escalate 7 ops_escalation",
        args: g::escalate,
    },
    CommandSpec {
        words: &["genie", "assign"],
        usage: "genie assign <tiny id> <opsgenie user>",
        about: "make someone an alert's owner",
        access: Access::Change,
        example: "genie assign 7 bob@example.com",
        args: g::assign,
    },
    CommandSpec {
        words: &["genie", "own"],
        usage: "genie own <tiny id>",
        about: "make yourself (genie me as) an alert's owner",
        access: Access::Change,
        example: "genie own 7",
        args: g::own,
    },
    CommandSpec {
        words: &["genie", "priority"],
        usage: "genie priority <tiny id> <P1..P5>",
        about: "change an alert's priority",
        access: Access::Change,
        example: "genie priority 7 p2",
        args: g::set_priority,
    },
    CommandSpec {
        words: &["genie", "show"],
        usage: "genie show <tiny id>",
        about: "one alert in full, with its last notes",
        access: Access::Read,
        example: "genie show #7",
        args: g::show,
    },
    CommandSpec {
        words: &["genie", "note"],
        usage: "genie note <tiny id> <text>",
        about: "add a note to an alert",
        access: Access::Change,
        example: "genie note 7 restarted the worker",
        args: note,
    },
    CommandSpec {
        words: &["genie", "me"],
        usage: "genie me as <opsgenie user>",
        about: "remember who you are in Opsgenie (on JSM: your Atlassian account id)",
        access: Access::OwnSettings,
        example: "genie me as ann@example.com",
        args: me_as,
    },
    CommandSpec {
        words: &["genie", "oncall|on-call|whoisoncall", "next"],
        usage: "genie oncall next [<schedule>]",
        about: "who is on call next, and from when",
        access: Access::Read,
        example: "genie oncall next ops",
        args: g::oncall_next,
    },
    CommandSpec {
        words: &["genie", "oncall|on-call|whoisoncall"],
        usage: "genie oncall [<schedule>]",
        about: "who is on call now",
        access: Access::Read,
        example: "genie oncall ops",
        args: |rest| {
            Ok(Some(genie(GenieCommand::OnCall {
                schedule: Some(rest).filter(|s| !s.is_empty()).map(str::to_owned),
            })))
        },
    },
    CommandSpec {
        words: &["genie", "take"],
        usage: "genie take [<schedule>] <duration> [for <opsgenie user>]",
        about: "put yourself (or someone) on call now, e.g. genie take ops 2h",
        access: Access::Change,
        example: "genie take ops 2h for bob@example.com",
        args: g::take,
    },
    CommandSpec {
        words: &["genie", "release"],
        usage: "genie release [<schedule>]",
        about: "end the override you hold now (early handover)",
        access: Access::Change,
        example: "genie release ops",
        args: g::release,
    },
    CommandSpec {
        words: &["genie", "schedules"],
        usage: "genie schedules",
        about: "every schedule with who is on call now",
        access: Access::Read,
        example: "genie schedules",
        args: g::schedules,
    },
    CommandSpec {
        words: &["genie", "overrides"],
        usage: "genie overrides [<schedule>]",
        about: "active and upcoming overrides: who, from, until",
        access: Access::Read,
        example: "genie overrides ops",
        args: g::overrides,
    },
    CommandSpec {
        words: &["genie", "alert"],
        usage: "genie alert [P1..P5] <message>",
        about: "create an alert",
        access: Access::Change,
        example: "genie alert P1 Database is on fire",
        args: alert,
    },
    CommandSpec {
        words: &["genie", "log"],
        usage: "genie log [<n>]",
        about: "the last changing genie commands, who ran them and what came of it (operators)",
        access: Access::OperatorRead,
        example: "genie log",
        args: |rest| log_lines(rest).map(|n| n.map(|lines| genie(GenieCommand::Log { lines }))),
    },
    CommandSpec {
        words: &["help|?"],
        usage: "help",
        about: "this list",
        access: Access::Read,
        example: "help",
        args: |rest| Ok(rest.is_empty().then_some(Command::Help)),
    },
];

fn status(cmd: StatusCommand) -> Command {
    Command::Status(cmd)
}

fn genie(cmd: GenieCommand) -> Command {
    Command::Genie(cmd)
}

fn update(rest: &str) -> ArgsResult {
    let (first, tail) = split_word(rest);
    let (incident, status_word, tail) = if looks_like_incident_id(first) {
        let (status_word, tail) = split_word(tail);
        (Some(first.to_owned()), status_word, tail)
    } else {
        (None, first, tail)
    };
    let status = incident_status(status_word).ok_or("say what state the incident is in")?;
    let message = tail.trim();
    if message.is_empty() {
        return Err("the update needs a message".into());
    }
    Ok(Some(Command::Status(StatusCommand::Update {
        incident,
        status,
        message: message.to_owned(),
    })))
}

fn resolve(rest: &str) -> ArgsResult {
    let (first, tail) = split_word(rest);
    let (incident, message) = if looks_like_incident_id(first) {
        (Some(first.to_owned()), tail.trim())
    } else {
        (None, rest.trim())
    };
    Ok(Some(Command::Status(StatusCommand::Resolve {
        incident,
        message: Some(message).filter(|m| !m.is_empty()).map(str::to_owned),
    })))
}

fn maintenance(rest: &str) -> ArgsResult {
    if rest.is_empty() {
        // `status maintenance` alone asks about a component called Maintenance.
        return Ok(None);
    }
    let (start, tail) = split_word(rest);
    let (duration, name) = split_word(tail);
    let start = parse_time(start)
        .ok_or_else(|| format!("`{start}` is not a time like 2026-12-01T02:00Z"))?;
    let duration = parse_duration(duration)
        .ok_or_else(|| format!("`{duration}` is not a duration like 2h or 90m"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err("the maintenance needs a name".into());
    }
    Ok(Some(Command::Status(StatusCommand::Maintenance {
        start,
        duration,
        name: name.to_owned(),
    })))
}

fn set_component(rest: &str) -> ArgsResult {
    if rest.ends_with('?') {
        return Ok(None);
    }
    Ok(match split_status_suffix(rest) {
        Some((component, status)) if !component.is_empty() => {
            Some(Command::Status(StatusCommand::Set {
                component: component.to_owned(),
                status,
            }))
        }
        _ => None,
    })
}

fn show_component(rest: &str) -> ArgsResult {
    let component = rest.strip_suffix('?').unwrap_or(rest).trim();
    Ok((!component.is_empty()).then(|| {
        Command::Status(StatusCommand::Show {
            component: component.to_owned(),
        })
    }))
}

fn note(rest: &str) -> ArgsResult {
    let (id, text) = split_word(rest);
    let tiny_id = tiny_id(id)?;
    let text = text.trim();
    if text.is_empty() {
        return Err("the note needs some text".into());
    }
    Ok(Some(Command::Genie(GenieCommand::Note {
        tiny_id,
        text: text.to_owned(),
    })))
}

fn me_as(rest: &str) -> ArgsResult {
    let (as_word, user) = split_word(rest);
    let user = user.trim();
    if !as_word.eq_ignore_ascii_case("as") || user.is_empty() || user.contains(char::is_whitespace)
    {
        return Err("say which Opsgenie user you are".into());
    }
    Ok(Some(Command::Genie(GenieCommand::MeAs {
        user: user.to_owned(),
    })))
}

fn alert(rest: &str) -> ArgsResult {
    let (first, tail) = split_word(rest);
    let (priority, message) = match priority(first) {
        Some(p) => (Some(p), tail.trim()),
        None => (None, rest),
    };
    if message.is_empty() {
        return Err("the alert needs a message".into());
    }
    Ok(Some(Command::Genie(GenieCommand::Alert {
        priority,
        message: message.to_owned(),
    })))
}

/// `log` alone or with a number; anything else is not this row (`status Log Streaming degraded`
/// names a component).
fn log_lines(rest: &str) -> Result<Option<usize>, String> {
    if rest.is_empty() {
        return Ok(Some(DEFAULT_LOG_LINES));
    }
    if !rest.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    match rest.parse::<usize>() {
        Ok(n) if (1..=MAX_LOG_LINES).contains(&n) => Ok(Some(n)),
        _ => Err(format!("say how many lines, from 1 to {MAX_LOG_LINES}")),
    }
}
