//! The `genie` commands of issue 17: several alerts at once, snooze, escalate, assign, own,
//! priority, show, status filters, next on call, schedules, overrides, take (for someone),
//! release. Every answer says what happened and names any failure; nothing is sent when a name
//! is unknown or ambiguous.

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use opsgenie_client::escalations::Escalation;
use opsgenie_client::schedules::{Override, Schedule, ScheduleRef};
use opsgenie_client::{Alert, AlertAction, AlertRef, NamedRef, Priority};

use super::{Bot, Failure, Outcome, describe_alert, open_alerts, opsgenie_reason, plural};
use crate::command::{AlertFilter, GenieCommand};
use crate::identity::Speaker;

/// How many of an alert's notes `genie show` shows (the most recent).
const SHOW_NOTES: usize = 3;

impl Bot {
    /// A watcher of who is on call for handover notices ([`crate::handover`]), when Opsgenie
    /// is configured.
    pub fn handover(&self) -> Option<crate::handover::Handover> {
        self.opsgenie
            .clone()
            .map(|og| crate::handover::Handover::new(og, self.statuspage.clone()))
    }

    /// Runs one of the commands this module owns; gives `cmd` back when it is not one of them.
    pub(super) async fn genie_more(
        &self,
        og: &opsgenie_client::Client,
        speaker: &Speaker,
        user: &str,
        cmd: GenieCommand,
    ) -> Result<Outcome, GenieCommand> {
        Ok(match cmd {
            GenieCommand::AckMany { tiny_ids } => {
                self.many(
                    og,
                    &tiny_ids,
                    AlertAction::Acknowledge,
                    user,
                    "Acknowledged",
                )
                .await
            }
            GenieCommand::CloseMany { tiny_ids } => {
                self.many(og, &tiny_ids, AlertAction::Close, user, "Closed")
                    .await
            }
            GenieCommand::Snooze { tiny_id, duration } => {
                self.snooze(og, &tiny_id, duration, user).await
            }
            GenieCommand::Escalate {
                tiny_id,
                escalation,
            } => self.escalate(og, &tiny_id, escalation, user).await,
            GenieCommand::Assign { tiny_id, user: to } => {
                self.assign(og, &tiny_id, &to, user).await
            }
            GenieCommand::Own { tiny_id } => match self.me(speaker).await {
                Ok(me) => self.assign(og, &tiny_id, &me, user).await,
                Err(failure) => Err(failure),
            },
            GenieCommand::Priority { tiny_id, priority } => {
                self.priority(og, &tiny_id, priority, user).await
            }
            GenieCommand::Show { tiny_id } => self.show(og, &tiny_id).await,
            GenieCommand::StatusFilter { filter } => status_filter(og, &filter).await,
            GenieCommand::OnCallNext { schedule } => oncall_next(og, schedule).await,
            GenieCommand::Schedules => schedules(og).await,
            GenieCommand::Overrides { schedule } => overrides(og, schedule).await,
            GenieCommand::Take {
                schedule,
                duration,
                user: who,
            } => self.take(og, speaker, schedule, duration, who).await,
            GenieCommand::Release { schedule } => self.release(og, speaker, schedule).await,
            other => return Err(other),
        })
    }

    /// The speaker's `genie me as` user, or the answer telling them to set it.
    async fn me(&self, speaker: &Speaker) -> Result<String, Failure> {
        self.store
            .settings(&speaker.id)
            .await
            .opsgenie_user
            .ok_or_else(|| {
                Failure::Said(
                    "Tell me who you are in Opsgenie first: genie me as <opsgenie user>".to_owned(),
                )
            })
    }

    /// Runs `action` on `alert` and waits for its outcome.
    async fn act(
        &self,
        og: &opsgenie_client::Client,
        alert: &Alert,
        tiny_id: &str,
        action: AlertAction,
        user: &str,
    ) -> Result<(), Failure> {
        let handle = og
            .alerts()
            .run(AlertRef::id(alert.id.to_string()), action)
            .user(user)
            .source(self.name.clone())
            .await?;
        handle.wait().await.map(|_| ()).map_err(|err| {
            Failure::Said(format!(
                "Could not do that to #{tiny_id}: {}",
                opsgenie_reason(&err)
            ))
        })
    }

