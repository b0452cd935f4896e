//! Schedules, on-call and overrides: request construction and decoding through the client.

mod common;

use chrono::{TimeZone, Utc};
use common::{body_of, client, respond, server};
use opsgenie_client::schedules::ScheduleRef;
use opsgenie_client::{Error, NamedRef, UserRef};
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn list_and_get_schedules() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/schedules"))
        .and(query_param("expand", "rotation"))
        .respond_with(respond(200, "schedules/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/schedules/ops%20team"))
        .and(query_param("identifierType", "name"))
        .respond_with(respond(200, "schedules/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let list = c.schedules().list().expand_rotations().await.expect("list");
    assert_eq!(
        list.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["ops", "db"]
    );
    let one = c
        .schedules()
        .get(ScheduleRef::name("ops team"))
        .await
        .expect("get");
    assert_eq!(one.id.as_str(), "d875alp4-fake-4cbf-96b2-000000000011");
}

#[tokio::test]
async fn on_calls_flat_nested_at_a_time_and_for_all() {
    let server = server().await;
    let at = Utc
        .with_ymd_and_hms(2026, 11, 24, 9, 30, 0)
        .single()
        .expect("date");
    Mock::given(method("GET"))
        .and(path("/v2/schedules/ops/on-calls"))
        .and(query_param("scheduleIdentifierType", "name"))
        .and(query_param("flat", "true"))
        .and(query_param("date", "2026-11-24T09:30:00Z"))
        .respond_with(respond(200, "schedules/on_calls_flat.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/schedules/fake-schedule-id/on-calls"))
        .and(query_param("scheduleIdentifierType", "id"))
        .and(query_param_is_missing("flat"))
        .and(query_param_is_missing("date"))
        .respond_with(respond(200, "schedules/on_calls_nested.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/schedules/on-calls"))
        .and(query_param("flat", "true"))
        .respond_with(respond(200, "schedules/all_on_calls.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/schedules/ops/next-on-calls"))
        .and(query_param("flat", "false"))
        .respond_with(respond(200, "schedules/next_on_calls.json"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let flat = c
        .schedules()
        .on_calls(ScheduleRef::name("ops"))
        .flat(true)
        .date(at)
        .await
        .expect("flat");
    assert_eq!(flat.users(), ["ann@example.com", "bob@example.com"]);
    let nested = c
        .schedules()
        .on_calls(ScheduleRef::id("fake-schedule-id"))
        .await
        .expect("nested");
    assert_eq!(nested.users(), ["ann@example.com", "bob@example.com"]);
    let all = c.schedules().all_on_calls().flat(true).await.expect("all");
    assert_eq!(all[0].schedule_name(), Some("ops"));
    let next = c
        .schedules()
        .next_on_calls(ScheduleRef::name("ops"))
        .flat(false)
        .await
        .expect("next");
    assert_eq!(next.names(), ["bob@example.com"]);
}

#[tokio::test]
async fn overrides_create_list_get_update_delete() {
    let server = server().await;
    let start = Utc
        .with_ymd_and_hms(2026, 11, 24, 8, 0, 0)
        .single()
        .expect("start");
    let end = Utc
        .with_ymd_and_hms(2026, 11, 24, 16, 0, 0)
        .single()
        .expect("end");
    Mock::given(method("POST"))
        .and(path("/v2/schedules/ops/overrides"))
        .and(query_param("scheduleIdentifierType", "name"))
        .respond_with(respond(201, "schedules/override_created.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/schedules/ops/overrides"))
        .respond_with(respond(200, "schedules/overrides_list.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/schedules/ops/overrides/fake-override-1"))
        .respond_with(respond(200, "schedules/override_get.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/v2/schedules/ops/overrides/night%2Fshift"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"alias": "night/shift"}, "requestId": "fake"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/schedules/ops/overrides/fake-override-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"result": "Deleted", "requestId": "fake"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let o = || c.schedules().overrides(ScheduleRef::name("ops"));
    let alias = o()
        .create(UserRef::username("ann@example.com"), start, end)
        .alias("fake-override-1")
        .rotation(NamedRef::name("primary"))
        .await
        .expect("create");
    assert_eq!(alias, "fake-override-1");
    assert_eq!(
        body_of(&server, "POST", "/v2/schedules/ops/overrides").await,
        json!({"alias": "fake-override-1", "user": {"type": "user", "username": "ann@example.com"},
               "startDate": "2026-11-24T08:00:00Z", "endDate": "2026-11-24T16:00:00Z",
               "rotations": [{"name": "primary"}]})
    );
    assert_eq!(o().list().await.expect("list").len(), 1);
    assert_eq!(
        o().get("fake-override-1").await.expect("get").alias,
        "fake-override-1"
    );
    let updated = o()
        .update("night/shift", UserRef::id("fake-user-2"), start, end)
        .await
        .expect("update");
    assert_eq!(updated, "night/shift");
    o().delete("fake-override-1").await.expect("delete");
    // A period that ends before it starts is refused locally.
    assert!(matches!(
        o().create(UserRef::username("ann@example.com"), end, start)
            .await,
        Err(Error::InvalidInput {
            field: "end_date",
            ..
        })
    ));
    assert!(matches!(
        o().get(" ").await,
        Err(Error::InvalidInput { field: "alias", .. })
    ));
}
