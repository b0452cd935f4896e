//! The attempt loop against a local server: retries, safety of POSTs, throttling, the budget,
//! the size limit, redaction and the span.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opsbot_http::header::HeaderMap;
use opsbot_http::{
    Answer, Config, Error, FailureClass, Request, RetryPolicy, Route, Secrets, Service, Throttle,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "fake-key-0123456789";

/// A service like Statuspage: 420 is throttling too, and it counts what it observed.
#[derive(Debug, Default)]
struct Hooks {
    observed: AtomicUsize,
    holds: AtomicUsize,
    admitted: AtomicUsize,
}

#[derive(Debug, thiserror::Error)]
enum TestError {
    #[error("api {0}: {1}")]
    Api(u16, String),
    #[error("rate limited {0}")]
    RateLimited(u16),
    #[error(transparent)]
    Core(#[from] Error),
}

/// The hooks as the transport owns them; the test keeps another handle.
#[derive(Debug, Clone)]
struct Shared(Arc<Hooks>);

impl std::ops::Deref for Shared {
    type Target = Hooks;
    fn deref(&self) -> &Hooks {
        &self.0
    }
}

impl Service for Shared {
    type Error = TestError;
    type Permit = ();

    async fn admit(&self) {
        self.admitted.fetch_add(1, Ordering::SeqCst);
    }

    fn span(&self, request: &Request) -> tracing::Span {
        opsbot_http::request_span!("test.request", request)
    }

    fn classify(&self, status: u16, headers: &HeaderMap) -> Option<FailureClass> {
        let _ = headers;
        match status {
            420 => Some(FailureClass::Throttling),
            _ => FailureClass::from_status(status),
        }
    }

    fn error(&self, answer: Answer) -> TestError {
        if answer.is_throttled() {
            TestError::RateLimited(answer.status)
        } else {
            TestError::Api(answer.status, answer.text().into_owned())
        }
    }

    fn observe(&self, _answer: &Answer) {
        self.observed.fetch_add(1, Ordering::SeqCst);
    }

    fn on_hold(&self, _delay: Duration) {
        self.holds.fetch_add(1, Ordering::SeqCst);
    }
}

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

fn config(server: &MockServer) -> Config {
    Config::new(format!("{}/v1", server.uri()), "opsbot-http-tests")
        .retry_policy(fast())
        .secrets(Secrets::new([KEY]))
}

fn transport(config: Config) -> (opsbot_http::Transport<Shared>, Arc<Hooks>) {
    let hooks = Arc::new(Hooks::default());
    let transport = config.build(Shared(hooks.clone())).expect("transport");
    (transport, hooks)
}

fn get() -> Request {
    Request::get(Route::new("/things/{thing_id}", ["t 1"]))
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/things/t%201"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/things/t%201"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"ok":true}"#))
        .mount(&server)
        .await;
    let (transport, hooks) = transport(config(&server));
    let value: serde_json::Value = transport.execute(get()).await.expect("third attempt");
    assert_eq!(value["ok"], true);
    assert_eq!(hooks.observed.load(Ordering::SeqCst), 3);
    assert_eq!(hooks.admitted.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_post_is_not_repeated_after_a_server_error_unless_marked_safe() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let (transport, _) = transport(config(&server));
    let post = || Request::post(Route::new("/things", []));
    let err = transport.execute_empty(post()).await.expect_err("502");
    assert!(matches!(err, TestError::Api(502, _)), "{err:?}");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
    let _ = transport.execute_empty(post().retry_safe()).await;
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(5));
}

#[tokio::test]
async fn the_services_own_throttling_signal_is_retried_and_holds_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(420).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let (transport, hooks) = transport(config(&server));
    let _: serde_json::Value = transport.execute(get()).await.expect("after the hold");
    assert_eq!(hooks.holds.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn throttling_that_outlasts_the_policy_is_the_services_error_and_holds_nobody() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let (transport, hooks) = transport(config(&server));
    let err = transport.execute_empty(get()).await.expect_err("too long");
    assert!(matches!(err, TestError::RateLimited(429)), "{err:?}");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
    assert_eq!(hooks.holds.load(Ordering::SeqCst), 0);
    assert!(!transport.throttle().is_holding());
}

#[tokio::test]
async fn an_empty_budget_stops_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let (transport, _) = transport(config(&server).retry_policy(fast().with_retry_budget(5)));
    let _ = transport.execute_empty(get()).await;
    // One retry paid (5 tokens), then the bucket is dry.
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
    assert_eq!(transport.retry_budget_available(), 0);
    let _ = transport.execute_empty(get()).await;
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3));
}