    /// One action on several alerts, one after the other; every outcome reported.
    async fn many(
        &self,
        og: &opsgenie_client::Client,
        tiny_ids: &[String],
        action: AlertAction,
        user: &str,
        done: &str,
    ) -> Outcome {
        let mut ids: Vec<&String> = Vec::new();
        for id in tiny_ids {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut lines = Vec::new();
        let mut ok = 0;
        for id in &ids {
            let outcome = match find_alert(og, id).await {
                Ok(alert) => self
                    .act(og, &alert, id, action.clone(), user)
                    .await
                    .map(|()| alert.message),
                Err(failure) => Err(failure),
            };
            match outcome {
                Ok(message) => {
                    ok += 1;
                    lines.push(format!("#{id} {}: {message}", done.to_lowercase()));
                }
                Err(Failure::Said(text)) => lines.push(format!("#{id} failed: {text}")),
                Err(other) => lines.push(format!("#{id} failed: {other}")),
            }
        }
        Ok(format!(
            "{done} {ok} of {}.\n{}",
            plural(ids.len(), "alert", "alerts"),
            lines.join("\n")
        ))
    }

    async fn snooze(
        &self,
        og: &opsgenie_client::Client,
        tiny_id: &str,
        duration: chrono::Duration,
        user: &str,
    ) -> Outcome {
        let alert = find_alert(og, tiny_id).await?;
        let end = Utc::now() + duration;
        self.act(og, &alert, tiny_id, AlertAction::Snooze(end), user)
            .await?;
        Ok(format!(
            "Snoozed #{tiny_id} until {}: {}",
            clock(end),
            alert.message
        ))
    }

    async fn priority(
        &self,
        og: &opsgenie_client::Client,
        tiny_id: &str,
        priority: Priority,
        user: &str,
    ) -> Outcome {
        let alert = find_alert(og, tiny_id).await?;
        let was = alert
            .priority
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_else(|| "P?".to_owned());
        self.act(
            og,
            &alert,
            tiny_id,
            AlertAction::UpdatePriority(priority.clone()),
            user,
        )
        .await?;
        Ok(format!(
            "#{tiny_id} is now {priority} (was {was}): {}",
            alert.message
        ))
    }

    async fn assign(
        &self,
        og: &opsgenie_client::Client,
        tiny_id: &str,
        to: &str,
        user: &str,
    ) -> Outcome {
        let alert = find_alert(og, tiny_id).await?;
        self.act(
            og,
            &alert,
            tiny_id,
            AlertAction::Assign(super::pager_user(og, to)?),
            user,
        )
        .await?;
        Ok(format!(
            "#{tiny_id} is now owned by {to}: {}",
            alert.message
        ))
    }

    async fn escalate(
        &self,
        og: &opsgenie_client::Client,
        tiny_id: &str,
        escalation: Option<String>,
        user: &str,
    ) -> Outcome {
        let alert = find_alert(og, tiny_id).await?;
        let name = match escalation {
            Some(name) => known_escalation(og, &name).await?,
            None => choose_escalation(og, &alert).await?,
        };
        self.act(
            og,
            &alert,
            tiny_id,
            AlertAction::Escalate(if og.backend().is_jsm() {
                // JSM escalates by escalation id only.
                NamedRef::id(name.clone())
            } else {
                NamedRef::name(name.clone())
            }),
            user,
        )
        .await?;
        Ok(format!(
            "Escalated #{tiny_id} to the next level of {name}: {}",
            alert.message
        ))
    }

    async fn show(&self, og: &opsgenie_client::Client, tiny_id: &str) -> Outcome {
        let alert = find_alert(og, tiny_id).await?;
        let a = og.alerts().get(AlertRef::id(alert.id.to_string())).await?;
        let mut out = format!("#{tiny_id} {}", a.message);
        let field = |out: &mut String, name: &str, value: String| {
            out.push_str(&format!("\n{name}: {value}"));
        };
        field(
            &mut out,
            "priority",
            a.priority
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "unknown".to_owned()),
        );
        let status = a
            .status
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        let snoozed = match (a.snoozed, a.snoozed_until) {
            (true, Some(until)) => format!(", snoozed until {}", clock(until)),
            (true, None) => ", snoozed".to_owned(),
            _ => String::new(),
        };
        field(&mut out, "status", format!("{status}{snoozed}"));
        let acked = if a.acknowledged {
            a.report
                .as_ref()
                .and_then(|r| r.acknowledged_by.clone())
                .unwrap_or_else(|| "someone (not named)".to_owned())
        } else {
            "nobody".to_owned()
        };
        field(&mut out, "acked by", acked);
        field(
            &mut out,
            "owner",
            a.owner
                .clone()
                .filter(|o| !o.is_empty())
                .unwrap_or_else(|| "none".to_owned()),
        );
        field(
            &mut out,
            "tags",
            if a.tags.is_empty() {
                "none".to_owned()
            } else {
                a.tags.join(", ")
            },
        );
        field(
            &mut out,
            "source",
            a.source
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "unknown".to_owned()),
        );
        field(
            &mut out,
            "created",
            a.created_at
                .map(|t| format!("{} ({})", ago(t, Utc::now()), clock(t)))
                .unwrap_or_else(|| "unknown".to_owned()),
        );
        field(
            &mut out,
            "count",
            a.count
                .map(|c| c.to_string())
                .unwrap_or_else(|| "1".to_owned()),
        );
        match og
            .alerts()
            .notes(AlertRef::id(a.id.to_string()))
            .stream()
            .try_collect::<Vec<_>>()
            .await
        {
            Ok(mut notes) => {
                notes.sort_by_key(|n| n.created_at);
                let last: Vec<String> = notes
                    .iter()
                    .rev()
                    .take(SHOW_NOTES)
                    .rev()
                    .map(|n| {
                        format!(
                            "\n  {} {}: {}",
                            n.created_at.map(clock).unwrap_or_default(),
                            n.owner.as_deref().unwrap_or("someone"),
                            n.note
                        )
                    })
                    .collect();
                if last.is_empty() {
                    field(&mut out, "notes", "none".to_owned());
                } else {
                    out.push_str(&format!(
                        "\nlast notes ({} of {}):",
                        last.len(),
                        notes.len()
                    ));
                    out.push_str(&last.concat());
                }
            }
            Err(err) => field(
                &mut out,
                "notes",
                format!("could not be read: {}", opsgenie_reason(&err)),
            ),
        }
        if let Some(app) = &self.opsgenie_app_url {
            field(
                &mut out,
                "link",
                format!(
                    "{}/alert/detail/{}/details",
                    app.trim_end_matches('/'),
                    a.id
                ),
            );
        }
        Ok(out)
    }

    async fn take(
        &self,
        og: &opsgenie_client::Client,
        speaker: &Speaker,
        schedule: Option<String>,
        duration: chrono::Duration,
        who: Option<String>,
    ) -> Outcome {
        let me = match who {
            Some(who) => who,
            None => self.me(speaker).await?,
        };
        let schedule = pick_schedule(og, schedule.as_deref(), "genie take <schedule> <duration>")
            .await?
            .name;
        let start = Utc::now();
        let end = start + duration;
        og.schedules()
            .overrides(ScheduleRef::name(schedule.clone()))
            .create(super::pager_user(og, &me)?, start, end)
            .await?;
        Ok(format!(
            "{me} is on call for {schedule} until {}.",
            end.format("%Y-%m-%d %H:%M UTC")
        ))
    }

    async fn release(
        &self,
        og: &opsgenie_client::Client,
        speaker: &Speaker,
        schedule: Option<String>,
    ) -> Outcome {
        let me = self.me(speaker).await?;
        let schedules = match schedule.as_deref() {
            Some(name) => vec![pick_schedule(og, Some(name), "genie release [<schedule>]").await?],
            None => og.schedules().list().await?,
        };
        let now = Utc::now();
        let mut held: Vec<(String, Override)> = Vec::new();
        for s in &schedules {
            for o in og
                .schedules()
                .overrides(ScheduleRef::name(s.name.clone()))
                .list()
                .await?
            {
                let mine = o
                    .user
                    .as_ref()
                    .and_then(|u| u.username.as_deref().or(u.id.as_deref()))
                    .is_some_and(|u| u.eq_ignore_ascii_case(&me));
                if mine && is_active(&o, now) {
                    held.push((s.name.clone(), o));
                }
            }
        }
        match held.as_slice() {
            [] => Err(Failure::Said(format!(
                "{me} holds no override now{}; nothing changed.",
                schedule
                    .as_deref()
                    .map(|s| format!(" in {s}"))
                    .unwrap_or_default()
            ))),
            [(name, o)] => {
                og.schedules()
                    .overrides(ScheduleRef::name(name.clone()))
                    .delete(&o.alias)
                    .await?;
                let until = o.end_date.map(clock).unwrap_or_default();
                let after = og
                    .schedules()
                    .on_calls(ScheduleRef::name(name.clone()))
                    .flat(true)
                    .await
                    .map(|oc| join_or_nobody(oc.users()))
                    .unwrap_or_else(|err| format!("unknown ({})", opsgenie_reason(&err)));
                Ok(format!(
                    "Ended {me}'s override in {name} (it ran until {until}). On call now: {after}."
                ))
            }
            many => {
                let names: Vec<&str> = many.iter().map(|(n, _)| n.as_str()).collect();
                Err(Failure::Said(format!(
                    "{me} holds overrides in several schedules: {}. Which one? genie release <schedule>; nothing changed.",
                    names.join(", ")
                )))
            }
        }
    }
}

