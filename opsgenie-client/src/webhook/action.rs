//! The action word of a delivery, and the kind of its source.

use crate::AlertAction;

opsbot_http::vendor_enum! {
    /// The alert action a webhook delivery reports (`action`), as Opsgenie and JSM spell it.
    ///
    /// Opsgenie adds actions over time: a word this version does not know is kept in
    /// `Unknown` and decodes like any other.
    pub enum WebhookAction as "webhook action" {
        /// An alert was created.
        Create => "Create",
        /// An alert was acknowledged.
        Acknowledge => "Acknowledge",
        /// An acknowledgement was taken back.
        UnAcknowledge => "UnAcknowledge",
        /// An alert was closed.
        Close => "Close",
        /// A note was added (the text is in the alert's `note`).
        AddNote => "AddNote",
        /// A recipient was added.
        AddRecipient => "AddRecipient",
        /// A team was added.
        AddTeam => "AddTeam",
        /// Tags were added.
        AddTags => "AddTags",
        /// Tags were removed.
        RemoveTags => "RemoveTags",
        /// Someone was made the alert's owner (the alert's `owner`).
        AssignOwnership => "AssignOwnership",
        /// Someone took ownership of the alert.
        TakeOwnership => "TakeOwnership",
        /// The alert was escalated (the escalation fields are filled).
        Escalate => "Escalate",
        /// The alert was deleted.
        Delete => "Delete",
        /// A custom action was executed.
        CustomAction => "CustomAction",
        /// A responder was added (Opsgenie's name for the alert API call; not in every
        /// account's action list).
        AddResponder => "AddResponder",
        /// The alert was snoozed.
        Snooze => "Snooze",
        /// The priority was changed.
        UpdatePriority => "UpdatePriority",
        /// The message was changed.
        UpdateMessage => "UpdateMessage",
        /// The description was changed.
        UpdateDescription => "UpdateDescription",
        /// Details were added.
        AddDetails => "AddDetails",
        /// Details were removed.
        RemoveDetails => "RemoveDetails",
    }
}

impl WebhookAction {
    /// The word a delivery carries for an action made with [`AlertAction`] (one table, so a
    /// fake that applies an action announces it with the word Opsgenie uses).
    pub fn for_action(action: &AlertAction) -> WebhookAction {
        match action {
            AlertAction::Acknowledge => WebhookAction::Acknowledge,
            AlertAction::Unacknowledge => WebhookAction::UnAcknowledge,
            AlertAction::Close => WebhookAction::Close,
            AlertAction::AddNote(_) => WebhookAction::AddNote,
            AlertAction::Snooze(_) => WebhookAction::Snooze,
            AlertAction::Escalate(_) => WebhookAction::Escalate,
            AlertAction::Assign(_) => WebhookAction::AssignOwnership,
            AlertAction::AddTeam(_) => WebhookAction::AddTeam,
            AlertAction::AddResponder(_) => WebhookAction::AddResponder,
            AlertAction::Custom(_) => WebhookAction::CustomAction,
            AlertAction::AddTags(_) => WebhookAction::AddTags,
            AlertAction::RemoveTags(_) => WebhookAction::RemoveTags,
            AlertAction::AddDetails(_) => WebhookAction::AddDetails,
            AlertAction::RemoveDetails(_) => WebhookAction::RemoveDetails,
            AlertAction::UpdatePriority(_) => WebhookAction::UpdatePriority,
            AlertAction::UpdateMessage(_) => WebhookAction::UpdateMessage,
            AlertAction::UpdateDescription(_) => WebhookAction::UpdateDescription,
            AlertAction::Delete => WebhookAction::Delete,
        }
    }

    /// `true` for the actions whose deliveries carry the alert's description and details
    /// (`Create` and custom actions).
    pub fn carries_description(&self) -> bool {
        matches!(self, WebhookAction::Create | WebhookAction::CustomAction)
    }
}

opsbot_http::vendor_enum! {
    /// What kind of source an action came from (`source.type`).
    pub enum SourceType as "source type" {
        /// Through the REST API (an API integration's key).
        Api => "API",
        /// Through the web application.
        Web => "web",
    }
}
