//! The fake's HTTP side: the knobs applied to each request (rate limit, seeded faults,
//! latency), authentication, and the dispatch to the Opsgenie face (`state`) or the JSM face
//! (`jsm`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use opsbot_http::fake::{Fault, dropped_connection};
use percent_encoding::percent_decode_str;
use serde_json::json;

use super::state::Reply;
use super::{JSM_CLOUD_ID, Shared, jsm, lock};

/// An Opsgenie-face answer: JSON with `took` and the request id (Opsgenie's envelope).
fn respond(answer: Reply, request_id: &str) -> Response {
    let mut body = answer.body;
    if let Some(obj) = body.as_object_mut() {
        obj.insert("took".into(), json!(0.001));
        // An accepted request keeps its own id: that is the one its outcome is read with.
        obj.entry("requestId").or_insert(json!(request_id));
    }
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .header("x-request-id", request_id);
    for (k, v) in answer.headers {
        builder = builder.header(k, v);
    }
    builder
        .body(Body::from(body.to_string()))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// What happens to a request before it is served.
enum Gate {
    Pass,
    Throttled(Duration),
    Fault(Fault),
}

/// The one handler of every path: the knobs (rate limit, faults, latency), then the JSM face
/// or the Opsgenie face.
pub(super) async fn handle(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let n = shared.served.fetch_add(1, Ordering::SeqCst) + 1;
    let request_id = format!("{n:08x}-fake-4rid-8000-{n:012}");
    let segments: Vec<String> = uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let jsm = segments.len() >= 3
        && segments
            .iter()
            .take(3)
            .map(String::as_str)
            .eq(["jsm", "ops", "api"]);
    let (latency, gate) = {
        let mut k = lock(&shared.knobs);
        let mut gate = Gate::Pass;
        if let Some(limit) = k.rate_limit {
            let now = Instant::now();
            if now.duration_since(k.window_start) >= Duration::from_secs(1) {
                k.window_start = now;
                k.in_window = 0;
            }
            if k.in_window >= limit {
                gate = Gate::Throttled(Duration::from_secs(1) - now.duration_since(k.window_start));
            } else {
                k.in_window += 1;
            }
        }
        if matches!(gate, Gate::Pass) {
            match k.faults.draw() {
                Fault::None => {}
                fault => gate = Gate::Fault(fault),
            }
        }
        (k.latency, gate)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match gate {
        Gate::Pass => {}
        Gate::Throttled(left) => {
            shared.throttled.fetch_add(1, Ordering::SeqCst);
            let secs = left.as_secs_f64().ceil().max(1.0) as u64;
            if jsm {
                let mut reply = jsm::too_many_requests();
                reply.headers.push(("Retry-After", secs.to_string()));
                return jsm::respond(reply, &request_id);
            }
            let mut answer = Reply {
                status: 429,
                body: json!({ "message": "You are making too many requests! To avoid errors, we recommend you limit requests." }),
                headers: Vec::new(),
            };
            answer.headers.push(("Retry-After", secs.to_string()));
            answer
                .headers
                .push(("X-RateLimit-State", "THROTTLED".into()));
            answer
                .headers
                .push(("X-RateLimit-Reason", "INTEGRATION".into()));
            answer
                .headers
                .push(("X-RateLimit-Period-In-Sec", "1".into()));
            return respond(answer, &request_id);
        }
        Gate::Fault(Fault::Unavailable) => {
            return Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .header("content-type", "text/html")
                .body(Body::from(
                    "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                ))
                .unwrap_or_else(|_| Response::new(Body::empty()));
        }
        // The headers arrive, then the connection breaks off mid-answer.
        Gate::Fault(_) => return dropped_connection(),
    }
    if segments
        .iter()
        .map(String::as_str)
        .eq(["_edge", "tenant_info"])
    {
        let body = json!({ "cloudId": JSM_CLOUD_ID });
        return Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap_or_else(|_| Response::new(Body::empty()));
    }
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let query: HashMap<String, String> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let method =
        reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap_or(reqwest::Method::GET);
    if jsm {
        if !jsm::authorized(authorization, &shared.key) {
            return jsm::respond(jsm::unauthorized(), &request_id);
        }
        let mut state = lock(&shared.state);
        shared.process(&mut state);
        let reply = jsm::serve(&mut state, &method, &segments, &query, &body);
        // A request accepted with no processing delay is applied at once.
        shared.process(&mut state);
        drop(state);
        return jsm::respond(reply, &request_id);
    }
    let expected = format!("GenieKey {}", shared.key);
    if authorization != expected {
        return respond(
            Reply {
                status: 401,
                body: json!({ "message": "Could not authenticate" }),
                headers: Vec::new(),
            },
            &request_id,
        );
    }
    let answer = {
        let mut state = lock(&shared.state);
        shared.process(&mut state);
        let answer = state.route(&method, &segments, &query, &body);
        // A request accepted with no processing delay is applied at once.
        shared.process(&mut state);
        answer
    };
    respond(answer, &request_id)
}
