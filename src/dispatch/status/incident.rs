//! Incidents that know their components: `open ... on ...`, `open from <template>`, `affect`,
//! `impact`, `templates`, and how many subscribers an update reaches.

use futures_util::TryStreamExt;
use statuspage_client::{
    Component, ComponentStatus, Impact, IncidentStatus, IncidentTemplate, IncidentWrite,
};

use super::{Lookup, component_name, find_component, lookup, lookup_named, not_one};

fn template_name(t: &IncidentTemplate) -> &str {
    &t.name
}
use crate::command::OnClause;
use crate::dispatch::{Bot, Failure, Outcome, Statuspage, plural};

/// A trailing `on ...` clause that counts: the text before it and the components it names.
struct Chosen<'a> {
    clause: &'a OnClause,
    components: Vec<&'a Component>,
}

/// What became of the `on ...` readings of a line.
enum OnOutcome<'a> {
    /// One reading names known components.
    Counts(Chosen<'a>),
    /// None does (or there was none): the text stays whole. The reason, when there was a clause.
    Text(Option<String>),
}

/// The first reading (shortest first) whose components are all named (exactly or by a unique
/// prefix, never by a substring), one each. A reading whose
/// names are known but ambiguous is an error (nothing is opened), since a clause was clearly
/// meant; one naming an unknown component stays part of the text.
fn choose<'a>(components: &'a [Component], on: &'a [OnClause]) -> Result<OnOutcome<'a>, Failure> {
    let mut ambiguous = None;
    let mut unknown = None;
    for clause in on {
        let mut found: Vec<&Component> = Vec::new();
        let mut counts = true;
        for name in &clause.components {
            match lookup_named(components, name, component_name) {
                Lookup::One(c) => {
                    if !found.iter().any(|f| f.id == c.id) {
                        found.push(c);
                    }
                }
                other => {
                    counts = false;
                    let failure = not_one(&other, components, name, "component", component_name);
                    match other {
                        Lookup::Several(_) => ambiguous = ambiguous.or(Some(failure)),
                        _ => unknown = unknown.or(Some(name.clone())),
                    }
                    break;
                }
            }
        }
        if counts {
            return Ok(OnOutcome::Counts(Chosen {
                clause,
                components: found,
            }));
        }
    }
    if let Some(failure) = ambiguous {
        return Err(failure);
    }
    Ok(OnOutcome::Text(unknown.map(|name| {
        format!(" No component is called \"{name}\", so the \"on ...\" words stay in the text.")
    })))
}

/// Sets the chosen components on an incident write.
fn with_components<'a>(mut write: IncidentWrite<'a>, chosen: &Chosen<'_>) -> IncidentWrite<'a> {
    for c in &chosen.components {
        write = write.component(c.id.clone(), chosen.clause.status.clone());
    }
    write
}

fn names(components: &[&Component]) -> String {
    components
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// " API, Website: now major outage through it."
fn components_said(chosen: &Chosen<'_>) -> String {
    format!(
        " {}: now {} through it.",
        names(&chosen.components),
        chosen.clause.status.label()
    )
}

impl Bot {
    /// `status open <state> <name>[: <message>] [on ...]`.
    pub(super) async fn open(
        &self,
        sp: &Statuspage,
        status: IncidentStatus,
        mut name: String,
        mut message: Option<String>,
        on: Vec<OnClause>,
    ) -> Outcome {
        let components = if on.is_empty() {
            Vec::new()
        } else {
            sp.components().await?
        };
        let outcome = choose(&components, &on)?;
        if let OnOutcome::Counts(chosen) = &outcome {
            let before = chosen.clause.before.clone();
            match message {
                Some(_) => message = Some(before).filter(|m| !m.is_empty()),
                None => name = before,
            }
        }
        let mut create = sp.client.incidents(&sp.page).create(name).status(status);
        if let Some(message) = message {
            create = create.body(message);
        }
        if let OnOutcome::Counts(chosen) = &outcome {
            create = with_components(create, chosen);
        }
        let incident = create.await?;
        let mut out = format!(
            "Opened incident {} ({}): {}",
            incident.id,
            incident.status.label(),
            sp.link(&incident)
        );
        match &outcome {
            OnOutcome::Counts(chosen) => out.push_str(&components_said(chosen)),
            OnOutcome::Text(Some(why)) => out.push_str(why),
            OnOutcome::Text(None) => {}
        }
        out.push(' ');
        out.push_str(&sp.notice(true).await);
        Ok(out)
    }

    /// `status open from <template name> [on ...]`.
    pub(super) async fn open_from(
        &self,
        sp: &Statuspage,
        typed: String,
        on: Vec<OnClause>,
    ) -> Outcome {
        let templates = sp.templates().await?;
        // A reading of the clause counts only when the text before it names a template.
        let readings: Vec<OnClause> = on
            .into_iter()
            .filter(|c| matches!(lookup(&templates, &c.before, template_name), Lookup::One(_)))
            .collect();
        let components = if readings.is_empty() {
            Vec::new()
        } else {
            sp.components().await?
        };
        let outcome = choose(&components, &readings)?;
        let wanted = match &outcome {
            OnOutcome::Counts(chosen) => chosen.clause.before.clone(),
            OnOutcome::Text(_) => typed,
        };
        let template = match lookup(&templates, &wanted, template_name) {
            Lookup::One(t) => t,
            other => {
                return Err(not_one(
                    &other,
                    &templates,
                    &wanted,
                    "template",
                    template_name,
                ));
            }
        };
        let title = template
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| template.name.clone());
        let status = template
            .update_status
            .clone()
            .filter(|s| !s.is_maintenance() && !matches!(s, IncidentStatus::Unknown(_)))
            .unwrap_or(IncidentStatus::Investigating);
        let notify = template.should_send_notifications.unwrap_or(true);
        let mut create = sp
            .client
            .incidents(&sp.page)
            .create(title)
            .status(status)
            .deliver_notifications(notify);
        if let Some(body) = template.body.clone().filter(|b| !b.trim().is_empty()) {
            create = create.body(body);
        }
        if !template.components.is_empty() {
            create = create.component_ids(template.components.iter().map(|c| c.id.clone()));
        }
        if let OnOutcome::Counts(chosen) = &outcome {
            create = with_components(create, chosen);
        }
        let incident = create.await?;
        let mut out = format!(
            "Opened incident {} ({}) from the template \"{}\": {}",
            incident.id,
            incident.status.label(),
            template.name,
            sp.link(&incident)
        );
        if let OnOutcome::Counts(chosen) = &outcome {
            out.push_str(&components_said(chosen));
        }
        let affected: Vec<&Component> = incident.components.iter().collect();
        if !affected.is_empty() {
            out.push_str(&format!(" Affected components: {}.", names(&affected)));
        }
        out.push(' ');
        out.push_str(&sp.notice(notify).await);
        Ok(out)
    }
}

