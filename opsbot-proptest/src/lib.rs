#![doc = include_str!("../README.md")]

use std::path::{Path, PathBuf};

use proptest::test_runner::{Config, FileFailurePersistence, RngAlgorithm, RngSeed};

/// The seed every proptest uses when `CI` is set.
pub const CI_SEED: u64 = 0x0b5b_0c12_2026_0005;

/// The number of cases when a test does not say.
pub const DEFAULT_CASES: u32 = 256;

/// The configuration for the property tests of the source file it is written in.
///
/// `config!()` runs [`DEFAULT_CASES`] cases, `config!(n)` runs `n`. See the crate docs for what it sets.
#[macro_export]
macro_rules! config {
    () => {
        $crate::config!($crate::DEFAULT_CASES)
    };
    ($cases:expr) => {
        $crate::config_for(
            ::core::env!("CARGO_MANIFEST_DIR"),
            ::core::file!(),
            $cases,
            ::std::env::var_os("CI").as_deref(),
        )
    };
}

/// The configuration [`config!`] builds, for a source file (as `file!()` names it) of the crate in
/// `manifest_dir`, given the value of the `CI` variable.
///
/// proptest's own environment variables (`PROPTEST_CASES`, `PROPTEST_RNG_SEED`, ...) are applied last.
pub fn config_for(
    manifest_dir: &str,
    source_file: &str,
    cases: u32,
    ci: Option<&std::ffi::OsStr>,
) -> Config {
    let path = regressions_file(Path::new(manifest_dir), Path::new(source_file));
    // `Direct` takes a `&'static str`; one short path per test function, for the life of a test process.
    let path: &'static str = Box::leak(path.to_string_lossy().into_owned().into_boxed_str());
    let config = Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(path))),
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: if is_ci(ci) {
            RngSeed::Fixed(CI_SEED)
        } else {
            RngSeed::Random
        },
        ..Config::default()
    };
    proptest::test_runner::contextualize_config(config)
}

/// Whether a value of the `CI` variable means "running in CI".
pub fn is_ci(value: Option<&std::ffi::OsStr>) -> bool {
    value
        .and_then(|v| v.to_str())
        .map(str::trim)
        .is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// `<manifest_dir>/proptest-regressions/<source file inside the crate>.txt`.
///
/// `file!()` is relative to the workspace root when cargo builds a workspace member
/// (`campfire-client/tests/props.rs`), relative to the crate for a crate built alone, or absolute: the
/// part inside the crate is the shortest tail of it that names a file of the crate.
pub fn regressions_file(manifest_dir: &Path, source_file: &Path) -> PathBuf {
    let inside = source_file
        .strip_prefix(manifest_dir)
        .ok()
        .map(Path::to_path_buf)
        .or_else(|| {
            let parts: Vec<_> = source_file.components().collect();
            (0..parts.len())
                .rev()
                .map(|start| parts.iter().skip(start).collect::<PathBuf>())
                .find(|tail| manifest_dir.join(tail).is_file())
        })
        .unwrap_or_else(|| {
            source_file
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("unknown"))
        });
    let mut path = manifest_dir.join("proptest-regressions").join(inside);
    path.set_extension("txt");
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn ci_means_any_value_but_empty_zero_and_false() {
        for on in ["true", "1", "TRUE", "yes", " true "] {
            assert!(is_ci(Some(OsStr::new(on))), "{on:?}");
        }
        for off in ["", "0", "false", "False", " "] {
            assert!(!is_ci(Some(OsStr::new(off))), "{off:?}");
        }
        assert!(!is_ci(None));
    }

    #[test]
    fn ci_fixes_the_seed_and_local_runs_search() {
        let dir = env!("CARGO_MANIFEST_DIR");
        let ci = config_for(dir, file!(), 10, Some(OsStr::new("true")));
        let local = config_for(dir, file!(), 10, None);
        // proptest's variables win; only check what they leave alone.
        if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
            assert_eq!(ci.rng_seed, RngSeed::Fixed(CI_SEED));
            assert_eq!(local.rng_seed, RngSeed::Random);
        }
        assert_eq!(ci.rng_algorithm, RngAlgorithm::ChaCha);
        if std::env::var_os("PROPTEST_CASES").is_none() {
            assert_eq!((ci.cases, local.cases), (10, 10));
        }
        assert!(ci.failure_persistence.is_some());
    }

    #[test]
    fn a_fixed_seed_gives_the_same_cases() {
        use proptest::strategy::{Strategy, ValueTree};
        use proptest::test_runner::TestRunner;
        let draw = || {
            let config = config_for(
                env!("CARGO_MANIFEST_DIR"),
                file!(),
                1,
                Some(OsStr::new("1")),
            );
            let mut runner = TestRunner::new(config);
            (0..20)
                .map(|_| {
                    proptest::prelude::any::<u64>()
                        .new_tree(&mut runner)
                        .map(|t| t.current())
                        .unwrap_or_default()
                })
                .collect::<Vec<u64>>()
        };
        if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
            assert_eq!(draw(), draw());
        }
    }

    #[test]
    fn the_regressions_file_mirrors_the_source_file_inside_the_crate() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let expected = dir.join("proptest-regressions/src/lib.txt");
        // As cargo names it in a workspace, as a crate built alone, and absolute.
        for source in [
            PathBuf::from("opsbot-proptest/src/lib.rs"),
            PathBuf::from("src/lib.rs"),
            dir.join("src/lib.rs"),
        ] {
            assert_eq!(regressions_file(dir, &source), expected, "{source:?}");
        }
        assert_eq!(
            regressions_file(dir, Path::new("somewhere/else/odd.rs")),
            dir.join("proptest-regressions/odd.txt")
        );
    }
}