/// An alert by tiny id, or the answer that there is none.
async fn find_alert(og: &opsgenie_client::Client, tiny_id: &str) -> Result<Alert, Failure> {
    match og.alerts().get(AlertRef::tiny(tiny_id)).await {
        Ok(alert) => Ok(alert),
        Err(opsgenie_client::Error::Api(api)) if api.is_not_found() => {
            Err(Failure::Said(format!("There is no alert #{tiny_id}.")))
        }
        Err(err) => Err(err.into()),
    }
}

/// A named escalation as the account spells it (any case); an unknown name answers the known
/// ones and sends nothing. When the escalations cannot be listed (JSM), the name is sent as typed.
async fn known_escalation(og: &opsgenie_client::Client, name: &str) -> Result<String, Failure> {
    let Ok(all) = og.escalations().list().await else {
        return Ok(name.to_owned());
    };
    if let Some(e) = all.iter().find(|e| e.name.eq_ignore_ascii_case(name)) {
        return Ok(e.name.clone());
    }
    let names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
    Err(Failure::Said(format!(
        "No escalation is called \"{name}\". Known escalations: {}; nothing sent.",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    )))
}

/// The escalation for an alert when none is named: its owner team's if it has exactly one,
/// else the only escalation there is; otherwise the candidates, and nothing is sent.
async fn choose_escalation(og: &opsgenie_client::Client, alert: &Alert) -> Result<String, Failure> {
    let all = og.escalations().list().await.map_err(|err| {
        Failure::Said(format!(
            "Say which escalation: genie escalate <tiny id> <escalation> (the escalations could not be listed: {}); nothing sent.",
            opsgenie_reason(&err)
        ))
    })?;
    pick_escalation(&all, alert.owner_team_id.as_deref())
}

