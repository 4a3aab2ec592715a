//! The machine's config: hardware/comic.toml.

use std::path::PathBuf;

use atelier_board::{Bcm, BoardConfig, PortSpec, Pull};
use atelier_config::{Check, ConfigError, Places, Problem};
use serde::Deserialize;

use crate::profile::PrinterProfile;
use crate::raster::Binarisation;

/// Everything about one comic robot: wiring, printer, and what goes on each comic.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComicConfig {
    /// Which backend drives the pins.
    #[serde(default)]
    pub board: BoardConfig,
    /// Which GPIO is which.
    pub pins: Pins,
    /// The thermal printer.
    pub printer: Printer,
    /// What goes on each comic and where it is kept.
    pub comic: Comic,
    /// How `comic run` behaves: queue, button hold, retries.
    #[serde(default)]
    pub robot: RobotSettings,
    /// The robot's page, served by `comic run`.
    #[serde(default)]
    pub page: PageSettings,
}

/// The `[page]` table: the page `comic run` serves to phones on the network.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PageSettings {
    /// Serve the page at all.
    pub enabled: bool,
    /// The address to listen on: `0.0.0.0` for every network the robot is on, `127.0.0.1` for
    /// this machine only.
    pub bind: String,
    /// The TCP port.
    pub port: u16,
    /// The robot's network name, announced over mDNS as `NAME.local`.
    pub hostname: String,
    /// Let anyone on the network watch the robot and its archive without pairing. Pressing and
    /// reprinting always need pairing.
    pub open_read: bool,
}

impl Default for PageSettings {
    fn default() -> Self {
        PageSettings {
            enabled: true,
            bind: "0.0.0.0".into(),
            port: 8081,
            hostname: "comic".into(),
            open_read: false,
        }
    }
}

/// The `[robot]` table: the daemon's behaviour. Every key has a default.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RobotSettings {
    /// Presses that may wait for the printer, the one printing included; a press beyond is
    /// refused, shown on the LEDs and logged.
    pub queue_limit: usize,
    /// How long the button contact must be still before a change counts, ms.
    pub settle_ms: u64,
    /// Holding the button this long asks for `shutdown_command` once the current comic is
    /// printed, seconds (0 turns it off).
    pub hold_to_shut_down_s: f64,
    /// The program and arguments that shut the machine down.
    pub shutdown_command: Vec<String>,
    /// The first wait before a stopped printer is tried again, seconds; doubled each time.
    pub retry_first_s: f64,
    /// The longest wait between tries, seconds.
    pub retry_max_s: f64,
}

impl Default for RobotSettings {
    fn default() -> Self {
        RobotSettings {
            queue_limit: 5,
            settle_ms: 20,
            hold_to_shut_down_s: 5.0,
            shutdown_command: vec!["systemctl".into(), "poweroff".into()],
            retry_first_s: 1.0,
            retry_max_s: 30.0,
        }
    }
}

/// The `[pins]` table (BCM numbers).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pins {
    /// The "make a comic" push button.
    pub button: Bcm,
    /// Its pull resistor (`up` for a button to ground).
    #[serde(default = "Pins::default_pull")]
    pub button_pull: Pull,
    /// Lit while the robot is ready for a press.
    pub ready_led: Bcm,
    /// Lit while a comic is being made and printed.
    pub busy_led: Bcm,
    /// Blinks while something needs a person (paper out, printer unplugged).
    pub error_led: Bcm,
}

impl Pins {
    fn default_pull() -> Pull {
        Pull::Up
    }
}

/// The `[printer]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Printer {
    /// Where it is: `/dev/usb/lp0`, `serial:/dev/serial0@19200`, `tcp:HOST:9100`, `file:PATH`.
    pub port: PortSpec,
    /// A built-in profile's name (see `comic::profile`), or a path to a profile TOML.
    pub profile: String,
    /// How grey turns into dots; defaults to Atkinson (see `Binarisation`'s docs for why).
    #[serde(default)]
    pub binarisation: Binarisation,
}

/// The `[comic]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comic {
    /// Printed in every footer (the show, the party, the shop).
    pub event: String,
    /// The grids and art: a folder holding grids/*.png and art/art.toml. A relative path is
    /// taken from the config file's folder.
    pub library: PathBuf,
    /// Only art of this theme (any art when left out).
    #[serde(default)]
    pub theme: Option<String>,
    /// Width of the archived comic on paper, mm; art sizes in art.toml are measured on it.
    #[serde(default = "Comic::default_page_width_mm")]
    pub page_width_mm: f64,
    /// Where the high-resolution PNGs and their JSON sidecars are kept.
    pub archive_dir: PathBuf,
    /// Resolution of the archived PNG.
    #[serde(default = "Comic::default_archive_dpi")]
    pub archive_dpi: u32,
}

impl Comic {
    fn default_archive_dpi() -> u32 {
        300
    }

    fn default_page_width_mm() -> f64 {
        100.0
    }
}

impl ComicConfig {
    /// Reads and checks a comic robot's config with its edits; a relative library is taken
    /// from the assets folder, a relative archive from the state folder.
    pub fn load(places: &Places) -> Result<ComicConfig, ConfigError> {
        let mut loaded: ComicConfig = places.load()?;
        loaded.comic.library = places.in_assets(&loaded.comic.library);
        loaded.comic.archive_dir = places.in_state(&loaded.comic.archive_dir);
        Ok(loaded)
    }

