//! The one macro that generates every vendor enum, so they cannot drift.

/// Generates a `#[non_exhaustive]` string enum with an `Unknown(String)` variant that keeps
/// the raw value, `as_str()`, `Display`, `FromStr` and serde that round-trips unknown values.
macro_rules! vendor_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as Opsgenie writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(raw) => raw,
                }
            }
        }

        impl Default for $name {
            /// A value that was absent: `Unknown("")`.
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
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
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
                let raw = String::deserialize(deserializer)?;
                Ok(match raw.parse::<$name>() {
                    Ok(v) => v,
                    Err(never) => match never {},
                })
            }
        }
    };
}

pub(crate) use vendor_enum;

/// Implements `IntoFuture` for a request builder by boxing an async block.
macro_rules! into_future {
    ($ty:ident, $out:ty, |$this:ident| $body:expr) => {
        impl<'a> std::future::IntoFuture for $ty<'a> {
            type Output = $crate::Result<$out>;
            type IntoFuture = futures_util::future::BoxFuture<'a, $crate::Result<$out>>;

            fn into_future(self) -> Self::IntoFuture {
                let $this = self;
                Box::pin(async move { $body })
            }
        }
    };
}

pub(crate) use into_future;

/// Fails with `InvalidInput` when `value` has more than `max` characters.
pub(crate) fn check_len(field: &'static str, value: &str, max: usize) -> crate::Result<()> {
    let n = value.chars().count();
    if n > max {
        return Err(crate::Error::invalid(
            field,
            format!("{n} characters, at most {max} allowed"),
        ));
    }
    Ok(())
}

/// Like [`check_len`] for an optional value.
pub(crate) fn check_opt(
    field: &'static str,
    value: Option<&String>,
    max: usize,
) -> crate::Result<()> {
    value.map_or(Ok(()), |v| check_len(field, v, max))
}