/// The choice of [`choose_escalation`] among `all`, for an alert whose owner team is `team`.
fn pick_escalation(all: &[Escalation], team: Option<&str>) -> Result<String, Failure> {
    if let Some(team) = team.filter(|t| !t.is_empty()) {
        let owned: Vec<_> = all
            .iter()
            .filter(|e| e.owner_team.as_ref().and_then(|t| t.id.as_deref()) == Some(team))
            .collect();
        if let [one] = owned.as_slice() {
            return Ok(one.name.clone());
        }
    }
    match all {
        [one] => Ok(one.name.clone()),
        [] => Err(Failure::Said(
            "There are no escalations to escalate to; nothing sent.".to_owned(),
        )),
        many => {
            let names: Vec<&str> = many.iter().map(|e| e.name.as_str()).collect();
            Err(Failure::Said(format!(
                "Which escalation? genie escalate <tiny id> <escalation>, one of: {}; nothing sent.",
                names.join(", ")
            )))
        }
    }
}

/// A schedule by name (exact in any case, else a unique prefix), or the only one when no name
/// is given; unknown and ambiguous names answer the candidates.
async fn pick_schedule(
    og: &opsgenie_client::Client,
    name: Option<&str>,
    usage: &str,
) -> Result<Schedule, Failure> {
    let schedules = og.schedules().list().expand_rotations().await?;
    let names = |list: &[&Schedule]| {
        list.iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all: Vec<&Schedule> = schedules.iter().collect();
    let Some(name) = name else {
        return match all.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Failure::Said("There are no schedules.".to_owned())),
            many => Err(Failure::Said(format!(
                "Which schedule? {usage}, one of: {}",
                names(many)
            ))),
        };
    };
    let wanted = name.to_lowercase();
    if let Some(s) = all.iter().find(|s| s.name.to_lowercase() == wanted) {
        return Ok((*s).clone());
    }
    let prefixed: Vec<&Schedule> = all
        .iter()
        .copied()
        .filter(|s| s.name.to_lowercase().starts_with(&wanted))
        .collect();
    match prefixed.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Failure::Said(format!(
            "No schedule matches \"{name}\". Known schedules: {}.",
            names(&all)
        ))),
        many => Err(Failure::Said(format!(
            "\"{name}\" matches several schedules: {}. Which one?",
            names(many)
        ))),
    }
}

