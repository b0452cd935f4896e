//! Components beyond one at a time: several at once, and uptime.

use statuspage_client::{Component, ComponentStatus};

use super::{Lookup, component_name, find_component, lookup};
use crate::dispatch::{Failure, Outcome, Statuspage};

/// `1h 5m`, `45s`, `0s`.
fn human_seconds(total: u64) -> String {
    let (d, h, m, s) = (
        total / 86_400,
        total % 86_400 / 3600,
        total % 3600 / 60,
        total % 60,
    );
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if parts.is_empty() {
        "0s".to_owned()
    } else {
        parts.join(" ")
    }
}

impl Statuspage {
    /// `status <component>, <component>... <status>`: every name is found before anything is
    /// changed; then each is set and each outcome said.
    pub(super) async fn set_several(&self, typed: &[String], status: ComponentStatus) -> Outcome {
        let components = self.components().await?;
        // A component whose own name has commas in it is one component.
        let whole = typed.join(", ");
        let targets: Vec<&Component> = match lookup(&components, &whole, component_name) {
            Lookup::One(c) if c.name.eq_ignore_ascii_case(&whole) => vec![c],
            _ => {
                let mut targets: Vec<&Component> = Vec::new();
                for name in typed {
                    let c = find_component(&components, name)?;
                    if !targets.iter().any(|t| t.id == c.id) {
                        targets.push(c);
                    }
                }
                targets
            }
        };
        let mut lines = Vec::new();
        let mut done = 0;
        let mut last_error = None;
        for before in &targets {
            match self
                .client
                .components(&self.page)
                .set_status(before.id.clone(), status.clone())
                .await
            {
                Ok(after) => {
                    done += 1;
                    lines.push(format!(
                        "Status for {} is now {} (was: {}).",
                        after.name,
                        after.status.label(),
                        before.status.label()
                    ));
                }
                Err(err) => {
                    lines.push(format!(
                        "Status for {} not changed: Statuspage failed: {err}",
                        before.name
                    ));
                    last_error = Some(err);
                }
            }
        }
        if done == 0
            && let Some(err) = last_error
        {
            return Err(Failure::Statuspage(err));
        }
        Ok(format!(
            "Set {done} of {} components to {}:\n{}",
            targets.len(),
            status.label(),
            lines.join("\n")
        ))
    }

    /// `status uptime <component>`.
    pub(super) async fn uptime(&self, typed: &str) -> Outcome {
        let components = self.components().await?;
        let c = find_component(&components, typed)?;
        let uptime = self
            .client
            .components(&self.page)
            .uptime(c.id.clone(), None, None)
            .await?;
        let Some(percent) = uptime.uptime_percentage else {
            return Err(Failure::Said(format!(
                "Statuspage did not say {}'s uptime.",
                c.name
            )));
        };
        let period = match (uptime.range_start, uptime.range_end) {
            (Some(start), Some(end)) => format!(" from {start} to {end}"),
            _ => " over the period Statuspage reports".to_owned(),
        };
        let mut out = format!("{}: {percent:.2}% uptime{period}", c.name);
        let outages: Vec<String> = [
            (uptime.major_outage, "major outage"),
            (uptime.partial_outage, "partial outage"),
        ]
        .into_iter()
        .filter_map(|(secs, what)| secs.map(|s| format!("{} of {what}", human_seconds(s))))
        .collect();
        if !outages.is_empty() {
            out.push_str(&format!(" ({})", outages.join(", ")));
        }
        out.push('.');
        for warning in uptime.warnings.iter().flatten() {
            out.push_str(&format!("\nNote from Statuspage: {warning}"));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::human_seconds;

    #[test]
    fn seconds_read_as_people_say_them() {
        assert_eq!(human_seconds(0), "0s");
        assert_eq!(human_seconds(45), "45s");
        assert_eq!(human_seconds(3900), "1h 5m");
        assert_eq!(human_seconds(90_061), "1d 1h 1m 1s");
    }
}
