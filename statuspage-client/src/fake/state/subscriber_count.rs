//! `GET /subscribers/count`: the page's subscribers counted by type (`type` and `state` filter
//! as for the list; the default state is `active`).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::{Outcome, Reply, State};
use crate::subscribers::SubscriberType;

/// The types the count answers with, as the API names them.
const TYPES: [SubscriberType; 5] = [
    SubscriberType::Email,
    SubscriberType::Sms,
    SubscriberType::Webhook,
    SubscriberType::IntegrationPartner,
    SubscriberType::Slack,
];

impl State {
    pub(super) fn subscriber_count(&self, query: &HashMap<String, String>) -> Outcome {
        let state = query.get("state").map_or("active", String::as_str);
        if !["active", "unconfirmed", "quarantined", "all"].contains(&state) {
            return Err(Reply::bad_request("state is not valid"));
        }
        let kind = query.get("type").map(|k| SubscriberType::from_api(k));
        let mut counts = Map::new();
        for t in TYPES {
            if kind.as_ref().is_some_and(|k| *k != t) {
                continue;
            }
            let n = self
                .subscribers
                .iter()
                .filter(|(scope, s)| {
                    scope.is_none()
                        && s.mode.as_ref() == Some(&t)
                        && match state {
                            "quarantined" => s.quarantined_at.is_some(),
                            "active" => s.quarantined_at.is_none(),
                            "unconfirmed" => false,
                            _ => true,
                        }
                })
                .count();
            counts.insert(t.as_str().to_owned(), json!(n));
        }
        Reply::ok(Value::Object(counts))
    }
}