    /// The size comics are composed and archived at.
    pub fn page_size(&self) -> crate::library::PageSize {
        crate::library::PageSize {
            width_mm: self.comic.page_width_mm,
            dpi: self.comic.archive_dpi,
        }
    }
}

impl Check for ComicConfig {
    /// Checks what TOML types cannot: distinct pins, a known profile, a sensible resolution.
    fn check(&self) -> Result<(), Problem> {
        let fail = |key: &str, message: String| Err(Problem::new(key, message));
        let pins = [
            ("pins.button", self.pins.button),
            ("pins.ready_led", self.pins.ready_led),
            ("pins.busy_led", self.pins.busy_led),
            ("pins.error_led", self.pins.error_led),
        ];
        if let Err(clash) = atelier_board::check_distinct(pins) {
            return fail(&clash.key, clash.to_string());
        }
        if !self.printer.profile.ends_with(".toml")
            && let Err(error) = PrinterProfile::builtin_named(&self.printer.profile)
        {
            return fail("printer.profile", error.to_string());
        }
        let robot = &self.robot;
        if !(1..=100).contains(&robot.queue_limit) {
            return fail(
                "robot.queue_limit",
                format!("{} is outside 1–100 comics", robot.queue_limit),
            );
        }
        if !(1..=1000).contains(&robot.settle_ms) {
            return fail(
                "robot.settle_ms",
                format!("{} is outside 1–1000 ms", robot.settle_ms),
            );
        }
        if !(robot.hold_to_shut_down_s == 0.0 || (1.0..=60.0).contains(&robot.hold_to_shut_down_s))
        {
            return fail(
                "robot.hold_to_shut_down_s",
                format!(
                    "{} is not accepted: 0 (off) or 1–60 s",
                    robot.hold_to_shut_down_s
                ),
            );
        }
        if robot
            .shutdown_command
            .first()
            .is_none_or(|program| program.is_empty())
        {
            return fail(
                "robot.shutdown_command",
                "must name a program, such as [\"systemctl\", \"poweroff\"]".to_owned(),
            );
        }
        if !(0.1..=3600.0).contains(&robot.retry_first_s)
            || !(robot.retry_first_s..=3600.0).contains(&robot.retry_max_s)
        {
            return fail(
                "robot.retry_max_s",
                format!(
                    "retries from {} s up to {} s are not accepted: 0.1 s ≤ first ≤ max ≤ 3600 s",
                    robot.retry_first_s, robot.retry_max_s
                ),
            );
        }
        if !(20.0..=600.0).contains(&self.comic.page_width_mm) {
            return fail(
                "comic.page_width_mm",
                format!("{} is outside 20–600 mm", self.comic.page_width_mm),
            );
        }
        if !(72..=1200).contains(&self.comic.archive_dpi) {
            return fail(
                "comic.archive_dpi",
                format!("{} is outside 72–1200 dpi", self.comic.archive_dpi),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn shipped() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../hardware/comic.toml")
    }

    #[test]
    fn the_shipped_config_is_valid_and_finds_its_library_in_the_assets() {
        let mut surroundings = atelier_config::Surroundings::default();
        surroundings
            .checkout(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .set("ATELIER_STATE_DIR", "/tmp/state");
        let places = Places::resolve("comic", None, &surroundings);
        let config = ComicConfig::load(&places).expect("hardware/comic.toml");
        assert!(
            config.comic.library.join("art/art.toml").exists(),
            "{:?}",
            config.comic.library
        );
        assert_eq!(
            config.comic.archive_dir,
            Path::new("/tmp/state/comic/archive")
        );
        assert_eq!(config.pins.button.number(), 5);
        assert_eq!(config.printer.binarisation, Binarisation::Atkinson);
    }

    #[test]
    fn a_pin_used_twice_and_an_unknown_profile_are_named() {
        let text = std::fs::read_to_string(shipped()).expect("read");
        let twice = text.replace("busy_led = 27", "busy_led = 4");
        let error = atelier_config::parse_checked::<ComicConfig>(&twice, Path::new("comic.toml"))
            .expect_err("GPIO4 twice")
            .to_string();
        assert_eq!(
            error,
            "comic.toml:13:1: key `pins.busy_led`: GPIO4 is already used by `pins.ready_led`"
        );

        let unknown = text.replace("profile = \"csn-a2-ttl\"", "profile = \"tm-t1000\"");
        let error = atelier_config::parse_checked::<ComicConfig>(&unknown, Path::new("comic.toml"))
            .expect_err("unknown profile")
            .to_string();
        assert!(
            error.starts_with("comic.toml:21:1: key `printer.profile`:"),
            "{error}"
        );
        assert!(error.contains("generic-58mm-usb"), "{error}");
    }

    #[test]
    fn an_unknown_key_is_named() {
        let text =
            std::fs::read_to_string(shipped()).expect("read") + "\n[extras]\nconfetti = true\n";
        let error = atelier_config::parse::<ComicConfig>(&text, Path::new("comic.toml"))
            .expect_err("unknown table")
            .to_string();
        assert!(error.contains("unknown field `extras`"), "{error}");
    }
}
