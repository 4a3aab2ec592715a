//! A bad config names the file, the key, and what would be accepted.

use std::path::Path;

use atelier_board::{Bcm, BoardConfig};
use atelier_config::ConfigError;
use atelier_desktop::demo::DemoConfig;
use serde::Deserialize;

/// A machine config as every machine has one: a `[board]` table and pins.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct MachineConfig {
    board: BoardConfig,
    pins: Pins,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Pins {
    step: Bcm,
    dir: Bcm,
}

fn error_of<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
    atelier_config::parse::<T>(text, Path::new("hardware/example.toml"))
        .expect_err("config must be rejected")
        .to_string()
}

#[test]
fn an_unknown_key_is_named_with_the_keys_that_exist() {
    let message = error_of::<MachineConfig>(
        "[board]\nbackend = \"rpi\"\n[pins]\nstep = 5\ndir = 6\nenable = 7\n",
    );
    assert!(
        message.starts_with("hardware/example.toml:6:1: key `pins.enable`"),
        "{message}"
    );
    assert!(
        message.contains("unknown field `enable`, expected `step` or `dir`"),
        "{message}"
    );
}

#[test]
fn a_wrong_type_names_the_key_and_the_type_wanted() {
    let message = error_of::<MachineConfig>("[board]\n[pins]\nstep = \"five\"\ndir = 6\n");
    assert!(
        message.starts_with("hardware/example.toml:3:8: key `pins.step`"),
        "{message}"
    );
    assert!(
        message.contains("invalid type: string \"five\", expected i64"),
        "{message}"
    );
}

#[test]
fn an_out_of_range_pin_says_which_numbers_are_gpios() {
    let message = error_of::<MachineConfig>("[board]\n[pins]\nstep = 40\ndir = 6\n");
    assert!(
        message.starts_with("hardware/example.toml:3:8: key `pins.step`"),
        "{message}"
    );
    assert!(
        message
            .contains("GPIO 40 is not on the Raspberry Pi header: use a BCM number from 0 to 27"),
        "{message}"
    );
    let negative = error_of::<MachineConfig>("[board]\n[pins]\nstep = 5\ndir = -1\n");
    assert!(negative.contains("key `pins.dir`"), "{negative}");
}

#[test]
fn an_unknown_backend_lists_the_backends() {
    let message =
        error_of::<MachineConfig>("[board]\nbackend = \"pi\"\n[pins]\nstep = 5\ndir = 6\n");
    assert!(message.contains("key `board.backend`"), "{message}");
    assert!(
        message.contains("unknown variant `pi`, expected one of `rpi`, `cdev`, `sim`"),
        "{message}"
    );
}

#[test]
fn broken_toml_points_at_the_line() {
    let message = error_of::<MachineConfig>("[board]\nbackend = \n");
    assert!(message.starts_with("hardware/example.toml:2:"), "{message}");
}

#[test]
fn a_missing_file_is_named() {
    let error = atelier_config::load::<DemoConfig>(Path::new("/nonexistent/demo.toml"))
        .expect_err("missing");
    assert!(matches!(error, ConfigError::Read { .. }));
    assert!(
        error
            .to_string()
            .starts_with("cannot read config file /nonexistent/demo.toml:"),
        "{error}"
    );
}

#[test]
fn the_demo_config_checks_its_own_ranges() {
    let text = "[pins]\nbutton = 17\nlight = 27\n[button]\npull = \"up\"\npressed_level = \"low\"\nsettle_ms = 0\n";
    let message = error_of::<DemoConfig>(text);
    assert!(message.contains("key `button.settle_ms`"), "{message}");
    assert!(message.contains("outside 1–500 ms"), "{message}");
    let pull = error_of::<DemoConfig>(
        &text
            .replace("\"up\"", "\"sideways\"")
            .replace("= 0", "= 20"),
    );
    assert!(
        pull.contains("key `button.pull`") && pull.contains("expected one of `none`, `up`, `down`"),
        "{pull}"
    );
}

#[test]
fn the_shipped_configs_are_valid() {
    DemoConfig::load(&atelier_tests::hardware("demo.toml")).expect("hardware/demo.toml");
}
