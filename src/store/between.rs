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
