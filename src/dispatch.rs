//! The dispatcher: runs a parsed command against the services and words the answer.
//!
//! Every answer is plain text (adapters turn it into HTML or a paste). A failing service never
//! takes the bot down: the command's answer names the failure.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::command::{self, Command, GenieCommand, StatusCommand};
use crate::health::Health;
use crate::identity::{Operators, Speaker, UserId};
use crate::store::{AuditEntry, Store};
use futures_util::TryStreamExt;
use opsgenie_client::schedules::ScheduleRef;
use opsgenie_client::{Alert, AlertAction, AlertRef, UserRef};

mod status;

mod genie;

/// A command may take this many service-call timeouts (a lookup, the action, retries) before
/// the bot answers that the service did not.
const CALLS_PER_COMMAND: u32 = 3;
/// Bulk commands (`genie ack`, `genie close all`) may take longer: every outcome is awaited.
const CALLS_PER_BULK_COMMAND: u32 = 30;
/// How much of an answer the audit log keeps as the outcome.
const AUDIT_OUTCOME_CHARS: usize = 300;

/// A Statuspage client bound to one page.
#[derive(Debug, Clone)]
pub struct Statuspage {
    /// The client.
    pub client: statuspage_client::Client,
    /// The page the `status` commands act on.
    pub page: String,
}

/// The bot: its services, who may change things, and what it remembers. Build it with
/// [`Bot::builder`]; answer a line with [`Bot::handle`].
#[derive(Debug)]
pub struct Bot {
    name: String,
    statuspage: Option<Statuspage>,
    opsgenie: Option<opsgenie_client::Client>,
    operators: Operators,
    store: Store,
    call_timeout: Duration,
    health: Arc<Health>,
    opsgenie_app_url: Option<String>,
}

/// Builds a [`Bot`].
#[derive(Debug)]
#[must_use]
pub struct BotBuilder {
    bot: Bot,
}

impl BotBuilder {
    /// Statuspage, acting on `page`.
    pub fn statuspage(
        mut self,
        client: statuspage_client::Client,
        page: impl Into<String>,
    ) -> Self {
        self.bot.statuspage = Some(Statuspage {
            client,
            page: page.into(),
        });
        self
    }

    /// Opsgenie (or JSM Operations: the same client, built for it).
    pub fn opsgenie(mut self, client: opsgenie_client::Client) -> Self {
        self.bot.opsgenie = Some(client);
        self
    }

    /// Who may run changing commands (default: nobody).
    pub fn operators(mut self, operators: Operators) -> Self {
        self.bot.operators = operators;
        self
    }

    /// Where settings and the audit log live (default: in memory).
    pub fn store(mut self, store: Store) -> Self {
        self.bot.store = store;
        self
    }

    /// How long one service call may take (default 10 s; each client's own timeout should match).
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.bot.call_timeout = timeout;
        self
    }

    /// Where the outcome of each service call is recorded (default: a fresh one for the
    /// services given, on the shell adapter).
    pub fn health(mut self, health: Arc<Health>) -> Self {
        self.bot.health = health;
        self
    }

    /// The Opsgenie (or JSM) web application (`OPSGENIE_APP_URL`): `genie show` links to it.
    pub fn opsgenie_app_url(mut self, url: Option<String>) -> Self {
        self.bot.opsgenie_app_url = url.filter(|u| !u.trim().is_empty());
        self
    }

    /// The bot.
    pub fn build(self) -> Bot {
        self.bot
    }
}

/// Why a command could not be carried out.
enum Failure {
    NotConfigured {
        service: &'static str,
        set: &'static str,
    },
    Statuspage(statuspage_client::Error),
    Opsgenie(opsgenie_client::Error),
    Said(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NotConfigured { service, set } => {
                write!(
                    f,
                    "{service} is not configured: set {set} to use these commands"
                )
            }
            Failure::Statuspage(err) => write!(f, "Statuspage failed: {err}"),
            Failure::Opsgenie(err) => write!(f, "Opsgenie failed: {}", opsgenie_reason(err)),
            Failure::Said(text) => f.write_str(text),
        }
    }
}

