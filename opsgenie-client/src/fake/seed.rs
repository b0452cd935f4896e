//! Seeding: [`SeedAlert`] and the demo data a fake starts with.

use chrono::{Datelike, Duration as ChronoDuration, TimeZone, Utc};
use serde_json::{Map, Value, json};

use super::JSM_TEAM_ID;
use super::state::{self, State};
use crate::alerts::Priority;
use crate::heartbeats::{Heartbeat, IntervalUnit};
use crate::schedules::RotationType;

/// An alert to seed with [`FakeOpsgenie::add_alert`](super::FakeOpsgenie::add_alert).
#[derive(Clone, Debug)]
#[must_use]
pub struct SeedAlert {
    pub(super) body: Map<String, Value>,
    pub(super) acknowledged: bool,
    pub(super) closed: bool,
    pub(super) created_at: Option<chrono::DateTime<Utc>>,
}

impl SeedAlert {
    /// An open, unacknowledged P3 alert.
    pub fn new(message: impl Into<String>) -> Self {
        let mut body = Map::new();
        body.insert("message".into(), Value::String(message.into()));
        SeedAlert {
            body,
            acknowledged: false,
            closed: false,
            created_at: None,
        }
    }

    fn set(mut self, key: &str, value: Value) -> Self {
        self.body.insert(key.into(), value);
        self
    }

    /// The priority.
    pub fn priority(self, priority: Priority) -> Self {
        self.set("priority", json!(priority))
    }

    /// The source.
    pub fn source(self, source: &str) -> Self {
        self.set("source", json!(source))
    }

    /// The alias.
    pub fn alias(self, alias: &str) -> Self {
        self.set("alias", json!(alias))
    }

    /// The tags.
    pub fn tags(self, tags: &[&str]) -> Self {
        self.set("tags", json!(tags))
    }

    /// Custom actions.
    pub fn actions(self, actions: &[&str]) -> Self {
        self.set("actions", json!(actions))
    }

    /// The description.
    pub fn description(self, description: &str) -> Self {
        self.set("description", json!(description))
    }

    /// Seeds it acknowledged.
    pub fn acknowledged(mut self, acknowledged: bool) -> Self {
        self.acknowledged = acknowledged;
        self
    }

    /// Seeds it closed.
    pub fn closed(mut self, closed: bool) -> Self {
        self.closed = closed;
        self
    }

    /// Sets its creation time (for paging tests).
    pub fn created_at(mut self, at: chrono::DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }
}

/// Five alerts, an `ops` schedule of weekly turns, a heartbeat.
pub(super) fn demo(state: &mut State) {
    let alerts: [(&str, Priority, &str, &[&str], bool); 5] = [
        (
            "Checkout error rate above 5%",
            Priority::P1,
            "sentry",
            &["checkout", "prod"],
            false,
        ),
        (
            "API p99 latency above 2s",
            Priority::P2,
            "datadog",
            &["api", "latency"],
            false,
        ),
        (
            "Disk usage 91% on db-primary",
            Priority::P3,
            "prometheus",
            &["db"],
            true,
        ),
        (
            "Nightly backup finished late",
            Priority::P4,
            "cron",
            &["backup"],
            true,
        ),
        (
            "TLS certificate expires in 14 days",
            Priority::P5,
            "certbot",
            &["tls"],
            false,
        ),
    ];
    for (message, priority, source, tags, acked) in alerts {
        let mut body = Map::new();
        body.insert("message".into(), json!(message));
        body.insert("priority".into(), json!(priority));
        body.insert("source".into(), json!(source));
        body.insert("tags".into(), json!(tags));
        let (i, _) = state.create_alert(&body);
        if let Some(a) = state.alerts.get_mut(i) {
            a.acknowledged = acked;
        }
    }
    // Weekly turns starting on a Monday in the past: ann, then bob, then cid.
    let now = Utc::now();
    let monday = now.date_naive()
        - ChronoDuration::days(i64::from(now.weekday().num_days_from_monday()) + 14);
    let start = Utc
        .from_local_datetime(&monday.and_hms_opt(9, 0, 0).unwrap_or_default())
        .single()
        .unwrap_or(now);
    let rotation = state::rotation(
        "primary",
        RotationType::Weekly,
        start,
        &["ann@example.com", "bob@example.com", "cid@example.com"],
    );
    let ops = state.add_schedule("ops", "UTC", vec![rotation]);
    // The demo schedule belongs to the site's one team (JSM's `teamId`).
    if let Some(schedule) = state.schedules.iter_mut().find(|s| s.id == ops.id) {
        schedule.owner_team = Some(crate::common::NamedRef {
            id: Some(JSM_TEAM_ID.to_owned()),
            name: Some("ops".to_owned()),
        });
    }
    state.heartbeats.push(Heartbeat {
        name: "nightly-backup".into(),
        description: Some("The database backup pings when it is done".into()),
        interval: Some(25),
        interval_unit: Some(IntervalUnit::Hours),
        enabled: Some(true),
        expired: Some(false),
        owner_team: None,
        alert_message: Some("Nightly backup did not ping".into()),
        alert_tags: vec!["backup".into()],
        alert_priority: Some(Priority::P2),
        last_ping_time: Some(now - ChronoDuration::hours(3)),
    });
}
