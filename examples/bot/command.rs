//! The bot's command set: one enum, one parser, and the help text, all from one table.
//!
//! The parser is anchored: a line is matched against the command keywords first, and only
//! what is left is read as a component name or a message. So `status update monitoring builds
//! are degraded` is an incident update, never an attempt to set a component called
//! "update monitoring builds are".

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use opsgenie_client::Priority;
use statuspage_client::{ComponentStatus, IncidentStatus};

/// Every command the bot understands.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `help`: one line per command.
    Help,
    /// `status ...`: Statuspage.
    Status(StatusCommand),
    /// `genie ...`: Opsgenie.
    Genie(GenieCommand),
}

/// The `status` commands.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusCommand {
    /// `status` / `status?`: every component, a summary and the unresolved incident count.
    Overview,
    /// `status <component>?`: one component.
    Show { component: String },
    /// `status <component> <status>`: set a component's status.
    Set {
        component: String,
        status: ComponentStatus,
    },
    /// `status incidents`: unresolved incidents.
    Incidents,
    /// `status open <status> <name>[: <message>]`: create an incident.
    Open {
        status: IncidentStatus,
        name: String,
        message: Option<String>,
    },
    /// `status update [<id>] <status> <message>`: add an incident update.
    Update {
        incident: Option<String>,
        status: IncidentStatus,
        message: String,
    },
    /// `status resolve [<id>] [<message>]`: resolve an incident.
    Resolve {
        incident: Option<String>,
        message: Option<String>,
    },
    /// `status maintenance <start> <duration> <name>`: schedule a maintenance.
    Maintenance {
        start: DateTime<Utc>,
        duration: chrono::Duration,
        name: String,
    },
    /// `status maintenances`: upcoming and active maintenances.
    Maintenances,
}

/// The `genie` commands.
#[derive(Debug, Clone, PartialEq)]
pub enum GenieCommand {
    /// `genie status`: every open alert.
    Status,
    /// `genie ack`: acknowledge every open, unacknowledged alert.
    AckAll,
    /// `genie ack <tiny id>`.
    Ack { tiny_id: String },
    /// `genie unack <tiny id>`.
    Unack { tiny_id: String },
    /// `genie close <tiny id>`.
    Close { tiny_id: String },
    /// `genie close`: only says how many are open and how to close them all.
    CloseHint,
    /// `genie close all`: close every open alert.
    CloseAll,
    /// `genie note <tiny id> <text>`.
    Note { tiny_id: String, text: String },
    /// `genie me as <user>`: remember the speaker's Opsgenie user.
    MeAs { user: String },
    /// `genie oncall [<schedule>]`.
    OnCall { schedule: Option<String> },
    /// `genie take [<schedule>] <duration>`: put the speaker on call now.
    Take {
        schedule: Option<String>,
        duration: chrono::Duration,
    },
    /// `genie alert [P1..P5] <message>`: create an alert.
    Alert {
        priority: Option<Priority>,
        message: String,
    },
}

impl Command {
    /// Whether the command changes anything (and so needs an operator).
    pub fn changes_anything(&self) -> bool {
        match self {
            Command::Help => false,
            Command::Status(cmd) => !matches!(
                cmd,
                StatusCommand::Overview
                    | StatusCommand::Show { .. }
                    | StatusCommand::Incidents
                    | StatusCommand::Maintenances
            ),
            // `me as` only changes the speaker's own setting in the bot.
            Command::Genie(cmd) => !matches!(
                cmd,
                GenieCommand::Status
                    | GenieCommand::CloseHint
                    | GenieCommand::OnCall { .. }
                    | GenieCommand::MeAs { .. }
            ),
        }
    }
}

/// Why a line is not a command.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// Nothing the bot knows.
    Unknown,
    /// A known command with the wrong arguments: the usage line to show, and what was wrong.
    Usage {
        usage: &'static str,
        problem: String,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Unknown => f.write_str("unknown command, try help"),
            ParseError::Usage { usage, problem } => write!(f, "{problem}; usage: {usage}"),
        }
    }
}

