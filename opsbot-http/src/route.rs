//! Routes (method + path template + arguments) and the requests the core sends.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use url::Url;

use crate::error::Error;

/// What is escaped in a path segment: what `url` escapes in a segment, every control
/// character, `%` (an argument is data, never an escape) and `/` (an argument is one segment).
/// Non-ASCII bytes are always escaped. Unlike `PathSegmentsMut::push`, which runs the URL parser
/// over the segment and so silently drops tabs and line breaks, every byte survives.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A path template such as `/pages/{page_id}/components/{component_id}` and its arguments.
///
/// The template is what tracing logs (never the ids); each argument becomes one
/// percent-encoded path segment. An empty argument, `.` or `..` (which the URL standard would
/// resolve to another resource) and a wrong number of arguments are [`Error::InvalidInput`]
/// named after the placeholder, and nothing is sent.
///
/// ```
/// use opsbot_http::Route;
///
/// let route = Route::new("/pages/{page_id}/components/{component_id}", ["p1", "a b/c"]);
/// let base = url::Url::parse("https://api.example.test/v1").unwrap();
/// assert_eq!(
///     route.url(&base, &[]).unwrap().as_str(),
///     "https://api.example.test/v1/pages/p1/components/a%20b%2Fc"
/// );
/// assert!(Route::new("/pages/{page_id}", [".."]).url(&base, &[]).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    template: Cow<'static, str>,
    args: Vec<String>,
}

impl Route {
    /// A route of a fixed template; `args` fill its `{placeholders}` in order.
    pub fn new<const N: usize>(template: &'static str, args: [&str; N]) -> Self {
        Route {
            template: Cow::Borrowed(template),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// A route whose template is computed (a backend that serves the same resource under
    /// another prefix): the template logged is still the one sent.
    pub fn dynamic(template: impl Into<Cow<'static, str>>, args: Vec<String>) -> Self {
        Route {
            template: template.into(),
            args,
        }
    }

    /// The path template, as logged.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The arguments, in order.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The path segments with the arguments in place.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a missing, extra, empty, `.` or `..` argument.
    pub fn segments(&self) -> Result<Vec<&str>, Error> {
        let mut args = self.args.iter();
        let mut segments = Vec::new();
        for part in self.template.split('/').filter(|p| !p.is_empty()) {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(field) => {
                    let field = self.field_name(field);
                    let arg = args
                        .next()
                        .ok_or_else(|| Error::invalid(field, "missing path argument"))?;
                    if arg.trim().is_empty() {
                        return Err(Error::invalid(field, "must not be empty"));
                    }
                    if matches!(arg.as_str(), "." | "..") {
                        return Err(Error::invalid(
                            field,
                            "`.` and `..` cannot be sent as a path segment",
                        ));
                    }
                    segments.push(arg.as_str());
                }
                None => segments.push(part),
            }
        }
        if args.next().is_some() {
            return Err(Error::invalid("path", "more arguments than placeholders"));
        }
        Ok(segments)
    }

    /// The placeholder's name as `InvalidInput::field` (a `&'static str`): a slice of a fixed
    /// template, or for a computed template the same name found in [`PLACEHOLDERS`], else `path`.
    fn field_name(&self, field: &str) -> &'static str {
        if let Cow::Borrowed(template) = self.template {
            let found = template
                .split('/')
                .filter_map(|p| p.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
                .find(|name| *name == field);
            if let Some(name) = found {
                return name;
            }
        }
        PLACEHOLDERS
            .iter()
            .copied()
            .find(|k| *k == field)
            .unwrap_or("path")
    }

    /// The URL of this route below `base` (whose own path is kept), with the query appended.
    ///
    /// # Errors
    /// As for [`segments`](Self::segments).
    pub fn url(&self, base: &Url, query: &[(&'static str, String)]) -> Result<Url, Error> {
        let mut url = base.clone();
        let mut path = url.path().trim_end_matches('/').to_owned();
        for segment in self.segments()? {
            path.push('/');
            path.extend(utf8_percent_encode(segment, SEGMENT));
        }
        url.set_path(&path);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }
}

/// Placeholder names a computed template ([`Route::dynamic`]) can report by name; any other is
/// reported as `path`. A fixed template reports every placeholder by its own name.
pub const PLACEHOLDERS: &[&str] = &["id", "identifier", "cloud_id", "name"];

/// How a body is added to each attempt (the same bytes every time, so a retry sends the same).
#[derive(Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// Bytes with their content type.
    Bytes {
        /// The `Content-Type` header.
        content_type: HeaderValue,
        /// The body.
        bytes: Bytes,
    },
    /// Built anew for every attempt (a multipart form, which cannot be cloned).
    Build(Arc<dyn Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync>),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes {
                content_type,
                bytes,
            } => write!(f, "Bytes({content_type:?}, {} bytes)", bytes.len()),
            Body::Build(_) => f.write_str("Build(..)"),
        }
    }
}

