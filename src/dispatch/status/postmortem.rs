//! `status postmortem [<id>]`: a postmortem draft saved on the incident, built from its updates
//! and from what was run in chat while it lasted (the audit log). Publishing stays a human step.

use chrono::{DateTime, Duration, Utc};
use statuspage_client::{Incident, IncidentUpdate, MAX_BODY_CHARS};

use crate::dispatch::{Bot, Failure, Outcome, Statuspage, plural};
use crate::store::AuditEntry;

/// Audit entries written this long after the incident was resolved still belong to it (the
/// command that resolved it is logged once Statuspage has answered).
const AFTER_RESOLVED: Duration = Duration::minutes(2);
/// The most chat commands one draft lists.
const MAX_CHAT_LINES: usize = 200;

fn at(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Whether an audit entry belongs in a postmortem: changes that were carried out or tried, not
/// refusals, personal settings or the postmortem command itself.
fn worth_telling(entry: &AuditEntry) -> bool {
    let command = entry.command.to_ascii_lowercase();
    !entry.outcome.starts_with("refused")
        && !command.starts_with("genie me")
        && !command.starts_with("status postmortem")
}

fn update_line(u: &IncidentUpdate) -> String {
    let when = u
        .display_at
        .or(u.created_at)
        .map(at)
        .unwrap_or_else(|| "(no time)".to_owned());
    let status = u
        .status
        .as_ref()
        .map(|s| s.label().into_owned())
        .unwrap_or_else(|| "update".into());
    let mut line = format!("- {when}, {status}");
    if let Some(body) = u.body.as_deref().filter(|b| !b.trim().is_empty()) {
        line.push_str(&format!(": {}", body.trim()));
    }
    let changes: Vec<String> = u
        .affected_components
        .iter()
        .flatten()
        .map(|a| {
            let name = a.name.as_deref().unwrap_or(a.code.as_str());
            let label = |s: &Option<statuspage_client::ComponentStatus>| {
                s.as_ref()
                    .map(|s| s.label().into_owned())
                    .unwrap_or_else(|| "?".to_owned())
            };
            format!(
                "{name} {} -> {}",
                label(&a.old_status),
                label(&a.new_status)
            )
        })
        .collect();
    if !changes.is_empty() {
        line.push_str(&format!(" ({})", changes.join(", ")));
    }
    line
}

fn chat_line(entry: &AuditEntry) -> String {
    let who = if entry.adapter == "shell" {
        entry.user_name.clone()
    } else {
        format!("{} (user id {})", entry.user_name, entry.user_id)
    };
    format!(
        "- {}, {who} in {}: `{}` -> {}",
        at(entry.at),
        entry.adapter,
        entry.command,
        entry.outcome
    )
}

/// The draft's text. `chat` is the audit entries of the incident's time, or why they could not
/// be read.
pub(crate) fn draft(
    incident: &Incident,
    link: &str,
    chat: Result<&[AuditEntry], String>,
    bot: &str,
) -> String {
    let mut out = format!("# Postmortem: {}\n\n", incident.name);
    out.push_str(&format!(
        "_Draft written by {bot} from the incident's updates and the commands run in chat. \
         Check it, fill in the gaps, and publish it yourself._\n\n"
    ));
    out.push_str("## Summary\n\n");
    out.push_str(&format!("- Incident: {} ({link})\n", incident.id));
    out.push_str(&format!("- Status: {}\n", incident.status.label()));
    if let Some(impact) = &incident.impact {
        out.push_str(&format!("- Impact: {}\n", impact.label()));
    }
    let started = incident.started_at.or(incident.created_at);
    if let Some(started) = started {
        out.push_str(&format!("- Started: {}\n", at(started)));
    }
    match (started, incident.resolved_at) {
        (Some(start), Some(end)) => {
            let minutes = (end - start).num_minutes().max(0);
            out.push_str(&format!(
                "- Resolved: {} (after {}h {}m)\n",
                at(end),
                minutes / 60,
                minutes % 60
            ));
        }
        (_, Some(end)) => out.push_str(&format!("- Resolved: {}\n", at(end))),
        (_, None) => out.push_str("- Not resolved yet\n"),
    }
    let affected: Vec<&str> = incident
        .components
        .iter()
        .filter(|c| !c.group)
        .map(|c| c.name.as_str())
        .collect();
    if !affected.is_empty() {
        out.push_str(&format!("- Affected components: {}\n", affected.join(", ")));
    }

    out.push_str("\n## Timeline (from the incident's updates)\n\n");
    let mut updates: Vec<&IncidentUpdate> = incident.incident_updates.iter().collect();
    updates.sort_by_key(|u| u.display_at.or(u.created_at));
    if updates.is_empty() {
        out.push_str("- No updates.\n");
    }
    for u in updates {
        out.push_str(&update_line(u));
        out.push('\n');
    }

    out.push_str("\n## From chat (the bot's audit log)\n\n");
    match chat {
        Ok(entries) => {
            let told: Vec<&AuditEntry> = entries.iter().filter(|e| worth_telling(e)).collect();
            if told.is_empty() {
                out.push_str("- No commands were run in chat during the incident.\n");
            }
            for e in told.iter().take(MAX_CHAT_LINES) {
                out.push_str(&chat_line(e));
                out.push('\n');
            }
            if told.len() > MAX_CHAT_LINES {
                out.push_str(&format!(
                    "- ... and {} more (see `status log` and `genie log`).\n",
                    told.len() - MAX_CHAT_LINES
                ));
            }
        }
        Err(why) => out.push_str(&format!("- The audit log could not be read: {why}\n")),
    }

    for section in ["Root cause", "Resolution", "Follow-up actions"] {
        out.push_str(&format!("\n## {section}\n\n_To be written._\n"));
    }
    fit(out)
}

/// Keeps the draft within what Statuspage accepts, saying so when it had to be cut.
fn fit(text: String) -> String {
    const CUT: &str = "\n\n_(Cut here: the draft was longer than Statuspage accepts.)_\n";
    if text.chars().count() <= MAX_BODY_CHARS {
        return text;
    }
    let keep = MAX_BODY_CHARS - CUT.chars().count();
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(CUT);
    out
}

impl Statuspage {
    /// The most recent incident, resolved or not (maintenances are not incidents here).
    async fn most_recent_incident(&self) -> Result<Incident, Failure> {
        let page = self.client.incidents(&self.page).list().limit(100).await?;
        page.into_iter()
            .filter(|i| !i.status.is_maintenance() && i.scheduled_for.is_none())
            .max_by_key(|i| i.created_at)
            .ok_or_else(|| Failure::Said("There are no incidents yet.".to_owned()))
    }

    fn postmortem_link(&self, incident: &Incident) -> String {
        format!(
            "https://manage.statuspage.io/pages/{}/incidents/{}/postmortem",
            self.page, incident.id
        )
    }
}

impl Bot {
    /// `status postmortem [<id>]`.
    pub(super) async fn postmortem(&self, sp: &Statuspage, id: Option<String>) -> Outcome {
        let incident = match id {
            Some(id) => sp.target_incident(Some(id)).await?.0,
            None => sp.most_recent_incident().await?,
        };
        let link = sp.postmortem_link(&incident);
        let postmortems = sp
            .client
            .incidents(&sp.page)
            .postmortem(incident.id.clone());
        // A postmortem someone has written or published is theirs: it is never replaced.
        match postmortems.get().await {
            Ok(existing) if existing.published_at.is_some() => {
                return Err(Failure::Said(format!(
                    "The postmortem of {} \"{}\" is already published; nothing changed: {link}",
                    incident.id, incident.name
                )));
            }
            Ok(existing)
                if existing
                    .body_draft
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty()) =>
            {
                return Err(Failure::Said(format!(
                    "{} \"{}\" already has a postmortem draft; it was not replaced: {link}",
                    incident.id, incident.name
                )));
            }
            Ok(_) => {}
            Err(err) if err.is_not_found() => {}
            Err(err) => return Err(err.into()),
        }
        let from = incident
            .started_at
            .or(incident.created_at)
            .unwrap_or_else(Utc::now);
        let to = incident
            .resolved_at
            .map(|t| t + AFTER_RESOLVED)
            .unwrap_or_else(Utc::now);
        let entries = self
            .store()
            .audit_between(from, to, MAX_CHAT_LINES * 2)
            .await
            .map_err(|err| err.to_string());
        let told = entries
            .as_ref()
            .map(|e| e.iter().filter(|e| worth_telling(e)).count())
            .unwrap_or(0);
        let text = draft(
            &incident,
            &sp.link(&incident),
            entries.as_deref().map_err(Clone::clone),
            self.name(),
        );
        postmortems.save_draft(&text).await?;
        Ok(format!(
            "Saved a postmortem draft on {} \"{}\" from {} and {}: {link} \
             Check it and publish it in Statuspage; the bot never publishes.",
            incident.id,
            incident.name,
            plural(incident.incident_updates.len(), "update", "updates"),
            plural(told, "chat command", "chat commands"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident() -> Incident {
        serde_json::from_value(serde_json::json!({
            "id": "inc000000001", "name": "Checkout errors", "status": "resolved",
            "started_at": "2026-12-01T10:00:00Z", "resolved_at": "2026-12-01T11:30:00Z",
            "incident_updates": [
                {"id": "u2", "status": "resolved", "body": "fixed", "display_at": "2026-12-01T11:30:00Z"},
                {"id": "u1", "status": "investigating", "body": "looking", "display_at": "2026-12-01T10:00:00Z",
                 "affected_components": [{"code": "c1", "name": "API", "old_status": "operational", "new_status": "major_outage"}]}
            ]
        }))
        .expect("an incident")
    }

    fn entry(command: &str, outcome: &str) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            adapter: "campfire".into(),
            room: Some("1".into()),
            user_id: "42".into(),
            user_name: "Ann".into(),
            command: command.into(),
            outcome: outcome.into(),
        }
    }

    #[test]
    fn the_draft_tells_the_updates_in_order_and_the_chat_by_user_id() {
        let entries = [
            entry("genie ack 7", "ok: Acknowledged #7: disk full"),
            entry("status API major", "refused: not an operator"),
            entry("genie me as ann@example.com", "ok: Okay"),
        ];
        let text = draft(&incident(), "https://x.invalid/i", Ok(&entries), "opsbot");
        let looking = text.find("investigating: looking (API operational -> major outage)");
        let fixed = text.find("resolved: fixed");
        assert!(looking.is_some() && looking < fixed, "{text}");
        assert!(
            text.contains("- Resolved: 2026-12-01 11:30 UTC (after 1h 30m)"),
            "{text}"
        );
        assert!(
            text.contains("Ann (user id 42) in campfire: `genie ack 7` -> ok: Acknowledged #7"),
            "{text}"
        );
        assert!(
            !text.contains("refused") && !text.contains("genie me as"),
            "{text}"
        );
        let unreadable = draft(&incident(), "l", Err("disk gone".into()), "opsbot");
        assert!(unreadable.contains("The audit log could not be read: disk gone"));
    }

    #[test]
    fn a_long_draft_is_cut_to_what_statuspage_accepts() {
        let long = "x".repeat(300);
        let entries: Vec<AuditEntry> = (0..150)
            .map(|i| {
                entry(
                    &format!("status update identified {i} {long}"),
                    "ok: Updated",
                )
            })
            .collect();
        let text = draft(&incident(), "l", Ok(&entries), "opsbot");
        assert!(text.chars().count() <= MAX_BODY_CHARS);
        assert!(text.ends_with("_(Cut here: the draft was longer than Statuspage accepts.)_\n"));
    }
}