impl From<statuspage_client::Error> for Failure {
    fn from(err: statuspage_client::Error) -> Self {
        Failure::Statuspage(err)
    }
}

impl From<opsgenie_client::Error> for Failure {
    fn from(err: opsgenie_client::Error) -> Self {
        Failure::Opsgenie(err)
    }
}

/// The server's own words for a failed asynchronous action; the error text otherwise.
fn opsgenie_reason(err: &opsgenie_client::Error) -> String {
    match err {
        opsgenie_client::Error::RequestFailed(failure) => failure.status.clone(),
        other => other.to_string(),
    }
}

type Outcome = Result<String, Failure>;

/// The query for open alerts (acknowledged or not).
const OPEN_QUERY: &str = "status:open";
/// The query for open alerts nobody acknowledged.
const UNACKED_QUERY: &str = "status:open AND acknowledged:false";

/// Open and nobody acknowledged it (on JSM, an `acked` status counts as acknowledged).
fn is_unacked(alert: &Alert) -> bool {
    alert.is_open() && !alert.is_acknowledged()
}

/// One action on every alert a query selects (`genie ack`, `genie close all`).
struct BulkJob {
    /// The query for the alerts that still need the action (sent as written on both backends).
    pending: &'static str,
    /// Whether a listed alert still needs the action. The pager's answer is checked, not taken
    /// on trust: on JSM `status` has more values (`acked`, `snoozed`, `resolved`).
    needs: fn(&Alert) -> bool,
    action: AlertAction,
    /// The answer's verb and adjective: "Acknowledged 3 of 4 unacknowledged alerts."
    done: &'static str,
    adjective: &'static str,
}

const ACKNOWLEDGE_ALL: BulkJob = BulkJob {
    pending: UNACKED_QUERY,
    needs: is_unacked,
    action: AlertAction::Acknowledge,
    done: "Acknowledged",
    adjective: "unacknowledged",
};

const CLOSE_ALL: BulkJob = BulkJob {
    pending: OPEN_QUERY,
    needs: Alert::is_open,
    action: AlertAction::Close,
    done: "Closed",
    adjective: "open",
};

impl Bot {
    /// A bot answering to `name`, with no services, nobody an operator, an in-memory store.
    pub fn builder(name: impl Into<String>) -> BotBuilder {
        BotBuilder {
            bot: Bot {
                name: name.into(),
                statuspage: None,
                opsgenie: None,
                operators: Operators::Unset,
                store: Store::in_memory(),
                call_timeout: Duration::from_secs(10),
                health: Arc::new(Health::new("shell", &[])),
                opsgenie_app_url: None,
            },
        }
    }

    /// The name the bot answers to.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The store of settings and the audit log.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The Statuspage page the status commands act on, when Statuspage is configured.
    pub fn statuspage_page(&self) -> Option<&str> {
        self.statuspage.as_ref().map(|sp| sp.page.as_str())
    }

    /// The health of the services, as `/healthz` reports it.
    pub fn health(&self) -> &Arc<Health> {
        &self.health
    }

