//! The machine's config: hardware/lantern.toml.

use std::path::{Path, PathBuf};

use atelier_board::BoardConfig;
use atelier_config::{Check, ConfigError, Problem};
use serde::Deserialize;

use crate::apps::{
    AppSettings, CalendarSettings, ClockSettings, InfoSettings, LampSettings, MessageSettings,
    NowPlayingSettings, Zone,
};
use crate::render::{Orientation, Rotation};
use crate::surface;

/// Everything about one lamp: the board, the accelerometer, the surfaces it tells apart, the
/// display, where it stands, and the app on each surface.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanternConfig {
    /// Which backend drives the bus.
    #[serde(default)]
    pub board: BoardConfig,
    /// The accelerometer.
    pub sensor: Sensor,
    /// The surface classifier and the surfaces.
    #[serde(default)]
    pub surfaces: surface::Config,
    /// The lamp's name and pairing code.
    #[serde(default)]
    pub lamp: Identity,
    /// The projector.
    #[serde(default)]
    pub display: Display,
    /// Where the lamp is: time zone, and latitude/longitude for the sky.
    #[serde(default)]
    pub location: Location,
    /// Which app each surface shows. A surface without one stays dark.
    #[serde(default)]
    pub apps: Vec<AppAssignment>,
    /// The companion page the lamp serves.
    #[serde(default)]
    pub companion: Companion,
}

/// The `[companion]` table: the page phones use to choose the apps.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Companion {
    /// Serve the page at all.
    pub enabled: bool,
    /// The address to listen on: `0.0.0.0` for every network the lamp is on, `127.0.0.1` for
    /// this machine only.
    pub bind: String,
    /// The TCP port.
    pub port: u16,
    /// The lamp's network name, announced over mDNS as `NAME.local`.
    pub hostname: String,
    /// Let anyone on the network see the lamp's state and preview without pairing (the preview
    /// shows calendar entries: off by default). Changes always need pairing.
    pub open_read: bool,
}

impl Default for Companion {
    fn default() -> Self {
        Companion {
            enabled: true,
            bind: "0.0.0.0".into(),
            port: 8080,
            hostname: "lantern".into(),
            open_read: false,
        }
    }
}

/// The `[lamp]` table.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Identity {
    /// Shown by the `info` app and the companion page.
    pub name: String,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            name: "Lantern".into(),
        }
    }
}

/// Where frames go.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Output {
    /// A Linux framebuffer device: `"fb:/dev/fb0"`.
    Framebuffer(PathBuf),
    /// PNG files in a folder: `"png:/tmp/lantern"` (for a lamp without a projector).
    Png(PathBuf),
    /// The simulator's projector: `"sim"`.
    Sim,
}

impl TryFrom<String> for Output {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        if text == "sim" {
            return Ok(Output::Sim);
        }
        match text.split_once(':') {
            Some(("fb", path)) if !path.is_empty() => Ok(Output::Framebuffer(path.into())),
            Some(("png", path)) if !path.is_empty() => Ok(Output::Png(path.into())),
            _ => Err(format!(
                "output {text:?} is not accepted: expected \"fb:/dev/fb0\", \"png:DIR\" or \"sim\""
            )),
        }
    }
}

/// The `[display]` table.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Display {
    /// Where frames go.
    pub output: Output,
    /// Picture width, pixels.
    pub width: u32,
    /// Picture height, pixels.
    pub height: u32,
    /// Frames per second.
    pub fps: u32,
    /// Crossfade between surfaces' apps, ms (0: cut).
    pub crossfade_ms: u64,
    /// Brightness while the lamp is moved or points between surfaces (0–1).
    pub moving_dim: f32,
}

impl Default for Display {
    fn default() -> Self {
        Display {
            output: Output::Framebuffer("/dev/fb0".into()),
            width: 1280,
            height: 720,
            fps: 30,
            crossfade_ms: 600,
            moving_dim: 0.3,
        }
    }
}

/// The `[location]` table.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Location {
    /// Degrees, north positive.
    pub latitude: f64,
    /// Degrees, east positive.
    pub longitude: f64,
    /// IANA name (`"Europe/London"`) or offset (`"+01:00"`): clocks and calendars.
    pub timezone: Zone,
}

impl Default for Location {
    fn default() -> Self {
        Location {
            latitude: 51.4779,
            longitude: 0.0,
            timezone: Zone::default(),
        }
    }
}

