//! The two macros that generate every id newtype and every vendor enum, so they cannot drift.

/// Declares an id newtype: transparent serde, `Display`, `AsRef<str>`, `From<String>`, `From<&str>`.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a raw id.
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            /// The raw id.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Unwraps the raw id.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name(id.clone())
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

/// Declares a vendor enum that keeps values it does not know (`Unknown(String)`), serializes
/// them back unchanged, has a human label and a forgiving parser for chat words.
macro_rules! vendor_enum {
    (
        $(#[$meta:meta])*
        $name:ident, kind = $kind:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal, label = $label:literal, aliases = [$($alias:literal),* $(,)?];
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
            /// A value this version of the crate does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the crate knows, in the vendor's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as the API spells it (`Unknown` gives back the raw value).
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(raw) => raw,
                }
            }

            /// A label for people (`Unknown` gives back the raw value).
            pub fn label(&self) -> &str {
                match self {
                    $($name::$variant => $label,)+
                    $name::Unknown(raw) => raw,
                }
            }

            /// Maps a value as the API sends it, keeping values this crate does not know.
            pub fn from_api(raw: &str) -> Self {
                match raw {
                    $($wire => $name::$variant,)+
                    other => $name::Unknown(other.to_owned()),
                }
            }

            /// `true` for a value this version of the crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl Default for $name {
            /// The empty value the API sometimes sends (`Unknown("")`).
            fn default() -> Self {
                $name::Unknown(String::new())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ParseValueError;

            /// Accepts the API spelling, the label and the usual chat words, ignoring case,
            /// surrounding space and the difference between `_`, `-` and a space.
            fn from_str(input: &str) -> Result<Self, Self::Err> {
                let wanted = $crate::macros::normalize(input);
                $(
                    if wanted == $crate::macros::normalize($wire)
                        || wanted == $label
                        $(|| wanted == $alias)*
                    {
                        return Ok($name::$variant);
                    }
                )+
                Err($crate::ParseValueError {
                    kind: $kind,
                    input: input.to_owned(),
                    expected: &[$($label),+],
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok($name::from_api(&raw))
            }
        }
    };
}

/// Lower case, `_` and `-` as spaces, runs of space collapsed.
pub(crate) fn normalize(input: &str) -> String {
    input
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|part| !part.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word that does not name any value of a vendor enum.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{input}`, expected one of: {}", expected.join(", "))]
#[non_exhaustive]
pub struct ParseValueError {
    /// What was being parsed (`component status`, `incident status`, ...).
    pub kind: &'static str,
    /// The input as given.
    pub input: String,
    /// The labels of the accepted values.
    pub expected: &'static [&'static str],
}
