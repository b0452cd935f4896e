//! Credentials in headers.

use base64::Engine as _;
use reqwest::header::HeaderValue;

use crate::error::Error;

/// `base64(user:password)`, the HTTP Basic credential (standard alphabet, padded).
///
/// ```
/// assert_eq!(opsbot_http::basic_credential("Aladdin", "open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
/// ```
pub fn basic_credential(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

/// An `Authorization` header value `<scheme> <credential>`, marked sensitive.
///
/// ```
/// let value = opsbot_http::authorization("OAuth", "fake-key", "api_key").unwrap();
/// assert!(value.is_sensitive());
/// assert!(opsbot_http::authorization("OAuth", " ", "api_key").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] named `field` when the credential is blank or not valid in a header
/// (the message never repeats it).
pub fn authorization(
    scheme: &str,
    credential: &str,
    field: &'static str,
) -> Result<HeaderValue, Error> {
    if credential.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let mut value = HeaderValue::from_str(&format!("{scheme} {credential}"))
        .map_err(|_| Error::invalid(field, "contains characters not allowed in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// An HTTP Basic `Authorization` header value, marked sensitive.
///
/// # Errors
/// [`Error::InvalidInput`] named `field` when the user or password is blank.
pub fn basic_authorization(
    user: &str,
    password: &str,
    field: &'static str,
) -> Result<HeaderValue, Error> {
    if user.trim().is_empty() || password.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    authorization("Basic", &basic_credential(user, password), field)
}
