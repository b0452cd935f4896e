//! The `status` commands: Statuspage, on the page the bot is configured for.

mod components;
mod incident;
mod postmortem;

use futures_util::TryStreamExt;
use statuspage_client::{Component, ComponentStatus, Incident};

use super::{Bot, Failure, Outcome, Statuspage, plural};
use crate::command::StatusCommand;

impl Bot {
    fn statuspage(&self) -> Result<&Statuspage, Failure> {
        self.statuspage.as_ref().ok_or(Failure::NotConfigured {
            service: "Statuspage",
            set: "STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID",
        })
    }

    pub(super) async fn status(&self, cmd: StatusCommand) -> Outcome {
        let sp = self.statuspage()?;
        match cmd {
            StatusCommand::Overview => {
                let components = sp.components().await?;
                let unresolved = sp
                    .client
                    .incidents(&sp.page)
                    .unresolved()
                    .stream()
                    .try_collect::<Vec<_>>()
                    .await?;
                let not_ok = components
                    .iter()
                    .filter(|c| c.status != ComponentStatus::Operational)
                    .count();
                let mut out = if not_ok == 0 {
                    "All systems operational!".to_owned()
                } else {
                    format!(
                        "{not_ok} of {} components not operational.",
                        components.len()
                    )
                };
                out.push_str(&match unresolved.len() {
                    0 => " No unresolved incidents.".to_owned(),
                    1 => " 1 unresolved incident.".to_owned(),
                    n => format!(" {n} unresolved incidents."),
                });
                for c in &components {
                    out.push_str(&format!("\n{}: {}", c.name, c.status.label()));
                }
                Ok(out)
            }
            StatusCommand::Show { component } => {
                let components = sp.components().await?;
                let c = find_component(&components, &component)?;
                Ok(format!("{}: {}", c.name, c.status.label()))
            }
            StatusCommand::Set { component, status } => {
                let components = sp.components().await?;
                let before = find_component(&components, &component)?;
                let after = sp
                    .client
                    .components(&sp.page)
                    .set_status(before.id.clone(), status)
                    .await?;
                Ok(format!(
                    "Status for {} is now {} (was: {}).",
                    after.name,
                    after.status.label(),
                    before.status.label()
                ))
            }
            StatusCommand::Incidents => {
                let incidents = sp.unresolved().await?;
                if incidents.is_empty() {
                    return Ok("All clear, no unresolved incidents!".to_owned());
                }
                let mut out = format!(
                    "{} unresolved:",
                    plural(incidents.len(), "incident", "incidents")
                );
                for i in &incidents {
                    out.push_str(&format!("\n{}", describe_incident(i)));
                }
                Ok(out)
            }
            StatusCommand::Open {
                status,
                name,
                message,
                on,
            } => self.open(sp, status, name, message, on).await,
            StatusCommand::OpenFrom { template, on } => self.open_from(sp, template, on).await,
            StatusCommand::Affect {
                incident,
                component,
                status,
            } => sp.affect(incident, &component, status).await,
            StatusCommand::Impact { incident, impact } => sp.impact(incident, impact).await,
            StatusCommand::Templates => sp.describe_templates().await,
            StatusCommand::SetSeveral { components, status } => {
                sp.set_several(&components, status).await
            }
            StatusCommand::Uptime { component } => sp.uptime(&component).await,
            StatusCommand::Postmortem { incident } => self.postmortem(sp, incident).await,
            StatusCommand::Update {
                incident,
                status,
                message,
            } => {
                let (target, chosen) = sp.target_incident(incident).await?;
                let updated = sp
                    .client
                    .incidents(&sp.page)
                    .update(target.id.clone())
                    .status(status)
                    .body(message)
                    .await?;
                let which = if chosen {
                    "the most recent unresolved incident, "
                } else {
                    ""
                };
                let notice = sp.notice(true).await;
                Ok(format!(
                    "Updated {which}{} \"{}\": {}. {notice}",
                    updated.id,
                    updated.name,
                    updated.status.label()
                ))
            }
            StatusCommand::Resolve { incident, message } => {
                let (target, chosen) = sp.target_incident(incident).await?;
                let mut resolve = sp
                    .client
                    .incidents(&sp.page)
                    .resolve(target.id.clone())
                    .body(message.unwrap_or_else(|| "This incident has been resolved.".to_owned()));
                let affected: Vec<&Component> =
                    target.components.iter().filter(|c| !c.group).collect();
                for c in &affected {
                    resolve = resolve.component(c.id.clone(), ComponentStatus::Operational);
                }
                let resolved = resolve.await?;
                let which = if chosen {
                    "the most recent unresolved incident, "
                } else {
                    ""
                };
                let mut out = format!("Resolved {which}{} \"{}\".", resolved.id, resolved.name);
                if !affected.is_empty() {
                    let names: Vec<&str> = affected.iter().map(|c| c.name.as_str()).collect();
                    out.push_str(&format!(" Back to operational: {}.", names.join(", ")));
                }
                out.push(' ');
                out.push_str(&sp.notice(true).await);
                Ok(out)
            }
            StatusCommand::Maintenance {
                start,
                duration,
                name,
            } => {
                let end = start + duration;
                let m = sp
                    .client
                    .incidents(&sp.page)
                    .schedule_maintenance(name, start, end)
                    .await?;
                Ok(format!(
                    "Scheduled maintenance {} \"{}\" from {} to {}.",
                    m.id,
                    m.name,
                    start.format("%Y-%m-%d %H:%M UTC"),
                    end.format("%Y-%m-%d %H:%M UTC")
                ))
            }
            StatusCommand::Log { .. } => Err(Failure::Said("not a Statuspage call".to_owned())),
            StatusCommand::Maintenances => {
                let incidents = sp.client.incidents(&sp.page);
                let active = incidents
                    .active_maintenance()
                    .stream()
                    .try_collect::<Vec<_>>()
                    .await?;
                let upcoming = sp
                    .client
                    .incidents(&sp.page)
                    .upcoming()
                    .stream()
                    .try_collect::<Vec<_>>()
                    .await?;
                if active.is_empty() && upcoming.is_empty() {
                    return Ok("No maintenance is active or scheduled.".to_owned());
                }
                let mut out = String::new();
                for (label, list) in [("Active", &active), ("Upcoming", &upcoming)] {
                    for m in list {
                        if !out.is_empty() {
                            out.push('\n');
                        }
                        out.push_str(&format!("{label}: {}", describe_maintenance(m)));
                    }
                }
                Ok(out)
            }
        }
    }
}

