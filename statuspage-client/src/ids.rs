//! Id newtypes, so a component id cannot be passed where an incident id is wanted.

opsbot_http::id_type! {
    /// The id of a status page (`kctbh9vrtdwd`).
    pub struct PageId(String);
}
opsbot_http::id_type! {
    /// The id of a component.
    pub struct ComponentId(String);
}
opsbot_http::id_type! {
    /// The id of a component group.
    pub struct ComponentGroupId(String);
}
opsbot_http::id_type! {
    /// The id of an incident or a scheduled maintenance.
    pub struct IncidentId(String);
}
opsbot_http::id_type! {
    /// The id of one update of an incident.
    pub struct IncidentUpdateId(String);
}
opsbot_http::id_type! {
    /// The id of an incident template.
    pub struct TemplateId(String);
}
opsbot_http::id_type! {
    /// The id of a subscriber.
    pub struct SubscriberId(String);
}
opsbot_http::id_type! {
    /// The id of a metric.
    pub struct MetricId(String);
}
opsbot_http::id_type! {
    /// The id of a metrics provider.
    pub struct MetricsProviderId(String);
}