    /// Answers one command line (already stripped of any address to the bot). Changing
    /// commands need an operator, and are written to the audit log with what came of them.
    pub async fn handle(&self, speaker: &Speaker, text: &str) -> String {
        let parsed = match command::parse(text) {
            Ok(parsed) => parsed,
            Err(err) => return err.to_string(),
        };
        let access = parsed.access();
        let typed = text.trim().trim_start_matches('/').trim_start();
        if access.needs_operator() && !self.operators.allows(&speaker.id) {
            tracing::info!(
                adapter = speaker.id.adapter(),
                user_id = %speaker.id,
                command = parsed.spec.usage,
                "refused: not an operator"
            );
            if access.is_audited() {
                self.audit(speaker, typed, "refused: not an operator").await;
            }
            return self.refusal(speaker);
        }
        let limit = match parsed.command {
            Command::Genie(
                GenieCommand::AckAll
                | GenieCommand::CloseAll
                | GenieCommand::AckMany { .. }
                | GenieCommand::CloseMany { .. },
            ) => self.call_timeout * CALLS_PER_BULK_COMMAND,
            _ => self.call_timeout * CALLS_PER_COMMAND,
        };
        let (reply, outcome) =
            match tokio::time::timeout(limit, self.run(speaker, parsed.command)).await {
                Ok(Ok(reply)) => {
                    let outcome = format!("ok: {}", reply.lines().next().unwrap_or_default());
                    (reply, outcome)
                }
                Ok(Err(failure)) => {
                    let reply = failure.to_string();
                    let outcome = format!("failed: {reply}");
                    (reply, outcome)
                }
                Err(_) => {
                    let reply = format!(
                        "No answer from the service within {:.1} s; try again later.",
                        limit.as_secs_f64()
                    );
                    (reply.clone(), format!("unknown: {reply}"))
                }
            };
        if access.is_audited() {
            tracing::info!(
                adapter = speaker.id.adapter(),
                user_id = %speaker.id,
                command = parsed.spec.usage,
                outcome = outcome.split(':').next().unwrap_or_default(),
                "changing command"
            );
            self.audit(speaker, typed, &outcome).await;
        }
        reply
    }

    fn refusal(&self, speaker: &Speaker) -> String {
        match (&self.operators, &speaker.id) {
            (Operators::Unset, _) => "Changing commands are turned off: set BOT_OPERATORS to the \
                                      user ids (Campfire) or names (shell) allowed to use them \
                                      (or * for everyone)."
                .to_owned(),
            (_, UserId::Shell(_)) => format!(
                "Sorry {}, you are not an operator: ask to be added to BOT_OPERATORS.",
                speaker.name
            ),
            (_, id) => format!(
                "Sorry {}, you are not an operator: ask to have your user id {id} added to \
                 BOT_OPERATORS.",
                speaker.name
            ),
        }
    }

    async fn audit(&self, speaker: &Speaker, command: &str, outcome: &str) {
        let outcome: String = outcome.chars().take(AUDIT_OUTCOME_CHARS).collect();
        if let Err(err) = self.store.audit(speaker, command, &outcome).await {
            tracing::error!(error = %err, command, "could not write the audit log");
        }
    }

    async fn run(&self, speaker: &Speaker, command: Command) -> Outcome {
        match command {
            Command::Help => Ok(command::help()),
            Command::Status(StatusCommand::Log { lines }) => self.log("status", lines).await,
            Command::Genie(GenieCommand::Log { lines }) => self.log("genie", lines).await,
            Command::Genie(GenieCommand::MeAs { user }) => Ok(self.me_as(speaker, &user).await),
            Command::Status(cmd) => {
                let outcome = self.status(cmd).await;
                self.record("statuspage", &outcome);
                outcome
            }
            Command::Genie(cmd) => {
                let outcome = self.genie(speaker, cmd).await;
                self.record("opsgenie", &outcome);
                outcome
            }
        }
    }

    /// A service answered (even "no such component") or failed.
    fn record(&self, service: &'static str, outcome: &Outcome) {
        match outcome {
            Ok(_) | Err(Failure::Said(_)) => self.health.record(service, true),
            Err(Failure::Statuspage(_) | Failure::Opsgenie(_)) => {
                self.health.record(service, false)
            }
            Err(Failure::NotConfigured { .. }) => {}
        }
    }

    async fn me_as(&self, speaker: &Speaker, user: &str) -> String {
        match self.store.set_opsgenie_user(&speaker.id, user).await {
            Ok(()) => format!("Okay {}, you are {user} in Opsgenie.", speaker.name),
            Err(why) => format!(
                "Okay {}, you are {user} in Opsgenie for now ({why}).",
                speaker.name
            ),
        }
    }

