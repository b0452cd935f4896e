//! Per-user settings (`genie me as ...`), persisted as JSON in `BOT_STATE_FILE`.
//!
//! Writes are atomic (a temporary file beside the target, then a rename) and serialised, so two
//! quick `me as` commands lose nothing. A file that cannot be read is never overwritten: the bot
//! starts with empty settings, says what is wrong, and keeps changes in memory only.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// What the bot remembers about one chat user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserSettings {
    /// The user's Opsgenie user name (usually an e-mail address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opsgenie_user: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    #[serde(default)]
    users: BTreeMap<String, UserSettings>,
}

/// The bot's persisted state.
#[derive(Debug)]
pub struct State {
    path: Option<PathBuf>,
    /// Why the file is not written to (it exists but could not be read), if so.
    frozen: Option<String>,
    inner: Mutex<StateFile>,
}

impl State {
    /// State that lives in memory only (the demo).
    pub fn in_memory() -> Self {
        State {
            path: None,
            frozen: None,
            inner: Mutex::new(StateFile::default()),
        }
    }

    /// Loads the state from `path`. A missing file is an empty state. A file that cannot be read
    /// or parsed gives an empty state that never writes over it, and a warning to show.
    pub fn load(path: &Path) -> (Self, Option<String>) {
        let (file, frozen) = match std::fs::read(path) {
            Ok(bytes) => match serde_json::from_slice::<StateFile>(&bytes) {
                Ok(file) => (file, None),
                Err(err) => (
                    StateFile::default(),
                    Some(format!(
                        "state file {} is not valid ({err}); starting with empty settings and leaving the file untouched",
                        path.display()
                    )),
                ),
            },
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => (StateFile::default(), None),
            Err(err) => (
                StateFile::default(),
                Some(format!(
                    "state file {} cannot be read ({err}); starting with empty settings and leaving the file untouched",
                    path.display()
                )),
            ),
        };
        let warning = frozen.clone();
        (
            State {
                path: Some(path.to_owned()),
                frozen,
                inner: Mutex::new(file),
            },
            warning,
        )
    }

    /// The settings of one user.
    pub async fn user(&self, user: &str) -> UserSettings {
        self.inner
            .lock()
            .await
            .users
            .get(user)
            .cloned()
            .unwrap_or_default()
    }

    /// Changes one user's settings and persists them. On a persistence failure the change is
    /// kept in memory and the error says why it was not saved.
    pub async fn update(
        &self,
        user: &str,
        change: impl FnOnce(&mut UserSettings),
    ) -> Result<(), String> {
        let mut file = self.inner.lock().await;
        change(file.users.entry(user.to_owned()).or_default());
        let Some(path) = &self.path else {
            return Ok(());
        };
        if let Some(why) = &self.frozen {
            return Err(format!("not saved: {why}"));
        }
        // Held lock: writes happen one at a time, each with the whole current state.
        write_atomically(path, &file)
            .map_err(|err| format!("not saved to {}: {err}", path.display()))
    }
}

fn write_atomically(path: &Path, file: &StateFile) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(file).map_err(std::io::Error::other)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut out = std::fs::File::create(&tmp)?;
        out.write_all(&bytes)?;
        out.write_all(b"\n")?;
        out.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("opsbot-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[tokio::test]
    async fn persists_and_reloads() {
        let path = temp_dir("reload").join("state.json");
        let (state, warning) = State::load(&path);
        assert!(warning.is_none());
        state
            .update("ann", |u| u.opsgenie_user = Some("ann@example.com".into()))
            .await
            .unwrap();
        state
            .update("bob", |u| u.opsgenie_user = Some("bob@example.com".into()))
            .await
            .unwrap();
        let (again, _) = State::load(&path);
        assert_eq!(
            again.user("ann").await.opsgenie_user.as_deref(),
            Some("ann@example.com")
        );
        assert_eq!(
            again.user("bob").await.opsgenie_user.as_deref(),
            Some("bob@example.com")
        );
    }

    #[tokio::test]
    async fn corrupted_file_is_reported_and_never_overwritten() {
        let path = temp_dir("corrupt").join("state.json");
        std::fs::write(&path, b"{ not json").unwrap();
        let (state, warning) = State::load(&path);
        assert!(warning.unwrap().contains("not valid"));
        let err = state
            .update("ann", |u| u.opsgenie_user = Some("ann".into()))
            .await
            .unwrap_err();
        assert!(err.contains("not saved"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"{ not json");
        // Still remembered for this run.
        assert_eq!(
            state.user("ann").await.opsgenie_user.as_deref(),
            Some("ann")
        );
    }

    #[tokio::test]
    async fn concurrent_updates_lose_nothing() {
        let path = temp_dir("concurrent").join("state.json");
        let (state, _) = State::load(&path);
        let state = std::sync::Arc::new(state);
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let state = state.clone();
                tokio::spawn(async move {
                    state
                        .update(&format!("user{i}"), |u| {
                            u.opsgenie_user = Some(format!("u{i}"))
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let (again, _) = State::load(&path);
        for i in 0..20 {
            assert_eq!(
                again.user(&format!("user{i}")).await.opsgenie_user,
                Some(format!("u{i}"))
            );
        }
    }
}
