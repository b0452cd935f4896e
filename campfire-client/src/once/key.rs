use crate::client::Secret;
use crate::error::{Error, Result};
use crate::ids::UserId;

/// A validated bot key, `"{user_id}-{token}"` (for example `12-Xy7Qa9LmPz3K`).
///
/// `Debug` shows the user id and `<redacted>`; there is no `Display`.
///
/// ```
/// use campfire_client::once::BotKey;
///
/// let key = BotKey::parse("12-Xy7Qa9LmPz3K")?;
/// assert_eq!(key.user_id().get(), 12);
/// assert!(!format!("{key:?}").contains("Xy7Qa9LmPz3K"));
/// assert!(BotKey::parse("12/../admin").is_err());
/// # Ok::<(), campfire_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BotKey {
    user_id: UserId,
    token: Secret,
}

impl BotKey {
    /// Checks the shape `digits-alphanumerics` (the token is 12 characters on current servers).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (field `bot_key`) when the key is not of that shape. The message never repeats
    /// the key.
    pub fn parse(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        let (user, token) = raw.split_once('-').ok_or_else(|| {
            Error::invalid("bot_key", "expected \"{user_id}-{token}\" (no dash found)")
        })?;
        if user.is_empty() || !user.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(
                "bot_key",
                "the part before the dash must be the bot's numeric user id",
            ));
        }
        let user_id = user
            .parse::<u64>()
            .map_err(|_| Error::invalid("bot_key", "the user id is too large"))?;
        if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(Error::invalid(
                "bot_key",
                "the token after the dash must be 1 to 64 letters and digits",
            ));
        }
        Ok(BotKey {
            user_id: UserId::new(user_id),
            token: Secret::new(token),
        })
    }

    /// The bot's user id (the part before the dash).
    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    /// The whole key, for building a URL path segment.
    pub(crate) fn expose(&self) -> String {
        format!("{}-{}", self.user_id, self.token.expose())
    }

    /// The token alone (the part after the dash).
    pub(crate) fn token(&self) -> &str {
        self.token.expose()
    }

    /// Replaces every occurrence of the key in `text` (used on anything that may reach a log).
    pub(crate) fn redact(&self, text: &str) -> String {
        text.replace(&self.expose(), "<bot-key>")
    }
}

impl std::str::FromStr for BotKey {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        BotKey::parse(s)
    }
}

impl std::fmt::Debug for BotKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotKey")
            .field("user_id", &self.user_id.get())
            .field("token", &self.token)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(BotKey::parse("12-Xy7Qa9LmPz3K").is_ok());
        assert!(BotKey::parse(" 12-Xy7Qa9LmPz3K\n").is_ok());
        for bad in [
            "", "12", "-abc", "x1-abc", "12-", "12-ab/cd", "12-ab cd", "12-ab-cd",
        ] {
            let err = BotKey::parse(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.starts_with("invalid bot_key"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn errors_and_debug_never_show_the_token() {
        let err = BotKey::parse("12-Secret/Token")
            .err()
            .map(|e| e.to_string());
        assert!(!err.unwrap_or_default().contains("Secret"));
        let key = BotKey::parse("12-FakeToken0001");
        let text = format!("{key:?}");
        assert!(
            text.contains("12") && !text.contains("FakeToken0001"),
            "{text}"
        );
        let redacted = key
            .map(|k| k.redact("/rooms/1/12-FakeToken0001/messages"))
            .unwrap_or_default();
        assert_eq!(redacted, "/rooms/1/<bot-key>/messages");
    }
}