    async fn log(&self, family: &str, lines: usize) -> Outcome {
        let entries = self
            .store
            .recent(family, lines)
            .await
            .map_err(|err| Failure::Said(format!("The audit log cannot be read: {err}")))?;
        if entries.is_empty() {
            return Ok(format!("No changing {family} commands yet."));
        }
        let mut out = format!(
            "Last {}:",
            plural(
                entries.len(),
                &format!("changing {family} command"),
                &format!("changing {family} commands")
            )
        );
        for entry in &entries {
            out.push('\n');
            out.push_str(&describe_audit(entry));
        }
        Ok(out)
    }

    // ---- Opsgenie ----------------------------------------------------------------------

    fn opsgenie(&self) -> Result<&opsgenie_client::Client, Failure> {
        self.opsgenie.as_ref().ok_or(Failure::NotConfigured {
            service: "Opsgenie",
            set: "OPSGENIE_API_KEY",
        })
    }

    /// The Opsgenie user a speaker acts as: what they said with `genie me as`, else their chat
    /// name (only a label on the action in Opsgenie; it grants nothing).
    async fn opsgenie_user(&self, speaker: &Speaker) -> String {
        self.store
            .settings(&speaker.id)
            .await
            .opsgenie_user
            .unwrap_or_else(|| speaker.name.clone())
    }

    async fn genie(&self, speaker: &Speaker, cmd: GenieCommand) -> Outcome {
        let og = self.opsgenie()?;
        let user = self.opsgenie_user(speaker).await;
        let cmd = match self.genie_more(og, speaker, &user, cmd).await {
            Ok(outcome) => return outcome,
            Err(cmd) => cmd,
        };
        match cmd {
            GenieCommand::Status => {
                let alerts = alerts_where(og, OPEN_QUERY, Alert::is_open).await?;
                if alerts.is_empty() {
                    return Ok("No open alerts, go back to sleep.".to_owned());
                }
                let acked = alerts.iter().filter(|a| a.is_acknowledged()).count();
                let mut out = format!(
                    "Found {acked} acked and {} unacked alerts.",
                    alerts.len() - acked
                );
                for a in &alerts {
                    out.push('\n');
                    out.push_str(&describe_alert(a));
                }
                Ok(out)
            }
            GenieCommand::AckAll => {
                let alerts =
                    alerts_where(og, ACKNOWLEDGE_ALL.pending, ACKNOWLEDGE_ALL.needs).await?;
                if alerts.is_empty() {
                    return Ok("No unacknowledged alerts.".to_owned());
                }
                self.bulk(og, &alerts, &ACKNOWLEDGE_ALL, &user).await
            }
            GenieCommand::CloseAll => {
                let alerts = alerts_where(og, CLOSE_ALL.pending, CLOSE_ALL.needs).await?;
                if alerts.is_empty() {
                    return Ok("No open alerts to close.".to_owned());
                }
                self.bulk(og, &alerts, &CLOSE_ALL, &user).await
            }
            GenieCommand::CloseHint => {
                let open = og.alerts().count().query(OPEN_QUERY).await?;
                Ok(format!(
                    "{} open. Close one with `genie close <tiny id>`, or all of them with `genie close all`.",
                    plural(open as usize, "alert is", "alerts are")
                ))
            }
            GenieCommand::Ack { tiny_id } => {
                self.one(
                    og,
                    &tiny_id,
                    AlertAction::Acknowledge,
                    &user,
                    "Acknowledged",
                )
                .await
            }
            GenieCommand::Unack { tiny_id } => {
                self.one(
                    og,
                    &tiny_id,
                    AlertAction::Unacknowledge,
                    &user,
                    "Unacknowledged",
                )
                .await
            }
            GenieCommand::Close { tiny_id } => {
                self.one(og, &tiny_id, AlertAction::Close, &user, "Closed")
                    .await
            }
            GenieCommand::Note { tiny_id, text } => {
                self.one(
                    og,
                    &tiny_id,
                    AlertAction::AddNote(text),
                    &user,
                    "Added a note to",
                )
                .await
            }
            GenieCommand::OnCall { schedule } => {
                let on_calls = match schedule {
                    Some(name) => vec![
                        og.schedules()
                            .on_calls(ScheduleRef::name(name))
                            .flat(true)
                            .await?,
                    ],
                    None => og.schedules().all_on_calls().flat(true).await?,
                };
                if on_calls.is_empty() {
                    return Ok("There are no schedules.".to_owned());
                }
                let lines: Vec<String> = on_calls
                    .iter()
                    .map(|oc| {
                        // Usernames on Opsgenie; on JSM account ids, shown as such.
                        let people: Vec<String> =
                            oc.people().iter().map(ToString::to_string).collect();
                        let who = if people.is_empty() {
                            "nobody".to_owned()
                        } else {
                            people.join(", ")
                        };
                        format!("{}: {who}", oc.schedule_name().unwrap_or("schedule"))
                    })
                    .collect();
                Ok(format!("On call now:\n{}", lines.join("\n")))
            }
            GenieCommand::Alert { priority, message } => {
                let mut create = og
                    .alerts()
                    .create(message)
                    .source(self.name.clone())
                    .user(user);
                if let Some(p) = priority {
                    create = create.priority(p);
                }
                let outcome = create.await?.wait().await?;
                let Some(id) = outcome.alert_id() else {
                    return Ok(format!("Alert created ({}).", outcome.status));
                };
                let alert = og.alerts().get(AlertRef::id(id.to_string())).await?;
                Ok(format!("Created {}", describe_alert(&alert)))
            }
            GenieCommand::MeAs { .. } | GenieCommand::Log { .. } => {
                Err(Failure::Said("not an Opsgenie call".to_owned()))
            }
            // Answered by `genie_more` above.
            other => Err(Failure::Said(format!("not handled here: {other:?}"))),
        }
    }

