//! Text helpers shared by both generations: HTML escaping, mention markup, and recognising a message
//! addressed to the bot.

/// Escapes `&`, `<`, `>`, `"` and `'` so the text shows as written when stored as HTML.
///
/// ```
/// assert_eq!(campfire_client::escape_html("a < b & c"), "a &lt; b &amp; c");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Turns plain text into the HTML the current Campfire stores: escaped, with each line break as `<br>`.
///
/// ```
/// assert_eq!(
///     campfire_client::text_to_html("deploy <api>\r\ndone"),
///     "deploy &lt;api&gt;<br>done"
/// );
/// ```
pub fn text_to_html(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    normalized
        .split('\n')
        .map(escape_html)
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The content type Campfire gives mention attachments.
pub const MENTION_CONTENT_TYPE: &str = "application/vnd.campfire.mention";

/// The rich-text markup of a mention of a user, for [`crate::once::BotClient::post_html`].
///
/// `sgid` is the user's signed global id as it appears in the `sgid` attribute of a mention in a webhook's
/// `message.body.html`; `name` is shown to readers.
///
/// ```
/// let html = campfire_client::mention_html("BAh7CEkiCG", "Ada");
/// assert!(html.starts_with("<action-text-attachment sgid=\"BAh7CEkiCG\""));
/// assert!(html.contains("application/vnd.campfire.mention"));
/// ```
pub fn mention_html(sgid: &str, name: &str) -> String {
    let content = format!("<span class=\"mention\">@{}</span>", escape_html(name));
    format!(
        "<action-text-attachment sgid=\"{}\" content-type=\"{}\" content=\"{}\"></action-text-attachment>",
        escape_html(sgid),
        MENTION_CONTENT_TYPE,
        escape_html(&content)
    )
}

/// Removes mention attachments from stored HTML: every mention when `sgid` is `None`, otherwise only the
/// mentions of that user (the bot's own).
///
/// ```
/// let html = format!("{} deploy api", campfire_client::mention_html("BOT1", "Opsbot"));
/// assert_eq!(campfire_client::strip_mentions_html(&html, Some("BOT1")).trim(), "deploy api");
/// ```
pub fn strip_mentions_html(html: &str, sgid: Option<&str>) -> String {
    const OPEN: &str = "<action-text-attachment";
    const CLOSE: &str = "</action-text-attachment>";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let (before, from_tag) = rest.split_at(start);
        out.push_str(before);
        let Some(tag_end) = from_tag.find('>') else {
            out.push_str(from_tag);
            return out;
        };
        let (open_tag, after_open) = from_tag.split_at(tag_end + 1);
        let element_len = if open_tag.ends_with("/>") {
            open_tag.len()
        } else {
            match after_open.find(CLOSE) {
                Some(close) => open_tag.len() + close + CLOSE.len(),
                None => from_tag.len(),
            }
        };
        let is_mention = attribute(open_tag, "content-type") == Some(MENTION_CONTENT_TYPE);
        let matches = sgid.is_none_or(|wanted| attribute(open_tag, "sgid") == Some(wanted));
        let (element, remainder) = from_tag.split_at(element_len.min(from_tag.len()));
        if !(is_mention && matches) {
            out.push_str(element);
        }
        rest = remainder;
    }
    out.push_str(rest);
    out
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let value = tag.get(start..)?;
    let end = value.find('"')?;
    value.get(..end)
}

/// Removes every `@name` mention of the bot (case-insensitive) and the surrounding whitespace, the way
/// Campfire builds a webhook's `plain` text.
///
/// ```
/// assert_eq!(campfire_client::strip_mention("@Opsbot status?", "Opsbot"), "status?");
/// assert_eq!(campfire_client::strip_mention("hey @opsbot  ack all", "Opsbot"), "hey   ack all");
/// ```
pub fn strip_mention(text: &str, name: &str) -> String {
    let needle: Vec<char> = format!("@{name}").to_lowercase().chars().collect();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let window = chars.get(i..i + needle.len());
        let hit = window.is_some_and(|w| {
            w.iter()
                .zip(&needle)
                .all(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
        });
        let boundary = chars
            .get(i + needle.len())
            .is_none_or(|c| !c.is_alphanumeric() && *c != '_');
        if hit && boundary && !needle.is_empty() {
            i += needle.len();
        } else {
            if let Some(c) = chars.get(i) {
                out.push(*c);
            }
            i += 1;
        }
    }
    out.trim().to_owned()
}

/// The command of a message addressed to the bot, in the forms chat users expect: `@name cmd`,
/// `name: cmd`, `name, cmd`, or `/cmd`. `None` when the message is not addressed to the bot.
///
/// ```
/// use campfire_client::addressed_command;
///
/// assert_eq!(addressed_command("opsbot: status?", "Opsbot").as_deref(), Some("status?"));
/// assert_eq!(addressed_command("@Opsbot genie ack", "Opsbot").as_deref(), Some("genie ack"));
/// assert_eq!(addressed_command("/help", "Opsbot").as_deref(), Some("help"));
/// assert_eq!(addressed_command("lunch?", "Opsbot"), None);
/// ```
pub fn addressed_command(text: &str, name: &str) -> Option<String> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('/') {
        return Some(rest.trim().to_owned());
    }
    let body = text.strip_prefix('@').unwrap_or(text);
    let prefix = body.get(..name.len())?;
    if name.is_empty() || prefix.to_lowercase() != name.to_lowercase() {
        return None;
    }
    let rest = body.get(name.len()..)?;
    let addressed_with_at = text.starts_with('@');
    let rest = if let Some(r) = rest.strip_prefix([':', ',']) {
        r
    } else if addressed_with_at && (rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        rest
    } else {
        return None;
    };
    Some(rest.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_safe_html() {
        assert_eq!(text_to_html("a\nb\n"), "a<br>b<br>");
        assert_eq!(text_to_html("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(text_to_html(""), "");
    }

    #[test]
    fn strips_only_the_bots_mentions() {
        let html = format!(
            "{} ping {}",
            mention_html("BOT", "Opsbot"),
            mention_html("ADA", "Ada")
        );
        let stripped = strip_mentions_html(&html, Some("BOT"));
        assert!(!stripped.contains("sgid=\"BOT\""));
        assert!(stripped.contains("sgid=\"ADA\""));
        let none_left = strip_mentions_html(&html, None);
        assert_eq!(none_left.trim(), "ping");
        assert_eq!(strip_mentions_html("<b>plain</b>", None), "<b>plain</b>");
        assert_eq!(
            strip_mentions_html("x <action-text-attachment broken", None),
            "x <action-text-attachment broken"
        );
    }

    #[test]
    fn mention_respects_word_boundaries() {
        assert_eq!(strip_mention("@Opsbotty hi", "Opsbot"), "@Opsbotty hi");
        assert_eq!(strip_mention("@OPSBOT", "Opsbot"), "");
        assert_eq!(strip_mention("héllo @Opsbot", "Opsbot"), "héllo");
    }

    #[test]
    fn addressing_forms() {
        assert_eq!(
            addressed_command("Opsbot, help", "opsbot").as_deref(),
            Some("help")
        );
        assert_eq!(addressed_command("opsbotx: help", "opsbot"), None);
        assert_eq!(addressed_command("opsbot help", "opsbot"), None);
        assert_eq!(addressed_command("@opsbot", "opsbot").as_deref(), Some(""));
        assert_eq!(addressed_command("é", "opsbot"), None);
    }
}
