//! The fake's JSM Operations face, route by route, over raw HTTP (reqwest straight at the fake,
//! not through this crate's client): status codes and body shapes against the published
//! description. The fixtures under `fixtures/opsgenie/jsm/` are shaped like the description's
//! schemas and examples; every answer must use only their fields, with the same JSON types.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::fixture_json;
use opsgenie_client::fake::{
    FakeOpsgenie, JSM_ACCOUNT_ID, JSM_CLOUD_ID, JSM_EMAIL, JSM_TEAM_ID, SeedAlert,
};
use reqwest::Method;
use serde_json::{Value, json};

/// Every key of `actual` is a key of `published` with the same JSON type (a `null` in the
/// fixture admits any type), recursively; arrays compare each element with the fixture's first.
fn assert_shape(published: &Value, actual: &Value, at: &str) {
    match (published, actual) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(p), Value::Object(a)) => {
            for (k, v) in a {
                let Some(pv) = p.get(k) else {
                    panic!("{at}.{k}: not a field of the published shape (answer: {actual})");
                };
                assert_shape(pv, v, &format!("{at}.{k}"));
            }
        }
        (Value::Array(p), Value::Array(a)) => {
            if let Some(first) = p.first() {
                for (i, v) in a.iter().enumerate() {
                    assert_shape(first, v, &format!("{at}[{i}]"));
                }
            }
        }
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_)) => {}
        (p, a) => panic!("{at}: published {p} but the fake answered {a}"),
    }
}

/// Asserts the shape of `body` against a fixture (`jsm/<name>.json`).
fn shaped_like(fixture: &str, body: &Value) {
    assert_shape(&fixture_json(fixture), body, fixture);
}

struct Jsm {
    fake: FakeOpsgenie,
    http: reqwest::Client,
}

impl Jsm {
    async fn start() -> Jsm {
        Jsm::with(FakeOpsgenie::builder()).await
    }