/// The help table: usage and one line of description per command. `help` prints it as is.
pub const HELP: &[(&str, &str)] = &[
    (
        "status",
        "every component with its status, and the unresolved incidents",
    ),
    ("status <component>?", "one component's status"),
    (
        "status <component> <operational|degraded|partial|major|maintenance>",
        "set a component's status",
    ),
    ("status incidents", "unresolved incidents"),
    (
        "status open <investigating|identified|monitoring|resolved> <name>[: <message>]",
        "open an incident",
    ),
    (
        "status update [<incident id>] <investigating|identified|monitoring|resolved> <message>",
        "add an update to an incident (default: the most recent unresolved one)",
    ),
    (
        "status resolve [<incident id>] [<message>]",
        "resolve an incident and set its components back to operational",
    ),
    (
        "status maintenance <start> <duration> <name>",
        "schedule a maintenance, e.g. status maintenance 2026-12-01T02:00Z 2h Database upgrade",
    ),
    ("status maintenances", "upcoming and active maintenances"),
    ("genie status", "every open alert"),
    ("genie ack", "acknowledge every open, unacknowledged alert"),
    ("genie ack <tiny id>", "acknowledge one alert"),
    ("genie unack <tiny id>", "unacknowledge one alert"),
    ("genie close <tiny id>", "close one alert"),
    ("genie close all", "close every open alert"),
    ("genie note <tiny id> <text>", "add a note to an alert"),
    (
        "genie me as <opsgenie user>",
        "remember who you are in Opsgenie",
    ),
    ("genie oncall [<schedule>]", "who is on call now"),
    (
        "genie take [<schedule>] <duration>",
        "put yourself on call now, e.g. genie take ops 2h",
    ),
    ("genie alert [P1..P5] <message>", "create an alert"),
    ("help", "this list"),
];

fn usage(prefix: &str) -> &'static str {
    HELP.iter()
        .find(|(u, _)| u.starts_with(prefix))
        .map(|(u, _)| *u)
        .unwrap_or("help")
}

fn usage_error(prefix: &str, problem: impl Into<String>) -> ParseError {
    ParseError::Usage {
        usage: usage(prefix),
        problem: problem.into(),
    }
}

/// Parses one command line (already stripped of any address to the bot).
pub fn parse(line: &str) -> Result<Command, ParseError> {
    let line = line.trim();
    let line = line.strip_prefix('/').unwrap_or(line).trim_start();
    let (word, rest) = split_word(line);
    match word.to_ascii_lowercase().as_str() {
        "help" | "?" if rest.is_empty() => Ok(Command::Help),
        "status?" if rest.is_empty() => Ok(Command::Status(StatusCommand::Overview)),
        "status" => parse_status(rest).map(Command::Status),
        "genie" => parse_genie(rest).map(Command::Genie),
        _ => Err(ParseError::Unknown),
    }
}

fn parse_status(rest: &str) -> Result<StatusCommand, ParseError> {
    let rest = rest.trim();
    if rest.is_empty() || rest == "?" {
        return Ok(StatusCommand::Overview);
    }
    let (word, tail) = split_word(rest);
    match word.to_ascii_lowercase().as_str() {
        "incidents" if tail.is_empty() => return Ok(StatusCommand::Incidents),
        "maintenances" if tail.is_empty() => return Ok(StatusCommand::Maintenances),
        "open" => return parse_open(tail),
        "update" => return parse_update(tail),
        "resolve" => return Ok(parse_resolve(tail)),
        "maintenance" if !tail.is_empty() => return parse_maintenance(tail),
        _ => {}
    }
    if let Some(component) = rest.strip_suffix('?') {
        let component = component.trim();
        if component.is_empty() {
            return Ok(StatusCommand::Overview);
        }
        return Ok(StatusCommand::Show {
            component: component.to_owned(),
        });
    }
    match split_status_suffix(rest) {
        Some((component, status)) if !component.is_empty() => Ok(StatusCommand::Set {
            component: component.to_owned(),
            status,
        }),
        _ => Ok(StatusCommand::Show {
            component: rest.to_owned(),
        }),
    }
}

