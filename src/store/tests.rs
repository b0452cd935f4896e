use super::*;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opsbot-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn campfire(id: u64, name: &str) -> Speaker {
    Speaker::campfire(id, name, 1)
}

#[tokio::test]
async fn settings_persist_keyed_by_adapter_and_id() {
    let path = temp_dir("reload").join("opsbot.db");
    let store = Store::open(&path).unwrap();
    store
        .set_opsgenie_user(&UserId::Campfire(7), "ann@example.com")
        .await
        .unwrap();
    store
        .set_opsgenie_user(&UserId::Shell("7".into()), "shell7@example.com")
        .await
        .unwrap();
    drop(store);
    let again = Store::open(&path).unwrap();
    assert_eq!(
        again
            .settings(&UserId::Campfire(7))
            .await
            .opsgenie_user
            .as_deref(),
        Some("ann@example.com")
    );
    // The same number on another adapter is another user.
    assert_eq!(
        again.settings(&UserId::CampfireClassic(7)).await,
        UserSettings::default()
    );
    assert_eq!(
        again
            .settings(&UserId::Shell("7".into()))
            .await
            .opsgenie_user
            .as_deref(),
        Some("shell7@example.com")
    );
}

#[tokio::test]
async fn a_corrupt_store_is_reported_and_never_overwritten() {
    let dir = temp_dir("corrupt");
    for (name, bytes) in [
        ("json.db", &b"{ \"users\": {} }"[..]),
        ("garbage.db", &b"this is not a database, it is a text file of some length........................................................................................"[..]),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(err.0.contains("is not valid"), "{err}");
        let (store, problem) = Store::open_or_memory(&path);
        assert!(problem.is_some());
        let saved = store.set_opsgenie_user(&UserId::Shell("ann".into()), "ann").await;
        assert!(saved.unwrap_err().contains("not saved"));
        // Remembered for this run, and the file is untouched.
        assert_eq!(
            store.settings(&UserId::Shell("ann".into())).await.opsgenie_user.as_deref(),
            Some("ann")
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name}");
    }
    let err = Store::open(&dir.join("json.db")).unwrap_err();
    assert!(err.0.contains("earlier version"), "{err}");
}

#[tokio::test]
async fn an_unwritable_store_is_reported() {
    let path = temp_dir("unwritable").join("missing-dir").join("opsbot.db");
    let err = Store::open(&path).unwrap_err();
    assert!(err.0.contains("missing-dir"), "{err}");
    assert!(!path.exists());
}

/// Two connections (as two bot processes would have) writing at once: nothing is lost.
#[test]
fn two_writers_at_once_lose_nothing() {
    let path = temp_dir("two-writers").join("opsbot.db");
    Store::open(&path).unwrap();
    const EACH: usize = 200;
    let writers: Vec<_> = (0..2u64)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    // Each writer its own connection, as a separate process has.
                    let store = Store::open(&path).unwrap();
                    for i in 0..EACH {
                        let who = campfire(w * 1000 + i as u64, "writer");
                        store
                            .audit(&who, &format!("genie ack {i}"), "ok: done")
                            .await
                            .unwrap();
                        store
                            .set_opsgenie_user(&who.id, &format!("u{w}-{i}@example.com"))
                            .await
                            .unwrap();
                    }
                })
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.audit_len().await.unwrap(), 2 * EACH as u64);
        for w in 0..2u64 {
            for i in [0, EACH - 1] {
                assert_eq!(
                    store
                        .settings(&UserId::Campfire(w * 1000 + i as u64))
                        .await
                        .opsgenie_user,
                    Some(format!("u{w}-{i}@example.com"))
                );
            }
        }
    });
}

#[tokio::test]
async fn the_json_of_earlier_versions_is_imported_once_for_the_shell_only() {
    let dir = temp_dir("import");
    std::fs::write(
        dir.join(LEGACY_JSON),
        br#"{"users": {"ann": {"opsgenie_user": "ann@example.com"}, "Ada Example": {"opsgenie_user": "ada@example.com"}, "bob": {}}}"#,
    )
    .unwrap();
    let path = dir.join("opsbot.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store
            .settings(&UserId::Shell("ann".into()))
            .await
            .opsgenie_user
            .as_deref(),
        Some("ann@example.com")
    );
    assert_eq!(
        store
            .settings(&UserId::Shell("Ada Example".into()))
            .await
            .opsgenie_user
            .as_deref(),
        Some("ada@example.com")
    );
    // Never for a Campfire user, whatever their name.
    assert_eq!(
        store.settings(&UserId::Campfire(1)).await,
        UserSettings::default()
    );
    // Changed since: a second open does not import again over it.
    store
        .set_opsgenie_user(&UserId::Shell("ann".into()), "ann@new.example.com")
        .await
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store
            .settings(&UserId::Shell("ann".into()))
            .await
            .opsgenie_user
            .as_deref(),
        Some("ann@new.example.com")
    );
    assert!(
        dir.join(LEGACY_JSON).exists(),
        "the old file is left as it was"
    );
}

#[tokio::test]
async fn recent_audit_entries_by_family() {
    let store = Store::in_memory();
    let ada = campfire(4, "Ada Example");
    store
        .audit(
            &ada,
            "status API major",
            "ok: Status for API is now major outage",
        )
        .await
        .unwrap();
    store
        .audit(&ada, "genie ack 1", "failed: Opsgenie failed")
        .await
        .unwrap();
    store
        .audit(
            &Speaker::shell("ann"),
            "status resolve",
            "refused: not an operator",
        )
        .await
        .unwrap();
    let status = store.recent("status", 10).await.unwrap();
    assert_eq!(status.len(), 2);
    assert_eq!(status[0].command, "status API major");
    assert_eq!(status[0].user_id, "4");
    assert_eq!(status[0].room.as_deref(), Some("1"));
    assert_eq!(status[1].adapter, "shell");
    assert_eq!(store.recent("genie", 10).await.unwrap().len(), 1);
    assert_eq!(
        store.recent("status", 1).await.unwrap()[0].command,
        "status resolve"
    );
}