    async fn with(builder: opsgenie_client::fake::FakeOpsgenieBuilder) -> Jsm {
        let fake = builder.start().await.expect("fake starts");
        Jsm {
            fake,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> reqwest::Url {
        self.fake
            .base_url()
            .join(&format!("jsm/ops/api/{JSM_CLOUD_ID}/v1/{path}"))
            .expect("url")
    }

    /// Sends a request with JSM's Basic credentials; the status and the JSON body (`Null` when empty).
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .basic_auth(JSM_EMAIL, Some(self.fake.key()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("answer");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("a JSON body")
        };
        (status, body)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    /// Polls the request status until it is processed.
    async fn outcome(&self, request_id: &str) -> Value {
        for _ in 0..100 {
            let (status, body) = self.get(&format!("alerts/requests/{request_id}")).await;
            if status == 200 {
                shaped_like("jsm/request_success.json", &body);
                return body;
            }
            assert_eq!(status, 404, "{body}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("request {request_id} never processed");
    }

    /// Asserts a 202 `SuccessResponse` and waits for its outcome.
    async fn accepted(&self, answer: (u16, Value)) -> Value {
        let (status, body) = answer;
        assert_eq!(status, 202, "{body}");
        self.success(&body).await
    }

    async fn success(&self, body: &Value) -> Value {
        shaped_like("jsm/accepted.json", body);
        assert_eq!(body["result"], "Request will be processed");
        assert!(body["took"].is_number());
        let id = body["requestId"].as_str().expect("requestId");
        self.outcome(id).await
    }

    fn first_open_id(&self) -> String {
        self.fake
            .alerts()
            .into_iter()
            .find(|a| a.is_open())
            .map(|a| a.id.to_string())
            .expect("an open alert")
    }
}

/// `{errors: [{title, code}]}` with a non-empty title.
fn is_error_list(body: &Value) {
    shaped_like("jsm/error_422.json", body);
    let title = body.pointer("/errors/0/title").and_then(Value::as_str);
    assert!(title.is_some_and(|t| !t.is_empty()), "{body}");
}

#[tokio::test]
async fn a_wrong_token_is_401_code_and_message() {
    let jsm = Jsm::start().await;
    let answer = jsm
        .http
        .get(jsm.url("alerts"))
        .basic_auth(JSM_EMAIL, Some("not-the-token"))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status().as_u16(), 401);
    let body: Value = answer.json().await.expect("json");
    shaped_like("jsm/error_401.json", &body);
    assert_eq!(body["code"], 401);
    assert!(body["message"].is_string());
    // Opsgenie's GenieKey is not accepted on the JSM face.
    let genie = jsm
        .http
        .get(jsm.url("alerts"))
        .header("authorization", format!("GenieKey {}", jsm.fake.key()))
        .send()
        .await
        .expect("answer");
    assert_eq!(genie.status().as_u16(), 401);
}

#[tokio::test]
async fn unknown_site_and_unknown_route_are_404_error_lists() {
    let jsm = Jsm::start().await;
    let other = jsm
        .fake
        .base_url()
        .join("jsm/ops/api/00000000-fake-4cld-8000-00000000other/v1/alerts")
        .expect("url");
    let answer = jsm
        .http
        .get(other)
        .basic_auth(JSM_EMAIL, Some(jsm.fake.key()))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status().as_u16(), 404);
    is_error_list(&answer.json().await.expect("json"));
    // There is no count endpoint: the list carries `count`.
    let (status, body) = jsm.get("alerts/count").await;
    assert_eq!(status, 404, "{body}");
    is_error_list(&body);
}

#[tokio::test]
async fn list_alerts_pages_with_offset_size_and_count() {
    let jsm = Jsm::start().await;
    let (status, body) = jsm.get("alerts?size=2&query=status%3Aopen").await;
    assert_eq!(status, 200, "{body}");
    shaped_like("jsm/alerts_page1.json", &body);
    shaped_like("jsm/alert_get.json", &body["values"][0]);
    let open = jsm.fake.alerts().iter().filter(|a| a.is_open()).count();
    assert_eq!(body["count"], open);
    assert_eq!(body["values"].as_array().map(Vec::len), Some(2));
    let next = body
        .pointer("/links/next")
        .and_then(Value::as_str)
        .expect("next");
    assert!(next.starts_with("/v1/alerts?"), "{next}");
    assert!(
        next.contains("offset=2") && next.contains("size=2"),
        "{next}"
    );
    // Following the link gives the rest; the last page has no `next`.
    let (_, last) = jsm.get("alerts?offset=4&size=2&query=status%3Aopen").await;
    assert!(last.pointer("/links/next").is_none(), "{last}");
    // Newest first by default (sort insertedAt, order desc).
    let (_, all) = jsm.get("alerts?size=100").await;
    let created: Vec<&str> = all["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|a| a["createdAt"].as_str())
        .collect();
    let mut sorted = created.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(created, sorted);
    let (_, asc) = jsm.get("alerts?size=100&sort=createdAt&order=asc").await;
    assert_eq!(
        asc["values"][0]["id"],
        all["values"][all["values"].as_array().map_or(0, Vec::len) - 1]["id"]
    );
}

#[tokio::test]
async fn list_alerts_refuses_what_the_description_does_not_allow() {
    let jsm = Jsm::start().await;
    for bad in [
        "alerts?size=101",
        "alerts?size=0",
        "alerts?offset=-1",
        "alerts?offset=19950&size=100",
        "alerts?sort=tinyId",
        "alerts?order=up",
        "alerts?from=yesterday",
        "alerts?query=status%3Amaybe",
    ] {
        let (status, body) = jsm.get(bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        is_error_list(&body);
    }
    let (status, body) = jsm.get("alerts?size=100&sort=priority&order=desc").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["values"][0]["priority"], "P1");
}

#[tokio::test]
async fn get_alert_by_id_and_by_alias() {
    let jsm = Jsm::start().await;
    let seeded = jsm.fake.add_alert(
        SeedAlert::new("Disk full")
            .alias("disk/db1 ?&#")
            .tags(&["db"]),
    );
    let (status, body) = jsm.get(&format!("alerts/{}", seeded.id)).await;
    assert_eq!(status, 200, "{body}");
    shaped_like("jsm/alert_get.json", &body);
    assert_eq!(body["status"], "open");
    assert_eq!(body["message"], "Disk full");
    assert!(
        body.get("lastOccuredAt").is_some(),
        "JSM spells it lastOccuredAt"
    );
    let (status, by_alias) = jsm.get("alerts/alias?alias=disk%2Fdb1%20%3F%26%23").await;
    assert_eq!(status, 200, "{by_alias}");
    assert_eq!(by_alias["id"], body["id"]);
    let (status, missing) = jsm.get("alerts/alias?alias=nope").await;
    assert_eq!(status, 404);
    is_error_list(&missing);
    let (status, no_alias) = jsm.get("alerts/alias").await;
    assert_eq!(status, 422);
    is_error_list(&no_alias);
    let (status, gone) = jsm.get("alerts/00000000-fake-4alr-8000-00000000gone").await;
    assert_eq!(status, 404);
    shaped_like("jsm/error_404.json", &gone);
}

#[tokio::test]
async fn create_answers_200_success_and_the_alert_appears() {
    let jsm = Jsm::with(FakeOpsgenie::builder().without_demo_data()).await;
    let (status, body) = jsm
        .post(
            "alerts",
            json!({
                "message": "Checkout down",
                "alias": "checkout",
                "priority": "P1",
                "tags": ["checkout"],
                "extraProperties": {"region": "eu"},
                "responders": [{"id": "00000000-fake-4tea-8000-000000000001", "type": "team"}],
                "visibleTo": [{"id": "00000000-fake-4tea-8000-000000000001", "type": "team"}],
            }),
        )
        .await;
    assert_eq!(status, 200, "createAlert is documented as 200: {body}");
    let outcome = jsm.success(&body).await;
    assert_eq!(outcome["isSuccess"], true);
    let id = outcome["alertId"].as_str().expect("alertId");
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    assert_eq!(alert["priority"], "P1");
    assert_eq!(alert["extraProperties"]["region"], "eu");
    assert_eq!(alert["responders"][0]["type"], "team");
    for bad in [
        json!({}),
        json!({"message": "x".repeat(131)}),
        json!({"message": "m", "priority": "P9"}),
        json!({"message": "m", "extraProperties": {"n": 1}}),
        json!({"message": "m", "responders": [{"name": "ops", "type": "team"}]}),
        json!({"message": "m", "visibleTo": [{"id": "x", "type": "escalation"}]}),
    ] {
        let (status, body) = jsm.post("alerts", bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
        is_error_list(&body);
    }
    let malformed = jsm
        .http
        .post(jsm.url("alerts"))
        .basic_auth(JSM_EMAIL, Some(jsm.fake.key()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("answer");
    assert_eq!(malformed.status().as_u16(), 400);
    is_error_list(&malformed.json().await.expect("json"));
    assert_eq!(jsm.fake.alerts().len(), 1, "refused creates change nothing");
}

#[tokio::test]
async fn acknowledge_unacknowledge_snooze_and_close_move_the_status() {
    let jsm = Jsm::start().await;
    let id = jsm.first_open_id();
    let status_of = |body: &Value| body["status"].as_str().unwrap_or_default().to_owned();
    let outcome = jsm
        .accepted(
            jsm.post(&format!("alerts/{id}/acknowledge"), json!({}))
                .await,
        )
        .await;
    assert_eq!(outcome["isSuccess"], true);
    assert_eq!(outcome["alertId"], id.as_str());
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    assert_eq!(status_of(&alert), "acked");
    assert_eq!(alert["acknowledged"], true);
    assert!(alert["ackTime"].is_string());
    // `status:open` still finds an acknowledged alert; `status:acked` finds it too.
    let (_, acked) = jsm.get("alerts?query=status%3Aacked&size=100").await;
    assert!(
        acked["values"]
            .as_array()
            .expect("values")
            .iter()
            .any(|a| a["id"] == id.as_str())
    );
    jsm.accepted(
        jsm.post(&format!("alerts/{id}/unacknowledge"), json!({}))
            .await,
    )
    .await;
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    assert_eq!(status_of(&alert), "open");
    let until = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    jsm.accepted(
        jsm.post(&format!("alerts/{id}/snooze"), json!({ "endTime": until }))
            .await,
    )
    .await;
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    assert_eq!(status_of(&alert), "snoozed");
    assert!(alert["snoozedUntil"].is_string());
    let (status, body) = jsm
        .post(&format!("alerts/{id}/snooze"), json!({ "endTime": "soon" }))
        .await;
    assert_eq!(status, 422);
    is_error_list(&body);
    // Close takes no body.
    let answer = jsm
        .http
        .post(jsm.url(&format!("alerts/{id}/close")))
        .basic_auth(JSM_EMAIL, Some(jsm.fake.key()))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status().as_u16(), 202);
    jsm.success(&answer.json().await.expect("json")).await;
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    assert_eq!(status_of(&alert), "closed");
    assert!(alert["closeTime"].is_string());
}

#[tokio::test]
async fn an_action_on_an_unknown_alert_is_accepted_and_fails_in_its_outcome() {
    let jsm = Jsm::start().await;
    let (status, body) = jsm
        .post(
            "alerts/00000000-fake-4alr-8000-00000000gone/close",
            json!({}),
        )
        .await;
    assert_eq!(status, 202);
    let id = body["requestId"].as_str().expect("requestId");
    let mut outcome = Value::Null;
    for _ in 0..100 {
        let (s, b) = jsm.get(&format!("alerts/requests/{id}")).await;
        if s == 200 {
            outcome = b;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    shaped_like("jsm/request_failure.json", &outcome);
    assert_eq!(outcome["isSuccess"], false);
    assert_eq!(outcome["status"], "Alert does not exist");
}

#[tokio::test]
async fn a_pending_request_is_404_request_not_processed_then_200() {
    let jsm = Jsm::with(FakeOpsgenie::builder().processing_delay(Duration::from_millis(200))).await;
    let id = jsm.first_open_id();
    let (status, body) = jsm
        .post(&format!("alerts/{id}/acknowledge"), json!({}))
        .await;
    assert_eq!(status, 202);
    let request = body["requestId"].as_str().expect("requestId").to_owned();
    let (status, pending) = jsm.get(&format!("alerts/requests/{request}")).await;
    assert_eq!(status, 404, "{pending}");
    is_error_list(&pending);
    assert_eq!(pending["errors"][0]["code"], "RequestNotProcessed");
    let (status, unknown) = jsm
        .get("alerts/requests/00000000-fake-4req-8000-0000000never")
        .await;
    assert_eq!(status, 404);
    assert_eq!(unknown["errors"][0]["code"], "NotFound");
    assert_eq!(jsm.outcome(&request).await["action"], "Acknowledge");
}

#[tokio::test]
async fn assign_escalate_responders_and_custom_actions_take_the_published_bodies() {
    let jsm = Jsm::start().await;
    let seeded = jsm
        .fake
        .add_alert(SeedAlert::new("Restartable").actions(&["Restart"]));
    let id = seeded.id.to_string();
    let account = "712020:00000000-fake-4acc-8000-000000000002";
    jsm.accepted(
        jsm.post(
            &format!("alerts/{id}/assign"),
            json!({ "accountId": account }),
        )
        .await,
    )
    .await;
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    assert_eq!(alert["owner"], account);
    jsm.accepted(
        jsm.post(
            &format!("alerts/{id}/escalate"),
            json!({ "escalationId": "00000000-fake-4esc-8000-000000000001" }),
        )
        .await,
    )
    .await;
    jsm.accepted(
        jsm.post(
            &format!("alerts/{id}/responders"),
            json!({ "id": account, "type": "user" }),
        )
        .await,
    )
    .await;
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    assert!(
        alert["responders"]
            .as_array()
            .expect("responders")
            .contains(&json!({ "id": account, "type": "user" }))
    );
    let done = jsm
        .accepted(
            jsm.post(
                &format!("alerts/{id}/action"),
                json!({ "actionName": "Restart" }),
            )
            .await,
        )
        .await;
    assert_eq!(done["isSuccess"], true);
    let refused = jsm
        .accepted(
            jsm.post(
                &format!("alerts/{id}/action"),
                json!({ "actionName": "Reboot" }),
            )
            .await,
        )
        .await;
    assert_eq!(
        refused["isSuccess"], false,
        "an action the alert lacks fails"
    );
    // Opsgenie's shapes are refused with validation errors.
    for (path, body) in [
        ("assign", json!({ "owner": { "id": account } })),
        ("escalate", json!({ "escalation": { "name": "ops" } })),
        (
            "responders",
            json!({ "responder": { "id": account, "type": "user" } }),
        ),
        ("responders", json!({ "id": account, "type": "robot" })),
        ("action", json!({})),
    ] {
        let (status, answer) = jsm.post(&format!("alerts/{id}/{path}"), body.clone()).await;
        assert_eq!(status, 422, "{path} {body}: {answer}");
        is_error_list(&answer);
    }
    let (status, _) = jsm
        .post(&format!("alerts/{id}/actions/Restart"), json!({}))
        .await;
    assert_eq!(
        status, 404,
        "Opsgenie's /actions/{{name}} is not a JSM path"
    );
}

#[tokio::test]
async fn tags_and_extra_properties_are_added_and_removed_with_json_bodies() {
    let jsm = Jsm::start().await;
    let id = jsm.first_open_id();
    jsm.accepted(
        jsm.post(&format!("alerts/{id}/tags"), json!({ "tags": ["a", "b"] }))
            .await,
    )
    .await;
    jsm.accepted(
        jsm.send(
            Method::DELETE,
            &format!("alerts/{id}/tags"),
            Some(json!({ "tags": ["a"] })),
        )
        .await,
    )
    .await;
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    let tags = alert["tags"].as_array().expect("tags");
    assert!(
        tags.contains(&json!("b")) && !tags.contains(&json!("a")),
        "{alert}"
    );
    jsm.accepted(
        jsm.post(
            &format!("alerts/{id}/extra-properties"),
            json!({ "extraProperties": { "host": "db1", "mount": "/var" } }),
        )
        .await,
    )
    .await;
    jsm.accepted(
        jsm.send(
            Method::DELETE,
            &format!("alerts/{id}/extra-properties"),
            Some(json!({ "keys": ["mount"] })),
        )
        .await,
    )
    .await;
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    assert_eq!(alert["extraProperties"], json!({ "host": "db1" }));
    // The query form of Opsgenie is not understood: the body is required.
    let (status, body) = jsm
        .send(Method::DELETE, &format!("alerts/{id}/tags?tags=b"), None)
        .await;
    assert_eq!(status, 422, "{body}");
    is_error_list(&body);
    let (status, _) = jsm
        .post(
            &format!("alerts/{id}/details"),
            json!({ "details": { "k": "v" } }),
        )
        .await;
    assert_eq!(status, 404, "Opsgenie's /details is not a JSM path");
}

#[tokio::test]
async fn priority_message_and_description_are_patch() {
    let jsm = Jsm::start().await;
    let id = jsm.first_open_id();
    for (what, body) in [
        ("priority", json!({ "priority": "P4" })),
        ("message", json!({ "message": "Renamed" })),
        ("description", json!({ "description": "More words" })),
    ] {
        jsm.accepted(
            jsm.send(Method::PATCH, &format!("alerts/{id}/{what}"), Some(body))
                .await,
        )
        .await;
        let (status, _) = jsm
            .send(Method::PUT, &format!("alerts/{id}/{what}"), Some(json!({})))
            .await;
        assert_eq!(status, 404, "PUT {what} is Opsgenie's, not JSM's");
    }
    let (_, alert) = jsm.get(&format!("alerts/{id}")).await;
    assert_eq!(alert["priority"], "P4");
    assert_eq!(alert["message"], "Renamed");
    assert_eq!(alert["description"], "More words");
    let (status, body) = jsm
        .send(
            Method::PATCH,
            &format!("alerts/{id}/priority"),
            Some(json!({ "priority": "urgent" })),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    is_error_list(&body);
}

#[tokio::test]
async fn delete_alert_is_202() {
    let jsm = Jsm::start().await;
    let id = jsm.first_open_id();
    let outcome = jsm
        .accepted(
            jsm.send(Method::DELETE, &format!("alerts/{id}"), None)
                .await,
        )
        .await;
    assert_eq!(outcome["isSuccess"], true);
    let (status, _) = jsm.get(&format!("alerts/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn notes_are_synchronous_and_page_with_after() {
    let jsm = Jsm::start().await;
    let id = jsm.first_open_id();
    let mut ids = Vec::new();
    for n in 0..3 {
        let (status, note) = jsm
            .post(
                &format!("alerts/{id}/notes"),
                json!({ "note": format!("note {n}") }),
            )
            .await;
        assert_eq!(
            status, 200,
            "addAlertNote answers 200 with the note: {note}"
        );
        shaped_like("jsm/alert_note.json", &note);
        assert_eq!(note["note"], format!("note {n}"));
        assert_eq!(note["owner"], JSM_ACCOUNT_ID);
        ids.push(note["id"].as_str().expect("id").to_owned());
    }
    let (status, page) = jsm.get(&format!("alerts/{id}/notes?size=2")).await;
    assert_eq!(status, 200, "{page}");
    shaped_like("jsm/notes_page.json", &page);
    assert_eq!(page["values"].as_array().map(Vec::len), Some(2));
    let next = page["links"]["next"].as_str().expect("next");
    assert_eq!(
        next,
        format!("/v1/alerts/{id}/notes?after={}&size=2", ids[1])
    );
    let (_, rest) = jsm
        .get(&format!("alerts/{id}/notes?after={}&size=2", ids[1]))
        .await;
    assert_eq!(rest["values"][0]["id"], ids[2].as_str());
    assert!(rest["links"].get("next").is_none(), "{rest}");
    // Update answers the note, delete answers 204.
    let (status, updated) = jsm
        .send(
            Method::PATCH,
            &format!("alerts/{id}/notes/{}", ids[0]),
            Some(json!({ "note": "edited" })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    shaped_like("jsm/alert_note.json", &updated);
    assert_eq!(updated["note"], "edited");
    let (status, empty) = jsm
        .send(
            Method::DELETE,
            &format!("alerts/{id}/notes/{}", ids[0]),
            None,
        )
        .await;
    assert_eq!((status, empty), (204, Value::Null));
    let (status, _) = jsm
        .send(
            Method::DELETE,
            &format!("alerts/{id}/notes/{}", ids[0]),
            None,
        )
        .await;
    assert_eq!(status, 404);
    for bad in [
        json!({}),
        json!({ "note": "" }),
        json!({ "note": "x".repeat(25_001) }),
    ] {
        let (status, body) = jsm.post(&format!("alerts/{id}/notes"), bad).await;
        assert_eq!(status, 422, "{body}");
        is_error_list(&body);
    }
    let (status, _) = jsm
        .post(
            "alerts/00000000-fake-4alr-8000-00000000gone/notes",
            json!({ "note": "x" }),
        )
        .await;
    assert_eq!(status, 404);
    for bad in ["size=101", "size=0", "after=nope"] {
        let (status, body) = jsm.get(&format!("alerts/{id}/notes?{bad}")).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
}

#[tokio::test]
async fn logs_carry_log_type_and_log_time_and_page_with_after() {
    let jsm = Jsm::start().await;
    let id = jsm.first_open_id();
    for action in ["acknowledge", "unacknowledge", "acknowledge"] {
        jsm.accepted(jsm.post(&format!("alerts/{id}/{action}"), json!({})).await)
            .await;
    }
    let (status, page) = jsm.get(&format!("alerts/{id}/logs?size=2")).await;
    assert_eq!(status, 200, "{page}");
    shaped_like("jsm/logs_page.json", &page);
    let first = &page["values"][0];
    assert!(
        first["logType"].is_string() && first["logTime"].is_string(),
        "{first}"
    );
    assert!(first.get("type").is_none() && first.get("createdAt").is_none());
    let next = page["links"]["next"].as_str().expect("next");
    let after = next
        .split_once("after=")
        .map(|(_, a)| a.split('&').next().unwrap_or(a))
        .expect("after in next");
    let (status, rest) = jsm.get(&format!("alerts/{id}/logs?after={after}")).await;
    assert_eq!(status, 200, "{rest}");
    assert!(!rest["values"].as_array().expect("values").is_empty());
    assert_ne!(rest["values"][0], page["values"][0]);
}

#[tokio::test]
async fn schedules_page_filter_by_name_and_expand_rotations() {
    let jsm = Jsm::start().await;
    let start = Utc::now() - chrono::Duration::days(1);
    for name in ["ops-eu", "ops-us", "db"] {
        jsm.fake
            .add_schedule(name, "primary", start, &["ann@example.com"]);
    }
    let (status, all) = jsm.get("schedules").await;
    assert_eq!(status, 200, "{all}");
    shaped_like("jsm/schedules.json", &all);
    assert_eq!(all["values"].as_array().map(Vec::len), Some(4));
    assert!(
        all["values"][0].get("rotations").is_none(),
        "rotations only when expanded"
    );
    let (_, page) = jsm.get("schedules?size=2").await;
    assert_eq!(page["values"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["links"]["next"], "/v1/schedules?offset=2&size=2");
    let (_, exact) = jsm.get("schedules?query=OPS").await;
    let names: Vec<&str> = exact["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["ops"], "exact, case-insensitive");
    let (_, prefix) = jsm.get("schedules?query=ops-*").await;
    assert_eq!(prefix["values"].as_array().map(Vec::len), Some(2));
    let (_, expanded) = jsm.get("schedules?query=ops&expand=rotation").await;
    shaped_like("jsm/schedule_get.json", &expanded["values"][0]);
    assert!(expanded["values"][0]["rotations"].is_array());
    assert_eq!(expanded["values"][0]["teamId"], JSM_TEAM_ID);
    for bad in [
        "schedules?size=51",
        "schedules?size=0",
        "schedules?offset=-2",
    ] {
        let (status, body) = jsm.get(bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        is_error_list(&body);
    }
    let id = expanded["values"][0]["id"].as_str().expect("id");
    let (status, one) = jsm.get(&format!("schedules/{id}")).await;
    assert_eq!(status, 200);
    shaped_like("jsm/schedule_get.json", &one);
    let (status, missing) = jsm
        .get("schedules/00000000-fake-4sch-8000-00000000gone")
        .await;
    assert_eq!(status, 404);
    is_error_list(&missing);
}

fn demo_schedule_id(jsm: &Jsm) -> String {
    jsm.fake
        .schedules()
        .into_iter()
        .find(|s| s.name == "ops")
        .map(|s| s.id.to_string())
        .expect("demo schedule")
}

#[tokio::test]
async fn on_calls_flat_are_user_ids_and_nested_is_a_participants_tree() {
    let jsm = Jsm::start().await;
    let id = demo_schedule_id(&jsm);
    let (status, flat) = jsm.get(&format!("schedules/{id}/on-calls?flat=true")).await;
    assert_eq!(status, 200, "{flat}");
    shaped_like("jsm/on_calls_flat.json", &flat);
    let users = flat["onCallUsers"].as_array().expect("onCallUsers");
    assert_eq!(users.len(), 1);
    let on_call = users[0].as_str().expect("an id");
    assert!(!on_call.contains('@'), "ids, not usernames: {on_call}");
    assert!(flat.get("onCallRecipients").is_none());
    let (_, nested) = jsm.get(&format!("schedules/{id}/on-calls")).await;
    shaped_like("jsm/on_calls_nested.json", &nested);
    assert_eq!(nested["onCallParticipants"][0]["id"], on_call);
    assert_eq!(nested["onCallParticipants"][0]["type"], "user");
    let (_, next_flat) = jsm
        .get(&format!("schedules/{id}/next-on-calls?flat=true"))
        .await;
    shaped_like("jsm/next_on_calls_flat.json", &next_flat);
    let next = next_flat["nextOnCallUsers"][0].as_str().expect("next user");
    assert_ne!(next, on_call, "weekly turns: the next one is someone else");
    let (_, next_nested) = jsm.get(&format!("schedules/{id}/next-on-calls")).await;
    shaped_like("jsm/next_on_calls_nested.json", &next_nested);
    assert_eq!(next_nested["nextOnCallParticipants"][0]["id"], next);
    // A date in the next turn shows the next user.
    let later = (Utc::now() + chrono::Duration::weeks(1)).to_rfc3339();
    let (_, then) = jsm
        .get(&format!(
            "schedules/{id}/on-calls?flat=true&date={}",
            later.replace('+', "%2B")
        ))
        .await;
    assert_eq!(then["onCallUsers"][0], next);
    for bad in ["flat=maybe", "date=tomorrow"] {
        let (status, body) = jsm.get(&format!("schedules/{id}/on-calls?{bad}")).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
}

#[tokio::test]
async fn overrides_are_created_read_replaced_and_deleted_by_alias() {
    let jsm = Jsm::start().await;
    let id = demo_schedule_id(&jsm);
    let taker = "712020:00000000-fake-4acc-8000-000000000007";
    let start = Utc::now() - chrono::Duration::minutes(1);
    let end = start + chrono::Duration::hours(2);
    let (status, created) = jsm
        .post(
            &format!("schedules/{id}/overrides"),
            json!({
                "responder": { "type": "user", "id": taker },
                "startDate": start.to_rfc3339(),
                "endDate": end.to_rfc3339(),
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    shaped_like("jsm/override_created.json", &created);
    assert_eq!(created["responder"], json!({ "type": "user", "id": taker }));
    assert!(created["rotationIds"].is_null(), "null: all rotations");
    let alias = created["alias"].as_str().expect("alias").to_owned();
    // The override takes the on-call.
    let (_, flat) = jsm.get(&format!("schedules/{id}/on-calls?flat=true")).await;
    assert_eq!(flat["onCallUsers"], json!([taker]));
    let (status, read) = jsm.get(&format!("schedules/{id}/overrides/{alias}")).await;
    assert_eq!(status, 200);
    assert_eq!(read, created);
    let (status, list) = jsm.get(&format!("schedules/{id}/overrides")).await;
    assert_eq!(status, 200);
    shaped_like("jsm/overrides_list.json", &list);
    let rotation = jsm
        .fake
        .schedules()
        .into_iter()
        .find(|s| s.name == "ops")
        .and_then(|s| s.rotations.first().and_then(|r| r.id.clone()))
        .expect("rotation id");
    let (status, replaced) = jsm
        .send(
            Method::PUT,
            &format!("schedules/{id}/overrides/{alias}"),
            Some(json!({
                "responder": { "type": "noone" },
                "startDate": start.to_rfc3339(),
                "endDate": end.to_rfc3339(),
                "rotationIds": [rotation],
            })),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["responder"]["type"], "noone");
    assert_eq!(replaced["rotationIds"], json!([rotation]));
    let (_, nobody) = jsm.get(&format!("schedules/{id}/on-calls?flat=true")).await;
    assert_eq!(nobody["onCallUsers"], json!([]));
    for bad in [
        json!({ "user": { "type": "user", "id": taker }, "startDate": start.to_rfc3339(), "endDate": end.to_rfc3339() }),
        json!({ "responder": { "type": "team", "id": "t" }, "startDate": start.to_rfc3339(), "endDate": end.to_rfc3339() }),
        json!({ "responder": { "type": "user" }, "startDate": start.to_rfc3339(), "endDate": end.to_rfc3339() }),
        json!({ "responder": { "type": "user", "id": taker }, "startDate": end.to_rfc3339(), "endDate": start.to_rfc3339() }),
        json!({ "responder": { "type": "user", "id": taker }, "startDate": start.to_rfc3339(), "endDate": end.to_rfc3339(), "rotationIds": ["nope"] }),
    ] {
        let (status, body) = jsm
            .post(&format!("schedules/{id}/overrides"), bad.clone())
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        is_error_list(&body);
    }
    let (status, empty) = jsm
        .send(
            Method::DELETE,
            &format!("schedules/{id}/overrides/{alias}"),
            None,
        )
        .await;
    assert_eq!((status, empty), (204, Value::Null));
    let (status, gone) = jsm.get(&format!("schedules/{id}/overrides/{alias}")).await;
    assert_eq!(status, 404);
    is_error_list(&gone);
}

#[tokio::test]
async fn teams_list_the_site_team() {
    let jsm = Jsm::start().await;
    let (status, body) = jsm.get("teams").await;
    assert_eq!(status, 200);
    shaped_like("jsm/teams.json", &body);
    assert_eq!(body["platformTeams"][0]["teamId"], JSM_TEAM_ID);
}

#[tokio::test]
async fn heartbeats_of_a_team_list_create_update_delete_and_ping() {
    let jsm = Jsm::start().await;
    let base = format!("teams/{JSM_TEAM_ID}/heartbeats");
    let (status, list) = jsm.get(&base).await;
    assert_eq!(status, 200, "{list}");
    shaped_like("jsm/heartbeats_list.json", &list);
    assert_eq!(list["values"][0]["name"], "nightly-backup");
    assert_eq!(
        list["values"][0]["intervalUnit"], "Hours",
        "capitalised in answers"
    );
    assert_eq!(list["values"][0]["status"], "Responsive");
    let (status, created) = jsm
        .post(
            &base,
            json!({ "name": "deploys", "interval": 10, "intervalUnit": "minutes" }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    shaped_like("jsm/heartbeat.json", &created);
    assert_eq!(created["enabled"], false, "enabled defaults to false");
    assert_eq!(created["status"], "Off");
    assert_eq!(created["alertPriority"], "P3");
    assert_eq!(created["ownerTeamId"], JSM_TEAM_ID);
    let (status, updated) = jsm
        .send(
            Method::PATCH,
            &format!("{base}?name=deploys"),
            Some(json!({ "enabled": true, "intervalUnit": "hours" })),
        )
        .await;
    assert_eq!(
        status, 201,
        "updateHeartbeat is documented as 201: {updated}"
    );
    assert_eq!(updated["enabled"], true);
    assert_eq!(updated["intervalUnit"], "Hours");
    assert_eq!(updated["status"], "Pending", "enabled, never pinged");
    let (status, pong) = jsm.get(&format!("{base}/ping?name=deploys")).await;
    assert_eq!(status, 202);
    shaped_like("jsm/ping.json", &pong);
    assert_eq!(pong["message"], "PONG - Heartbeat received");
    let (_, one) = jsm.get(&format!("{base}?name=deploys")).await;
    assert_eq!(one["values"][0]["status"], "Responsive");
    // The ping does not check that the heartbeat exists.
    let (status, _) = jsm.get(&format!("{base}/ping?name=never-made")).await;
    assert_eq!(status, 202);
    for (method, path, body) in [
        (
            Method::POST,
            base.clone(),
            Some(json!({ "name": "x", "interval": 0, "intervalUnit": "hours" })),
        ),
        (
            Method::POST,
            base.clone(),
            Some(json!({ "name": "x", "interval": 5, "intervalUnit": "Hours" })),
        ),
        (
            Method::POST,
            base.clone(),
            Some(json!({ "name": "deploys", "interval": 5, "intervalUnit": "hours" })),
        ),
        (
            Method::POST,
            base.clone(),
            Some(json!({ "interval": 5, "intervalUnit": "hours" })),
        ),
        (
            Method::PATCH,
            base.clone(),
            Some(json!({ "enabled": false })),
        ),
        (Method::GET, format!("{base}/ping"), None),
        (Method::GET, format!("{base}?size=101"), None),
    ] {
        let (status, answer) = jsm.send(method.clone(), &path, body.clone()).await;
        assert_eq!(status, 422, "{method} {path} {body:?}: {answer}");
        is_error_list(&answer);
    }
    let (status, empty) = jsm
        .send(Method::DELETE, &format!("{base}?name=deploys"), None)
        .await;
    assert_eq!((status, empty), (204, Value::Null));
    let (status, _) = jsm
        .send(Method::DELETE, &format!("{base}?name=deploys"), None)
        .await;
    assert_eq!(status, 404);
    let (status, body) = jsm
        .get("teams/00000000-fake-4tem-8000-00000000none/heartbeats")
        .await;
    assert_eq!(status, 404);
    is_error_list(&body);
}

#[tokio::test]
async fn a_rate_limited_jsm_answer_is_429_with_retry_after_and_an_error_list() {
    let jsm = Jsm::with(FakeOpsgenie::builder().rate_limit(1)).await;
    let mut limited = None;
    for _ in 0..5 {
        let answer = jsm
            .http
            .get(jsm.url("teams"))
            .basic_auth(JSM_EMAIL, Some(jsm.fake.key()))
            .send()
            .await
            .expect("answer");
        if answer.status().as_u16() == 429 {
            limited = Some(answer);
            break;
        }
    }
    let answer = limited.expect("a 429");
    assert!(answer.headers().contains_key("retry-after"));
    is_error_list(&answer.json().await.expect("json"));
}

#[test]
fn the_shape_check_catches_invented_fields_and_wrong_types() {
    let published = json!({ "values": [{ "id": "a", "count": 1 }], "links": { "next": "x" } });
    assert_shape(
        &published,
        &json!({ "values": [{ "id": "b" }], "links": {} }),
        "ok",
    );
    let invented = std::panic::catch_unwind(|| {
        assert_shape(&published, &json!({ "values": [], "data": [] }), "invented")
    });
    assert!(invented.is_err());
    let wrong_type = std::panic::catch_unwind(|| {
        assert_shape(&published, &json!({ "values": [{ "count": "1" }] }), "type")
    });
    assert!(wrong_type.is_err());
}