impl Statuspage {
    /// Every incident template of the page.
    async fn templates(&self) -> Result<Vec<IncidentTemplate>, Failure> {
        Ok(self
            .client
            .incident_templates(&self.page)
            .list()
            .stream()
            .try_collect()
            .await?)
    }

    /// `status templates`.
    pub(super) async fn describe_templates(&self) -> Outcome {
        let templates = self.templates().await?;
        if templates.is_empty() {
            return Ok("There are no incident templates on this page.".to_owned());
        }
        let mut out = format!(
            "{}:",
            plural(templates.len(), "incident template", "incident templates")
        );
        for t in &templates {
            let status = t
                .update_status
                .as_ref()
                .map(|s| s.label().into_owned())
                .unwrap_or_else(|| "investigating".into());
            let notify = if t.should_send_notifications.unwrap_or(true) {
                "notifies subscribers"
            } else {
                "no notifications"
            };
            out.push_str(&format!(
                "\n{}: \"{}\" ({status}, {notify}",
                t.name,
                t.title.as_deref().unwrap_or(&t.name)
            ));
            if !t.components.is_empty() {
                let affected: Vec<&Component> = t.components.iter().collect();
                out.push_str(&format!("; components: {}", names(&affected)));
            }
            out.push(')');
        }
        out.push_str("\nOpen one with: status open from <template name>");
        Ok(out)
    }

    /// `status affect [<id>] <component> <status>`.
    pub(super) async fn affect(
        &self,
        incident: Option<String>,
        component: &str,
        status: ComponentStatus,
    ) -> Outcome {
        let (target, chosen) = self.target_incident(incident).await?;
        if target.status.is_closed() || target.status.is_maintenance() {
            return Err(Failure::Said(format!(
                "Incident {} \"{}\" is {}, not open: nothing changed.",
                target.id,
                target.name,
                target.status.label()
            )));
        }
        let components = self.components().await?;
        let c = find_component(&components, component)?;
        let updated = self
            .client
            .incidents(&self.page)
            .update(target.id.clone())
            .component(c.id.clone(), status.clone())
            .await?;
        let which = if chosen {
            "the most recent unresolved incident, "
        } else {
            ""
        };
        let affected: Vec<&Component> = updated.components.iter().collect();
        Ok(format!(
            "{} is now {} (was: {}) through {which}{} \"{}\". Its affected components: {}. {}",
            c.name,
            status.label(),
            c.status.label(),
            updated.id,
            updated.name,
            names(&affected),
            self.notice(true).await
        ))
    }

    /// `status impact [<id>] <impact>`.
    pub(super) async fn impact(&self, incident: Option<String>, impact: Impact) -> Outcome {
        let (target, chosen) = self.target_incident(incident).await?;
        let updated = self
            .client
            .incidents(&self.page)
            .update(target.id.clone())
            .impact_override(impact.clone())
            .await?;
        let which = if chosen {
            "the most recent unresolved incident, "
        } else {
            ""
        };
        let label = |i: &Option<Impact>| {
            i.as_ref()
                .map(|i| i.label().into_owned())
                .unwrap_or_else(|| "not set".to_owned())
        };
        Ok(format!(
            "Impact of {which}{} \"{}\" is now {} (was: {}).",
            updated.id,
            updated.name,
            label(&updated.impact.or(Some(impact))),
            label(&target.impact)
        ))
    }

    /// What an update with notifications `on` (or off) means for the page's subscribers.
    pub(super) async fn notice(&self, on: bool) -> String {
        if !on {
            return "Notifications are off: subscribers are not told.".to_owned();
        }
        match self.client.subscriber_count(&self.page).await {
            Ok(count) => format!(
                "Notifications are on: {} will be told.",
                plural(count.total() as usize, "subscriber", "subscribers")
            ),
            Err(err) => format!(
                "Notifications are on; how many subscribers will be told is unknown \
                 (Statuspage failed: {err})."
            ),
        }
    }
}