/// One `[[apps]]` table: a surface, how its picture is turned, and exactly one app table.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppAssignment {
    /// The surface's name (from `[[surfaces.surfaces]]`).
    pub surface: String,
    /// 0, 90, 180 or 270 degrees clockwise.
    #[serde(default)]
    pub rotation: Rotation,
    /// Flip left to right after turning.
    #[serde(default)]
    pub mirror: bool,
    /// `[apps.clock]`.
    pub clock: Option<ClockSettings>,
    /// `[apps.calendar]`.
    pub calendar: Option<CalendarSettings>,
    /// `[apps.now-playing]`.
    #[serde(rename = "now-playing")]
    pub now_playing: Option<NowPlayingSettings>,
    /// `[apps.lamp]`.
    pub lamp: Option<LampSettings>,
    /// `[apps.message]`.
    pub message: Option<MessageSettings>,
    /// `[apps.info]`.
    pub info: Option<InfoSettings>,
    /// `[apps.blank]`.
    pub blank: Option<crate::apps::BlankSettings>,
    /// `[apps.space-porthole]`.
    #[serde(rename = "space-porthole")]
    pub space_porthole: Option<crate::apps::PortholeSettings>,
}

impl AppAssignment {
    /// The app tables present.
    fn all(&self) -> Vec<AppSettings> {
        let mut all = Vec::new();
        all.extend(self.clock.clone().map(AppSettings::Clock));
        all.extend(self.calendar.clone().map(AppSettings::Calendar));
        all.extend(self.now_playing.clone().map(AppSettings::NowPlaying));
        all.extend(self.lamp.clone().map(AppSettings::Lamp));
        all.extend(self.message.clone().map(AppSettings::Message));
        all.extend(self.info.clone().map(AppSettings::Info));
        all.extend(self.blank.clone().map(AppSettings::Blank));
        all.extend(self.space_porthole.clone().map(AppSettings::SpacePorthole));
        all
    }

    /// The one app this table names (checked by [`Check`]; blank if none).
    pub fn settings(&self) -> AppSettings {
        self.all()
            .into_iter()
            .next()
            .unwrap_or(AppSettings::Blank(crate::apps::BlankSettings::default()))
    }

    /// Rotation and mirroring.
    pub fn orientation(&self) -> Orientation {
        Orientation {
            rotation: self.rotation,
            mirror: self.mirror,
        }
    }
}

/// The `[sensor]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sensor {
    /// The I2C bus (`/dev/i2c-1` is the header's SDA/SCL on every Pi).
    #[serde(default = "Sensor::default_bus")]
    pub i2c_bus: u8,
    /// How often to read it, Hz (25–100: the classifier filters over ~200 ms).
    #[serde(default = "Sensor::default_rate")]
    pub rate_hz: u32,
}

impl Sensor {
    fn default_bus() -> u8 {
        1
    }
    fn default_rate() -> u32 {
        50
    }
}

/// Points surface `name` along `direction` in a lamp's config edits: the entry of that name in
/// `[[surfaces.surfaces]]` is updated, or a new one appended. The overlay's list replaces the
/// defaults' whole, so it starts as a copy of the defaults' (comments kept, `toml_edit`).
pub fn calibrate_surface(
    edits: &mut toml_edit::DocumentMut,
    defaults: &toml_edit::DocumentMut,
    name: &str,
    direction: [f32; 3],
) -> Result<(), Problem> {
    let rounded = |v: f32| (f64::from(v) * 10_000.0).round() / 10_000.0;
    let mut array = toml_edit::Array::new();
    for v in direction {
        array.push(rounded(v));
    }
    let key = "surfaces.surfaces";
    let not_a_list = || Problem::new(key, "is not an array of tables ([[surfaces.surfaces]])");
    let list = match atelier_config::copy_from_defaults(edits, defaults, key) {
        Some(item) => item.as_array_of_tables_mut().ok_or_else(not_a_list)?,
        None => {
            let surfaces = edits
                .entry("surfaces")
                .or_insert_with(toml_edit::table)
                .as_table_mut()
                .ok_or_else(|| Problem::new("surfaces", "is not a table"))?;
            surfaces["surfaces"] = toml_edit::Item::ArrayOfTables(Default::default());
            surfaces["surfaces"]
                .as_array_of_tables_mut()
                .ok_or_else(not_a_list)?
        }
    };
    let existing = list
        .iter_mut()
        .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(name));
    match existing {
        Some(table) => {
            table["direction"] = toml_edit::value(array);
        }
        None => {
            let mut table = toml_edit::Table::new();
            table["name"] = toml_edit::value(name);
            table["direction"] = toml_edit::value(array);
            list.push(table);
        }
    }
    Ok(())
}

impl LanternConfig {
    /// Reads and checks one lamp config file (the shell reads the defaults with their edits
    /// through [`atelier_config::Places::load`]).
    pub fn load(path: &Path) -> Result<LanternConfig, ConfigError> {
        atelier_config::load_checked(path)
    }
}

