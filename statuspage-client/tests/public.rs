//! The public Status API v2: paths, no key, decoding.

mod common;

use common::{catch_all, fast_retries, json, server};
use statuspage_client::{Error, IncidentStatus, PublicClient, StatusIndicator};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer};

fn public(server: &MockServer) -> PublicClient {
    PublicClient::builder(server.uri())
        .retry_policy(fast_retries())
        .build()
        .expect("public client")
}

#[tokio::test]
async fn every_public_endpoint() {
    let server = server().await;
    // No request of the public client carries a key.
    Mock::given(header_exists("authorization"))
        .respond_with(wiremock::ResponseTemplate::new(400))
        .expect(0)
        .with_priority(1)
        .mount(&server)
        .await;
    for (p, fixture) in [
        ("/api/v2/summary.json", "public/summary.json"),
        ("/api/v2/status.json", "public/status.json"),
        ("/api/v2/components.json", "public/components.json"),
        ("/api/v2/incidents.json", "public/incidents.json"),
        (
            "/api/v2/incidents/unresolved.json",
            "public/incidents_unresolved.json",
        ),
        (
            "/api/v2/scheduled-maintenances.json",
            "public/scheduled_maintenances.json",
        ),
        (
            "/api/v2/scheduled-maintenances/upcoming.json",
            "public/scheduled_maintenances_upcoming.json",
        ),
        (
            "/api/v2/scheduled-maintenances/active.json",
            "public/scheduled_maintenances_active.json",
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(json(200, fixture))
            .expect(1)
            .mount(&server)
            .await;
    }
    catch_all(&server).await;

    let client = public(&server);
    assert!(client.base_url().as_str().ends_with("/api/v2"));
    let summary = client.summary().await.expect("summary");
    assert_eq!(summary.status.indicator, StatusIndicator::Minor);
    assert_eq!(
        client.status().await.expect("status").page.name.as_deref(),
        Some("Example Corp (fake)")
    );
    let components = client.components().await.expect("components");
    assert!(
        components
            .iter()
            .any(|c| c.group && c.components.len() == 3)
    );
    assert_eq!(client.incidents().await.expect("incidents").len(), 2);
    assert_eq!(
        client
            .unresolved_incidents()
            .await
            .expect("unresolved")
            .len(),
        1
    );
    assert_eq!(client.scheduled_maintenances().await.expect("all").len(), 2);
    assert_eq!(
        client.upcoming_maintenances().await.expect("upcoming")[0].status,
        IncidentStatus::Scheduled
    );
    assert_eq!(
        client.active_maintenances().await.expect("active")[0].status,
        IncidentStatus::InProgress
    );
}

#[tokio::test]
async fn an_existing_api_v2_suffix_is_kept_and_html_is_a_decode_error() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/status.json"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_raw(common::fixture("errors/500.html"), "text/html"),
        )
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = PublicClient::new(format!("{}/api/v2/", server.uri())).expect("client");
    match client.status().await {
        Err(Error::Decode {
            status, excerpt, ..
        }) => {
            assert_eq!(status, 200);
            assert!(excerpt.starts_with("<!DOCTYPE html>"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(matches!(
        PublicClient::new("status.example.invalid"),
        Err(Error::InvalidInput {
            field: "base_url",
            ..
        })
    ));
}
