//! Id newtypes. Opsgenie ids are opaque strings (some are a uuid followed by `-<epoch millis>`).

opsbot_http::id_type! {
    /// The id of an alert (for example `70413a06-38d6-4c85-92b8-5ebc900d42e2`).
    pub struct AlertId(String);
}
opsbot_http::id_type! {
    /// The id Opsgenie gives an asynchronous request; its outcome is read with it.
    pub struct RequestId(String);
}
opsbot_http::id_type! {
    /// The id of a schedule.
    pub struct ScheduleId(String);
}
opsbot_http::id_type! {
    /// The id of an incident.
    pub struct IncidentId(String);
}
opsbot_http::id_type! {
    /// The id of a team, user, rotation, integration or escalation.
    pub struct EntityId(String);
}

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
        let back: AlertId = serde_json::from_str("\"x-1\"").unwrap_or_else(|_| AlertId::new(""));
        assert_eq!(back.as_ref(), "x-1");
    }
}
