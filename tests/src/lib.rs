//! Helpers shared by the end-to-end tests in `tests/`.

use std::path::PathBuf;

/// The repository's top folder.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// A file under `hardware/`.
pub fn hardware(name: &str) -> PathBuf {
    repo_root().join("hardware").join(name)
}