#[tokio::test]
async fn a_body_over_the_limit_is_an_error_but_a_large_error_page_keeps_its_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/things/big"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(2048)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/things/bad"))
        .respond_with(ResponseTemplate::new(404).set_body_string("y".repeat(200_000)))
        .mount(&server)
        .await;
    let (transport, _) = transport(config(&server).max_response_bytes(1024));
    let big = Request::get(Route::new("/things/{thing_id}", ["big"]));
    assert!(matches!(
        transport.execute_empty(big).await,
        Err(TestError::Core(Error::BodyTooLarge { limit: 1024 }))
    ));
    let bad = Request::get(Route::new("/things/{thing_id}", ["bad"]));
    match transport.execute_empty(bad).await {
        Err(TestError::Api(404, body)) => assert_eq!(body.len(), 1024),
        other => panic!("expected the 404, got {other:?}"),
    }
}

#[tokio::test]
async fn secrets_are_cut_from_answers_and_decode_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/things/ok"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(r#"{{"echo":"{KEY}"}}"#)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/things/bad"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(r#"{{"n":"{KEY}"}}"#)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/things/err"))
        .respond_with(ResponseTemplate::new(401).set_body_string(format!("bad key {KEY}")))
        .mount(&server)
        .await;
    let (transport, _) = transport(config(&server));
    let route = |id| Request::get(Route::new("/things/{thing_id}", [id]));
    let ok: serde_json::Value = transport.execute(route("ok")).await.expect("decodes");
    assert_eq!(ok["echo"], "<redacted>");
    #[derive(Debug, serde::Deserialize)]
    struct Numbered {
        #[allow(dead_code)]
        n: u32,
    }
    let bad = transport.execute::<Numbered>(route("bad")).await;
    let err = bad.expect_err("a string is not a number");
    assert!(matches!(err, TestError::Core(Error::Decode { .. })));
    let text = format!("{err} {err:?}");
    assert!(!text.contains(KEY), "{text}");
    let unauthorized = transport
        .execute_empty(route("err"))
        .await
        .expect_err("401");
    assert!(!format!("{unauthorized} {unauthorized:?}").contains(KEY));
}

#[tokio::test]
async fn a_timeout_is_retried_for_a_get_and_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let (transport, _) = transport(
        config(&server)
            .timeout(Duration::from_millis(50))
            .retry_policy(fast().with_max_attempts(2)),
    );
    let err = transport.execute_empty(get()).await.expect_err("times out");
    assert!(matches!(err, TestError::Core(Error::Timeout { .. })));
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}

#[tokio::test]
async fn bad_arguments_send_nothing() {
    let server = MockServer::start().await;
    let (transport, hooks) = transport(config(&server));
    let err = transport
        .execute_empty(Request::get(Route::new("/things/{thing_id}", [".."])))
        .await
        .expect_err("refused");
    assert!(matches!(err, TestError::Core(Error::InvalidInput { .. })));
    assert_eq!(hooks.admitted.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn clients_of_one_key_share_a_hold() {
    let server = MockServer::start().await;
    let throttle = Throttle::for_key(KEY, &server.uri());
    let (a, _) = transport(config(&server).throttle(throttle.clone()));
    let (b, _) = transport(config(&server).throttle(Throttle::for_key(KEY, &server.uri())));
    assert!(Arc::ptr_eq(a.throttle(), b.throttle()));
}

/// Collects the `path` field of every span, as a subscriber would log it.
#[derive(Clone, Default)]
struct Paths(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Paths {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _id: &tracing::span::Id,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        struct Visit<'a>(&'a Mutex<Vec<String>>, &'static str);
        impl tracing::field::Visit for Visit<'_> {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "path" {
                    let mut paths = self.0.lock().unwrap_or_else(|p| p.into_inner());
                    paths.push(format!("{} {value}", self.1));
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        attrs.record(&mut Visit(&self.0, attrs.metadata().name()));
    }
}

#[tokio::test]
async fn one_span_per_call_logs_the_template_not_the_ids() {
    use tracing_subscriber::layer::SubscriberExt;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let paths = Paths::default();
    let subscriber = tracing_subscriber::registry().with(paths.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let (transport, _) = transport(config(&server));
    transport.execute_empty(get()).await.expect("ok");
    let seen = paths.0.lock().map(|p| p.clone()).unwrap_or_default();
    assert_eq!(seen, vec!["test.request /things/{thing_id}".to_owned()]);
}
