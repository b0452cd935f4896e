//! `vendor_enum!` and `id_type!`: the one shape of every vendor enum and every id in the SDKs.

/// A string that is not one of a vendor enum's values (as the vendor spells them).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{input}`, expected one of: {}", expected.join(", "))]
#[non_exhaustive]
pub struct ParseValueError {
    /// What was being parsed (`component status`, `alert priority`, ...).
    pub kind: &'static str,
    /// The input as given.
    pub input: String,
    /// The values the vendor defines.
    pub expected: &'static [&'static str],
}

impl ParseValueError {
    /// An error for `input`, which is not one of `expected`.
    pub fn new(kind: &'static str, input: &str, expected: &'static [&'static str]) -> Self {
        ParseValueError {
            kind,
            input: input.to_owned(),
            expected,
        }
    }
}

/// A string that is not a numeric id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a numeric {kind}: {input:?}")]
#[non_exhaustive]
pub struct ParseIdError {
    /// The id type (`RoomId`).
    pub kind: &'static str,
    /// The input as given.
    pub input: String,
}

impl ParseIdError {
    /// An error for `input`, which is not a numeric `kind`.
    pub fn new(kind: &'static str, input: &str) -> Self {
        ParseIdError {
            kind,
            input: input.to_owned(),
        }
    }
}

/// Declares a vendor enum: `#[non_exhaustive]`, one variant per value the vendor defines and
/// `Unknown(String)` for any other, which is kept and sent back unchanged.
///
/// Generated: `as_str()` (the vendor's spelling), `from_api(&str)` (infallible: what the wire
/// carries), `KNOWN` (every known value), `is_unknown()`, `Default` (`Unknown("")`, the empty value
/// some APIs send), `Display` (= `as_str`), string serde that round-trips unknown values, and a
/// `FromStr` that accepts **exactly** the vendor's values (case-sensitive) and otherwise fails with
/// [`ParseValueError`]. Words people type in chat are not the vendor's values: a chat parser maps
/// them to variants itself.
///
/// ```
/// opsbot_http::vendor_enum! {
///     /// The status of a component.
///     pub enum ComponentStatus as "component status" {
///         /// Working.
///         Operational => "operational",
///         /// Down.
///         MajorOutage => "major_outage",
///     }
/// }
///
/// let status: ComponentStatus = serde_json::from_str("\"major_outage\"").unwrap();
/// assert_eq!(status, ComponentStatus::MajorOutage);
/// let odd: ComponentStatus = serde_json::from_str("\"on_fire\"").unwrap();
/// assert_eq!(odd, ComponentStatus::Unknown("on_fire".into()));
/// assert_eq!(serde_json::to_string(&odd).unwrap(), "\"on_fire\"");
/// assert_eq!("operational".parse::<ComponentStatus>(), Ok(ComponentStatus::Operational));
/// let err = "down".parse::<ComponentStatus>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown component status `down`, expected one of: operational, major_outage");
/// ```
#[macro_export]
macro_rules! vendor_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the crate knows, in the vendor's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The vendor's spelling of every known value, in the vendor's order.
            pub const VALUES: &'static [&'static str] = &[$($wire),+];

            /// The value as the vendor spells it (`Unknown` gives back the raw value).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(raw) => raw,
                }
            }

            /// Maps a value as the API sends it, keeping values this crate does not know.
            pub fn from_api(raw: &str) -> Self {
                match raw {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }

            /// `true` for a value this version of the crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl ::std::default::Default for $name {
            /// The empty value an API sometimes sends (`Unknown("")`).
            fn default() -> Self {
                $name::Unknown(::std::string::String::new())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ParseValueError;

            /// Accepts exactly the vendor's spelling of a known value.
            fn from_str(input: &str) -> ::std::result::Result<Self, Self::Err> {
                match input {
                    $( $wire => Ok($name::$variant), )+
                    _ => Err($crate::ParseValueError::new($kind, input, $name::VALUES)),
                }
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let raw: ::std::borrow::Cow<'de, str> =
                    $crate::__private::serde::Deserialize::deserialize(deserializer)?;
                Ok($name::from_api(&raw))
            }
        }
    };
}

/// Declares an id newtype, the same shape in every SDK: a private field, `new`, transparent
/// serde, `Display`, ordering and hashing, and conversions so calls can take `impl Into<Id>`.
///
/// - `pub struct PageId(String);` — an opaque string id: `as_str()`, `into_inner()`,
///   `AsRef<str>`, `From<String>`, `From<&str>`, `From<&String>`, `From<&PageId>`, `From<PageId> for String`.
/// - `pub struct RoomId(u64);` — a numeric id: `Copy`, `get()`, `From<u64>`, `From<RoomId> for u64`,
///   `From<&RoomId>`, and `FromStr` (digits only, else [`ParseIdError`]).
///
/// ```
/// opsbot_http::id_type! {
///     /// The id of a component.
///     pub struct ComponentId(String);
/// }
/// opsbot_http::id_type! {
///     /// A room id.
///     pub struct RoomId(u64);
/// }
///
/// fn takes(id: impl Into<ComponentId>) -> String { id.into().to_string() }
/// assert_eq!(takes("c1"), "c1");
/// assert_eq!(takes(&ComponentId::new("c2")), "c2");
/// assert_eq!(serde_json::to_string(&ComponentId::new("c3")).unwrap(), "\"c3\"");
/// assert_eq!("42".parse::<RoomId>().map(RoomId::get), Ok(42));
/// assert_eq!(serde_json::from_str::<RoomId>("7").unwrap(), RoomId::new(7));
/// ```
#[macro_export]
macro_rules! id_type {
    ($(#[$meta:meta])* $vis:vis struct $name:ident(String);) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(::std::string::String);

        impl $name {
            /// Wraps a raw id.
            pub fn new(id: impl Into<::std::string::String>) -> Self {
                $name(id.into())
            }

            /// The raw id.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Unwraps the raw id.
            pub fn into_inner(self) -> ::std::string::String {
                self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(id: ::std::string::String) -> Self {
                $name(id)
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }

        impl ::std::convert::From<&::std::string::String> for $name {
            fn from(id: &::std::string::String) -> Self {
                $name(id.clone())
            }
        }

        impl ::std::convert::From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl ::std::convert::From<$name> for ::std::string::String {
            fn from(id: $name) -> ::std::string::String {
                id.0
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let raw: ::std::string::String =
                    $crate::__private::serde::Deserialize::deserialize(deserializer)?;
                Ok($name(raw))
            }
        }
    };
    ($(#[$meta:meta])* $vis:vis struct $name:ident(u64);) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(u64);

        impl $name {
            /// Wraps a raw id.
            pub const fn new(id: u64) -> Self {
                $name(id)
            }

            /// The number inside.
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::convert::From<u64> for $name {
            fn from(id: u64) -> Self {
                $name(id)
            }
        }

        impl ::std::convert::From<&$name> for $name {
            fn from(id: &$name) -> Self {
                *id
            }
        }

        impl ::std::convert::From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ParseIdError;

            /// Digits only (surrounding space ignored).
            fn from_str(input: &str) -> ::std::result::Result<Self, Self::Err> {
                let digits = input.trim();
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err($crate::ParseIdError::new(stringify!($name), input));
                }
                digits
                    .parse::<u64>()
                    .map($name)
                    .map_err(|_| $crate::ParseIdError::new(stringify!($name), input))
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_u64(self.0)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let raw: u64 = $crate::__private::serde::Deserialize::deserialize(deserializer)?;
                Ok($name(raw))
            }
        }
    };
}
