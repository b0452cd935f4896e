//! The labels people read, for the vendor enums that have one; the enums themselves come from
//! [`opsbot_http::vendor_enum!`].

/// Gives each enum a `label()`: the vendor's value with `_` as spaces (`major outage`), or an
/// unknown value as sent.
macro_rules! labels {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl $ty {
                /// A label for people: the vendor's value with `_` as spaces (`major outage`);
                /// an unknown value is given back as sent.
                pub fn label(&self) -> std::borrow::Cow<'_, str> {
                    match self {
                        Self::Unknown(raw) => std::borrow::Cow::Borrowed(raw.as_str()),
                        known => match known.as_str() {
                            value if value.contains('_') => {
                                std::borrow::Cow::Owned(value.replace('_', " "))
                            }
                            value => std::borrow::Cow::Borrowed(value),
                        },
                    }
                }
            }
        )+
    };
}

labels!(
    crate::ComponentStatus,
    crate::IncidentStatus,
    crate::Impact,
    crate::StatusIndicator,
    crate::SubscriberType,
    crate::SubscriberState,
);
