//! The bot's store: per-user settings and the audit log, in one SQLite file (`BOT_STATE_FILE`).
//!
//! SQLite (compiled in through `rusqlite`'s `bundled` feature) because the store must survive
//! several bot processes writing at once without losing anything, which a file rewritten
//! whole cannot. The database runs in WAL mode with a busy timeout, and every change is one
//! transaction, so two processes writing at once both land.
//!
//! A store that cannot be opened (not a database, unreadable, in a directory that does not
//! exist, read-only) is never overwritten: [`Store::open`] says what is wrong, and the bot runs
//! with an in-memory store whose changes are answered as "not saved".
//!
//! An existing `bot-state.json` (the store of earlier versions) beside the database is imported
//! once. Its entries were keyed by display name, which only the shell adapter may trust, so they
//! are imported as shell users only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Deserialize;

use crate::identity::{Speaker, UserId};

/// How long a write waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// The name of the earlier versions' settings file, imported once from beside the database.
pub const LEGACY_JSON: &str = "bot-state.json";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS settings (
    adapter       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    opsgenie_user TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (adapter, user_id)
);
CREATE TABLE IF NOT EXISTS audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    adapter   TEXT NOT NULL,
    room      TEXT,
    user_id   TEXT NOT NULL,
    user_name TEXT NOT NULL,
    command   TEXT NOT NULL,
    outcome   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// What the bot remembers about one chat user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSettings {
    /// The user's Opsgenie user name (usually an e-mail address; on JSM an account id).
    pub opsgenie_user: Option<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When the command was run.
    pub at: DateTime<Utc>,
    /// The adapter it came through.
    pub adapter: String,
    /// The room, where the chat has rooms.
    pub room: Option<String>,
    /// The speaker's id (the shell: their name).
    pub user_id: String,
    /// The speaker's display name at the time.
    pub user_name: String,
    /// The command as typed.
    pub command: String,
    /// What came of it: `ok: ...`, `failed: ...` or `refused: ...`.
    pub outcome: String,
}

/// Why the store could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError(err.to_string())
    }
}

/// The store: settings and the audit log. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Arc<Mutex<Connection>>,
    /// Where it lives; `None` in memory.
    path: Option<PathBuf>,
    /// Why changes are not saved (the file could not be opened), if so.
    not_saved: Option<String>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("not_saved", &self.not_saved)
            .finish()
    }
}

impl Store {
    /// A store that lives in memory only (the demo, tests).
    pub fn in_memory() -> Self {
        Self::memory(None)
    }

    fn memory(not_saved: Option<String>) -> Self {
        let db = Connection::open_in_memory()
            .and_then(|db| db.execute_batch(SCHEMA).map(|()| db))
            .unwrap_or_else(|err| {
                // An in-memory database with a fixed schema has nothing to fail on but memory.
                panic!("SQLite cannot create an in-memory database: {err}")
            });
        Store {
            db: Arc::new(Mutex::new(db)),
            path: None,
            not_saved,
        }
    }

