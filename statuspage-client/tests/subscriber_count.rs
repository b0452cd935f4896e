//! `GET /pages/{page_id}/subscribers/count`: request construction, decoding (missing and
//! unknown types), and the fake's answer.

mod common;

use common::{PAGE, call, catch_all, client, server};
use serde_json::json;
use statuspage_client::{SubscriberState, SubscriberType};
use wiremock::ResponseTemplate;
use wiremock::matchers::{query_param, query_param_is_missing};

const COUNT: &str = "/pages/fakepage0001/subscribers/count";

#[tokio::test]
async fn count_sends_no_filters_by_default_and_sums_every_type() {
    let server = server().await;
    call("GET", COUNT)
        .and(query_param_is_missing("type"))
        .and(query_param_is_missing("state"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "email": 9000, "sms": 12, "webhook": 3, "slack": 1, "teams": 2, "note": "x"
        })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let count = client(&server).subscriber_count(PAGE).await.expect("count");
    assert_eq!(count.email, Some(9000));
    assert_eq!(count.integration_partner, None);
    assert_eq!(count.other.get("teams"), Some(&json!(2)));
    // Every number counts, including types added after this crate; other values do not.
    assert_eq!(count.total(), 9018);
}

#[tokio::test]
async fn count_sends_type_and_state() {
    let server = server().await;
    call("GET", COUNT)
        .and(query_param("type", "webhook"))
        .and(query_param("state", "all"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"webhook": 4})))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let count = client(&server)
        .subscriber_count(PAGE)
        .kind(SubscriberType::Webhook)
        .state(SubscriberState::All)
        .await
        .expect("count");
    assert_eq!(count.total(), 4);
}

/// The fake (feature `fake`) answers the count from its subscribers.
#[cfg(feature = "fake")]
#[tokio::test]
async fn the_fake_counts_its_page_subscribers_by_type() {
    let fake = statuspage_client::fake::FakeStatuspage::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let client = fake.client().expect("client");
    let page = fake.page_id().to_string();
    assert_eq!(
        client.subscriber_count(&page).await.expect("count").total(),
        0
    );
    for email in ["a@example.invalid", "b@example.invalid"] {
        client
            .subscribers(&page)
            .create()
            .email(email)
            .await
            .expect("subscriber");
    }
    client
        .subscribers(&page)
        .create()
        .endpoint("https://hooks.example.invalid/status")
        .await
        .expect("subscriber");
    let count = client.subscriber_count(&page).await.expect("count");
    assert_eq!(
        (count.email, count.webhook, count.sms),
        (Some(2), Some(1), Some(0))
    );
    assert_eq!(count.total(), 3);
    let emails = client
        .subscriber_count(&page)
        .kind(SubscriberType::Email)
        .await
        .expect("count");
    assert_eq!((emails.email, emails.webhook), (Some(2), None));
    let quarantined = client
        .subscriber_count(&page)
        .state(SubscriberState::Quarantined)
        .await
        .expect("count");
    assert_eq!(quarantined.total(), 0);
}
