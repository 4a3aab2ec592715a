//! The real `lantern` binary keeps its edits in the state folder, never in the source tree, and
//! a default build has the Raspberry Pi and Linux backends in it.

use std::path::{Path, PathBuf};
use std::process::Output;

fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("checkout")
}

/// `lantern ARGS…` with its state folder at `state` (and nothing else from the environment
/// that would move it).
fn lantern(state: &Path, args: &[&str]) -> Output {
    atelier_cli::output_of_built(env!("CARGO_BIN_EXE_lantern"), |command| {
        command
            .args(args)
            .current_dir(checkout())
            .env("ATELIER_STATE_DIR", state)
            .env_remove("STATE_DIRECTORY")
            .env_remove("XDG_STATE_HOME")
            .env("RUST_LOG", "warn")
    })
    .expect("lantern starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Everything git would call a change in the checkout, untracked files included.
fn git_status() -> String {
    let output = std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(checkout())
        .output()
        .expect("git runs (the test needs the checkout's git)");
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout)
}

/// The direction `lantern config` shows for `surface`.
fn configured_direction(shown: &str, surface: &str) -> [f64; 3] {
    let config: toml::Table = toml::from_str(shown).expect("config output is TOML");
    let surfaces = config["surfaces"]["surfaces"].as_array().expect("surfaces");
    let entry = surfaces
        .iter()
        .find(|s| s["name"].as_str() == Some(surface))
        .expect("surface listed");
    let direction = entry["direction"].as_array().expect("direction");
    std::array::from_fn(|i| direction[i].as_float().expect("number"))
}

#[test]
fn calibration_writes_the_state_folder_and_leaves_the_checkout_untouched() {
    let state = tempfile::tempdir().expect("temp dir");
    let shipped = checkout().join("hardware/lantern.toml");
    let shipped_before = std::fs::read(&shipped).expect("shipped config");
    let status_before = git_status();
    let before = lantern(state.path(), &["config"]);
    assert!(before.status.success(), "{}", text(&before.stderr));
    let default_wall = configured_direction(&text(&before.stdout), "wall");

    let calibrated = lantern(state.path(), &["calibrate", "wall", "--board", "sim"]);
    assert!(calibrated.status.success(), "{}", text(&calibrated.stderr));
    let edits = state.path().join("lantern/edits.toml");
    assert!(
        text(&calibrated.stdout).contains(&edits.display().to_string()),
        "{}",
        text(&calibrated.stdout)
    );

    assert_eq!(git_status(), status_before, "the checkout changed");
    assert_eq!(std::fs::read(&shipped).expect("read"), shipped_before);
    let overlay = std::fs::read_to_string(&edits).expect("edits in the state folder");
    assert!(overlay.contains("name = \"wall\""), "{overlay}");

    // The next start reads the edit back.
    let after = lantern(state.path(), &["config"]);
    assert!(after.status.success(), "{}", text(&after.stderr));
    let shown = text(&after.stdout);
    assert!(shown.contains("(laid over the defaults)"), "{shown}");
    let wall = configured_direction(&shown, "wall");
    assert_ne!(wall, default_wall);
    // The simulated lamp leans 10° off the wall: the saved direction says so.
    let lean = default_wall
        .iter()
        .zip(wall)
        .map(|(a, b)| a * b)
        .sum::<f64>()
        .clamp(-1.0, 1.0)
        .acos()
        .to_degrees();
    assert!((5.0..15.0).contains(&lean), "{lean}° from the default wall");
}

#[test]
fn a_default_build_opens_real_boards_and_says_what_is_missing() {
    // Constant per build, and that is the point: a build without the features fails here.
    #[allow(clippy::assertions_on_constants)]
    let with_backends = cfg!(feature = "rpi") && cfg!(feature = "cdev");
    assert!(
        with_backends,
        "lantern's default features must include rpi and cdev"
    );
    let state = tempfile::tempdir().expect("temp dir");
    for (board, expected) in [
        ("rpi", "this is not a Raspberry Pi"),
        ("cdev", "gpiochip0 does not exist"),
    ] {
        let output = lantern(state.path(), &["run", "--board", board]);
        let error = text(&output.stderr);
        assert!(!output.status.success(), "--board {board} ran on a PC?");
        assert!(error.contains(expected), "--board {board}: {error}");
        assert!(!error.contains("not built"), "--board {board}: {error}");
    }
}
