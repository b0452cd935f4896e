//! Page and incident subscribers.

use super::*;

impl State {
    pub(super) fn subscriber(
        &self,
        scope: Option<&IncidentId>,
        id: &str,
    ) -> Result<Subscriber, Reply> {
        self.subscribers
            .iter()
            .find(|(s, sub)| s.as_ref() == scope && sub.id.as_str() == id)
            .map(|(_, sub)| sub.clone())
            .ok_or_else(Reply::not_found)
    }

    pub(super) fn list_subscribers(&self, query: &HashMap<String, String>) -> Outcome {
        let state = query.get("state").map_or("active", String::as_str);
        if !["active", "unconfirmed", "quarantined", "all"].contains(&state) {
            return Err(Reply::bad_request("state is not valid"));
        }
        let mut list: Vec<Subscriber> = self
            .subscribers
            .iter()
            .filter(|(scope, _)| scope.is_none())
            .map(|(_, s)| s.clone())
            .filter(|s| match state {
                "quarantined" => s.quarantined_at.is_some(),
                "active" => s.quarantined_at.is_none(),
                "unconfirmed" => false,
                _ => true,
            })
            .collect();
        if let Some(kind) = query.get("type") {
            let kind = SubscriberType::from_api(kind);
            list.retain(|s| s.mode.as_ref() == Some(&kind));
        }
        if let Some(q) = query.get("q").map(|q| q.to_lowercase()) {
            list.retain(|s| {
                [&s.email, &s.endpoint, &s.phone_number]
                    .iter()
                    .any(|v| v.as_deref().is_some_and(|v| v.to_lowercase().contains(&q)))
            });
        }
        if query.get("sort_direction").map(String::as_str) == Some("desc") {
            list.reverse();
        }
        Reply::ok(paged(&list, query, "limit", 0)?)
    }

    pub(super) fn create_subscriber(
        &mut self,
        scope: Option<IncidentId>,
        fields: &Map<String, Value>,
    ) -> Outcome {
        let f = Fields(fields);
        let email = f.string("email")?.filter(|s| !s.trim().is_empty());
        let endpoint = f.string("endpoint")?.filter(|s| !s.trim().is_empty());
        let phone = f.string("phone_number")?.filter(|s| !s.trim().is_empty());
        let mode = match (&endpoint, &phone, &email) {
            (Some(url), _, _) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(Reply::invalid("Endpoint is not a valid URL"));
                }
                SubscriberType::Webhook
            }
            (None, Some(_), _) => SubscriberType::Sms,
            (None, None, Some(email)) => {
                if !email.contains('@') {
                    return Err(Reply::invalid("Email is invalid"));
                }
                SubscriberType::Email
            }
            (None, None, None) => {
                return Err(Reply::invalid(
                    "Email, endpoint or phone number must be present",
                ));
            }
        };
        let ids = f.ids("component_ids")?.unwrap_or_default();
        if ids
            .iter()
            .any(|c| !self.components.iter().any(|x| x.id.as_str() == c))
        {
            return Err(Reply::invalid("Components must exist"));
        }
        let subscriber: Subscriber = build(json!({
            "id": self.new_id("sub0"), "mode": mode, "email": email, "endpoint": endpoint,
            "phone_number": phone, "phone_country": f.string("phone_country")?,
            "skip_confirmation_notification": f.boolean("skip_confirmation_notification")?.unwrap_or(false),
            "components": ids, "created_at": Utc::now(),
        }))?;
        self.subscribers.push((scope, subscriber.clone()));
        Reply::created(subscriber)
    }

    pub(super) fn delete_subscriber(&mut self, scope: Option<&IncidentId>, id: &str) -> Outcome {
        let subscriber = self.subscriber(scope, id)?;
        self.subscribers
            .retain(|(s, sub)| !(s.as_ref() == scope && sub.id == subscriber.id));
        Reply::ok(subscriber)
    }

    // ----- metrics -----
}