impl Check for LanternConfig {
    /// Checks what TOML types cannot.
    fn check(&self) -> Result<(), Problem> {
        if !(1..=400).contains(&self.sensor.rate_hz) {
            return Err(Problem::new(
                "sensor.rate_hz",
                format!(
                    "{} Hz is outside 1–400 Hz (25–100 suits a lamp)",
                    self.sensor.rate_hz
                ),
            ));
        }
        self.surfaces.validate().map_err(|error| {
            Problem::new(
                format!("surfaces.{}", error.field),
                format!("{} is not accepted: {}", error.value, error.expected),
            )
        })?;
        let display = &self.display;
        if !(16..=7680).contains(&display.width) || !(16..=4320).contains(&display.height) {
            return Err(Problem::new(
                "display.width",
                format!(
                    "{}×{} is not accepted: expected 16–7680 × 16–4320 pixels",
                    display.width, display.height
                ),
            ));
        }
        if !(1..=120).contains(&display.fps) {
            return Err(Problem::new(
                "display.fps",
                format!(
                    "{} is not accepted: expected 1–120 frames per second",
                    display.fps
                ),
            ));
        }
        if display.crossfade_ms > 10_000 {
            return Err(Problem::new(
                "display.crossfade_ms",
                format!(
                    "{} ms is not accepted: expected 0–10000",
                    display.crossfade_ms
                ),
            ));
        }
        if !(0.0..=1.0).contains(&display.moving_dim) {
            return Err(Problem::new(
                "display.moving_dim",
                format!("{} is not accepted: expected 0–1", display.moving_dim),
            ));
        }
        if !(-90.0..=90.0).contains(&self.location.latitude) {
            return Err(Problem::new(
                "location.latitude",
                format!(
                    "{} is not accepted: expected −90 to 90 degrees",
                    self.location.latitude
                ),
            ));
        }
        if !(-180.0..=180.0).contains(&self.location.longitude) {
            return Err(Problem::new(
                "location.longitude",
                format!(
                    "{} is not accepted: expected −180 to 180 degrees",
                    self.location.longitude
                ),
            ));
        }
        if self.companion.bind.parse::<std::net::IpAddr>().is_err() {
            return Err(Problem::new(
                "companion.bind",
                format!(
                    "{:?} is not accepted: expected an IP address such as \"0.0.0.0\" or \"127.0.0.1\"",
                    self.companion.bind
                ),
            ));
        }
        let host = &self.companion.hostname;
        if host.is_empty()
            || host.len() > 63
            || !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            || host.starts_with('-')
        {
            return Err(Problem::new(
                "companion.hostname",
                format!("{host:?} is not accepted: expected letters, digits and '-' (at most 63)"),
            ));
        }
        let names: Vec<&str> = self
            .surfaces
            .surfaces
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        for (i, assignment) in self.apps.iter().enumerate() {
            if !names.contains(&assignment.surface.as_str()) {
                return Err(Problem::new(
                    format!("apps[{i}].surface"),
                    format!(
                        "{:?} is not a surface of this lamp: expected one of {}",
                        assignment.surface,
                        names.join(", ")
                    ),
                ));
            }
            if self.apps[..i]
                .iter()
                .any(|a| a.surface == assignment.surface)
            {
                return Err(Problem::new(
                    format!("apps[{i}].surface"),
                    format!("{:?} already has an app", assignment.surface),
                ));
            }
            let count = assignment.all().len();
            if count != 1 {
                return Err(Problem::new(
                    format!("apps[{i}]"),
                    format!(
                        "{count} app tables given: expected exactly one of {}",
                        AppSettings::NAMES.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> String {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../hardware/lantern.toml"
        ))
        .expect("hardware/lantern.toml")
    }

    fn parse(text: &str) -> Result<LanternConfig, ConfigError> {
        atelier_config::parse_checked(text, Path::new("lantern.toml"))
    }

    #[test]
    fn the_shipped_config_is_valid_and_lists_the_default_surfaces() {
        let config = parse(&shipped()).expect("valid");
        let names: Vec<_> = config
            .surfaces
            .surfaces
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["ceiling", "wall", "table"]);
        assert_eq!(config.sensor.i2c_bus, 1);
    }

    #[test]
    fn classifier_errors_name_the_surfaces_key() {
        let text = shipped().replace("exit_deg = 50.0", "exit_deg = 20.0");
        let error = parse(&text).expect_err("exit inside enter").to_string();
        assert!(
            error.starts_with(
                "lantern.toml:17:1: key `surfaces.exit_deg`: 20.0 is not accepted: expected an angle"
            ),
            "{error}"
        );
        let rate = parse(&shipped().replace("rate_hz = 50", "rate_hz = 0"))
            .expect_err("0 Hz")
            .to_string();
        assert!(rate.contains("key `sensor.rate_hz`"), "{rate}");
    }

    #[test]
    fn calibration_edits_the_overlay_and_keeps_the_defaults() {
        let folder = tempfile::tempdir().expect("temp dir");
        let defaults = folder.path().join("lantern.toml");
        std::fs::write(&defaults, shipped()).expect("write");
        let places = atelier_config::Places::find("lantern", Some(&defaults))
            .with_state(folder.path().join("state"));
        let calibrate = |name: &str, direction| {
            places.edit::<LanternConfig>(|edits, defaults| {
                calibrate_surface(edits, defaults, name, direction)
            })
        };
        let config = calibrate("wall", [0.1, -0.99, 0.05]).expect("edits");
        let wall = &config.surfaces.surfaces[1];
        assert_eq!(
            (wall.name.as_str(), wall.direction),
            ("wall", [0.1, -0.99, 0.05])
        );
        assert_eq!(config.surfaces.surfaces[0].direction, [0.0, 0.0, -1.0]);
        let overlay = std::fs::read_to_string(&places.edits).expect("overlay");
        assert!(
            overlay.contains("# Gravity's direction in the sensor frame"),
            "{overlay}"
        );
        assert_eq!(std::fs::read_to_string(&defaults).expect("read"), shipped());

        let config = calibrate("desk", [0.5, 0.0, 0.866]).expect("adds");
        assert_eq!(config.surfaces.surfaces.len(), 4);
        assert_eq!(config.surfaces.surfaces[3].name, "desk");
        assert_eq!(config.surfaces.surfaces[1].direction, [0.1, -0.99, 0.05]);

        std::fs::write(&places.edits, "surfaces = 3\n").expect("write");
        let error = calibrate("a", [0.0, 0.0, 1.0]).expect_err("not a list");
        assert!(error.to_string().contains("surfaces"), "{error}");
        assert_eq!(
            std::fs::read_to_string(&places.edits).expect("kept"),
            "surfaces = 3\n"
        );
    }

    #[test]
    fn the_shipped_config_assigns_apps_and_a_display() {
        let config = parse(&shipped()).expect("valid");
        let apps: Vec<_> = config
            .apps
            .iter()
            .map(|a| (a.surface.as_str(), a.settings().name()))
            .collect();
        assert_eq!(
            apps,
            [
                ("ceiling", "space-porthole"),
                ("wall", "calendar"),
                ("table", "clock")
            ]
        );
        assert_eq!(
            config.display.output,
            Output::Framebuffer("/dev/fb0".into())
        );
        assert_eq!(config.apps[0].orientation(), Orientation::default());
        let turned = parse(&shipped().replace("rotation = 0", "rotation = 270"))
            .expect("valid")
            .apps[0]
            .orientation();
        assert_eq!(turned.rotation, Rotation::R270);
    }

    #[test]
    fn display_and_app_errors_name_file_line_and_key() {
        let error = parse(&shipped().replace("fps = 30", "fps = 0"))
            .expect_err("0 fps")
            .to_string();
        assert!(error.contains("key `display.fps`"), "{error}");
        let error = parse(&shipped().replace("output = \"fb:/dev/fb0\"", "output = \"hdmi\""))
            .expect_err("bad output")
            .to_string();
        assert!(
            error.starts_with("lantern.toml:") && error.contains("key `display.output`"),
            "{error}"
        );
        assert!(error.contains("fb:/dev/fb0"), "{error}");
        let error = parse(&shipped().replace("style = \"analog\"", "style = \"sundial\""))
            .expect_err("bad style")
            .to_string();
        let line = shipped()
            .lines()
            .position(|l| l.contains("style = \"analog\""))
            .expect("in the file")
            + 1;
        assert!(
            error.starts_with(&format!("lantern.toml:{line}:"))
                && error.contains("apps[2].clock.style"),
            "{error}"
        );
        let error = parse(&shipped().replace("surface = \"wall\"", "surface = \"floor\""))
            .expect_err("unknown surface")
            .to_string();
        assert!(error.contains("key `apps[1].surface`"), "{error}");
        assert!(error.contains("ceiling, wall, table"), "{error}");
        let error = parse(&shipped().replace("rotation = 0", "rotation = 45"))
            .expect_err("bad rotation")
            .to_string();
        assert!(error.contains("0, 90, 180 or 270"), "{error}");
        let error =
            parse(&shipped().replace("timezone = \"Europe/London\"", "timezone = \"Mars\""))
                .expect_err("bad zone")
                .to_string();
        assert!(error.contains("location.timezone"), "{error}");
        let two = shipped().replace("[apps.clock]", "[apps.lamp]\n[apps.clock]");
        let error = parse(&two).expect_err("two apps").to_string();
        assert!(error.contains("key `apps[2]`: 2 app tables"), "{error}");
    }
}
