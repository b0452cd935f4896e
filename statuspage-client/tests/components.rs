//! Components and component groups: request construction, paging and validation.

mod common;

use chrono::NaiveDate;
use common::{PAGE, call, catch_all, client, json, server};
use futures_util::TryStreamExt;
use serde_json::json;
use statuspage_client::{ComponentStatus, Error};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, query_param, query_param_is_missing};

const COMPONENTS: &str = "/pages/fakepage0001/components";

#[tokio::test]
async fn list_sends_paging_parameters() {
    let server = server().await;
    call("GET", COMPONENTS)
        .and(query_param("page", "2"))
        .and(query_param("per_page", "50"))
        .respond_with(json(200, "components/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let list = client(&server)
        .components(PAGE)
        .list()
        .page(2)
        .per_page(50)
        .await
        .expect("list");
    assert_eq!(list.len(), 4);
    assert_eq!(list[3].name, "Log Streaming");
}

#[tokio::test]
async fn list_defaults_to_the_first_page() {
    let server = server().await;
    call("GET", COMPONENTS)
        .and(query_param("page", "1"))
        .and(query_param_is_missing("per_page"))
        .respond_with(json(200, "components/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    client(&server).components(PAGE).list().await.expect("list");
}

fn numbered(from: usize, count: usize) -> serde_json::Value {
    let items: Vec<_> = (from..from + count)
        .map(|i| json!({"id": format!("fakecomp{i:04}"), "name": format!("Component {i}"), "status": "operational"}))
        .collect();
    json!(items)
}

#[tokio::test]
async fn stream_walks_every_page_until_a_short_one() {
    let server = server().await;
    for (page, from, count) in [("1", 0, 2), ("2", 2, 2), ("3", 4, 1)] {
        call("GET", COMPONENTS)
            .and(query_param("page", page))
            .and(query_param("per_page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(numbered(from, count)))
            .expect(1)
            .mount(&server)
            .await;
    }
    catch_all(&server).await;

    let all: Vec<_> = client(&server)
        .components(PAGE)
        .list()
        .per_page(2)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    let ids: Vec<_> = all.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(
        ids,
        [
            "fakecomp0000",
            "fakecomp0001",
            "fakecomp0002",
            "fakecomp0003",
            "fakecomp0004"
        ]
    );
}

#[tokio::test]
async fn stream_stops_at_an_empty_page_and_reports_errors() {
    let server = server().await;
    call("GET", COMPONENTS)
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(numbered(0, 2)))
        .mount(&server)
        .await;
    call("GET", COMPONENTS)
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let all: Vec<_> = client
        .components(PAGE)
        .list()
        .per_page(2)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(all.len(), 2);

    // A page that fails ends the stream with the error.
    let failing = common::server().await;
    call("GET", COMPONENTS)
        .respond_with(json(404, "errors/404.json"))
        .mount(&failing)
        .await;
    let failing_client = common::client(&failing);
    let result: Result<Vec<_>, _> = failing_client
        .components(PAGE)
        .list()
        .stream()
        .try_collect()
        .await;
    assert!(result.expect_err("404").is_not_found());
}

#[tokio::test]
async fn get_update_and_delete_hit_the_component_path() {
    let server = server().await;
    let item = "/pages/fakepage0001/components/fakecomp0001";
    call("GET", item)
        .respond_with(json(200, "components/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("PATCH", item)
        .and(body_json(json!({"component": {"status": "major_outage"}})))
        .respond_with(json(200, "components/update.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("DELETE", item)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let client = client(&server);
    let components = client.components(PAGE);
    assert_eq!(
        components.get("fakecomp0001").await.expect("get").name,
        "API"
    );
    let updated = components
        .update("fakecomp0001")
        .status(ComponentStatus::MajorOutage)
        .await
        .expect("update");
    assert_eq!(updated.status, ComponentStatus::MajorOutage);
    components.delete("fakecomp0001").await.expect("delete");
}

#[tokio::test]
async fn set_status_sends_the_vendor_value() {
    let server = server().await;
    call("PATCH", "/pages/fakepage0001/components/fakecomp0002")
        .and(body_json(
            json!({"component": {"status": "degraded_performance"}}),
        ))
        .respond_with(json(200, "components/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let status: ComponentStatus = "degraded_performance".parse().expect("a vendor value");
    client(&server)
        .components(PAGE)
        .set_status("fakecomp0002", status)
        .await
        .expect("set");
}

#[tokio::test]
async fn create_sends_every_field() {
    let server = server().await;
    call("POST", COMPONENTS)
        .and(body_json(json!({"component": {
            "name": "Artifacts",
            "description": "Build outputs",
            "status": "operational",
            "only_show_if_degraded": false,
            "group_id": "fakegrp00001",
            "showcase": true,
            "start_date": "2024-06-07"
        }})))
        .respond_with(json(201, "components/create.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let created = client(&server)
        .components(PAGE)
        .create("Artifacts")
        .description("Build outputs")
        .status(ComponentStatus::Operational)
        .only_show_if_degraded(false)
        .group_id("fakegrp00001")
        .showcase(true)
        .start_date(NaiveDate::from_ymd_opt(2024, 6, 7).expect("date"))
        .await
        .expect("create");
    assert_eq!(created.id.as_str(), "fakecomp0005");
}

#[tokio::test]
async fn uptime_sends_the_range() {
    let server = server().await;
    call("GET", "/pages/fakepage0001/components/fakecomp0001/uptime")
        .and(query_param("start", "2024-05-01"))
        .and(query_param("end", "2024-05-31"))
        .respond_with(json(200, "components/uptime.json"))
        .expect(1)
        .mount(&server)
        .await;
    call(
        "GET",
        "/pages/fakepage0001/component-groups/fakegrp00001/uptime",
    )
    .and(query_param_is_missing("start"))
    .respond_with(json(200, "component_groups/uptime.json"))
    .expect(1)
    .mount(&server)
    .await;
    catch_all(&server).await;
    let client = client(&server);
    let may = |d| NaiveDate::from_ymd_opt(2024, 5, d);
    let uptime = client
        .components(PAGE)
        .uptime("fakecomp0001", may(1), may(31))
        .await
        .expect("uptime");
    assert_eq!(uptime.uptime_percentage, Some(99.87));
    client
        .component_groups(PAGE)
        .uptime("fakegrp00001", None, None)
        .await
        .expect("group uptime");
    let backwards = client
        .components(PAGE)
        .uptime("fakecomp0001", may(31), may(1))
        .await;
    assert!(matches!(
        backwards,
        Err(Error::InvalidInput { field: "end", .. })
    ));
}

#[tokio::test]
async fn invalid_input_is_rejected_before_sending() {
    let server = server().await;
    catch_all(&server).await;
    let client = client(&server);
    let components = client.components(PAGE);

    let cases = [
        (components.create("").await.err(), "name"),
        (components.create("   ").await.err(), "name"),
        (components.create("x".repeat(256)).await.err(), "name"),
        (components.update("fakecomp0001").await.err(), "component"),
        (
            components.update("fakecomp0001").name("").await.err(),
            "name",
        ),
        (components.get("").await.err(), "component_id"),
        (client.components("").list().await.err(), "page_id"),
        (components.list().per_page(0).await.err(), "per_page"),
        (components.list().per_page(101).await.err(), "per_page"),
    ];
    for (error, field) in cases {
        match error {
            Some(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected invalid input for {field}, got {other:?}"),
        }
    }
    assert!(
        components
            .create("x".repeat(255))
            .await
            .is_err_and(|e| !matches!(e, Error::InvalidInput { .. })),
        "255 characters are allowed (the catch-all answers)"
    );
    let received = server.received_requests().await.expect("recording");
    assert_eq!(
        received.len(),
        1,
        "only the valid 255-character create was sent"
    );
}

#[tokio::test]
async fn ids_are_percent_encoded_in_paths() {
    let server = server().await;
    call("GET", "/pages/fakepage0001/components/a%2Fb%3Fc")
        .respond_with(json(200, "components/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    client(&server)
        .components(PAGE)
        .get("a/b?c")
        .await
        .expect("encoded id");
}

#[tokio::test]
async fn component_groups_crud() {
    let server = server().await;
    let groups = "/pages/fakepage0001/component-groups";
    let item = "/pages/fakepage0001/component-groups/fakegrp00001";
    call("GET", groups)
        .and(query_param("page", "1"))
        .respond_with(json(200, "component_groups/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", item)
        .respond_with(json(200, "component_groups/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("POST", groups)
        .and(body_json(json!({
            "description": "The web site",
            "component_group": {"name": "Web", "components": ["fakecomp0003"]}
        })))
        .respond_with(json(201, "component_groups/create.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("PATCH", item)
        .and(body_json(
            json!({"component_group": {"name": "Core platform"}}),
        ))
        .respond_with(json(200, "component_groups/update.json"))
        .expect(1)
        .mount(&server)
        .await;
    call(
        "DELETE",
        "/pages/fakepage0001/component-groups/fakegrp00002",
    )
    .respond_with(json(200, "component_groups/delete.json"))
    .expect(1)
    .mount(&server)
    .await;
    catch_all(&server).await;

    let client = client(&server);
    let api = client.component_groups(PAGE);
    assert_eq!(api.list().await.expect("list").len(), 2);
    assert_eq!(
        api.get("fakegrp00001").await.expect("get").components.len(),
        3
    );
    let created = api
        .create("Web", ["fakecomp0003"])
        .description("The web site")
        .await
        .expect("create");
    assert_eq!(created.id.as_str(), "fakegrp00002");
    assert_eq!(
        api.update("fakegrp00001")
            .name("Core platform")
            .await
            .expect("update")
            .name,
        "Core platform"
    );
    assert_eq!(
        api.delete("fakegrp00002").await.expect("delete").name,
        "Web"
    );

    let empty: Vec<&str> = Vec::new();
    assert!(matches!(
        api.create("Nothing", empty).await,
        Err(Error::InvalidInput {
            field: "components",
            ..
        })
    ));
    assert!(matches!(
        api.update("fakegrp00001").await,
        Err(Error::InvalidInput {
            field: "component_group",
            ..
        })
    ));
}
