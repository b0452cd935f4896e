//! Tier 3: retries, rate limits, throttling, pacing, timeouts, error mapping, redaction.

mod common;

use std::time::{Duration, Instant};

use common::{KEY, PAGE, call, catch_all, client, fast_retries, json, server};
use statuspage_client::{Client, Error, PublicClient, RetryPolicy};
use wiremock::ResponseTemplate;
use wiremock::matchers::header;

const COMPONENTS: &str = "/pages/fakepage0001/components";

fn client_with(server: &wiremock::MockServer, policy: RetryPolicy) -> Client {
    Client::builder(KEY)
        .base_url(server.uri())
        .without_pacing()
        .retry_policy(policy)
        .build()
        .expect("client")
}

async fn requests(server: &wiremock::MockServer) -> usize {
    server.received_requests().await.expect("recording").len()
}

#[test]
fn clients_and_errors_are_send_sync_and_clone() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn clone<T: Clone>() {}
    send_sync::<Client>();
    send_sync::<PublicClient>();
    send_sync::<Error>();
    clone::<Client>();
    clone::<PublicClient>();
}

#[tokio::test]
async fn get_is_retried_after_a_server_error() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    call("GET", COMPONENTS)
        .respond_with(json(200, "components/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let list = client(&server)
        .components(PAGE)
        .list()
        .await
        .expect("third attempt succeeds");
    assert_eq!(list.len(), 4);
}

#[tokio::test]
async fn post_is_not_retried_after_a_server_error() {
    let server = server().await;
    call("POST", COMPONENTS)
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_raw(common::fixture("errors/500.html"), "text/html"),
        )
        .mount(&server)
        .await;
    catch_all(&server).await;
    let error = client(&server)
        .components(PAGE)
        .create("API")
        .await
        .expect_err("500");
    match &error {
        Error::Api(api) => {
            assert_eq!(api.status, 500);
            assert_eq!(api.message, "internal server error");
            assert!(api.body.contains("something went wrong"));
        }
        other => panic!("expected an api error, got {other:?}"),
    }
    assert_eq!(
        requests(&server).await,
        1,
        "a create that may have happened is not repeated"
    );
}

