//! Metrics: request construction.

mod common;

use chrono::{TimeZone, Utc};
use common::{PAGE, call, catch_all, client, json, server};
use serde_json::json;
use statuspage_client::{Error, MetricId, MetricPoint};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, query_param};

#[tokio::test]
async fn list_get_submit_bulk_and_reset() {
    let server = server().await;
    call("GET", "/pages/fakepage0001/metrics")
        .and(query_param("page", "1"))
        .respond_with(json(200, "metrics/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", "/pages/fakepage0001/metrics/fakemet00001")
        .respond_with(json(200, "metrics/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("POST", "/pages/fakepage0001/metrics/fakemet00001/data")
        .and(body_json(
            json!({"data": {"timestamp": 1717799190, "value": 182.0}}),
        ))
        .respond_with(json(201, "metrics/submit.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("POST", "/pages/fakepage0001/metrics/data")
        .and(body_json(json!({"data": {
            "fakemet00001": [{"timestamp": 1717799190, "value": 1.5}, {"timestamp": 1717799220, "value": 2.5}],
            "fakemet00002": [{"timestamp": 1717799190, "value": 7.0}]
        }})))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    call("DELETE", "/pages/fakepage0001/metrics/fakemet00001/data")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let client = client(&server);
    let metrics = client.metrics(PAGE);
    assert_eq!(metrics.list().await.expect("list").len(), 1);
    assert_eq!(
        metrics
            .get("fakemet00001")
            .await
            .expect("get")
            .name
            .as_deref(),
        Some("API latency")
    );
    let t = Utc.timestamp_opt(1717799190, 0).single().expect("time");
    metrics
        .submit("fakemet00001", MetricPoint::new(t, 182.0))
        .await
        .expect("submit");
    let later = t + chrono::Duration::seconds(30);
    metrics
        .submit_bulk([
            (
                MetricId::from("fakemet00001"),
                vec![MetricPoint::new(t, 1.5), MetricPoint::new(later, 2.5)],
            ),
            (
                MetricId::from("fakemet00002"),
                vec![MetricPoint::new(t, 7.0)],
            ),
        ])
        .await
        .expect("bulk");
    metrics.reset("fakemet00001").await.expect("reset");

    assert!(matches!(
        metrics
            .submit("fakemet00001", MetricPoint::new(t, f64::NAN))
            .await,
        Err(Error::InvalidInput { field: "value", .. })
    ));
    assert!(matches!(
        metrics
            .submit_bulk(Vec::<(MetricId, Vec<MetricPoint>)>::new())
            .await,
        Err(Error::InvalidInput { field: "data", .. })
    ));
}
