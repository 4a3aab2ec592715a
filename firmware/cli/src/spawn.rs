//! Starting one of Atelier's own binaries from a test, on this machine or under qemu-user.
//!
//! The suite also runs cross-compiled for the Pi under qemu-user (`cargo test --target
//! aarch64-unknown-linux-gnu`). A test running there that starts the binary it was built with
//! hands the kernel an ARM program it cannot run, and under qemu that failure does not even
//! come back as an error (the child just exits 127). So the runner in `.cargo/config.toml` says
//! how it runs programs, in `ATELIER_TEST_RUNNER` (`qemu-aarch64 -L /usr/aarch64-linux-gnu`),
//! and programs started here go through the same runner. On a Pi, and for native builds, the
//! variable is unset and the program runs directly.

use std::ffi::OsStr;
use std::io;
use std::process::{Child, Command};

/// The command that starts `program` through `runner` (a program and its arguments, or
/// nothing).
fn command_for(program: &OsStr, runner: &str) -> Command {
    let mut words = runner.split_whitespace();
    match words.next() {
        Some(first) => {
            let mut command = Command::new(first);
            command.args(words).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// Starts `program` with what `configure` sets (arguments, environment, pipes).
pub fn spawn_built(
    program: impl AsRef<OsStr>,
    configure: impl FnOnce(&mut Command) -> &mut Command,
) -> io::Result<Child> {
    let runner = std::env::var("ATELIER_TEST_RUNNER").unwrap_or_default();
    configure(&mut command_for(program.as_ref(), &runner)).spawn()
}

/// [`spawn_built`], waited for, with its output collected.
pub fn output_of_built(
    program: impl AsRef<OsStr>,
    configure: impl FnOnce(&mut Command) -> &mut Command,
) -> io::Result<std::process::Output> {
    spawn_built(program, |command| {
        configure(command)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
    })?
    .wait_with_output()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_goes_through_the_runner_when_there_is_one() {
        let words = |command: &Command| {
            std::iter::once(command.get_program())
                .chain(command.get_args())
                .map(|w| w.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        let program = OsStr::new("/build/lantern");
        assert_eq!(words(&command_for(program, "")), ["/build/lantern"]);
        assert_eq!(
            words(&command_for(
                program,
                " qemu-aarch64 -L /usr/aarch64-linux-gnu "
            )),
            [
                "qemu-aarch64",
                "-L",
                "/usr/aarch64-linux-gnu",
                "/build/lantern"
            ]
        );
    }

    #[test]
    fn a_missing_program_does_not_succeed() {
        // Directly it is an error; through qemu-user, qemu's own failure.
        let outcome = output_of_built("/nonexistent/program", |c| c);
        assert!(outcome.is_err() || outcome.is_ok_and(|o| !o.status.success()));
    }
}