#[tokio::test]
async fn post_is_retried_when_throttled() {
    let server = server().await;
    call("POST", COMPONENTS)
        .respond_with(json(429, "errors/429.json").insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    call("POST", COMPONENTS)
        .respond_with(json(201, "components/create.json"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let created = client(&server)
        .components(PAGE)
        .create("Artifacts")
        .await
        .expect("retried create");
    assert_eq!(created.id.as_str(), "fakecomp0005");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn status_420_with_retry_after_is_waited_for() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(json(420, "errors/420.json").insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    call("GET", COMPONENTS)
        .respond_with(json(200, "components/list.json"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let started = Instant::now();
    client(&server)
        .components(PAGE)
        .list()
        .await
        .expect("after the wait");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_on_a_server_error_is_waited_for_too() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    call("GET", COMPONENTS)
        .respond_with(json(200, "components/list.json"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let started = Instant::now();
    client(&server)
        .components(PAGE)
        .list()
        .await
        .expect("after the wait");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn throttling_holds_every_request_of_the_client() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(json(429, "errors/429.json").insert_header("retry-after", "1"))
        .mount(&server)
        .await;
    call("GET", "/pages/fakepage0001/incidents/unresolved")
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client_with(&server, RetryPolicy::none());
    let refused = client.components(PAGE).list().await.expect_err("429");
    assert!(matches!(
        refused,
        Error::RateLimited { status: 429, retry_after: Some(d), ref message } if d == Duration::from_secs(1) && message == "Too many requests"
    ));
    // Another call on a clone, to another path, waits out the server's Retry-After.
    let started = Instant::now();
    client
        .clone()
        .incidents(PAGE)
        .unresolved()
        .await
        .expect("held, then sent");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_beyond_the_cap_is_returned_not_waited_for() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(json(420, "errors/420.json").insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let started = Instant::now();
    let error = client(&server)
        .components(PAGE)
        .list()
        .await
        .expect_err("420");
    assert!(started.elapsed() < Duration::from_secs(5));
    match error {
        Error::RateLimited {
            status,
            retry_after,
            message,
        } => {
            assert_eq!(status, 420);
            assert_eq!(retry_after, Some(Duration::from_secs(3600)));
            assert!(message.starts_with("Rate limit exceeded"));
        }
        other => panic!("expected rate limited, got {other:?}"),
    }
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn absurd_retry_after_values_never_panic() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(
            json(429, "errors/429.json").insert_header("retry-after", "18446744073709551615"),
        )
        .mount(&server)
        .await;
    call("GET", "/pages")
        .respond_with(json(429, "errors/429.json").insert_header("retry-after", "1e400"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    // Even with every cap lifted, a huge Retry-After ends the call instead of overflowing.
    let client = client_with(
        &server,
        fast_retries()
            .with_max_retry_after(Duration::MAX)
            .with_max_total_delay(Duration::from_secs(5)),
    );
    let error = client.components(PAGE).list().await.expect_err("throttled");
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(u64::MAX))
    );
    // An unreadable Retry-After is ignored: backoff retries, then the error.
    let error = client.pages().list().await.expect_err("throttled");
    assert!(matches!(
        error,
        Error::RateLimited {
            retry_after: None,
            ..
        }
    ));
    // The huge one was not retried; the unreadable one was tried the policy's four times.
    assert_eq!(requests(&server).await, 1 + 4);
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(json(429, "errors/429.json").insert_header("retry-after", "0"))
        .expect(3)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client_with(&server, fast_retries().with_max_attempts(3));
    let error = client.components(PAGE).list().await.expect_err("throttled");
    assert!(error.is_rate_limited());
    assert_eq!(error.status(), Some(429));
}

#[tokio::test]
async fn total_delay_bounds_the_retries() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(json(429, "errors/429.json").insert_header("retry-after", "1"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client_with(
        &server,
        fast_retries().with_max_total_delay(Duration::from_millis(500)),
    );
    let started = Instant::now();
    assert!(
        client
            .components(PAGE)
            .list()
            .await
            .expect_err("throttled")
            .is_rate_limited()
    );
    // Waiting out the 1 s Retry-After would break the 500 ms total-delay bound.
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let error = client_with(&server, RetryPolicy::none())
        .components(PAGE)
        .list()
        .await
        .expect_err("502");
    assert_eq!(error.status(), Some(502));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn timeouts_are_typed_and_retried_only_when_idempotent() {
    let server = server().await;
    let slow = || json(200, "components/list.json").set_delay(Duration::from_millis(400));
    call("GET", COMPONENTS)
        .respond_with(slow())
        .mount(&server)
        .await;
    call("POST", COMPONENTS)
        .respond_with(slow())
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = Client::builder(KEY)
        .base_url(server.uri())
        .without_pacing()
        .timeout(Duration::from_millis(50))
        .retry_policy(fast_retries().with_max_attempts(2))
        .build()
        .expect("client");
    let error = client.components(PAGE).list().await.expect_err("timeout");
    assert!(matches!(error, Error::Timeout { after } if after == Duration::from_millis(50)));
    assert_eq!(requests(&server).await, 2, "the GET was tried twice");
    let error = client
        .components(PAGE)
        .create("API")
        .await
        .expect_err("timeout");
    assert!(matches!(error, Error::Timeout { .. }));
    assert_eq!(requests(&server).await, 3, "the POST was tried once");
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let client = Client::builder(KEY)
        .base_url(format!("http://{addr}"))
        .without_pacing()
        .retry_policy(fast_retries().with_max_attempts(2))
        .build()
        .expect("client");
    match client.components(PAGE).create("API").await {
        Err(Error::Transport(e)) => {
            assert!(e.is_connect());
            assert!(!format!("{e:?}").contains(KEY));
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn error_answers_are_mapped() {
    let server = server().await;
    call("GET", "/pages/fakepage0001/components/missing")
        .respond_with(json(404, "errors/404.json"))
        .mount(&server)
        .await;
    call("POST", COMPONENTS)
        .respond_with(json(422, "errors/422.json"))
        .mount(&server)
        .await;
    call("GET", "/pages")
        .respond_with(json(401, "errors/401.json"))
        .mount(&server)
        .await;
    call("GET", "/pages/bad")
        .respond_with(
            ResponseTemplate::new(400).set_body_string(common::fixture("errors/400_plain.txt")),
        )
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);

    let not_found = client
        .components(PAGE)
        .get("missing")
        .await
        .expect_err("404");
    assert!(not_found.is_not_found());
    assert_eq!(
        not_found.to_string(),
        "statuspage api error 404: The requested resource could not be found."
    );

    let invalid = client
        .components(PAGE)
        .create("API")
        .await
        .expect_err("422");
    match invalid {
        Error::Api(api) => {
            assert_eq!(api.status, 422);
            assert_eq!(
                api.message,
                "Name can't be blank; Status is not included in the list"
            );
            assert!(api.body.contains("Name can't be blank"));
        }
        other => panic!("expected 422, got {other:?}"),
    }

    assert!(
        client
            .pages()
            .list()
            .await
            .expect_err("401")
            .is_unauthorized()
    );
    let plain = client.pages().get("bad").await.expect_err("400");
    assert!(plain.to_string().ends_with("Bad Request"));
}

#[tokio::test]
async fn bodies_that_are_not_the_expected_json_are_decode_errors() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(common::fixture("errors/truncated.json"), "application/json"),
        )
        .mount(&server)
        .await;
    call("GET", "/pages/fakepage0001/components/wrongtype")
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"id":"x","name":"API","position":"first"}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    call("GET", "/pages/fakepage0001/components/html")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(common::fixture("errors/500.html"), "text/html"),
        )
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    match client.components(PAGE).list().await {
        Err(Error::Decode {
            status, excerpt, ..
        }) => {
            assert_eq!(status, 200);
            assert!(excerpt.starts_with("[{\"id\":\"fakecomp0001\""));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    match client.components(PAGE).get("wrongtype").await {
        Err(Error::Decode { path, .. }) => assert_eq!(path, "position"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(matches!(
        client.components(PAGE).get("html").await,
        Err(Error::Decode { .. })
    ));
}

#[tokio::test]
async fn large_bodies_are_refused() {
    let server = server().await;
    call("GET", COMPONENTS)
        .respond_with(json(200, "components/list.json"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = Client::builder(KEY)
        .base_url(server.uri())
        .without_pacing()
        .max_response_bytes(100)
        .build()
        .expect("client");
    assert!(matches!(
        client.components(PAGE).list().await,
        Err(Error::BodyTooLarge { limit: 100 })
    ));
}

#[tokio::test]
async fn user_agent_names_the_crate_and_can_be_changed() {
    let server = server().await;
    let default_agent = format!("statuspage-client/{}", env!("CARGO_PKG_VERSION"));
    call("GET", "/pages")
        .and(header("user-agent", default_agent.as_str()))
        .and(header("accept", "application/json"))
        .respond_with(json(200, "pages/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", "/pages")
        .and(header("user-agent", "opsbot/1.0"))
        .respond_with(json(200, "pages/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    client(&server).pages().list().await.expect("default agent");
    let custom = Client::builder(KEY)
        .base_url(server.uri())
        .without_pacing()
        .user_agent("opsbot/1.0")
        .build()
        .expect("client");
    custom.pages().list().await.expect("custom agent");
}

#[tokio::test]
async fn pacing_spaces_requests_per_key() {
    let server = server().await;
    call("GET", "/pages")
        .respond_with(json(200, "pages/list.json"))
        .mount(&server)
        .await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/pages"))
        .and(header("authorization", "OAuth sp-fake-key-other"))
        .respond_with(json(200, "pages/list.json"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let paced = Client::builder(KEY)
        .base_url(server.uri())
        .pacing(Duration::from_millis(150))
        .build()
        .expect("client");
    let clone = paced.clone();
    let started = Instant::now();
    paced.pages().list().await.expect("first");
    clone.pages().list().await.expect("second");
    paced.pages().list().await.expect("third");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "took {:?}",
        started.elapsed()
    );

    // Another client of the same key takes its turn in the same slots: the limit is per key.
    let same_key = Client::builder(KEY)
        .base_url(server.uri())
        .pacing(Duration::from_millis(150))
        .build()
        .expect("client");
    // The fifth slot is a full interval after the fourth, which is not before `started`.
    let started = Instant::now();
    paced.pages().list().await.expect("fourth");
    same_key.pages().list().await.expect("fifth");
    assert!(
        started.elapsed() >= Duration::from_millis(145),
        "took {:?}",
        started.elapsed()
    );
    // Another key has its own slots.
    let other_key = Client::builder("sp-fake-key-other")
        .base_url(server.uri())
        .pacing(Duration::from_millis(150))
        .build()
        .expect("client");
    let started = Instant::now();
    other_key.pages().list().await.expect("other key");
    assert!(
        started.elapsed() < Duration::from_millis(150),
        "took {:?}",
        started.elapsed()
    );

    let unpaced = client(&server);
    let started = Instant::now();
    for _ in 0..3 {
        unpaced.pages().list().await.expect("unpaced");
    }
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[test]
fn bad_keys_and_base_urls_are_invalid_input_without_echoing_the_key() {
    assert!(matches!(
        Client::new(""),
        Err(Error::InvalidInput {
            field: "api_key",
            ..
        })
    ));
    let with_newline = "sp-fake-key\nInjected: yes";
    match Client::new(with_newline) {
        Err(
            error @ Error::InvalidInput {
                field: "api_key", ..
            },
        ) => {
            assert!(!format!("{error} {error:?}").contains("sp-fake-key"));
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
    assert!(matches!(
        Client::builder(KEY).base_url("::not a url").build(),
        Err(Error::InvalidInput {
            field: "base_url",
            ..
        })
    ));
}