/// The schedules a command is about: one by name, or all.
async fn some_schedules(
    og: &opsgenie_client::Client,
    name: Option<&str>,
    usage: &str,
) -> Result<Vec<Schedule>, Failure> {
    match name {
        Some(_) => Ok(vec![pick_schedule(og, name, usage).await?]),
        None => Ok(og.schedules().list().expand_rotations().await?),
    }
}

async fn status_filter(og: &opsgenie_client::Client, filter: &AlertFilter) -> Outcome {
    let (query, what) = match filter {
        AlertFilter::Priority(p) => (format!("status:open AND priority:{p}"), format!("{p}")),
        AlertFilter::Unacked => (
            "status:open AND acknowledged:false".to_owned(),
            "unacked".to_owned(),
        ),
        AlertFilter::Tag(tag) => (
            format!("status:open AND tag:{}", quote(tag)),
            format!("tagged {tag}"),
        ),
    };
    let mut alerts = open_alerts(og, &query).await?;
    // The pager's query decides; this only guards against a server that ignores a field.
    alerts.retain(|a| match filter {
        AlertFilter::Priority(p) => a.priority.as_ref() == Some(p),
        AlertFilter::Unacked => !a.acknowledged,
        AlertFilter::Tag(tag) => a.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)),
    });
    if alerts.is_empty() {
        return Ok(format!("No open {what} alerts."));
    }
    let mut out = format!(
        "{} open {what}:",
        plural(alerts.len(), "alert is", "alerts are")
    );
    for a in &alerts {
        out.push('\n');
        out.push_str(&describe_alert(a));
    }
    Ok(out)
}

async fn oncall_next(og: &opsgenie_client::Client, schedule: Option<String>) -> Outcome {
    let schedules = some_schedules(og, schedule.as_deref(), "genie oncall next <schedule>").await?;
    if schedules.is_empty() {
        return Ok("There are no schedules.".to_owned());
    }
    let mut lines = Vec::new();
    for s in &schedules {
        let next = og
            .schedules()
            .next_on_calls(ScheduleRef::name(s.name.clone()))
            .flat(true)
            .await?;
        let names = next.names();
        // The next-on-calls answer names who but not from when: an upcoming override of theirs
        // starts the turn, else the rotations' next turn boundary.
        let from = next_override_start(og, &s.name, &names)
            .await
            .or_else(|| crate::handover::next_boundary(s, Utc::now()));
        lines.push(format!(
            "{}: {}{}",
            s.name,
            join_or_nobody(names),
            from.map(|t| format!(" from {}", clock(t)))
                .unwrap_or_default()
        ));
    }
    Ok(format!("On call next:\n{}", lines.join("\n")))
}

/// When an upcoming override puts one of `names` on call (the only start time the API gives).
async fn next_override_start(
    og: &opsgenie_client::Client,
    schedule: &str,
    names: &[&str],
) -> Option<DateTime<Utc>> {
    let now = Utc::now();
    let list = og
        .schedules()
        .overrides(ScheduleRef::name(schedule))
        .list()
        .await
        .ok()?;
    list.iter()
        .filter(|o| o.start_date.is_some_and(|s| s > now))
        .filter(|o| {
            o.user
                .as_ref()
                .and_then(|u| u.username.as_deref())
                .is_some_and(|u| names.contains(&u))
        })
        .filter_map(|o| o.start_date)
        .min()
}

async fn schedules(og: &opsgenie_client::Client) -> Outcome {
    let schedules = og.schedules().list().await?;
    if schedules.is_empty() {
        return Ok("There are no schedules.".to_owned());
    }
    let mut lines = Vec::new();
    for s in &schedules {
        let now = match og
            .schedules()
            .on_calls(ScheduleRef::name(s.name.clone()))
            .flat(true)
            .await
        {
            Ok(oc) => join_or_nobody(oc.users()),
            Err(err) => format!("unknown ({})", opsgenie_reason(&err)),
        };
        lines.push(format!("{}: {now} on call now", s.name));
    }
    Ok(format!(
        "{}:\n{}",
        plural(schedules.len(), "schedule", "schedules"),
        lines.join("\n")
    ))
}

