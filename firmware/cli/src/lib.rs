//! What every Atelier binary does the same way.

use std::process::ExitCode;

mod spawn;

pub use spawn::{output_of_built, spawn_built};

/// Logs to standard error with tracing; `RUST_LOG` overrides the default level `info`.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal: the journal and log files get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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
    fn errors_become_a_failing_exit_code() {
        assert_eq!(run(|| Ok(())), ExitCode::SUCCESS);
        assert_eq!(run(|| anyhow::bail!("no")), ExitCode::FAILURE);
    }
}
