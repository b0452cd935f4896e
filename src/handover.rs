//! Handover notices: when `BOT_NOTIFY_ROOMS` is set, a change of who is on call in any Opsgenie
//! schedule is posted there, with a one-line digest of what is open:
//!
//! ```text
//! ops: alice is on call now, until Fri 09:00 UTC; was bob
//! Open: 2 unacked alerts, 1 unresolved incident, no active maintenance.
//! ```
//!
//! The schedules are checked at most once per [`HandoverSettings::interval`] (a minute unless
//! told). The first check only learns who is on call; afterwards a schedule's line is posted
//! once per change (a check that fails changes nothing, so it never reads as a handover).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use opsgenie_client::schedules::{Override, RotationType, Schedule, ScheduleRef};

use crate::adapter::Chat;
use crate::dispatch::Statuspage;
use crate::health::Health;
use crate::lifecycle::Lifecycle;

/// How often the schedules are checked, and where changes go.
#[derive(Debug, Clone)]
pub struct HandoverSettings {
    /// The rooms (`BOT_NOTIFY_ROOMS`).
    pub rooms: Vec<u64>,
    /// The time between two checks (default one minute; shorter only in tests).
    pub interval: Duration,
}

impl HandoverSettings {
    /// Checks once a minute, posting into `rooms`.
    pub fn new(rooms: Vec<u64>) -> Self {
        HandoverSettings {
            rooms,
            interval: Duration::from_secs(60),
        }
    }
}

/// Who was on call in each schedule at the last check, and what a change reads like.
#[derive(Debug)]
pub struct Handover {
    opsgenie: opsgenie_client::Client,
    statuspage: Option<Statuspage>,
    /// Schedule id -> who was on call (sorted), from the last check that answered.
    last: HashMap<String, Vec<String>>,
    primed: bool,
}

impl Handover {
    /// A watcher of `opsgenie`'s schedules; the digest counts Statuspage's incidents and
    /// maintenances when `statuspage` is given.
    pub fn new(opsgenie: opsgenie_client::Client, statuspage: Option<Statuspage>) -> Self {
        Handover {
            opsgenie,
            statuspage,
            last: HashMap::new(),
            primed: false,
        }
    }

    /// One check: the messages to post for the changes since the last check (none on the
    /// first check, which only learns who is on call).
    ///
    /// # Errors
    /// The schedules could not be listed (nothing is remembered then).
    pub async fn check(&mut self) -> Result<Vec<String>, String> {
        let og = &self.opsgenie;
        let schedules = og
            .schedules()
            .list()
            .expand_rotations()
            .await
            .map_err(|e| format!("listing the schedules failed: {e}"))?;
        let now = Utc::now();
        let mut lines = Vec::new();
        for schedule in &schedules {
            let on_call = match og
                .schedules()
                .on_calls(ScheduleRef::id(schedule.id.to_string()))
                .flat(true)
                .await
            {
                Ok(oc) => {
                    let mut users: Vec<String> =
                        oc.users().into_iter().map(str::to_owned).collect();
                    users.sort();
                    users.dedup();
                    users
                }
                Err(err) => {
                    tracing::warn!(schedule = %schedule.name, error = %err, "on-call check failed");
                    continue;
                }
            };
            let key = schedule.id.to_string();
            let before = self.last.insert(key, on_call.clone());
            let Some(before) = before else {
                // A schedule seen for the first time after the first check is not a handover.
                continue;
            };
            if before == on_call {
                continue;
            }
            let overrides = og
                .schedules()
                .overrides(ScheduleRef::id(schedule.id.to_string()))
                .list()
                .await
                .unwrap_or_default();
            let until = turn_end(schedule, &overrides, &on_call, now)
                .map(|t| format!(", until {}", t.format("%a %H:%M UTC")))
                .unwrap_or_default();
            lines.push(format!(
                "{}: {} on call now{until}; was {}",
                schedule.name,
                who_is(&on_call),
                names(&before)
            ));
        }
        let first = !self.primed;
        self.primed = true;
        if first || lines.is_empty() {
            return Ok(Vec::new());
        }
        let digest = self.digest().await;
        Ok(lines
            .into_iter()
            .map(|line| format!("{line}\n{digest}"))
            .collect())
    }

