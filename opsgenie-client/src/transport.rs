//! What is Opsgenie's own in the transport, on the shared core (`opsbot-http`, which does the
//! attempt loop, retry classification and budget, the client-wide hold, the size limit,
//! redaction, decoding and the span): the request as the resources describe it ([`Req`]),
//! error bodies and the rate-limit error, the learned pacing and the adaptive concurrency limit
//! ([`Opsgenie`], the core's `Service`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use opsbot_http::{Answer as CoreAnswer, FailureClass, Request, Route as CoreRoute, Secrets};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::backend::{Answer, Backend, Route};
use crate::client::{Client, RateLimitInfo};
use crate::error::{Error, Result, api_error};
use crate::throttle::{Limiter, OwnedPermit, Pacer, lock};

/// The HTTP Basic credential (`base64(email:token)`); the fake builds the one it expects with it.
pub(crate) fn basic_credential(email: &str, token: &str) -> String {
    opsbot_http::basic_credential(email, token)
}

/// One request as the resource modules describe it: the backend's route with its parameters,
/// query (under Opsgenie's names; the backend renames or drops them), body and retry safety.
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) method: Method,
    /// The path template as sent, e.g. `/v2/alerts/{identifier}/acknowledge` or
    /// `/v1/alerts/{id}/acknowledge` (the backend's prefix is added when it is sent).
    pub(crate) template: &'static str,
    /// The values of the template's placeholders, in order.
    pub(crate) params: Vec<String>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<serde_json::Value>,
    pub(crate) retry_safe: bool,
    /// What a successful answer carries.
    pub(crate) answer: Answer,
}

impl Req {
    /// A request on `route`, its `{placeholders}` filled with `params` in order. POSTs are
    /// unsafe to repeat unless marked [`safe`](Self::safe).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (`identifier`) for a missing, empty, `.` or `..` parameter: the
    /// URL standard drops `.` and `..` segments, so such an identifier would silently reach
    /// another resource (`DELETE /v2/alerts/..`), and an empty one the list.
    pub(crate) fn route(route: Route, params: &[&str]) -> Result<Req> {
        let placeholders = route
            .template
            .split('/')
            .filter(|p| p.starts_with('{'))
            .count();
        if params.len() < placeholders {
            return Err(Error::invalid(
                "identifier",
                format!("no value for a placeholder of {}", route.template),
            ));
        }
        let params: Vec<String> = params
            .iter()
            .take(placeholders)
            .map(|p| (*p).to_owned())
            .collect();
        if let Some(bad) = params
            .iter()
            .find(|p| matches!(p.as_str(), "" | "." | ".."))
        {
            return Err(Error::invalid(
                "identifier",
                format!("{bad:?} cannot be sent as a path segment"),
            ));
        }
        Ok(Req {
            retry_safe: route.method != Method::POST,
            method: route.method,
            template: route.template,
            params,
            query: Vec::new(),
            body: None,
            answer: route.answer,
        })
    }

    /// A request on an Opsgenie-only route (incidents).
    pub(crate) fn opsgenie(method: Method, template: &'static str, params: &[&str]) -> Result<Req> {
        Req::route(
            Route {
                method,
                template,
                answer: Answer::Body,
            },
            params,
        )
    }

    pub(crate) fn query(mut self, key: &'static str, value: impl Into<String>) -> Req {
        self.query.push((key, value.into()));
        self
    }

    pub(crate) fn query_opt(self, key: &'static str, value: Option<impl Into<String>>) -> Req {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    pub(crate) fn json<T: serde::Serialize>(mut self, body: &T) -> Result<Req> {
        let value =
            serde_json::to_value(body).map_err(|e| Error::invalid("body", e.to_string()))?;
        self.body = Some(value);
        Ok(self)
    }

    /// Marks a POST as safe to repeat (Opsgenie actions, alias-keyed create).
    pub(crate) fn safe(self) -> Req {
        self.retry_safe(true)
    }

    /// Sets whether the request is safe to repeat.
    pub(crate) fn retry_safe(mut self, safe: bool) -> Req {
        self.retry_safe = safe;
        self
    }

