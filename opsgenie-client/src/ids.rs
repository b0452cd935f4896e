//! Id newtypes. Opsgenie ids are opaque strings (some are a uuid followed by `-<epoch millis>`).

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
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
            fn from(value: String) -> Self {
                $name(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                $name(value.to_owned())
            }
        }
    };
}

id_type!(
    /// The id of an alert (for example `70413a06-38d6-4c85-92b8-5ebc900d42e2`).
    AlertId
);
id_type!(
    /// The id Opsgenie gives an asynchronous request; its outcome is read with it.
    RequestId
);
id_type!(
    /// The id of a schedule.
    ScheduleId
);
id_type!(
    /// The id of an incident.
    IncidentId
);
id_type!(
    /// The id of a team, user, rotation, integration or escalation.
    EntityId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_transparent_and_opaque() {
        let id = AlertId::from("b4b23e8b-4003-453d-9200-7735641a272d-1613353863148");
        assert_eq!(
            serde_json::to_string(&id).ok().as_deref(),
            Some("\"b4b23e8b-4003-453d-9200-7735641a272d-1613353863148\"")
        );
        assert_eq!(id.to_string(), id.as_str());
        let back: AlertId = serde_json::from_str("\"x-1\"").unwrap_or_else(|_| AlertId::from(""));
        assert_eq!(back.as_ref(), "x-1");
    }
}