/// One API call: method, route, query, headers, body, and whether it may be repeated safely.
///
/// A request is idempotent unless it is a `POST`; a service marks the POSTs that are safe to
/// repeat with [`retry_safe`](Request::retry_safe).
///
/// ```
/// use opsbot_http::{Request, Route};
///
/// let request = Request::post(Route::new("/pages/{page_id}/incidents", ["p1"]))
///     .json(&serde_json::json!({"incident": {"name": "API down"}}))
///     .unwrap();
/// assert!(!request.is_idempotent());
/// assert_eq!(request.route().template(), "/pages/{page_id}/incidents");
/// ```
#[derive(Clone, Debug)]
pub struct Request {
    method: Method,
    route: Route,
    query: Vec<(&'static str, String)>,
    headers: HeaderMap,
    body: Body,
    idempotent: bool,
}

impl Request {
    /// A request of this method to this route.
    pub fn new(method: Method, route: Route) -> Self {
        let idempotent = method != Method::POST;
        Request {
            method,
            route,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Body::Empty,
            idempotent,
        }
    }

    /// A `GET`.
    pub fn get(route: Route) -> Self {
        Request::new(Method::GET, route)
    }

    /// A `POST` (not retried on server errors unless marked [`retry_safe`](Self::retry_safe)).
    pub fn post(route: Route) -> Self {
        Request::new(Method::POST, route)
    }

    /// A `PUT`.
    pub fn put(route: Route) -> Self {
        Request::new(Method::PUT, route)
    }

    /// A `PATCH`.
    pub fn patch(route: Route) -> Self {
        Request::new(Method::PATCH, route)
    }

    /// A `DELETE`.
    pub fn delete(route: Route) -> Self {
        Request::new(Method::DELETE, route)
    }

    /// Appends a query parameter.
    #[must_use]
    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Appends a query parameter when there is a value.
    #[must_use]
    pub fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Sets a header of this request only.
    #[must_use]
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Sets a JSON body.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the value cannot be serialized.
    pub fn json(self, body: &impl Serialize) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid("body", format!("cannot be serialized: {e}")))?;
        Ok(self.body(Body::Bytes {
            content_type: HeaderValue::from_static("application/json"),
            bytes: Bytes::from(bytes),
        }))
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Marks a request as safe to repeat (a POST the service treats idempotently).
    #[must_use]
    pub fn retry_safe(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The route.
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// The query parameters, in order.
    pub fn query_pairs(&self) -> &[(&'static str, String)] {
        &self.query
    }

    /// The body.
    pub fn body_ref(&self) -> &Body {
        &self.body
    }

    /// The extra headers of this request.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Whether the request may be repeated without changing the outcome.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://api.example.test/v1/").unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn arguments_are_one_escaped_segment_each() -> Result<(), Error> {
        let route = Route::new("/pages/{page_id}/components", ["a b/../c\t%41é"]);
        let url = route.url(&base(), &[("page", "2".into())])?;
        assert_eq!(
            url.as_str(),
            "https://api.example.test/v1/pages/a%20b%2F..%2Fc%09%2541%C3%A9/components?page=2"
        );
        Ok(())
    }

    #[test]
    fn bad_arguments_name_their_placeholder() {
        let cases = [
            Route::new("/pages/{page_id}/components", [" "]),
            Route::new("/pages/{page_id}/components", ["."]),
            Route::new("/pages/{page_id}/components", []),
        ];
        for route in cases {
            assert!(matches!(
                route.segments(),
                Err(Error::InvalidInput {
                    field: "page_id",
                    ..
                })
            ));
        }
        assert!(Route::new("/pages", ["x"]).segments().is_err());
        assert!(matches!(
            Route::new("/x/{weird_name}", [""]).segments(),
            Err(Error::InvalidInput {
                field: "weird_name",
                ..
            })
        ));
        let computed = Route::dynamic(
            format!("/{}/{{cloud_id}}/{{other}}", "jsm"),
            vec!["".into(), "x".into()],
        );
        assert!(matches!(
            computed.segments(),
            Err(Error::InvalidInput {
                field: "cloud_id",
                ..
            })
        ));
        let computed = Route::dynamic("/a/{other}".to_owned(), vec![".".into()]);
        assert!(matches!(
            computed.segments(),
            Err(Error::InvalidInput { field: "path", .. })
        ));
    }

    #[test]
    fn posts_are_unsafe_until_marked() {
        let route = Route::new("/x", []);
        assert!(!Request::post(route.clone()).is_idempotent());
        assert!(Request::post(route.clone()).retry_safe().is_idempotent());
        assert!(Request::put(route.clone()).is_idempotent());
        assert!(Request::delete(route).is_idempotent());
    }
}