    /// `Open: 2 unacked alerts, 1 unresolved incident, no active maintenance.`
    async fn digest(&self) -> String {
        let mut parts = Vec::new();
        parts.push(
            match self
                .opsgenie
                .alerts()
                .count()
                .query("status:open AND acknowledged:false")
                .await
            {
                Ok(n) => count(n as usize, "unacked alert", "unacked alerts"),
                Err(_) => "unacked alerts unknown (Opsgenie did not answer)".to_owned(),
            },
        );
        if let Some(sp) = &self.statuspage {
            let incidents = sp.client.incidents(&sp.page);
            parts.push(
                match incidents
                    .unresolved()
                    .stream()
                    .try_collect::<Vec<_>>()
                    .await
                {
                    Ok(list) => count(list.len(), "unresolved incident", "unresolved incidents"),
                    Err(_) => "unresolved incidents unknown (Statuspage did not answer)".to_owned(),
                },
            );
            parts.push(
                match sp
                    .client
                    .incidents(&sp.page)
                    .active_maintenance()
                    .stream()
                    .try_collect::<Vec<_>>()
                    .await
                {
                    Ok(list) => count(list.len(), "active maintenance", "active maintenances"),
                    Err(_) => "active maintenances unknown (Statuspage did not answer)".to_owned(),
                },
            );
        }
        format!("Open: {}.", parts.join(", "))
    }

    /// Checks every `settings.interval` until the bot stops, posting each change into every
    /// room through `chat`.
    pub fn spawn(
        mut self,
        chat: Chat,
        settings: HandoverSettings,
        health: Arc<Health>,
        lifecycle: Lifecycle,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(settings.interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    () = lifecycle.stopping() => return,
                }
                let messages = match self.check().await {
                    Ok(messages) => messages,
                    Err(problem) => {
                        tracing::warn!("handover check: {problem}");
                        continue;
                    }
                };
                for message in &messages {
                    for room in &settings.rooms {
                        if let Err(err) = chat.post(*room, message, &health).await {
                            tracing::error!(room, error = %err, "could not post a handover notice");
                        }
                    }
                }
            }
        })
    }
}

/// When the current turn ends: the earliest of the active overrides' ends (of those on call
/// now) and the rotations' next turn boundaries.
pub(crate) fn turn_end(
    schedule: &Schedule,
    overrides: &[Override],
    on_call: &[String],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let from_overrides = overrides
        .iter()
        .filter(|o| o.start_date.is_some_and(|s| s <= now))
        .filter(|o| {
            // Opsgenie names the override's user by username, JSM by Atlassian account id: the
            // on-call answer names people the same way on each.
            o.user.as_ref().is_some_and(|u| {
                [u.username.as_deref(), u.id.as_deref()]
                    .into_iter()
                    .flatten()
                    .any(|name| on_call.iter().any(|c| c == name))
            })
        })
        .filter_map(|o| o.end_date)
        .filter(|end| *end > now)
        .min();
    from_overrides.or_else(|| next_boundary(schedule, now))
}

/// The rotations' next turn boundary after `now` (hourly, daily and weekly turns).
pub(crate) fn next_boundary(schedule: &Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule
        .rotations
        .iter()
        .filter_map(|r| {
            let start = r.start_date?;
            let unit = match r.kind.as_ref()? {
                RotationType::Hourly => chrono::Duration::hours(1),
                RotationType::Daily => chrono::Duration::days(1),
                RotationType::Weekly => chrono::Duration::weeks(1),
                _ => return None,
            };
            let turn = unit * i32::try_from(r.length.unwrap_or(1).max(1)).ok()?;
            if start > now {
                return Some(start);
            }
            let turns = (now - start).num_seconds() / turn.num_seconds().max(1) + 1;
            let next = start + turn * i32::try_from(turns).ok()?;
            r.end_date.is_none_or(|end| next < end).then_some(next)
        })
        .min()
}

fn who_is(users: &[String]) -> String {
    match users {
        [] => "nobody is".to_owned(),
        [one] => format!("{one} is"),
        many => format!("{} are", many.join(", ")),
    }
}

fn names(users: &[String]) -> String {
    if users.is_empty() {
        "nobody".to_owned()
    } else {
        users.join(", ")
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {one}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}
