//! Small HTTP helpers of the fake: answers, Basic auth, multipart.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// What the fake answers to a request (the fake's vocabulary: its `State` and the `Reply` it gives).
pub(crate) type Reply = Response;

fn build(status: u16, content_type: Option<&str>, body: Body) -> Reply {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = content_type.and_then(|ct| HeaderValue::from_str(ct).ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    response
}

pub(crate) fn status(status: u16) -> Reply {
    build(status, None, Body::empty())
}

pub(crate) fn json(status: u16, value: &serde_json::Value) -> Reply {
    build(
        status,
        Some("application/json; charset=utf-8"),
        Body::from(value.to_string()),
    )
}

pub(crate) fn text(status: u16, body: impl Into<String>) -> Reply {
    build(
        status,
        Some("text/plain; charset=utf-8"),
        Body::from(body.into()),
    )
}

pub(crate) fn with_header(mut response: Response, name: header::HeaderName, value: &str) -> Reply {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
    response
}

pub(crate) fn rate_limited(status_code: u16) -> Reply {
    with_header(status(status_code), header::RETRY_AFTER, "1")
}

/// A 302 to the login page, as Campfire answers a bad bot key.
pub(crate) fn login_redirect(base: &url::Url) -> Reply {
    let location = base
        .join("/session/new")
        .map(|u| u.to_string())
        .unwrap_or_else(|_| "/session/new".into());
    let body =
        format!("<html><body>You are being <a href=\"{location}\">redirected</a>.</body></html>");
    with_header(
        build(302, Some("text/html; charset=utf-8"), Body::from(body)),
        header::LOCATION,
        &location,
    )
}

/// Standard base64 with padding (the form of Basic credentials).
pub(crate) fn base64(input: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

/// `true` when the request carries Basic `token:X` (any password is accepted, as Campfire does).
pub(crate) fn basic_auth_matches(headers: &HeaderMap, token: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    let expected_prefix = base64(format!("{token}:X").as_bytes());
    encoded.trim() == expected_prefix
}

/// A file from a multipart body: the part named `field`.
pub(crate) struct Part {
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) data: Bytes,
}

pub(crate) fn multipart_file(headers: &HeaderMap, body: &Bytes, field: &str) -> Option<Part> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let body = body.as_ref();
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        let after = rest.get(start + delimiter.len()..)?;
        let after = after.strip_prefix(b"\r\n")?;
        let head_end = find(after, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(after.get(..head_end)?).into_owned();
        let content = after.get(head_end + 4..)?;
        let end = find(content, format!("\r\n{delimiter}").as_bytes())?;
        let data = content.get(..end)?;
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?
            .to_owned();
        let name = attribute(&disposition, "name");
        if name.as_deref() == Some(field) {
            let file_name = attribute(&disposition, "filename")?;
            let content_type = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.trim()
                        .eq_ignore_ascii_case("content-type")
                        .then(|| v.trim().to_owned())
                })
                .unwrap_or_else(|| "application/octet-stream".into());
            return Some(Part {
                file_name,
                content_type,
                data: Bytes::copy_from_slice(data),
            });
        }
        rest = content.get(end + 2..)?;
    }
    None
}

fn attribute(header_line: &str, name: &str) -> Option<String> {
    header_line.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"token:X"), "dG9rZW46WA==");
    }
}