async fn overrides(og: &opsgenie_client::Client, schedule: Option<String>) -> Outcome {
    let schedules = some_schedules(og, schedule.as_deref(), "genie overrides <schedule>").await?;
    let now = Utc::now();
    let mut lines = Vec::new();
    for s in &schedules {
        let mut list: Vec<Override> = og
            .schedules()
            .overrides(ScheduleRef::name(s.name.clone()))
            .list()
            .await?
            .into_iter()
            .filter(|o| o.end_date.is_none_or(|end| end > now))
            .collect();
        list.sort_by_key(|o| o.start_date);
        for o in &list {
            let who = o
                .user
                .as_ref()
                .and_then(|u| u.username.clone().or(u.id.clone()))
                .unwrap_or_else(|| "someone".to_owned());
            let state = if is_active(o, now) {
                "active"
            } else {
                "upcoming"
            };
            lines.push(format!(
                "{}: {who} from {} until {} ({state})",
                s.name,
                o.start_date.map(clock).unwrap_or_else(|| "?".to_owned()),
                o.end_date.map(clock).unwrap_or_else(|| "?".to_owned()),
            ));
        }
    }
    if lines.is_empty() {
        return Ok(format!(
            "No active or upcoming overrides{}.",
            schedule.map(|s| format!(" in {s}")).unwrap_or_default()
        ));
    }
    Ok(format!(
        "{}:\n{}",
        plural(
            lines.len(),
            "active or upcoming override",
            "active or upcoming overrides"
        ),
        lines.join("\n")
    ))
}

fn is_active(o: &Override, now: DateTime<Utc>) -> bool {
    o.start_date.is_some_and(|s| s <= now) && o.end_date.is_none_or(|e| e > now)
}

fn join_or_nobody(users: Vec<&str>) -> String {
    if users.is_empty() {
        "nobody".to_owned()
    } else {
        users.join(", ")
    }
}

/// A tag as a query value: quoted when it holds anything but letters, digits, `-` and `_`.
fn quote(tag: &str) -> String {
    if tag
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        tag.to_owned()
    } else {
        format!("\"{}\"", tag.replace('"', ""))
    }
}

/// `2026-12-01 23:30 UTC`.
pub(crate) fn clock(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `5 minutes ago`, `3 hours ago`, `2 days ago`.
pub(crate) fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds();
    if secs < 0 {
        return "in the future".to_owned();
    }
    let (n, unit) = match secs {
        0..60 => return "just now".to_owned(),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ago_reads_like_speech() {
        let now = Utc::now();
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now - chrono::Duration::minutes(1), now), "1 minute ago");
        assert_eq!(ago(now - chrono::Duration::hours(5), now), "5 hours ago");
        assert_eq!(ago(now - chrono::Duration::days(2), now), "2 days ago");
    }

    #[test]
    fn the_owner_teams_only_escalation_else_the_only_one_else_candidates() {
        let ops = Escalation::new("e1", "Ops").owned_by("t1", "ops");
        let db = Escalation::new("e2", "Db").owned_by("t2", "db");
        let db2 = Escalation::new("e3", "Db night").owned_by("t2", "db");
        let said = |r: Result<String, Failure>| match r {
            Ok(name) => name,
            Err(f) => format!("err: {f}"),
        };
        let all = [ops.clone(), db.clone(), db2.clone()];
        assert_eq!(said(pick_escalation(&all, Some("t1"))), "Ops");
        // Two of the owner team's: the candidates, nothing chosen.
        assert_eq!(
            said(pick_escalation(&all, Some("t2"))),
            "err: Which escalation? genie escalate <tiny id> <escalation>, one of: Ops, Db, Db night; nothing sent."
        );
        assert!(said(pick_escalation(&all, None)).starts_with("err: Which escalation?"));
        // A team owning none, with only one escalation in the account: that one.
        assert_eq!(said(pick_escalation(&[db], Some("t9"))), "Db");
        assert_eq!(
            said(pick_escalation(&[], Some("t1"))),
            "err: There are no escalations to escalate to; nothing sent."
        );
    }

    #[test]
    fn tags_with_odd_characters_are_quoted() {
        assert_eq!(quote("prod"), "prod");
        assert_eq!(quote("team:ops"), "\"team:ops\"");
    }
}
