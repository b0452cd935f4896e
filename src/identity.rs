//! Who is speaking, and who may change things.
//!
//! Identity is what the chat service guarantees: on Campfire (current and classic) that is the
//! numeric user id, never the display name, which any user can change. So on those adapters
//! `BOT_OPERATORS` lists user ids, and a display name is never compared with one (a user who
//! renames themselves `1` does not pass `BOT_OPERATORS=1`). The shell has no ids: its user is
//! whoever runs the process, named by `BOT_SHELL_USER`, and names work there.

use std::fmt;

/// A user as the chat identifies them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserId {
    /// The shell adapter's user, by name (`BOT_SHELL_USER`).
    Shell(String),
    /// A current-Campfire user id.
    Campfire(u64),
    /// A classic-Campfire user id.
    CampfireClassic(u64),
}

impl UserId {
    /// The adapter this id belongs to (ids of different chats never mix).
    pub fn adapter(&self) -> &'static str {
        match self {
            UserId::Shell(_) => "shell",
            UserId::Campfire(_) => "campfire",
            UserId::CampfireClassic(_) => "campfire-classic",
        }
    }

    /// The id within its adapter, as stored.
    pub fn key(&self) -> String {
        match self {
            UserId::Shell(name) => name.clone(),
            UserId::Campfire(id) | UserId::CampfireClassic(id) => id.to_string(),
        }
    }

    /// A `BOT_OPERATORS` entry read as a Campfire user id: digits only.
    pub fn numeric(entry: &str) -> Option<u64> {
        if entry.is_empty() || !entry.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        entry.parse().ok()
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserId::Shell(name) => write!(f, "{name}"),
            UserId::Campfire(id) | UserId::CampfireClassic(id) => write!(f, "{id}"),
        }
    }
}

/// Who said something, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speaker {
    /// The identity that permissions and settings are keyed by.
    pub id: UserId,
    /// The display name, for answers and the audit log only; it grants nothing.
    pub name: String,
    /// The room it was said in, where the chat has rooms.
    pub room: Option<u64>,
}

impl Speaker {
    /// The shell adapter's user.
    pub fn shell(name: impl Into<String>) -> Self {
        let name = name.into();
        Speaker {
            id: UserId::Shell(name.clone()),
            name,
            room: None,
        }
    }

    /// A current-Campfire user speaking in a room.
    pub fn campfire(id: u64, name: impl Into<String>, room: u64) -> Self {
        Speaker {
            id: UserId::Campfire(id),
            name: name.into(),
            room: Some(room),
        }
    }

    /// A classic-Campfire user speaking in a room.
    pub fn campfire_classic(id: u64, name: impl Into<String>, room: u64) -> Self {
        Speaker {
            id: UserId::CampfireClassic(id),
            name: name.into(),
            room: Some(room),
        }
    }
}

/// Who may run commands that change anything (`BOT_OPERATORS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operators {
    /// `BOT_OPERATORS` unset: nobody (outside the demo).
    Unset,
    /// `*`: everybody.
    Everyone,
    /// These entries: user ids on Campfire, user names (any case) in the shell.
    Only(Vec<String>),
}

impl Operators {
    /// Reads `BOT_OPERATORS`.
    pub fn parse(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            None | Some("") => Operators::Unset,
            Some("*") => Operators::Everyone,
            Some(list) => Operators::Only(
                list.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
        }
    }

    /// The listed entries (none for `Unset` and `Everyone`).
    pub fn entries(&self) -> &[String] {
        match self {
            Operators::Only(list) => list,
            _ => &[],
        }
    }

    /// Whether this user is an operator. On Campfire only a numeric entry equal to the user's
    /// id counts; in the shell, a name equal to the user's (any case).
    pub fn allows(&self, user: &UserId) -> bool {
        match self {
            Operators::Unset => false,
            Operators::Everyone => true,
            Operators::Only(list) => list.iter().any(|entry| match user {
                UserId::Shell(name) => entry.to_lowercase() == name.to_lowercase(),
                UserId::Campfire(id) | UserId::CampfireClassic(id) => {
                    UserId::numeric(entry) == Some(*id)
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campfire_operators_are_ids_and_names_never_count() {
        let ops = Operators::parse(Some("42, Ada Example, 0007"));
        assert!(ops.allows(&UserId::Campfire(42)));
        assert!(ops.allows(&UserId::CampfireClassic(7)));
        assert!(!ops.allows(&UserId::Campfire(43)));
        // A Campfire user renamed "42" or "Ada Example" is still their own id.
        let renamed = Speaker::campfire(99, "42", 1);
        assert!(!ops.allows(&renamed.id));
        let renamed = Speaker::campfire(99, "Ada Example", 1);
        assert!(!ops.allows(&renamed.id));
    }

    #[test]
    fn shell_operators_are_names() {
        let ops = Operators::parse(Some("Ann, 42"));
        assert!(ops.allows(&UserId::Shell("ann".into())));
        assert!(ops.allows(&UserId::Shell("42".into())));
        assert!(!ops.allows(&UserId::Shell("bob".into())));
        assert!(Operators::parse(Some("*")).allows(&UserId::Campfire(1)));
        assert!(!Operators::parse(None).allows(&UserId::Shell("ann".into())));
        assert_eq!(Operators::parse(Some("  ")), Operators::Unset);
    }

    #[test]
    fn ids_of_different_chats_are_kept_apart() {
        assert_ne!(UserId::Campfire(5), UserId::CampfireClassic(5));
        assert_eq!(UserId::Campfire(5).adapter(), "campfire");
        assert_eq!(UserId::CampfireClassic(5).key(), "5");
        assert_eq!(UserId::numeric("12a"), None);
        assert_eq!(UserId::numeric("+12"), None);
        assert_eq!(UserId::numeric("99999999999999999999999"), None);
    }
}