    /// The core's request for `backend`: the backend's prefix before the route, the query
    /// under the backend's names.
    pub(crate) fn into_core(self, backend: &Backend) -> Result<Request> {
        let mut template = backend.prefix_template().to_owned();
        let mut args = backend.prefix_args();
        let mut params = self.params.into_iter();
        for part in self.template.split('/').filter(|p| !p.is_empty()) {
            template.push('/');
            if !part.starts_with('{') {
                template.push_str(part);
                continue;
            }
            let Some(param) = params.next() else {
                return Err(Error::invalid("identifier", "missing path argument"));
            };
            if param.trim().is_empty() {
                // The core refuses blank arguments (Statuspage's ids are never blank), but an
                // Opsgenie alias or name may be any string: a blank one (checked non-empty in
                // `route`) goes into the template as a literal segment, which the core still
                // percent-encodes (`\t` is sent as `%09`).
                template.push_str(&param);
            } else {
                template.push_str(part);
                args.push(param);
            }
        }
        let mut request = Request::new(self.method, CoreRoute::dynamic(template, args));
        for (k, v) in self.query {
            if let Some(name) = backend.query_name(k) {
                request = request.query(name, v);
            }
        }
        if let Some(body) = &self.body {
            request = request.json(body)?;
        }
        if self.retry_safe {
            request = request.retry_safe();
        }
        Ok(request)
    }
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Raw {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
}

impl Raw {
    /// Decodes the body; a failure names the JSON path and quotes an excerpt.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(opsbot_http::decode(self.status, &self.body)?)
    }
}

impl Client {
    /// Sends a request through the shared core (retries, hold, size limit, redaction) and
    /// Opsgenie's pacing and concurrency limit; returns a 2xx answer.
    pub(crate) async fn execute(&self, req: Req) -> Result<Raw> {
        let request = req.into_core(self.backend())?;
        let answer = self.inner.core.send(request).await?;
        Ok(Raw {
            status: answer.status,
            body: answer.body,
        })
    }

    /// Sends and decodes `{"data": T}` (Opsgenie) or the unwrapped `T` (JSM).
    pub(crate) async fn get_data<T: DeserializeOwned>(&self, req: Req) -> Result<T> {
        let raw = self.execute(req).await?;
        self.backend().decode_data(&raw)
    }
}

/// Opsgenie's part of the transport (the core's `Service`).
#[derive(Debug)]
pub(crate) struct Opsgenie {
    /// `"opsgenie"` or `"jsm"`, for the span.
    pub(crate) backend: &'static str,
    pub(crate) limiter: Arc<Limiter>,
    pub(crate) pacer: Pacer,
    pub(crate) rate_limit: Mutex<Option<RateLimitInfo>>,
    /// Secrets cut from error texts only: the JSM e-mail (answers name users by e-mail, so it
    /// stays in successful bodies).
    pub(crate) error_secrets: Secrets,
}

impl opsbot_http::Service for Opsgenie {
    type Error = Error;
    type Permit = OwnedPermit;

    async fn admit(&self) -> OwnedPermit {
        self.pacer.wait_turn().await;
        self.limiter.clone().acquire_owned().await
    }

    fn span(&self, request: &Request) -> tracing::Span {
        opsbot_http::request_span!("opsgenie.request", request, backend = self.backend)
    }

    fn error(&self, answer: CoreAnswer) -> Error {
        let header = |name: &str| answer.header(name).map(str::to_owned);
        let request_id = header("x-request-id");
        if answer.class == Some(FailureClass::Throttling) && answer.status == 429 {
            let body_id = serde_json::from_slice::<serde_json::Value>(&answer.body)
                .ok()
                .and_then(|v| v.get("requestId")?.as_str().map(str::to_owned));
            return Error::RateLimited {
                status: 429,
                retry_after: answer.retry_after,
                rate_limit: RateLimitInfo::from_headers(&answer.headers).unwrap_or_default(),
                request_id: body_id.or(request_id),
            };
        }
        let mut api = api_error(
            answer.status,
            &answer.body,
            request_id,
            header("x-opsgenie-errortype"),
        );
        self.error_secrets.redact_in_place(&mut api.message);
        self.error_secrets.redact_in_place(&mut api.body);
        for v in api.errors.values_mut() {
            self.error_secrets.redact_in_place(v);
        }
        Error::Api(Box::new(api))
    }

