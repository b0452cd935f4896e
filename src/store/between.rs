//! The audit entries of a period (what was run in chat during an incident).

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{AuditEntry, Store, StoreError, audit_row};

impl Store {
    /// The audit entries written from `from` to `to` (both included, to the second), of every
    /// command family, oldest first; at most `limit` (the first ones).
    ///
    /// # Errors
    /// The store failed.
    pub async fn audit_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        // Entries are written with `to_rfc3339` in UTC: their first 19 characters
        // (`2026-12-01T22:16:13`) sort as the times do.
        let second = "%Y-%m-%dT%H:%M:%S";
        let (from, to) = (
            from.format(second).to_string(),
            to.format(second).to_string(),
        );
        self.with(move |db| {
            let mut stmt = db.prepare(
                "SELECT at, adapter, room, user_id, user_name, command, outcome FROM audit
                 WHERE substr(at, 1, 19) >= ?1 AND substr(at, 1, 19) <= ?2
                 ORDER BY id LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![from, to, limit as i64], audit_row)?;
            rows.collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};

    use crate::identity::Speaker;
    use crate::store::Store;

    #[tokio::test]
    async fn entries_of_a_period_of_every_family_oldest_first() {
        let store = Store::in_memory();
        let ann = Speaker::shell("ann");
        store
            .audit(&ann, "status API major", "ok: set")
            .await
            .expect("written");
        store
            .audit(&ann, "genie ack 7", "ok: acked")
            .await
            .expect("written");
        let now = Utc::now();
        let during = store
            .audit_between(now - Duration::minutes(1), now + Duration::minutes(1), 10)
            .await
            .expect("read");
        let commands: Vec<&str> = during.iter().map(|e| e.command.as_str()).collect();
        assert_eq!(commands, ["status API major", "genie ack 7"]);
        let limited = store
            .audit_between(now - Duration::minutes(1), now + Duration::minutes(1), 1)
            .await
            .expect("read");
        assert_eq!(limited.len(), 1);
        let before = store
            .audit_between(now - Duration::hours(2), now - Duration::hours(1), 10)
            .await
            .expect("read");
        assert!(before.is_empty());
    }
}