impl Statuspage {
    async fn components(&self) -> Result<Vec<Component>, Failure> {
        let all: Vec<Component> = self
            .client
            .components(&self.page)
            .list()
            .stream()
            .try_collect()
            .await?;
        // Groups are containers, not services: show what they hold.
        Ok(all.into_iter().filter(|c| !c.group).collect())
    }

    async fn unresolved(&self) -> Result<Vec<Incident>, Failure> {
        let mut incidents: Vec<Incident> = self
            .client
            .incidents(&self.page)
            .unresolved()
            .stream()
            .try_collect()
            .await?;
        incidents.sort_by_key(|i| std::cmp::Reverse(i.created_at));
        Ok(incidents)
    }

    /// The named incident, or the most recent unresolved one (`true` when it was chosen so).
    async fn target_incident(&self, id: Option<String>) -> Result<(Incident, bool), Failure> {
        match id {
            Some(id) => match self.client.incidents(&self.page).get(&id).await {
                Ok(incident) => Ok((incident, false)),
                Err(err) if err.is_not_found() => {
                    Err(Failure::Said(format!("There is no incident {id}.")))
                }
                Err(err) => Err(err.into()),
            },
            None => self
                .unresolved()
                .await?
                .into_iter()
                .next()
                .map(|i| (i, true))
                .ok_or_else(|| Failure::Said("There is no unresolved incident.".to_owned())),
        }
    }

    fn link(&self, incident: &Incident) -> String {
        incident.shortlink.clone().unwrap_or_else(|| {
            format!(
                "https://manage.statuspage.io/pages/{}/incidents/{}",
                self.page, incident.id
            )
        })
    }
}

/// What a name typed in chat matches.
enum Lookup<'a, T> {
    One(&'a T),
    Several(Vec<&'a T>),
    None,
}

/// Finds an item by name: exact (any case), else a unique prefix, else a unique substring.
fn lookup<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &str) -> Lookup<'a, T> {
    lookup_by(items, name, key, true)
}

/// Finds an item that `name` names: exact (any case), else a unique prefix; never by a
/// substring (for words that may be plain text, such as an `on ...` clause: "on it" does not
/// name Website).
fn lookup_named<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &str) -> Lookup<'a, T> {
    lookup_by(items, name, key, false)
}

fn lookup_by<'a, T>(
    items: &'a [T],
    name: &str,
    key: impl Fn(&T) -> &str,
    substrings: bool,
) -> Lookup<'a, T> {
    let wanted = name.to_lowercase();
    let lower = |item: &T| key(item).to_lowercase();
    if let Some(item) = items.iter().find(|item| lower(item) == wanted) {
        return Lookup::One(item);
    }
    for matches in [
        items
            .iter()
            .filter(|item| lower(item).starts_with(&wanted))
            .collect::<Vec<_>>(),
        items
            .iter()
            .filter(|item| substrings && lower(item).contains(&wanted))
            .collect::<Vec<_>>(),
    ] {
        match matches.as_slice() {
            [] => continue,
            [one] => return Lookup::One(one),
            _ => return Lookup::Several(matches),
        }
    }
    Lookup::None
}

/// The failure for a name that does not match exactly one item: `kind` is "component",
/// "template".
fn not_one<T>(
    lookup: &Lookup<'_, T>,
    all: &[T],
    name: &str,
    kind: &str,
    key: impl Fn(&T) -> &str,
) -> Failure {
    match lookup {
        Lookup::Several(many) => {
            let names: Vec<&str> = many.iter().map(|item| key(item)).collect();
            Failure::Said(format!(
                "\"{name}\" matches several {kind}s: {}. Which one?",
                names.join(", ")
            ))
        }
        _ => {
            let names: Vec<&str> = all.iter().map(&key).collect();
            Failure::Said(format!(
                "No {kind} matches \"{name}\". Known {kind}s: {}.",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            ))
        }
    }
}

fn component_name(c: &Component) -> &str {
    &c.name
}

/// Finds a component by name: exact (any case), else a unique prefix, else a unique substring.
fn find_component<'a>(components: &'a [Component], name: &str) -> Result<&'a Component, Failure> {
    match lookup(components, name, component_name) {
        Lookup::One(c) => Ok(c),
        other => Err(not_one(
            &other,
            components,
            name,
            "component",
            component_name,
        )),
    }
}

fn describe_incident(i: &Incident) -> String {
    let started = i
        .started_at
        .or(i.created_at)
        .map(|t| format!(", started {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    format!("{} \"{}\" ({}{started})", i.id, i.name, i.status.label())
}

fn describe_maintenance(m: &Incident) -> String {
    let when = match (m.scheduled_for, m.scheduled_until) {
        (Some(from), Some(to)) => format!(
            " {} to {}",
            from.format("%Y-%m-%d %H:%M"),
            to.format("%Y-%m-%d %H:%M UTC")
        ),
        _ => String::new(),
    };
    format!("{} \"{}\"{when} ({})", m.id, m.name, m.status.label())
}
