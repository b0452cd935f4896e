//! Cutting a client's secrets out of what a server sends back.

use std::sync::Arc;

use bytes::Bytes;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// The secrets of a client (a key, a token, a Basic credential), cut out of every answer before
/// anything reads it, so that a server echoing one leaks it into no model, error, excerpt or log.
///
/// Cheap to clone. Its `Debug` shows only how many secrets it holds. Secrets shorter than
/// [`Secrets::MIN_LEN`] bytes are not searched for (they would match ordinary text).
///
/// ```
/// use opsbot_http::Secrets;
///
/// let secrets = Secrets::new(["s3cret-key"]);
/// assert_eq!(secrets.redact_text("bad key s3cret-key"), "bad key <redacted>");
/// // An excerpt cut in the middle of the secret loses that beginning too.
/// assert_eq!(secrets.redact_text("bad key s3cr"), "bad key <redacted>");
/// assert_eq!(format!("{secrets:?}"), "Secrets(<1 redacted>)");
/// ```
#[derive(Clone, Default)]
pub struct Secrets(Arc<[String]>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets(<{} redacted>)", self.0.len())
    }
}

impl Secrets {
    /// Secrets shorter than this many bytes are not searched for.
    pub const MIN_LEN: usize = 4;

    /// The secrets to look for (longest first, so a whole credential goes before a part of it).
    pub fn new<S: Into<String>>(secrets: impl IntoIterator<Item = S>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(Into::into)
            .filter(|s| s.len() >= Self::MIN_LEN)
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Secrets(secrets.into())
    }

    /// `true` when there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The body with every secret replaced by `<redacted>`; the same buffer when there is none.
    ///
    /// Every answer is searched, so the search is memchr's vectorised one: comparing the secret
    /// at every offset was a quarter of a 100-item list call.
    pub fn scrub_bytes(&self, body: Bytes) -> Bytes {
        let mut body = body;
        for secret in self.0.iter() {
            if let Some(clean) = replace_all(&body, secret.as_bytes()) {
                body = Bytes::from(clean);
            }
        }
        body
    }

    /// The text with every secret replaced by `<redacted>`, and a secret's beginning (from 4
    /// bytes on) at the very end replaced too: an excerpt may stop in the middle of a secret.
    pub fn redact_text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        self.redact_in_place(&mut out);
        out
    }

    /// [`redact_text`](Self::redact_text) in place.
    pub fn redact_in_place(&self, text: &mut String) {
        for secret in self.0.iter() {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), REDACTED);
            }
            let cut = (Self::MIN_LEN..secret.len())
                .rev()
                .filter(|n| secret.is_char_boundary(*n))
                .find(|n| secret.get(..*n).is_some_and(|head| text.ends_with(head)));
            if let Some(n) = cut {
                text.truncate(text.len() - n);
                text.push_str(REDACTED);
            }
        }
    }

    /// `true` when the text holds any of the secrets whole.
    pub fn found_in(&self, text: &str) -> bool {
        self.0.iter().any(|s| text.contains(s.as_str()))
    }
}

/// `body` with every occurrence of `secret` replaced; `None` when there is none.
fn replace_all(body: &[u8], secret: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    for at in memchr::memmem::find_iter(body, secret) {
        // The matches do not overlap and come in order.
        let out = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
        out.extend_from_slice(body.get(copied..at).unwrap_or_default());
        out.extend_from_slice(REDACTED.as_bytes());
        copied = at + secret.len();
    }
    let mut out = out?;
    out.extend_from_slice(body.get(copied..).unwrap_or_default());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_lose_every_occurrence() {
        let secrets = Secrets::new(["key-1234", "abc"]);
        let body = Bytes::from_static(b"key-1234 and key-1234key-1234, abc stays");
        assert_eq!(
            &secrets.scrub_bytes(body)[..],
            b"<redacted> and <redacted><redacted>, abc stays"
        );
        let clean = Bytes::from_static(b"nothing here");
        assert_eq!(secrets.scrub_bytes(clean.clone()), clean);
    }

    #[test]
    fn longest_secret_goes_first() {
        let secrets = Secrets::new(["token", "user:token"]);
        assert_eq!(secrets.redact_text("user:token"), "<redacted>");
    }

    #[test]
    fn short_secrets_and_empty_sets() {
        assert!(Secrets::new(["abc"]).is_empty());
        assert_eq!(Secrets::default().redact_text("abc"), "abc");
        assert!(Secrets::new(["abcd"]).found_in("xxabcdxx"));
    }
}
