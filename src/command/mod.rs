//! The bot's command set: the command types, and ONE table ([`COMMANDS`]) that drives parsing,
//! usage errors, permissions and `help`, so they cannot drift apart (as teloxide derives all three
//! from one enum).
//!
//! Adding a command is one row in [`COMMANDS`] (`src/command/table.rs`): its words, usage, description, who may run it, an
//! example line, and the function that reads its arguments. The parser tries the rows in order; the
//! first row whose words start the line and whose argument reader accepts (or rejects with a
//! problem) the rest decides. So the parser is anchored: `status update monitoring builds are
//! degraded` is an incident update, never an attempt to set a component called "update monitoring
//! builds are".

mod genie;
mod parse;
mod status;
mod table;
mod vocabulary;

use std::fmt;

use chrono::{DateTime, Utc};
use opsgenie_client::Priority;
use statuspage_client::{ComponentStatus, Impact, IncidentStatus};

pub use parse::{parse_duration, parse_time};
pub use table::COMMANDS;
pub use vocabulary::{component_status, incident_status};

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
    Show {
        /// The name as typed (matched exactly, then by prefix, then by substring).
        component: String,
    },
    /// `status <component> <status>`: set a component's status.
    Set {
        /// The name as typed.
        component: String,
        /// The new status.
        status: ComponentStatus,
    },
    /// `status incidents`: unresolved incidents.
    Incidents,
    /// `status <component>, <component>... <status>`: set several components at once.
    SetSeveral {
        /// The names as typed, in order.
        components: Vec<String>,
        /// The new status.
        status: ComponentStatus,
    },
    /// `status open <status> <name>[: <message>] [on <component>[, <component>...] <status>]`:
    /// create an incident, with those components set to that status through it.
    Open {
        /// The incident's first status.
        status: IncidentStatus,
        /// Its name, as typed (with any trailing `on ...` clause when there is no message).
        name: String,
        /// The first update's text, as typed (with any trailing `on ...` clause).
        message: Option<String>,
        /// The ways the end of the text can be read as an `on ...` clause, shortest first. The
        /// dispatcher uses the first whose components are all known; when none is, the clause
        /// stays part of the text.
        on: Vec<OnClause>,
    },
    /// `status open from <template name> [on <component>[, <component>...] <status>]`: create
    /// an incident from a template (its title, body, status and notification choice).
    OpenFrom {
        /// The template's name as typed (with any trailing `on ...` clause).
        template: String,
        /// Readings of a trailing `on ...` clause, as for [`StatusCommand::Open`]; the
        /// clause's `before` is the template name without it.
        on: Vec<OnClause>,
    },
    /// `status affect [<id>] <component> <status>`: set a component's status through an open
    /// incident, making it one of the incident's affected components.
    Affect {
        /// The incident; `None` for the most recent unresolved one.
        incident: Option<String>,
        /// The component's name as typed.
        component: String,
        /// Its new status.
        status: ComponentStatus,
    },
    /// `status impact [<id>] <none|minor|major|critical>`: override an incident's impact.
    Impact {
        /// The incident; `None` for the most recent unresolved one.
        incident: Option<String>,
        /// The new impact.
        impact: Impact,
    },
    /// `status templates`: the page's incident templates.
    Templates,
    /// `status uptime <component>`: a component's uptime over the period the API reports.
    Uptime {
        /// The component's name as typed.
        component: String,
    },
    /// `status postmortem [<id>]`: save a postmortem draft on an incident, built from its
    /// updates and the audit log.
    Postmortem {
        /// The incident; `None` for the most recent incident, resolved or not.
        incident: Option<String>,
    },
    /// `status update [<id>] <status> <message>`: add an incident update.
    Update {
        /// The incident; `None` for the most recent unresolved one.
        incident: Option<String>,
        /// The new status.
        status: IncidentStatus,
        /// The update's text.
        message: String,
    },
    /// `status resolve [<id>] [<message>]`: resolve an incident.
    Resolve {
        /// The incident; `None` for the most recent unresolved one.
        incident: Option<String>,
        /// The last update's text.
        message: Option<String>,
    },
    /// `status maintenance <start> <duration> <name>`: schedule a maintenance.
    Maintenance {
        /// When it starts.
        start: DateTime<Utc>,
        /// How long it lasts.
        duration: chrono::Duration,
        /// Its name.
        name: String,
    },
    /// `status maintenances`: upcoming and active maintenances.
    Maintenances,
    /// `status log [<n>]`: the last changing `status` commands from the audit log.
    Log {
        /// How many (default [`DEFAULT_LOG_LINES`]).
        lines: usize,
    },
}