/// The component status phrases people type, longest first so `major outage` wins over `outage`.
const STATUS_PHRASES: &[&str] = &[
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

/// Splits `Build Processing major outage` into (`Build Processing`, MajorOutage).
fn split_status_suffix(text: &str) -> Option<(&str, ComponentStatus)> {
    let lower = text.to_ascii_lowercase();
    for phrase in STATUS_PHRASES {
        if let Some(head) = lower.strip_suffix(phrase) {
            // The phrase must be whole words: `Ops degraded`, not `Opsdegraded`.
            if !(head.is_empty() || head.ends_with(char::is_whitespace)) {
                continue;
            }
            let status: ComponentStatus = phrase.parse().ok()?;
            return Some((text[..head.len()].trim_end(), status));
        }
    }
    None
}

fn parse_incident_status(word: &str) -> Option<IncidentStatus> {
    match word.to_ascii_lowercase().as_str() {
        "investigating" => Some(IncidentStatus::Investigating),
        "identified" => Some(IncidentStatus::Identified),
        "monitoring" => Some(IncidentStatus::Monitoring),
        "resolved" => Some(IncidentStatus::Resolved),
        _ => None,
    }
}

fn parse_open(tail: &str) -> Result<StatusCommand, ParseError> {
    let (word, rest) = split_word(tail);
    let status = parse_incident_status(word)
        .ok_or_else(|| usage_error("status open", "say what state the incident is in"))?;
    let (name, message) = match rest.split_once(':') {
        Some((name, message)) => (name.trim(), Some(message.trim()).filter(|m| !m.is_empty())),
        None => (rest.trim(), None),
    };
    if name.is_empty() {
        return Err(usage_error("status open", "the incident needs a name"));
    }
    Ok(StatusCommand::Open {
        status,
        name: name.to_owned(),
        message: message.map(str::to_owned),
    })
}

/// An incident id as the bot shows it: Statuspage ids are 12 lowercase alphanumerics.
fn looks_like_incident_id(word: &str) -> bool {
    word.len() >= 8
        && word.chars().all(|c| c.is_ascii_alphanumeric())
        && word.chars().any(|c| c.is_ascii_digit())
        && parse_incident_status(word).is_none()
}

fn parse_update(tail: &str) -> Result<StatusCommand, ParseError> {
    let (first, rest) = split_word(tail);
    let (incident, status_word, rest) = if looks_like_incident_id(first) {
        let (status_word, rest) = split_word(rest);
        (Some(first.to_owned()), status_word, rest)
    } else {
        (None, first, rest)
    };
    let status = parse_incident_status(status_word)
        .ok_or_else(|| usage_error("status update", "say what state the incident is in"))?;
    let message = rest.trim();
    if message.is_empty() {
        return Err(usage_error("status update", "the update needs a message"));
    }
    Ok(StatusCommand::Update {
        incident,
        status,
        message: message.to_owned(),
    })
}

fn parse_resolve(tail: &str) -> StatusCommand {
    let (first, rest) = split_word(tail);
    let (incident, message) = if looks_like_incident_id(first) {
        (Some(first.to_owned()), rest.trim())
    } else {
        (None, tail.trim())
    };
    StatusCommand::Resolve {
        incident,
        message: Some(message).filter(|m| !m.is_empty()).map(str::to_owned),
    }
}

fn parse_maintenance(tail: &str) -> Result<StatusCommand, ParseError> {
    let (start, rest) = split_word(tail);
    let (duration, name) = split_word(rest);
    let start = parse_time(start).ok_or_else(|| {
        usage_error(
            "status maintenance",
            format!("`{start}` is not a time like 2026-12-01T02:00Z"),
        )
    })?;
    let duration = parse_duration(duration).ok_or_else(|| {
        usage_error(
            "status maintenance",
            format!("`{duration}` is not a duration like 2h or 90m"),
        )
    })?;
    let name = name.trim();
    if name.is_empty() {
        return Err(usage_error(
            "status maintenance",
            "the maintenance needs a name",
        ));
    }
    Ok(StatusCommand::Maintenance {
        start,
        duration,
        name: name.to_owned(),
    })
}

fn parse_genie(rest: &str) -> Result<GenieCommand, ParseError> {
    let (word, tail) = split_word(rest.trim());
    let tail = tail.trim();
    match word.to_ascii_lowercase().as_str() {
        "status" | "status?" if tail.is_empty() => Ok(GenieCommand::Status),
        "ack" if tail.is_empty() => Ok(GenieCommand::AckAll),
        "ack" => one_tiny_id("genie ack", tail).map(|tiny_id| GenieCommand::Ack { tiny_id }),
        "unack" => one_tiny_id("genie unack", tail).map(|tiny_id| GenieCommand::Unack { tiny_id }),
        "close" if tail.is_empty() => Ok(GenieCommand::CloseHint),
        "close" if tail.eq_ignore_ascii_case("all") => Ok(GenieCommand::CloseAll),
        "close" => {
            one_tiny_id("genie close <", tail).map(|tiny_id| GenieCommand::Close { tiny_id })
        }
        "note" => {
            let (id, text) = split_word(tail);
            let tiny_id = one_tiny_id("genie note", id)?;
            let text = text.trim();
            if text.is_empty() {
                return Err(usage_error("genie note", "the note needs some text"));
            }
            Ok(GenieCommand::Note {
                tiny_id,
                text: text.to_owned(),
            })
        }
        "me" => {
            let (as_word, user) = split_word(tail);
            let user = user.trim();
            if !as_word.eq_ignore_ascii_case("as")
                || user.is_empty()
                || user.contains(char::is_whitespace)
            {
                return Err(usage_error(
                    "genie me as",
                    "say which Opsgenie user you are",
                ));
            }
            Ok(GenieCommand::MeAs {
                user: user.to_owned(),
            })
        }
        "oncall" | "on-call" | "whoisoncall" => Ok(GenieCommand::OnCall {
            schedule: Some(tail).filter(|s| !s.is_empty()).map(str::to_owned),
        }),
        "take" => {
            let (schedule, duration) = match tail.rsplit_once(char::is_whitespace) {
                Some((schedule, duration)) => (Some(schedule.trim().to_owned()), duration),
                None => (None, tail),
            };
            let duration = parse_duration(duration)
                .ok_or_else(|| usage_error("genie take", "say for how long, e.g. 2h or 30m"))?;
            Ok(GenieCommand::Take { schedule, duration })
        }
        "alert" => {
            let (first, rest) = split_word(tail);
            let (priority, message) = match parse_priority(first) {
                Some(p) => (Some(p), rest.trim()),
                None => (None, tail),
            };
            if message.is_empty() {
                return Err(usage_error("genie alert", "the alert needs a message"));
            }
            Ok(GenieCommand::Alert {
                priority,
                message: message.to_owned(),
            })
        }
        _ => Err(ParseError::Unknown),
    }
}

fn parse_priority(word: &str) -> Option<Priority> {
    match word.to_ascii_uppercase().as_str() {
        "P1" => Some(Priority::P1),
        "P2" => Some(Priority::P2),
        "P3" => Some(Priority::P3),
        "P4" => Some(Priority::P4),
        "P5" => Some(Priority::P5),
        _ => None,
    }
}

fn one_tiny_id(usage_prefix: &str, text: &str) -> Result<String, ParseError> {
    let id = text.trim().trim_start_matches('#');
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(usage_error(
            usage_prefix,
            format!("`{}` is not an alert number", text.trim()),
        ));
    }
    Ok(id.to_owned())
}