    /// One action on one alert by tiny id, its outcome awaited.
    async fn one(
        &self,
        og: &opsgenie_client::Client,
        tiny_id: &str,
        action: AlertAction,
        user: &str,
        done: &str,
    ) -> Outcome {
        let alert = match og.alerts().get(AlertRef::tiny(tiny_id)).await {
            Ok(alert) => alert,
            Err(opsgenie_client::Error::Api(api)) if api.is_not_found() => {
                return Err(Failure::Said(format!("There is no alert #{tiny_id}.")));
            }
            Err(err) => return Err(err.into()),
        };
        let handle = og
            .alerts()
            .run(AlertRef::id(alert.id.to_string()), action)
            .user(user)
            .source(self.name.clone())
            .await?;
        match handle.wait().await {
            Ok(_) => Ok(format!("{done} #{tiny_id}: {}", alert.message)),
            Err(err) => Err(Failure::Said(format!(
                "Could not do that to #{tiny_id}: {}",
                opsgenie_reason(&err)
            ))),
        }
    }

    /// One action on many alerts at once; every outcome awaited and reported.
    ///
    /// `pending` is the query that selects the alerts still needing the action. An outcome that
    /// could not be learned (the pager timed out, a connection dropped) is not a failure yet:
    /// the pager's own state decides, and the SDK tries again what still needs the action in
    /// bounded rounds (`BulkRequest::confirm_by`). So the answer never calls failed what was
    /// done, nor done what was not, and names every alert that failed or was gone.
    async fn bulk(
        &self,
        og: &opsgenie_client::Client,
        alerts: &[Alert],
        job: &BulkJob,
        user: &str,
    ) -> Outcome {
        use opsgenie_client::alerts::{BulkResult, BulkSummary};
        let BulkJob {
            pending,
            action,
            done,
            adjective,
            ..
        } = job;
        let tiny: HashMap<&str, &str> = alerts
            .iter()
            .map(|a| {
                (
                    a.id.as_str(),
                    a.tiny_id.as_deref().unwrap_or_else(|| a.id.as_str()),
                )
            })
            .collect();
        // The SDK confirms by the pager's state (what still matches `pending` has not had the
        // action), re-sends in bounded rounds and tells done, failed, gone and not confirmed
        // apart: the bot keeps only its wording.
        let outcomes = og
            .alerts()
            .bulk(alerts.iter().map(AlertRef::from), action.clone())
            .confirm_by(*pending)
            .user(user)
            .source(self.name.clone())
            .await;
        let summary = BulkSummary::of(&outcomes);
        let mut out = format!(
            "{done} {} of {} {adjective} alerts.",
            summary.done,
            alerts.len()
        );
        if summary.not_confirmed > 0 {
            out.push_str(&format!(
                " {} more could not be confirmed: the pager did not answer when asked.",
                summary.not_confirmed
            ));
        }
        for o in outcomes.iter().filter(|o| !o.succeeded()) {
            let id = o
                .alert_id
                .as_ref()
                .map_or(o.alert.value.as_str(), |id| id.as_str());
            let name = tiny.get(id).copied().unwrap_or(id);
            let line = match &o.result {
                BulkResult::Failed { reason, .. } => format!("#{name} failed: {reason}"),
                BulkResult::Gone { .. } => format!("#{name} {}", o.result.describe()),
                BulkResult::NotConfirmed(e) => {
                    format!("#{name} not confirmed: {}", opsgenie_reason(e))
                }
                other => format!("#{name}: {}", other.describe()),
            };
            out.push('\n');
            out.push_str(&line);
        }
        Ok(out)
    }
}