/// One reading of a trailing `on <component>[, <component>...] <status>` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct OnClause {
    /// The text before the clause, trimmed: what the name, message or template name is when the
    /// clause counts.
    pub before: String,
    /// The component names as typed, in order.
    pub components: Vec<String>,
    /// The status they are set to.
    pub status: ComponentStatus,
}

/// The `genie` commands.
#[derive(Debug, Clone, PartialEq)]
pub enum GenieCommand {
    /// `genie status`: every open alert.
    Status,
    /// `genie ack`: acknowledge every open, unacknowledged alert.
    AckAll,
    /// `genie ack <tiny id>`.
    Ack {
        /// The alert's tiny id.
        tiny_id: String,
    },
    /// `genie unack <tiny id>`.
    Unack {
        /// The alert's tiny id.
        tiny_id: String,
    },
    /// `genie close <tiny id>`.
    Close {
        /// The alert's tiny id.
        tiny_id: String,
    },
    /// `genie close`: only says how many are open and how to close them all.
    CloseHint,
    /// `genie close all`: close every open alert.
    CloseAll,
    /// `genie note <tiny id> <text>`.
    Note {
        /// The alert's tiny id.
        tiny_id: String,
        /// The note.
        text: String,
    },
    /// `genie me as <user>`: remember the speaker's Opsgenie user.
    MeAs {
        /// The Opsgenie user name (or, on JSM, the Atlassian account id).
        user: String,
    },
    /// `genie oncall [<schedule>]`.
    OnCall {
        /// One schedule, or all.
        schedule: Option<String>,
    },
    /// `genie take [<schedule>] <duration>`: put the speaker on call now.
    Take {
        /// The schedule; `None` when there is only one.
        schedule: Option<String>,
        /// For how long.
        duration: chrono::Duration,
        /// `for <user>`: the Opsgenie user the override is for; `None` for the speaker.
        user: Option<String>,
    },
    /// `genie alert [P1..P5] <message>`: create an alert.
    Alert {
        /// The priority (the pager's default when `None`).
        priority: Option<Priority>,
        /// The alert's message.
        message: String,
    },
    /// `genie log [<n>]`: the last changing `genie` commands from the audit log.
    Log {
        /// How many (default [`DEFAULT_LOG_LINES`]).
        lines: usize,
    },
    /// `genie ack <tiny id> <tiny id> ...`: acknowledge several alerts, each outcome reported.
    AckMany {
        /// The alerts' tiny ids, in the order typed.
        tiny_ids: Vec<String>,
    },
    /// `genie close <tiny id> <tiny id> ...`: close several alerts, each outcome reported.
    CloseMany {
        /// The alerts' tiny ids, in the order typed.
        tiny_ids: Vec<String>,
    },
    /// `genie snooze <tiny id> <duration>`: snooze until now plus the duration.
    Snooze {
        /// The alert's tiny id.
        tiny_id: String,
        /// For how long.
        duration: chrono::Duration,
    },
    /// `genie escalate <tiny id> [<escalation>]`: escalate to the next level of an escalation.
    Escalate {
        /// The alert's tiny id.
        tiny_id: String,
        /// The escalation's name; `None` to let the bot choose (the owner team's, or the only one).
        escalation: Option<String>,
    },
    /// `genie assign <tiny id> <opsgenie user>`: make someone the alert's owner.
    Assign {
        /// The alert's tiny id.
        tiny_id: String,
        /// The Opsgenie user (on JSM: the Atlassian account id).
        user: String,
    },
    /// `genie own <tiny id>`: make the speaker's `genie me as` user the alert's owner.
    Own {
        /// The alert's tiny id.
        tiny_id: String,
    },
    /// `genie priority <tiny id> <P1..P5>`.
    Priority {
        /// The alert's tiny id.
        tiny_id: String,
        /// The new priority.
        priority: Priority,
    },
    /// `genie show <tiny id>`: one alert in full.
    Show {
        /// The alert's tiny id.
        tiny_id: String,
    },
    /// `genie status P1|unacked|tag <tag>`: the open alerts that match a filter.
    StatusFilter {
        /// Which open alerts.
        filter: AlertFilter,
    },
    /// `genie oncall next [<schedule>]`: who is on call next.
    OnCallNext {
        /// One schedule, or all.
        schedule: Option<String>,
    },
    /// `genie schedules`: every schedule with who is on call now.
    Schedules,
    /// `genie overrides [<schedule>]`: active and upcoming overrides.
    Overrides {
        /// One schedule, or all.
        schedule: Option<String>,
    },
    /// `genie release [<schedule>]`: end the override the speaker holds now.
    Release {
        /// The schedule; `None` for wherever the speaker holds one.
        schedule: Option<String>,
    },
}

