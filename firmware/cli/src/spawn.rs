//! Starting one of Atelier's own binaries from a test, on this machine or under qemu-user.
//!
//! The suite also runs cross-compiled for the Pi under qemu-user (`cargo test --target
//! aarch64-unknown-linux-gnu`). A test running there that starts the binary it was built with
//! hands the kernel an ARM program it cannot run (no binfmt handler is assumed), so the start
//! fails with "exec format error". Then the same program is started under qemu-user, as cargo
//! started the test itself. On a real Pi, and for native builds, the program runs directly.

use std::ffi::OsStr;
use std::io;
use std::process::{Child, Command};

/// The qemu-user program and its sysroot for this build's target.
fn emulator() -> Option<(&'static str, &'static str)> {
    if cfg!(target_arch = "aarch64") {
        Some(("qemu-aarch64", "/usr/aarch64-linux-gnu"))
    } else if cfg!(target_arch = "arm") {
        Some(("qemu-arm", "/usr/arm-linux-gnueabihf"))
    } else {
        None
    }
}

/// Starts `program` with what `configure` sets (arguments, environment, pipes). Exec format
/// errors are retried under qemu-user when this build's architecture has one.
pub fn spawn_built(
    program: impl AsRef<OsStr>,
    configure: impl Fn(&mut Command) -> &mut Command,
) -> io::Result<Child> {
    let program = program.as_ref();
    match configure(&mut Command::new(program)).spawn() {
        // ENOEXEC: the kernel does not know this program's format.
        Err(error) if error.raw_os_error() == Some(8) => {
            let Some((qemu, sysroot)) = emulator() else {
                return Err(error);
            };
            let mut command = Command::new(qemu);
            command.arg("-L").arg(sysroot).arg(program);
            configure(&mut command).spawn()
        }
        other => other,
    }
}

/// [`spawn_built`], waited for, with its output collected (set pipes in `configure`).
pub fn output_of_built(
    program: impl AsRef<OsStr>,
    configure: impl Fn(&mut Command) -> &mut Command,
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
    fn a_program_runs_with_its_arguments_and_environment() {
        let output = output_of_built("/bin/sh", |c| {
            c.args(["-c", "echo \"$1 $GREETING\"", "sh", "hello"])
                .env("GREETING", "lamp")
        })
        .expect("sh runs");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "hello lamp\n");
    }

    #[test]
    fn a_missing_program_is_an_error_not_a_retry() {
        let error = output_of_built("/nonexistent/program", |c| c).expect_err("missing");
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }
}
