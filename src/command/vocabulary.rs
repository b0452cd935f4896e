//! Chat vocabulary: the words people type for Statuspage's values. The SDK accepts exactly
//! Statuspage's spellings (`major_outage`); what `down`, `fixed` or `degraded` mean is the bot's
//! business, so it lives here, next to the parser that reads chat, one table per value type.
//!
//! Each table lists Statuspage's value (written with spaces), then the chat words for it. A phrase
//! matches ignoring case, surrounding space and the difference between `_`, `-` and a space, so
//! `Major Outage`, `major_outage` and `major-outage` are the same phrase.

use statuspage_client::{ComponentStatus, IncidentStatus};

/// What each component status is called in chat.
pub(super) const COMPONENT_STATUS_WORDS: &[(&str, ComponentStatus)] = &[
    ("operational", ComponentStatus::Operational),
    ("ok", ComponentStatus::Operational),
    ("up", ComponentStatus::Operational),
    ("green", ComponentStatus::Operational),
    ("fine", ComponentStatus::Operational),
    ("under maintenance", ComponentStatus::UnderMaintenance),
    ("maintenance", ComponentStatus::UnderMaintenance),
    ("maint", ComponentStatus::UnderMaintenance),
    ("degraded performance", ComponentStatus::DegradedPerformance),
    ("degraded", ComponentStatus::DegradedPerformance),
    ("slow", ComponentStatus::DegradedPerformance),
    ("partial outage", ComponentStatus::PartialOutage),
    ("partial", ComponentStatus::PartialOutage),
    ("major outage", ComponentStatus::MajorOutage),
    ("major", ComponentStatus::MajorOutage),
    ("down", ComponentStatus::MajorOutage),
    ("outage", ComponentStatus::MajorOutage),
];

/// What each state of a realtime incident is called in chat (the bot opens and updates realtime
/// incidents; maintenances have their own command).
pub(super) const INCIDENT_STATUS_WORDS: &[(&str, IncidentStatus)] = &[
    ("investigating", IncidentStatus::Investigating),
    ("investigate", IncidentStatus::Investigating),
    ("identified", IncidentStatus::Identified),
    ("identify", IncidentStatus::Identified),
    ("monitoring", IncidentStatus::Monitoring),
    ("monitor", IncidentStatus::Monitoring),
    ("resolved", IncidentStatus::Resolved),
    ("resolve", IncidentStatus::Resolved),
    ("fixed", IncidentStatus::Resolved),
];

/// The component status a chat phrase names (`degraded`, `Major Outage`, `down`, `ok`).
pub fn component_status(phrase: &str) -> Option<ComponentStatus> {
    lookup(COMPONENT_STATUS_WORDS, phrase)
}

/// The incident state a chat word names (`monitoring`, `identify`, `fixed`).
pub fn incident_status(phrase: &str) -> Option<IncidentStatus> {
    lookup(INCIDENT_STATUS_WORDS, phrase)
}

/// The most words any phrase of `table` has (`major outage`: 2).
pub(super) fn longest_phrase<T>(table: &[(&str, T)]) -> usize {
    table
        .iter()
        .map(|(phrase, _)| phrase.split(' ').count())
        .max()
        .unwrap_or(0)
}

fn lookup<T: Clone>(table: &[(&str, T)], phrase: &str) -> Option<T> {
    let wanted = normalize(phrase);
    table
        .iter()
        .find(|(words, _)| *words == wanted)
        .map(|(_, value)| value.clone())
}

/// Lower case, `_` and `-` read as spaces, runs of space collapsed.
fn normalize(phrase: &str) -> String {
    phrase
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statuspage_value_is_a_chat_phrase_in_its_api_spelling() {
        for status in [
            ComponentStatus::Operational,
            ComponentStatus::UnderMaintenance,
            ComponentStatus::DegradedPerformance,
            ComponentStatus::PartialOutage,
            ComponentStatus::MajorOutage,
        ] {
            assert_eq!(component_status(status.as_str()), Some(status.clone()));
            let upper = status.as_str().to_uppercase().replace('_', "-");
            assert_eq!(component_status(&upper), Some(status));
        }
        for status in [
            IncidentStatus::Investigating,
            IncidentStatus::Identified,
            IncidentStatus::Monitoring,
            IncidentStatus::Resolved,
        ] {
            assert_eq!(incident_status(status.as_str()), Some(status));
        }
    }

    #[test]
    fn chat_words_name_their_status() {
        let cases = [
            ("degraded", ComponentStatus::DegradedPerformance),
            ("Degraded Performance", ComponentStatus::DegradedPerformance),
            ("slow", ComponentStatus::DegradedPerformance),
            ("partial", ComponentStatus::PartialOutage),
            ("major", ComponentStatus::MajorOutage),
            ("  major   outage ", ComponentStatus::MajorOutage),
            ("DOWN", ComponentStatus::MajorOutage),
            ("outage", ComponentStatus::MajorOutage),
            ("maintenance", ComponentStatus::UnderMaintenance),
            ("maint", ComponentStatus::UnderMaintenance),
            ("ok", ComponentStatus::Operational),
            ("up", ComponentStatus::Operational),
            ("green", ComponentStatus::Operational),
            ("fine", ComponentStatus::Operational),
        ];
        for (phrase, want) in cases {
            assert_eq!(component_status(phrase), Some(want), "{phrase:?}");
        }
        assert_eq!(incident_status("fixed"), Some(IncidentStatus::Resolved));
        assert_eq!(incident_status("Resolve"), Some(IncidentStatus::Resolved));
        assert_eq!(incident_status("monitor"), Some(IncidentStatus::Monitoring));
        assert_eq!(
            incident_status("identify"),
            Some(IncidentStatus::Identified)
        );
        assert_eq!(
            incident_status("INVESTIGATE"),
            Some(IncidentStatus::Investigating)
        );
    }

    #[test]
    fn other_words_name_nothing() {
        for phrase in [
            "",
            " ",
            "sideways",
            "majorly",
            "outage major",
            "degradedperformance",
        ] {
            assert_eq!(component_status(phrase), None, "{phrase:?}");
        }
        // Maintenance states are not chat words for a realtime incident.
        for phrase in ["scheduled", "in progress", "completed", "sleeping", ""] {
            assert_eq!(incident_status(phrase), None, "{phrase:?}");
        }
    }

    #[test]
    fn the_tables_name_each_phrase_once() {
        fn unique<T>(table: &[(&str, T)]) {
            let mut seen = std::collections::HashSet::new();
            for (phrase, _) in table {
                assert_eq!(
                    normalize(phrase),
                    *phrase,
                    "{phrase:?} is written normalized"
                );
                assert!(seen.insert(*phrase), "{phrase:?} twice");
            }
        }
        unique(COMPONENT_STATUS_WORDS);
        unique(INCIDENT_STATUS_WORDS);
        assert_eq!(longest_phrase(COMPONENT_STATUS_WORDS), 2);
    }
}