/// Which open alerts `genie status <filter>` shows.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertFilter {
    /// Of one priority.
    Priority(Priority),
    /// Not acknowledged.
    Unacked,
    /// Carrying a tag.
    Tag(String),
}

/// How many audit lines `status log` and `genie log` show when not told.
pub const DEFAULT_LOG_LINES: usize = 10;
/// The most audit lines one `log` command shows.
pub const MAX_LOG_LINES: usize = 100;

/// Who may run a command, and whether it is written to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; changes nothing.
    Read,
    /// Anyone; changes only the speaker's own settings in the bot (audited).
    OwnSettings,
    /// Operators only; changes something (audited).
    Change,
    /// Operators only; changes nothing (the audit log itself).
    OperatorRead,
}

impl Access {
    /// Whether only operators may run it.
    pub fn needs_operator(self) -> bool {
        matches!(self, Access::Change | Access::OperatorRead)
    }

    /// Whether running it is written to the audit log.
    pub fn is_audited(self) -> bool {
        matches!(self, Access::Change | Access::OwnSettings)
    }
}

/// What a row's argument reader says about the rest of a line.
pub type ArgsResult = Result<Option<Command>, String>;

/// One row of the command table.
#[derive(Debug)]
pub struct CommandSpec {
    /// The words that start the command; `a|b` accepts either. Compared case-insensitively.
    pub words: &'static [&'static str],
    /// The usage line `help` shows and usage errors repeat.
    pub usage: &'static str,
    /// One line saying what it does.
    pub about: &'static str,
    /// Who may run it.
    pub access: Access,
    /// A line that parses to this row (a test holds every row to it).
    pub example: &'static str,
    /// Reads the rest of the line: `Ok(None)` when it is not this row's shape (the next row is
    /// tried), `Err(problem)` when it is this command with wrong arguments.
    pub args: fn(&str) -> ArgsResult,
}

/// A parsed command line: the command and the table row it came from.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The command.
    pub command: Command,
    /// Its row in [`COMMANDS`] (usage, access).
    pub spec: &'static CommandSpec,
}

impl Parsed {
    /// Who may run it.
    pub fn access(&self) -> Access {
        self.spec.access
    }
}

/// Why a line is not a command.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// Nothing the bot knows.
    Unknown,
    /// A known command with the wrong arguments: the usage line to show, and what was wrong.
    Usage {
        /// The row's usage line.
        usage: &'static str,
        /// What was wrong.
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

impl std::error::Error for ParseError {}

/// Parses one command line (already stripped of any address to the bot): a leading `/` is
/// optional, words are case-insensitive.
pub fn parse(line: &str) -> Result<Parsed, ParseError> {
    let line = line.trim();
    let line = line.strip_prefix('/').unwrap_or(line).trim_start();
    for spec in COMMANDS {
        let Some(rest) = parse::strip_words(line, spec.words) else {
            continue;
        };
        match (spec.args)(&rest) {
            Ok(Some(command)) => return Ok(Parsed { command, spec }),
            Ok(None) => continue,
            Err(problem) => {
                return Err(ParseError::Usage {
                    usage: spec.usage,
                    problem,
                });
            }
        }
    }
    Err(ParseError::Unknown)
}

/// The `help` text: every row's usage and description, one line each.
pub fn help() -> String {
    let width = COMMANDS.iter().map(|c| c.usage.len()).max().unwrap_or(0);
    COMMANDS
        .iter()
        .map(|c| format!("{:width$}  {}", c.usage, c.about))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod genie_tests;
#[cfg(test)]
mod status_tests;
#[cfg(test)]
mod tests;