    /// Opens (or creates) the store at `path`, and imports a `bot-state.json` beside it once.
    ///
    /// # Errors
    /// The file cannot be opened or written, or it is not a SQLite database; nothing was changed.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let describe = |err: rusqlite::Error| {
            let looks_like_json = std::fs::read(path).ok().is_some_and(|bytes| {
                bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
            });
            let hint = if looks_like_json {
                format!(
                    "; it looks like the JSON file of an earlier version: point BOT_STATE_FILE at a new \
                     file and put this one beside it as {LEGACY_JSON} to import it"
                )
            } else {
                String::new()
            };
            StoreError(format!(
                "the store {} is not valid or not writable ({err}){hint}",
                path.display()
            ))
        };
        let db = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(describe)?;
        db.busy_timeout(BUSY_TIMEOUT).map_err(describe)?;
        // Reading the header first: a file that is not a database fails here, before any write.
        db.query_row("PRAGMA schema_version", [], |row| row.get::<_, i64>(0))
            .map_err(describe)?;
        if db.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError(format!(
                "the store {} is read-only",
                path.display()
            )));
        }
        db.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        })
        .map_err(describe)?;
        db.execute_batch(SCHEMA).map_err(describe)?;
        let store = Store {
            db: Arc::new(Mutex::new(db)),
            path: Some(path.to_owned()),
            not_saved: None,
        };
        store.import_legacy_json()?;
        Ok(store)
    }

    /// Opens the store at `path`; when it cannot be used, an in-memory store that answers every
    /// change with why it was not saved, and the reason to report at start.
    pub fn open_or_memory(path: &Path) -> (Self, Option<StoreError>) {
        match Self::open(path) {
            Ok(store) => (store, None),
            Err(err) => (Self::memory(Some(format!("not saved: {err}"))), Some(err)),
        }
    }

    /// Where the store lives (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` on the connection off the async runtime's threads.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut db = db.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut db).map_err(StoreError::from)
        })
        .await
        .map_err(|err| StoreError(format!("the store's worker failed: {err}")))?
    }

    /// The settings of one user (none when the store cannot be read; that is logged).
    pub async fn settings(&self, user: &UserId) -> UserSettings {
        let (adapter, key) = (user.adapter(), user.key());
        self.with(move |db| {
            db.query_row(
                "SELECT opsgenie_user FROM settings WHERE adapter = ?1 AND user_id = ?2",
                params![adapter, key],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()
        })
        .await
        .unwrap_or_else(|err| {
            tracing::error!(error = %err, "could not read a user's settings from the store");
            None
        })
        .map(|opsgenie_user| UserSettings { opsgenie_user })
        .unwrap_or_default()
    }

    /// Sets one user's Opsgenie user. When the store could not be opened the setting is kept
    /// for this run and the error says why it was not saved.
    ///
    /// # Errors
    /// Not saved: the reason.
    pub async fn set_opsgenie_user(
        &self,
        user: &UserId,
        opsgenie_user: &str,
    ) -> Result<(), String> {
        let (adapter, key, value) = (user.adapter(), user.key(), opsgenie_user.to_owned());
        let now = Utc::now().to_rfc3339();
        self.with(move |db| {
            db.execute(
                "INSERT INTO settings (adapter, user_id, opsgenie_user, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (adapter, user_id)
                 DO UPDATE SET opsgenie_user = excluded.opsgenie_user, updated_at = excluded.updated_at",
                params![adapter, key, value, now],
            )
        })
        .await
        .map_err(|err| format!("not saved: {err}"))?;
        match &self.not_saved {
            Some(why) => Err(why.clone()),
            None => Ok(()),
        }
    }

    /// Writes one line of the audit log.
    ///
    /// # Errors
    /// The store failed (the line is lost; the caller logs it).
    pub async fn audit(
        &self,
        speaker: &Speaker,
        command: &str,
        outcome: &str,
    ) -> Result<(), StoreError> {
        let entry = (
            Utc::now().to_rfc3339(),
            speaker.id.adapter(),
            speaker.room.map(|r| r.to_string()),
            speaker.id.key(),
            speaker.name.clone(),
            command.to_owned(),
            outcome.to_owned(),
        );
        self.with(move |db| {
            db.execute(
                "INSERT INTO audit (at, adapter, room, user_id, user_name, command, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    entry.0, entry.1, entry.2, entry.3, entry.4, entry.5, entry.6
                ],
            )
            .map(|_| ())
        })
        .await
    }

    /// The last `limit` audit entries whose command starts with `family` (`status`, `genie`),
    /// oldest first.
    ///
    /// # Errors
    /// The store failed.
    pub async fn recent(&self, family: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let family = family.to_lowercase();
        self.with(move |db| {
            let mut stmt = db.prepare(
                "SELECT at, adapter, room, user_id, user_name, command, outcome FROM audit
                 WHERE lower(command) LIKE ?1 || '%'
                 ORDER BY id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![family, limit as i64], audit_row)?;
            let mut entries = rows.collect::<Result<Vec<_>, _>>()?;
            entries.reverse();
            Ok(entries)
        })
        .await
    }

    /// How many audit entries there are in all.
    ///
    /// # Errors
    /// The store failed.
    pub async fn audit_len(&self) -> Result<u64, StoreError> {
        self.with(|db| db.query_row("SELECT count(*) FROM audit", [], |row| row.get::<_, i64>(0)))
            .await
            .map(|n| n as u64)
    }

    /// Imports `bot-state.json` from beside the database, once (a `meta` row remembers it).
    fn import_legacy_json(&self) -> Result<(), StoreError> {
        #[derive(Deserialize)]
        struct Legacy {
            #[serde(default)]
            users: BTreeMap<String, LegacyUser>,
        }
        #[derive(Deserialize)]
        struct LegacyUser {
            #[serde(default)]
            opsgenie_user: Option<String>,
        }
        let Some(path) = &self.path else {
            return Ok(());
        };
        let legacy = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(LEGACY_JSON);
        let Ok(bytes) = std::fs::read(&legacy) else {
            return Ok(());
        };
        let mut db = self
            .db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: Option<String> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'imported_json'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        if done.is_some() {
            return Ok(());
        }
        let parsed: Legacy = serde_json::from_slice(&bytes).map_err(|err| {
            StoreError(format!(
                "{} is not a settings file of an earlier version ({err}); move it away to start",
                legacy.display()
            ))
        })?;
        let now = Utc::now().to_rfc3339();
        let mut imported = 0;
        for (name, user) in &parsed.users {
            let Some(opsgenie_user) = &user.opsgenie_user else {
                continue;
            };
            // Name-keyed: trusted in the shell only; never for a Campfire user of that name.
            // A setting made since (in the database) wins.
            imported += tx.execute(
                "INSERT INTO settings (adapter, user_id, opsgenie_user, updated_at)
                 VALUES ('shell', ?1, ?2, ?3) ON CONFLICT (adapter, user_id) DO NOTHING",
                params![name, opsgenie_user, now],
            )?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('imported_json', ?1)",
            params![format!(
                "{} at {now}: {imported} shell users",
                legacy.display()
            )],
        )?;
        tx.commit()?;
        tracing::info!(file = %legacy.display(), imported, "imported the settings of an earlier version, for the shell adapter");
        Ok(())
    }
}

/// One audit entry from a row of `SELECT at, adapter, room, user_id, user_name, command, outcome`.
fn audit_row(row: &rusqlite::Row<'_>) -> Result<AuditEntry, rusqlite::Error> {
    let at: String = row.get(0)?;
    Ok(AuditEntry {
        at: DateTime::parse_from_rfc3339(&at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default(),
        adapter: row.get(1)?,
        room: row.get(2)?,
        user_id: row.get(3)?,
        user_name: row.get(4)?,
        command: row.get(5)?,
        outcome: row.get(6)?,
    })
}

mod between;

#[cfg(test)]
mod tests;