    fn observe(&self, answer: &CoreAnswer) {
        let now = Instant::now();
        if answer.status == 429 {
            // Opsgenie names its bucket's period. JSM's published description names no rate-limit
            // headers, so there a 429 is taken as a one-second bucket (an assumption, in the README's
            // Opsgenie-vs-JSM table) and the pace is learned the same way; without it a JSM client
            // never learns a pace and keeps hitting the limit (BENCHMARKS.md row 3).
            let period =
                period_in_sec(&answer.headers).or_else(|| (self.backend == "jsm").then_some(1));
            if let Some(period) = period {
                self.pacer.on_throttled(period, now);
            }
        } else {
            // Every answer but a refusal counted against the server's limit.
            self.pacer.on_accepted(now);
        }
        if let Some(info) = RateLimitInfo::from_headers(&answer.headers) {
            *lock(&self.rate_limit) = Some(info);
        }
        if answer.is_success() {
            self.limiter.on_success();
        }
    }

    fn on_hold(&self, _delay: Duration) {
        self.limiter.on_throttle();
    }

    /// A 429 without `Retry-After` from a bucket longer than a second (the minute bucket)
    /// refills only after its period, so that period is the wait (at most a minute); a
    /// one-second bucket keeps the jittered backoff. Bulk rounds only re-send: this is the one
    /// place a throttled client's wait is decided.
    fn throttle_hint(&self, answer: &CoreAnswer) -> Option<Duration> {
        (answer.status == 429)
            .then(|| period_in_sec(&answer.headers))
            .flatten()
            .filter(|p| *p > 1)
            .map(|p| Duration::from_secs(p.min(60)))
    }
}

fn period_in_sec(headers: &HeaderMap) -> Option<u64> {
    RateLimitInfo::from_headers(headers).and_then(|r| r.period_in_sec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Endpoint;

    fn url(client: &Client, req: Req) -> String {
        let request = req
            .into_core(client.backend())
            .unwrap_or_else(|e| panic!("{e}"));
        client
            .inner
            .core
            .url(&request)
            .map(|u| u.to_string())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn basic_credential_is_standard_base64() {
        assert_eq!(basic_credential("a", "b"), "YTpi");
        assert_eq!(basic_credential("ab", "c"), "YWI6Yw==");
        assert_eq!(
            basic_credential("ann@example.com", "tok"),
            "YW5uQGV4YW1wbGUuY29tOnRvaw=="
        );
    }

    #[test]
    fn jsm_paths_and_query_names() {
        let client = Client::builder_jsm("cloud-1", "ann@example.com", "tok")
            .base_url("http://127.0.0.1:1/")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        // The route comes from the backend table; the URL adds the prefix and query names.
        let req = client
            .request(Endpoint::AlertGet, &["a b"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(req.template, "/v1/alerts/{id}");
        let req = req
            .query("identifierType", "id")
            .query("limit", "5")
            .query("query", "x");
        assert_eq!(
            url(&client, req),
            "http://127.0.0.1:1/jsm/ops/api/cloud-1/v1/alerts/a%20b?size=5&query=x"
        );
        let default = Client::builder_jsm("c", "e@x", "t")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(default.base_url().as_str(), "https://api.atlassian.com/");
        assert!(Client::builder_jsm(" ", "e@x", "t").build().is_err());
        assert!(Client::builder_jsm("c", "", "t").build().is_err());
        assert!(Client::builder_jsm("c", "e:x", "t").build().is_err());
    }

    #[test]
    fn paths_are_percent_encoded_segments() {
        let client = Client::builder("k")
            .base_url("http://127.0.0.1:1/prefix/")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let req = client
            .request(Endpoint::AlertGet, &["a/b c?ü"])
            .unwrap_or_else(|e| panic!("{e}"))
            .query("query", "status:open AND x+y");
        assert_eq!(
            url(&client, req),
            "http://127.0.0.1:1/prefix/v2/alerts/a%2Fb%20c%3F%C3%BC?query=status%3Aopen+AND+x%2By"
        );
        for bad in ["", ".", ".."] {
            assert!(matches!(
                client.request(Endpoint::AlertGet, &[bad]),
                Err(Error::InvalidInput {
                    field: "identifier",
                    ..
                })
            ));
        }
    }
}
