//! The lines a notification is posted as: one per event, in the room's words.

use opsgenie_client::webhook::{WebhookAction, WebhookEvent};
use statuspage_client::webhook::Notification;

/// The line for an alert action, or `None` for an action the room does not need to hear about
/// (tags, details, priority and message edits, responders, custom actions, ...).
///
/// `app_url` is the Opsgenie (or JSM) web application's address (`OPSGENIE_APP_URL`): with it,
/// a new alert's line links to the alert.
pub fn alert_line(event: &WebhookEvent, app_url: Option<&str>) -> Option<String> {
    let alert = &event.alert;
    let tiny = non_empty(alert.tiny_id.as_deref());
    let name = tiny.map_or_else(|| "An alert".to_owned(), |t| format!("#{t}"));
    let message = non_empty(alert.message.as_deref())
        .map(|m| format!(" {m}"))
        .unwrap_or_default();
    let who = event
        .actor()
        .and_then(|u| u.username.or(u.id))
        .unwrap_or_else(|| "someone".to_owned());
    let line = match event.action() {
        WebhookAction::Create => {
            let priority = alert
                .priority
                .as_ref()
                .map(|p| format!("[{}] ", p.as_str()))
                .unwrap_or_default();
            let origin = match (
                non_empty(alert.entity.as_deref()),
                non_empty(alert.source.as_deref()),
            ) {
                (Some(entity), _) => format!(" ({entity})"),
                (None, Some(source)) => format!(" (source {source})"),
                (None, None) => String::new(),
            };
            let link = match (app_url, alert.alert_id.as_ref()) {
                (Some(app), Some(id)) if !id.as_str().is_empty() => format!(
                    " {}/alert/detail/{}/details",
                    app.trim_end_matches('/'),
                    id.as_str()
                ),
                _ => String::new(),
            };
            let ack = tiny
                .map(|t| format!(" · to acknowledge: genie ack {t}"))
                .unwrap_or_default();
            format!("{priority}{name}{message}{origin}{link}{ack}")
        }
        WebhookAction::Acknowledge => format!("{name} acknowledged by {who}:{message}"),
        WebhookAction::UnAcknowledge => format!("{name} unacknowledged by {who}:{message}"),
        WebhookAction::Close => format!("{name} closed by {who}:{message}"),
        WebhookAction::AddNote => match event.note() {
            Some(note) => format!("{name} note by {who}: {note}"),
            None => format!("{name} note added by {who}"),
        },
        WebhookAction::Escalate => match event.escalation().and_then(|e| e.name.or(e.id)) {
            Some(to) => format!("{name} escalated to {to}:{message}"),
            None => format!("{name} escalated:{message}"),
        },
        WebhookAction::AssignOwnership => match event.owner() {
            Some(owner) => format!("{name} assigned to {owner} by {who}:{message}"),
            None => format!("{name} assigned by {who}:{message}"),
        },
        WebhookAction::TakeOwnership => {
            let owner = event.owner().unwrap_or(&who).to_owned();
            format!("{name} taken by {owner}:{message}")
        }
        WebhookAction::Delete => format!("{name} deleted by {who}:{message}"),
        _ => return None,
    };
    Some(line)
}

/// The line for a Statuspage notification. `own_page` is `STATUSPAGE_PAGE_ID`: a notification
/// from any other page (a vendor's page the bot subscribes to) says which page it is from.
pub fn status_line(notification: &Notification, own_page: Option<&str>) -> String {
    let page = notification.page();
    let from = if own_page.is_some_and(|own| notification.is_from_page(own)) {
        String::new()
    } else {
        let what = page
            .status_description
            .as_deref()
            .and_then(|d| non_empty(Some(d)))
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        format!("[page {}{what}] ", page.id)
    };
    if let Some((component, change)) = notification.component_change() {
        return format!(
            "{from}{} component is now {}, was {}",
            component.name,
            words(change.new_status.as_str()),
            words(change.old_status.as_str())
        );
    }
    let Some(incident) = notification.incident() else {
        return format!("{from}status changed");
    };
    let update = notification
        .latest_update()
        .and_then(|u| non_empty(u.body.as_deref()))
        .map(|body| format!(": {body}"))
        .unwrap_or_default();
    let link = notification
        .shortlink()
        .map(|l| format!(" {l}"))
        .unwrap_or_default();
    format!(
        "{from}Incident {} is now {}{update}{link}",
        incident.name,
        words(incident.status.as_str())
    )
}

/// `under_maintenance` as people say it.
fn words(value: &str) -> String {
    value.replace('_', " ")
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> WebhookEvent {
        WebhookEvent::from_slice(json.as_bytes()).unwrap()
    }

    #[test]
    fn a_new_alert_says_priority_id_message_entity_link_and_how_to_ack() {
        let e = event(
            r#"{"action":"Create","alert":{"alertId":"abc","tinyId":"2","message":"Disk full",
            "entity":"db-3","priority":"P2","source":"nagios"}}"#,
        );
        assert_eq!(
            alert_line(&e, Some("https://acme.app.opsgenie.com/")).unwrap(),
            "[P2] #2 Disk full (db-3) https://acme.app.opsgenie.com/alert/detail/abc/details \
             · to acknowledge: genie ack 2"
        );
        let e = event(
            r#"{"action":"Create","alert":{"tinyId":"3","message":"Slow","entity":"","priority":4,"source":"nagios"}}"#,
        );
        assert_eq!(
            alert_line(&e, None).unwrap(),
            "[P4] #3 Slow (source nagios) · to acknowledge: genie ack 3"
        );
    }

    #[test]
    fn actions_name_who() {
        let e = event(
            r#"{"action":"Acknowledge","alert":{"tinyId":"2","message":"Disk full","username":"ann@example.com"}}"#,
        );
        assert_eq!(
            alert_line(&e, None).unwrap(),
            "#2 acknowledged by ann@example.com: Disk full"
        );
        let e = event(
            r#"{"action":"AddNote","alert":{"tinyId":"2","note":"looking","username":"bob"}}"#,
        );
        assert_eq!(alert_line(&e, None).unwrap(), "#2 note by bob: looking");
        let e = event(r#"{"action":"RemoveTags","alert":{"tinyId":"2"}}"#);
        assert!(alert_line(&e, None).is_none());
    }

    #[test]
    fn component_words() {
        assert_eq!(words("under_maintenance"), "under maintenance");
    }
}
