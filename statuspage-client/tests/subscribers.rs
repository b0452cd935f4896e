//! Subscribers, page and incident level: request construction.

mod common;

use common::{PAGE, call, catch_all, client, json, server};
use futures_util::TryStreamExt;
use serde_json::json;
use statuspage_client::{Error, SubscriberState, SubscriberType};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, query_param, query_param_is_missing};

const SUBSCRIBERS: &str = "/pages/fakepage0001/subscribers";

#[tokio::test]
async fn page_level_list_sends_filters_and_counts_from_zero() {
    let server = server().await;
    call("GET", SUBSCRIBERS)
        .and(query_param("page", "0"))
        .and(query_param("limit", "25"))
        .and(query_param("q", "example"))
        .and(query_param("type", "email"))
        .and(query_param("state", "quarantined"))
        .and(query_param("sort_field", "created_at"))
        .and(query_param("sort_direction", "desc"))
        .respond_with(json(200, "subscribers/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let list = client(&server)
        .subscribers(PAGE)
        .list()
        .per_page(25)
        .q("example")
        .kind(SubscriberType::Email)
        .state(SubscriberState::Quarantined)
        .sort("created_at", true)
        .await
        .expect("list");
    assert_eq!(list.len(), 4);
}

#[tokio::test]
async fn page_level_stream_starts_at_page_zero() {
    let server = server().await;
    let one = |id: &str| json!([{"id": id, "mode": "email"}]);
    call("GET", SUBSCRIBERS)
        .and(query_param("page", "0"))
        .and(query_param("limit", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(one("fakesub00001")))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", SUBSCRIBERS)
        .and(query_param("page", "1"))
        .and(query_param("limit", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(one("fakesub00002")))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", SUBSCRIBERS)
        .and(query_param("page", "2"))
        .and(query_param("limit", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let all: Vec<_> = client(&server)
        .subscribers(PAGE)
        .list()
        .per_page(1)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn create_get_and_delete_at_page_level() {
    let server = server().await;
    call("POST", SUBSCRIBERS)
        .and(body_json(json!({"subscriber": {
            "email": "oncall@example.invalid",
            "skip_confirmation_notification": true,
            "component_ids": ["fakecomp0001"]
        }})))
        .respond_with(json(201, "subscribers/create.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", "/pages/fakepage0001/subscribers/fakesub00001")
        .respond_with(json(200, "subscribers/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("DELETE", "/pages/fakepage0001/subscribers/fakesub00001")
        .and(query_param("skip_unsubscription_notification", "true"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let api = client.subscribers(PAGE);
    let created = api
        .create()
        .email("oncall@example.invalid")
        .skip_confirmation_notification(true)
        .component_ids(["fakecomp0001"])
        .await
        .expect("create");
    assert_eq!(created.id.as_str(), "fakesub00001");
    assert_eq!(
        api.get("fakesub00001").await.expect("get").components.len(),
        1
    );
    api.delete("fakesub00001", false).await.expect("delete");
    assert!(matches!(
        api.create().await,
        Err(Error::InvalidInput {
            field: "subscriber",
            ..
        })
    ));
}

#[tokio::test]
async fn incident_level_subscribers() {
    let server = server().await;
    let base = "/pages/fakepage0001/incidents/fakeinc00001/subscribers";
    call("GET", base)
        .and(query_param("page", "1"))
        .respond_with(json(200, "subscribers/incident_list.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("POST", base)
        .and(body_json(
            json!({"subscriber": {"phone_country": "us", "phone_number": "5555550100"}}),
        ))
        .respond_with(json(201, "subscribers/create.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", &format!("{base}/fakesub00005"))
        .respond_with(json(200, "subscribers/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("DELETE", &format!("{base}/fakesub00005"))
        .and(query_param_is_missing("skip_unsubscription_notification"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let api = client.incidents(PAGE).subscribers("fakeinc00001");
    assert_eq!(api.list().await.expect("list").len(), 1);
    api.create()
        .phone("us", "5555550100")
        .await
        .expect("create");
    api.get("fakesub00005").await.expect("get");
    api.delete("fakesub00005", true).await.expect("delete");
    assert!(matches!(
        api.list().q("x").await,
        Err(Error::InvalidInput { field: "q", .. })
    ));
}