async fn open_alerts(og: &opsgenie_client::Client, query: &str) -> Result<Vec<Alert>, Failure> {
    alerts_where(og, query, Alert::is_open).await
}

/// Every alert `query` lists that `keep` accepts.
async fn alerts_where(
    og: &opsgenie_client::Client,
    query: &str,
    keep: fn(&Alert) -> bool,
) -> Result<Vec<Alert>, Failure> {
    og.alerts()
        .list()
        .query(query)
        .stream()
        .try_filter(|alert| std::future::ready(keep(alert)))
        .try_collect()
        .await
        .map_err(Failure::from)
}

/// Who `me` is to the pager: a username on Opsgenie; on JSM, which has no usernames, an
/// Atlassian account id (an e-mail address is refused here, before anything is sent).
fn pager_user(og: &opsgenie_client::Client, me: &str) -> Result<UserRef, Failure> {
    if !og.backend().is_jsm() {
        return Ok(UserRef::username(me));
    }
    if me.contains('@') {
        return Err(Failure::Said(format!(
            "JSM names people by Atlassian account id, not by e-mail ({me}): \
             genie me as <your Atlassian account id>"
        )));
    }
    Ok(UserRef::id(me))
}

fn describe_alert(a: &Alert) -> String {
    let tiny = a.tiny_id.as_deref().unwrap_or("?");
    let priority = a
        .priority
        .as_ref()
        .map(|p| p.to_string())
        .unwrap_or_else(|| "P?".to_owned());
    let source = a
        .source
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("unknown");
    let ack = if a.is_acknowledged() {
        match a.report.as_ref().and_then(|r| r.acknowledged_by.as_deref()) {
            Some(by) => format!("acked by {by}"),
            None => "acked".to_owned(),
        }
    } else {
        "unacked".to_owned()
    };
    format!(
        "#{tiny} [{priority}] {} (source {source}, {ack})",
        a.message
    )
}

fn describe_audit(entry: &AuditEntry) -> String {
    let room = entry
        .room
        .as_deref()
        .map(|r| format!(" room {r}"))
        .unwrap_or_default();
    let who = if entry.adapter == "shell" {
        entry.user_name.clone()
    } else {
        format!("{} (id {})", entry.user_name, entry.user_id)
    };
    format!(
        "{} {}{room}, {who}: {} -> {}",
        entry.at.format("%Y-%m-%d %H:%M UTC"),
        entry.adapter,
        entry.command,
        entry.outcome
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
