//! Decoding JSON answers: fast, and with the JSON path only when decoding fails.

use serde::de::DeserializeOwned;

use crate::error::Error;

/// How many characters of a body a decode error quotes.
pub const EXCERPT_CHARS: usize = 200;

/// Decodes a JSON body, reporting the JSON path and an excerpt when it is not what was expected.
///
/// Tracking the JSON path costs about 40% of a decode, so the body is decoded without it, and
/// only a body that fails is decoded again to name the path. Invalid UTF-8 anywhere in the body
/// is an error (serde_json would skip it inside unknown fields), and so is data after the document.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Thing { items: Vec<u32> }
///
/// let err = opsbot_http::decode::<Thing>(200, br#"{"items":[1,"two"]}"#).unwrap_err();
/// assert!(matches!(err, opsbot_http::Error::Decode { ref path, .. } if path == "items[1]"));
/// ```
///
/// # Errors
/// [`Error::Decode`] with the status, the path, an excerpt and serde's error.
pub fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, Error> {
    let decode_error = |path: String, source: serde_json::Error| Error::Decode {
        status,
        path,
        excerpt: excerpt(body),
        source,
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        decode_error(
            ".".to_owned(),
            serde::de::Error::custom(format!(
                "invalid UTF-8 after byte {} of the body",
                e.valid_up_to()
            )),
        )
    })?;
    let fast_error = match serde_json::from_str(text) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => Err(decode_error(e.path().to_string(), e.into_inner())),
        // The document itself decoded: what failed is the data after it.
        Ok(_) => Err(decode_error(".".to_owned(), fast_error)),
    }
}

/// The first [`EXCERPT_CHARS`] characters of a body (lossy UTF-8).
pub fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .chars()
        .take(EXCERPT_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Thing {
        #[allow(dead_code)]
        items: Vec<u32>,
    }

    #[test]
    fn reports_path_and_excerpt() {
        match decode::<Thing>(201, br#"{"items":[1,"two"]}"#) {
            Err(Error::Decode {
                status,
                path,
                excerpt,
                ..
            }) => {
                assert_eq!(status, 201);
                assert_eq!(path, "items[1]");
                assert!(excerpt.starts_with("{\"items\""));
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn trailing_data_and_bad_utf8_are_errors() {
        assert!(matches!(
            decode::<Thing>(200, b"{\"items\":[1]} trailing"),
            Err(Error::Decode { ref path, .. }) if path == "."
        ));
        assert!(matches!(
            decode::<Thing>(200, b"{\"items\":[1],\"x\":\"\xff\"}"),
            Err(Error::Decode { .. })
        ));
        assert!(decode::<Thing>(200, br#"{"items":[1,2]}"#).is_ok());
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(
            excerpt("é".repeat(500).as_bytes()).chars().count(),
            EXCERPT_CHARS
        );
    }
}