/// Splits off the first whitespace-separated word.
fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find(char::is_whitespace) {
        Some(at) => (&text[..at], text[at..].trim_start()),
        None => (text, ""),
    }
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
/// `2026-12-01T02:00`, `2026-12-01 02:00`, read as UTC).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix('z'))
        .unwrap_or(text);
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(naive, format).ok())
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(line: &str) -> StatusCommand {
        match parse(line) {
            Ok(Command::Status(cmd)) => cmd,
            other => panic!("{line:?} parsed as {other:?}"),
        }
    }

    fn genie(line: &str) -> GenieCommand {
        match parse(line) {
            Ok(Command::Genie(cmd)) => cmd,
            other => panic!("{line:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn overview_forms() {
        for line in ["status", "status?", "STATUS ?", "/status", " Status? "] {
            assert_eq!(status(line), StatusCommand::Overview, "{line}");
        }
    }

    #[test]
    fn set_component_with_short_and_long_words() {
        let cases = [
            (
                "status Build Processing degraded",
                "Build Processing",
                ComponentStatus::DegradedPerformance,
            ),
            (
                "status api DEGRADED PERFORMANCE",
                "api",
                ComponentStatus::DegradedPerformance,
            ),
            (
                "status Website major outage",
                "Website",
                ComponentStatus::MajorOutage,
            ),
            (
                "status Website major",
                "Website",
                ComponentStatus::MajorOutage,
            ),
            (
                "status Log Streaming partial",
                "Log Streaming",
                ComponentStatus::PartialOutage,
            ),
            (
                "status api under maintenance",
                "api",
                ComponentStatus::UnderMaintenance,
            ),
            (
                "status api maintenance",
                "api",
                ComponentStatus::UnderMaintenance,
            ),
            (
                "/status API operational",
                "API",
                ComponentStatus::Operational,
            ),
        ];
        for (line, component, want) in cases {
            assert_eq!(
                status(line),
                StatusCommand::Set {
                    component: component.into(),
                    status: want
                },
                "{line}"
            );
        }
    }

    #[test]
    fn show_component() {
        assert_eq!(
            status("status Build Processing?"),
            StatusCommand::Show {
                component: "Build Processing".into()
            }
        );
        assert_eq!(
            status("status api ?"),
            StatusCommand::Show {
                component: "api".into()
            }
        );
        // No status word at the end: a question, not a change.
        assert_eq!(
            status("status Website"),
            StatusCommand::Show {
                component: "Website".into()
            }
        );
        // A status word glued to the name is not a status word.
        assert_eq!(
            status("status Opsmajor"),
            StatusCommand::Show {
                component: "Opsmajor".into()
            }
        );
    }

    #[test]
    fn update_is_anchored_and_never_sets_a_component() {
        assert_eq!(
            status("status update monitoring builds are degraded"),
            StatusCommand::Update {
                incident: None,
                status: IncidentStatus::Monitoring,
                message: "builds are degraded".into()
            }
        );
        assert_eq!(
            status("status update p31zjtct2jer identified the cause is a bad deploy"),
            StatusCommand::Update {
                incident: Some("p31zjtct2jer".into()),
                status: IncidentStatus::Identified,
                message: "the cause is a bad deploy".into()
            }
        );
        assert!(matches!(
            parse("status update monitoring"),
            Err(ParseError::Usage { .. })
        ));
        assert!(matches!(
            parse("status update sleeping all good"),
            Err(ParseError::Usage { .. })
        ));
    }

    #[test]
    fn open_resolve_incidents() {
        assert_eq!(
            status("status open investigating Builds delayed: we are looking into it"),
            StatusCommand::Open {
                status: IncidentStatus::Investigating,
                name: "Builds delayed".into(),
                message: Some("we are looking into it".into())
            }
        );
        assert_eq!(
            status("status OPEN identified Website down"),
            StatusCommand::Open {
                status: IncidentStatus::Identified,
                name: "Website down".into(),
                message: None
            }
        );
        assert!(matches!(
            parse("status open investigating"),
            Err(ParseError::Usage { .. })
        ));
        assert_eq!(
            status("status resolve"),
            StatusCommand::Resolve {
                incident: None,
                message: None
            }
        );
        assert_eq!(
            status("status resolve p31zjtct2jer all fixed"),
            StatusCommand::Resolve {
                incident: Some("p31zjtct2jer".into()),
                message: Some("all fixed".into())
            }
        );
        assert_eq!(
            status("status resolve all fixed now"),
            StatusCommand::Resolve {
                incident: None,
                message: Some("all fixed now".into())
            }
        );
        assert_eq!(status("status incidents"), StatusCommand::Incidents);
        assert_eq!(status("status maintenances"), StatusCommand::Maintenances);
    }

    #[test]
    fn maintenance() {
        let want_start = DateTime::parse_from_rfc3339("2026-12-01T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            status("status maintenance 2026-12-01T02:00Z 2h Database upgrade"),
            StatusCommand::Maintenance {
                start: want_start,
                duration: chrono::Duration::hours(2),
                name: "Database upgrade".into()
            }
        );
        assert!(matches!(
            parse("status maintenance tomorrow 2h x"),
            Err(ParseError::Usage { .. })
        ));
        assert!(matches!(
            parse("status maintenance 2026-12-01T02:00Z soon x"),
            Err(ParseError::Usage { .. })
        ));
        assert!(matches!(
            parse("status maintenance 2026-12-01T02:00Z 2h"),
            Err(ParseError::Usage { .. })
        ));
    }

    #[test]
    fn genie_commands() {
        assert_eq!(genie("genie status"), GenieCommand::Status);
        assert_eq!(genie("GENIE ACK"), GenieCommand::AckAll);
        assert_eq!(
            genie("genie ack 42"),
            GenieCommand::Ack {
                tiny_id: "42".into()
            }
        );
        assert_eq!(
            genie("genie ack #42"),
            GenieCommand::Ack {
                tiny_id: "42".into()
            }
        );
        assert_eq!(
            genie("genie unack 7"),
            GenieCommand::Unack {
                tiny_id: "7".into()
            }
        );
        assert_eq!(
            genie("genie close 7"),
            GenieCommand::Close {
                tiny_id: "7".into()
            }
        );
        assert_eq!(genie("genie close"), GenieCommand::CloseHint);
        assert_eq!(genie("genie close ALL"), GenieCommand::CloseAll);
        assert_eq!(
            genie("genie note 7 restarted the worker"),
            GenieCommand::Note {
                tiny_id: "7".into(),
                text: "restarted the worker".into()
            }
        );
        assert_eq!(
            genie("genie me as ann@example.com"),
            GenieCommand::MeAs {
                user: "ann@example.com".into()
            }
        );
        assert_eq!(
            genie("genie oncall"),
            GenieCommand::OnCall { schedule: None }
        );
        assert_eq!(
            genie("genie oncall ops"),
            GenieCommand::OnCall {
                schedule: Some("ops".into())
            }
        );
        assert_eq!(
            genie("genie take ops 2h"),
            GenieCommand::Take {
                schedule: Some("ops".into()),
                duration: chrono::Duration::hours(2)
            }
        );
        assert_eq!(
            genie("genie take 30m"),
            GenieCommand::Take {
                schedule: None,
                duration: chrono::Duration::minutes(30)
            }
        );
        assert_eq!(
            genie("genie alert P1 Database is on fire"),
            GenieCommand::Alert {
                priority: Some(Priority::P1),
                message: "Database is on fire".into()
            }
        );
        assert_eq!(
            genie("genie alert disk almost full"),
            GenieCommand::Alert {
                priority: None,
                message: "disk almost full".into()
            }
        );
        for bad in [
            "genie ack abc",
            "genie note 7",
            "genie me ann",
            "genie take ops soon",
            "genie alert P2",
        ] {
            assert!(matches!(parse(bad), Err(ParseError::Usage { .. })), "{bad}");
        }
    }

    #[test]
    fn unknown_and_help() {
        assert_eq!(parse("help"), Ok(Command::Help));
        assert_eq!(parse("/HELP"), Ok(Command::Help));
        assert_eq!(parse("make me a sandwich"), Err(ParseError::Unknown));
        assert_eq!(parse("genie dance"), Err(ParseError::Unknown));
        assert_eq!(parse(""), Err(ParseError::Unknown));
        assert_eq!(ParseError::Unknown.to_string(), "unknown command, try help");
    }

    #[test]
    fn permissions() {
        assert!(!parse("status").unwrap().changes_anything());
        assert!(!parse("genie oncall").unwrap().changes_anything());
        assert!(parse("status api major").unwrap().changes_anything());
        assert!(parse("genie ack").unwrap().changes_anything());
        assert!(parse("genie close all").unwrap().changes_anything());
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration("1h30m"), Some(chrono::Duration::minutes(90)));
        assert_eq!(parse_duration("1d"), Some(chrono::Duration::days(1)));
        for bad in [
            "",
            "h",
            "2",
            "-2h",
            "2x",
            "0m",
            "99999999999999999999h",
            "400d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert!(parse_time("2026-12-01T02:00:00+01:00").is_some());
        assert!(parse_time("2026-12-01 02:00").is_some());
        assert!(parse_time("2026-13-01T02:00Z").is_none());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(opsbot_proptest::config!())]

        /// Whatever anyone types, the parser answers (a command or an error) and never panics.
        #[test]
        fn never_panics(line in ".*") {
            let _ = parse(&line);
        }

        /// Lines that start like commands, with arbitrary tails, never panic either.
        #[test]
        fn never_panics_on_command_prefixes(
            head in prop::sample::select(vec![
                "status", "status open", "status update", "status resolve", "status maintenance",
                "genie", "genie ack", "genie note", "genie me as", "genie take", "genie alert", "/status",
            ]),
            tail in ".{0,40}",
        ) {
            let _ = parse(&format!("{head} {tail}"));
        }

        /// Every documented `status <component> <status>` form sets that component, whatever its name.
        #[test]
        fn set_forms_parse(
            name in "[A-Za-z][A-Za-z0-9 ]{0,20}[A-Za-z0-9]",
            phrase in prop::sample::select(STATUS_PHRASES.to_vec()),
            upper in any::<bool>(),
        ) {
            // Names that are command keywords or end in a status word read differently, by design.
            let first = name.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
            prop_assume!(!["incidents", "maintenances", "open", "update", "resolve", "maintenance"].contains(&first.as_str()));
            prop_assume!(split_status_suffix(&name).is_none());
            let phrase = if upper { phrase.to_ascii_uppercase() } else { phrase.to_owned() };
            let parsed = parse(&format!("status {name} {phrase}"));
            match parsed {
                Ok(Command::Status(StatusCommand::Set { component, .. })) => prop_assert_eq!(component, name.trim()),
                other => prop_assert!(false, "parsed as {:?}", other),
            }
        }

        /// `genie <action> <tiny id>` forms parse for every number.
        #[test]
        fn tiny_id_forms_parse(id in 0u64..10_000_000, verb in prop::sample::select(vec!["ack", "unack", "close"])) {
            let parsed = parse(&format!("genie {verb} {id}"));
            let tiny = id.to_string();
            let expected = match verb {
                "ack" => GenieCommand::Ack { tiny_id: tiny },
                "unack" => GenieCommand::Unack { tiny_id: tiny },
                _ => GenieCommand::Close { tiny_id: tiny },
            };
            prop_assert_eq!(parsed, Ok(Command::Genie(expected)));
        }

        /// Durations in minutes and hours parse to what they say.
        #[test]
        fn durations_parse(h in 0i64..48, m in 0i64..60) {
            prop_assume!(h + m > 0);
            let text = match (h, m) { (0, m) => format!("{m}m"), (h, 0) => format!("{h}h"), (h, m) => format!("{h}h{m}m") };
            prop_assert_eq!(parse_duration(&text), Some(chrono::Duration::minutes(h * 60 + m)));
        }
    }
}
