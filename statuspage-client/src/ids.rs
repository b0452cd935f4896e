//! Id newtypes, so a component id cannot be passed where an incident id is wanted.

id_type!(
    /// The id of a status page (`kctbh9vrtdwd`).
    PageId
);
id_type!(
    /// The id of a component.
    ComponentId
);
id_type!(
    /// The id of a component group.
    ComponentGroupId
);
id_type!(
    /// The id of an incident or a scheduled maintenance.
    IncidentId
);
id_type!(
    /// The id of one update of an incident.
    IncidentUpdateId
);
id_type!(
    /// The id of an incident template.
    TemplateId
);
id_type!(
    /// The id of a subscriber.
    SubscriberId
);
id_type!(
    /// The id of a metric.
    MetricId
);
id_type!(
    /// The id of a metrics provider.
    MetricsProviderId
);
