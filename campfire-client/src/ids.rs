//! Id newtypes. Both generations of Campfire number everything with integers, so the ids wrap `u64`.

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The number inside.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<u64> for $name {
            fn from(value: u64) -> Self {
                $name(value)
            }
        }

        impl From<$name> for u64 {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::Error;

            fn from_str(s: &str) -> crate::Result<Self> {
                s.trim().parse::<u64>().map($name).map_err(|_| {
                    crate::Error::invalid(stringify!($name), format!("not a numeric id: {s:?}"))
                })
            }
        }
    };
}

id_type!(
    /// A room id (`/rooms/7`, `/room/7.json`).
    RoomId
);
id_type!(
    /// A message id.
    MessageId
);
id_type!(
    /// A user id (people and bots).
    UserId
);
id_type!(
    /// A boost id (current Campfire).
    BoostId
);
id_type!(
    /// An upload id (classic Campfire).
    UploadId
);
id_type!(
    /// An account id (classic Campfire).
    AccountId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_display_parse_and_serde() {
        let id: RoomId = "42".parse().unwrap_or(RoomId(0));
        assert_eq!(id, RoomId(42));
        assert_eq!(id.to_string(), "42");
        assert!("4x".parse::<RoomId>().is_err());
        assert_eq!(
            serde_json::to_string(&MessageId(7)).ok().as_deref(),
            Some("7")
        );
        assert_eq!(serde_json::from_str::<UserId>("9").ok(), Some(UserId(9)));
        assert!(MessageId(3) < MessageId(10));
    }
}
