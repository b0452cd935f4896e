//! A failure found once is written to the regressions file and replayed by the next run.

use std::path::PathBuf;
use std::sync::Mutex;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A crate directory of its own, with a test file in it.
fn scratch_crate(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opsbot-proptest-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).expect("scratch dir");
    std::fs::write(dir.join("tests/props.rs"), "// a test file\n").expect("scratch file");
    dir
}

/// The values a passing one-case run of `any::<u32>()` sees.
fn one_case_run(dir: &std::path::Path) -> Vec<u32> {
    let config = opsbot_proptest::config_for(&dir.to_string_lossy(), "tests/props.rs", 1, None);
    let seen = Mutex::new(Vec::new());
    TestRunner::new(Config { cases: 1, ..config })
        .run(&any::<u32>(), |v| {
            seen.lock().map(|mut s| s.push(v)).ok();
            Ok(())
        })
        .expect("the run passes");
    seen.into_inner().unwrap_or_default()
}

#[test]
fn a_failure_is_persisted_and_replayed_first() {
    if std::env::var_os("PROPTEST_DISABLE_FAILURE_PERSISTENCE").is_some() {
        return;
    }
    let dir = scratch_crate("replay");
    let file = dir.join("proptest-regressions/tests/props.txt");

    // Nothing recorded: one case is one case.
    assert_eq!(one_case_run(&dir).len(), 1);
    assert!(!file.exists());

    // A failing property writes its seed.
    let config = opsbot_proptest::config_for(&dir.to_string_lossy(), "tests/props.rs", 256, None);
    let failed = TestRunner::new(Config {
        cases: 256,
        ..config
    })
    .run(&any::<u32>(), |v| {
        prop_assert!(v < 1000);
        Ok(())
    });
    assert!(failed.is_err(), "256 random u32 are not all below 1000");
    let recorded = std::fs::read_to_string(&file).expect("the regressions file is written");
    assert!(recorded.lines().any(|l| l.starts_with("cc ")), "{recorded}");

    // The next run replays the recorded case before its own: the failing value comes first.
    let seen = one_case_run(&dir);
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen.first().is_some_and(|v| *v >= 1000), "{seen:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
