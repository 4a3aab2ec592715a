//! What every Atelier binary does the same way.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Logs to standard error with tracing; `RUST_LOG` overrides the default level `info`.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
}

/// Runs a binary's body: success exits 0; an error prints one line with its whole chain of
/// causes and exits 1. No backtrace: these are the user's errors (a config, a path, a device),
/// not the program's.
pub fn run(body: impl FnOnce() -> anyhow::Result<()>) -> ExitCode {
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `path` as given when it exists (or is absolute); otherwise the file of that name in the source
/// tree whose crate is at `manifest_dir`, so `hardware/…` defaults work from any folder when run
/// with cargo. Pass `env!("CARGO_MANIFEST_DIR")` of a crate two levels below the top.
pub fn find_in_tree(path: &Path, manifest_dir: &str) -> PathBuf {
    if path.exists() || path.is_absolute() {
        return path.to_owned();
    }
    let in_tree = PathBuf::from(manifest_dir).join("../..").join(path);
    if in_tree.exists() {
        in_tree
    } else {
        path.to_owned()
    }
}

/// Writes `text` and a newline to standard output. A reader that went away (`| head`) ends the
/// output quietly instead of panicking as `println!` does.
pub fn print_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A seed for when the user gave none: the clock's nanoseconds, different on every run. Callers
/// print and save it so the run can be repeated.
pub fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shipped_file_is_found_from_another_folder() {
        let found = find_in_tree(Path::new("hardware/demo.toml"), env!("CARGO_MANIFEST_DIR"));
        assert!(
            found.ends_with("hardware/demo.toml") && found.exists(),
            "{}",
            found.display()
        );
        let missing = find_in_tree(
            Path::new("hardware/nothing.toml"),
            env!("CARGO_MANIFEST_DIR"),
        );
        assert_eq!(missing, Path::new("hardware/nothing.toml"));
    }

    #[test]
    fn errors_become_a_failing_exit_code() {
        assert_eq!(run(|| Ok(())), ExitCode::SUCCESS);
        assert_eq!(run(|| anyhow::bail!("no")), ExitCode::FAILURE);
    }
}
