//! What `GET /healthz` reports: which services are configured, and whether the last call to
//! each succeeded.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The health of the services the bot talks to. Shared by the dispatcher and the adapters.
#[derive(Debug)]
pub struct Health {
    adapter: &'static str,
    started: DateTime<Utc>,
    services: Mutex<BTreeMap<&'static str, ServiceHealth>>,
}

/// One service's last call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceHealth {
    /// Whether it is configured (always, for services that are listed).
    pub configured: bool,
    /// `true` when the last call succeeded, `false` when it failed, absent before the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_call_ok: Option<bool>,
    /// When that was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_call_at: Option<DateTime<Utc>>,
}

/// The `/healthz` answer.
#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    /// Always `ok` while the bot runs (a stopping bot no longer answers).
    pub status: &'static str,
    /// The chat adapter.
    pub adapter: &'static str,
    /// When the bot started.
    pub started_at: DateTime<Utc>,
    /// Every configured service by name (`statuspage`, `opsgenie`, `campfire`, `campfire-classic`).
    pub services: BTreeMap<&'static str, ServiceHealth>,
}

impl Health {
    /// Health for these configured services, none called yet.
    pub fn new(adapter: &'static str, services: &[&'static str]) -> Self {
        Health {
            adapter,
            started: Utc::now(),
            services: Mutex::new(
                services
                    .iter()
                    .map(|s| {
                        (
                            *s,
                            ServiceHealth {
                                configured: true,
                                ..ServiceHealth::default()
                            },
                        )
                    })
                    .collect(),
            ),
        }
    }

    /// Records the outcome of a call to `service` (ignored for a service not configured).
    pub fn record(&self, service: &'static str, ok: bool) {
        let mut services = self.services.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(health) = services.get_mut(service) {
            health.last_call_ok = Some(ok);
            health.last_call_at = Some(Utc::now());
        }
    }

    /// What `/healthz` answers.
    pub fn report(&self) -> HealthReport {
        HealthReport {
            status: "ok",
            adapter: self.adapter,
            started_at: self.started,
            services: self
                .services
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_only_configured_services() {
        let health = Health::new("shell", &["statuspage"]);
        health.record("statuspage", false);
        health.record("opsgenie", true);
        let report = serde_json::to_value(health.report()).unwrap();
        assert_eq!(report["services"]["statuspage"]["last_call_ok"], false);
        assert!(report["services"].get("opsgenie").is_none());
        health.record("statuspage", true);
        assert_eq!(
            health.report().services["statuspage"].last_call_ok,
            Some(true)
        );
    }
}
