//! The mini apps a surface can show, behind one small [`App`] trait.
//!
//! # For app authors
//! An app draws one frame from a [`RenderContext`] (the time, the lamp's gravity vector and
//! identity) and whatever data it holds; it never reads a clock, a file or a socket while
//! drawing. An app that needs outside data (a calendar, a music player) hands the shell a
//! [`Refresher`]: the shell runs it off the drawing path at the refresher's period and the result
//! lands in a [`Feed`] the app reads, so a slow server makes the data old, never the frame late.
//!
//! Settings come from the `[[apps]]` tables of the lamp's config (one table per app, unknown keys
//! refused), or from `lantern render APP --settings`.

mod blank;
pub mod calendar;
pub mod clock;
mod draw;
mod info;
mod lamp;
mod message;
pub mod now_playing;
mod porthole;
mod zone;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::render::Frame;

pub use blank::{Blank, BlankSettings};
pub use calendar::{Calendar, CalendarSettings};
pub use clock::{Clock, ClockSettings};
pub use info::{Info, InfoSettings};
pub use lamp::{Lamp, LampSettings};
pub use message::{Message, MessageSettings};
pub use now_playing::{NowPlaying, NowPlayingSettings};
pub use porthole::{PortholeSettings, SpacePorthole};
pub use zone::Zone;

/// Everything an app may know while drawing a frame.
#[derive(Clone, Debug)]
pub struct RenderContext<'a> {
    /// The time the frame is for.
    pub now: DateTime<Utc>,
    /// The lamp's time zone (`[location] timezone`), for apps without their own.
    pub zone: Zone,
    /// Filtered gravity in the sensor frame (unit vector), once the sensor has spoken.
    pub gravity: Option<[f32; 3]>,
    /// The surface the lamp points at, if known.
    pub surface: Option<&'a str>,
    /// The lamp's name.
    pub lamp_name: &'a str,
    /// Its network address, if it has one.
    pub address: Option<&'a str>,
    /// The code a companion app pairs with.
    pub pairing_code: Option<&'a str>,
    /// The accelerometer in use, e.g. "ADXL345 at 0x53".
    pub sensor: Option<&'a str>,
    /// Things the owner should know (a sensor that stopped answering), one line each.
    pub problems: &'a [String],
    /// Where the lamp is (`[location]`), for the sky.
    pub observer: crate::sky::Observer,
}

impl RenderContext<'_> {
    /// A context at `now` with nothing else known: for tests and one-off renders.
    pub fn at(now: DateTime<Utc>) -> RenderContext<'static> {
        RenderContext {
            now,
            zone: Zone::default(),
            gravity: None,
            surface: None,
            lamp_name: "Lantern",
            address: None,
            pairing_code: None,
            sensor: None,
            problems: &[],
            observer: crate::sky::Observer {
                latitude_deg: 51.4779,
                longitude_deg: 0.0,
            },
        }
    }
}

/// A mini app.
pub trait App: Send {
    /// The app's name as configs spell it (`clock`, `now-playing`, …).
    fn name(&self) -> &'static str;

    /// Draws the whole of `frame` (apps paint their own background).
    fn render(&mut self, context: &RenderContext<'_>, frame: &mut Frame);

    /// Whether the picture this app drew last is still right for `context`: no time it shows
    /// has passed, no data arrived, nothing it draws from moved. The lamp asks only while that
    /// picture is the one on the canvas, and if so keeps it instead of drawing it again, so a
    /// still lamp costs next to nothing. The default, `false`, draws every frame: right for
    /// animations (a sweeping second hand).
    fn still_valid(&self, context: &RenderContext<'_>) -> bool {
        let _ = context;
        false
    }

    /// The job that fetches this app's data, for the shell to run off the drawing path.
    fn refresher(&self) -> Option<Box<dyn Refresher>> {
        None
    }
}

/// What an app drew its last picture from, for [`App::still_valid`].
#[derive(Debug)]
pub(crate) struct Drawn<K>(Option<K>);

impl<K> Default for Drawn<K> {
    fn default() -> Self {
        Drawn(None)
    }
}

impl<K: PartialEq> Drawn<K> {
    /// Whether the last picture was drawn from `key`.
    pub(crate) fn is(&self, key: &K) -> bool {
        self.0.as_ref() == Some(key)
    }

    /// The picture just drawn was drawn from `key`.
    pub(crate) fn set(&mut self, key: K) {
        self.0 = Some(key);
    }

    /// What the last picture was drawn from.
    pub(crate) fn get(&self) -> Option<&K> {
        self.0.as_ref()
    }
}

/// Fetches an app's data (blocking I/O allowed); see the [module docs](self).
pub trait Refresher: Send {
    /// How often to run.
    fn period(&self) -> Duration;
    /// Fetches once and publishes the result in the app's [`Feed`]; `now` is the wall time.
    fn refresh(&mut self, now: DateTime<Utc>);
}

/// The latest value a [`Refresher`] produced, shared with the app that draws it.
#[derive(Debug)]
pub struct Feed<T> {
    latest: Arc<Mutex<Option<Arc<T>>>>,
}

impl<T> Clone for Feed<T> {
    fn clone(&self) -> Self {
        Feed {
            latest: Arc::clone(&self.latest),
        }
    }
}

impl<T> Default for Feed<T> {
    fn default() -> Self {
        Feed {
            latest: Arc::default(),
        }
    }
}

impl<T> Feed<T> {
    /// Publishes a new value.
    pub fn set(&self, value: T) {
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(value));
    }

    /// The latest value, if any arrived yet.
    pub fn get(&self) -> Option<Arc<T>> {
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// An app and its settings, as one config table names it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum AppSettings {
    /// Analog or digital clock.
    Clock(ClockSettings),
    /// Today's events around a clock face.
    Calendar(CalendarSettings),
    /// What MPD is playing.
    NowPlaying(NowPlayingSettings),
    /// Plain light.
    Lamp(LampSettings),
    /// A text, large.
    Message(MessageSettings),
    /// The lamp's name, address and pairing code.
    Info(InfoSettings),
    /// Nothing: black.
    Blank(BlankSettings),
    /// The stars where the lamp points.
    SpacePorthole(PortholeSettings),
}

impl AppSettings {
    /// Every app name a config may use.
    pub const NAMES: [&'static str; 8] = [
        "clock",
        "calendar",
        "now-playing",
        "lamp",
        "message",
        "info",
        "blank",
        "space-porthole",
    ];

    /// The app `name` with settings from TOML text (the body of its table; empty for defaults).
    pub fn parse(name: &str, settings: &str) -> Result<AppSettings, String> {
        if !Self::NAMES.contains(&name) {
            return Err(format!(
                "unknown app {name:?}; the apps are {}",
                Self::NAMES.join(", ")
            ));
        }
        let table: toml::Table = toml::from_str(settings).map_err(|e| e.message().to_owned())?;
        let mut outer = toml::Table::new();
        outer.insert(name.to_owned(), toml::Value::Table(table));
        AppSettings::deserialize(toml::Value::Table(outer))
            .map_err(|e| format!("settings of {name}: {}", e.message()))
    }

    /// The app's name.
    pub fn name(&self) -> &'static str {
        match self {
            AppSettings::Clock(_) => "clock",
            AppSettings::Calendar(_) => "calendar",
            AppSettings::NowPlaying(_) => "now-playing",
            AppSettings::Lamp(_) => "lamp",
            AppSettings::Message(_) => "message",
            AppSettings::Info(_) => "info",
            AppSettings::Blank(_) => "blank",
            AppSettings::SpacePorthole(_) => "space-porthole",
        }
    }

    /// A fresh app with these settings, on a lamp in UTC; see [`AppSettings::build_in`].
    pub fn build(&self) -> Box<dyn App> {
        self.build_in(Zone::default())
    }

    /// A fresh app with these settings, on a lamp in `lamp_zone` (where a calendar without a
    /// zone of its own expands its days, off the drawing path).
    pub fn build_in(&self, lamp_zone: Zone) -> Box<dyn App> {
        match self {
            AppSettings::Clock(s) => Box::new(Clock::new(s.clone())),
            AppSettings::Calendar(s) => Box::new(Calendar::in_zone(s.clone(), lamp_zone)),
            AppSettings::NowPlaying(s) => Box::new(NowPlaying::new(s.clone())),
            AppSettings::Lamp(s) => Box::new(Lamp::new(s.clone())),
            AppSettings::Message(s) => Box::new(Message::new(s.clone())),
            AppSettings::Info(s) => Box::new(Info::new(s.clone())),
            AppSettings::Blank(_) => Box::new(Blank),
            AppSettings::SpacePorthole(s) => Box::new(SpacePorthole::new(s.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_by_name_and_refuse_unknown_keys() {
        let clock = AppSettings::parse("clock", "style = \"digital\"").expect("valid");
        assert_eq!(clock.name(), "clock");
        assert!(AppSettings::parse("now-playing", "").is_ok());
        let error = AppSettings::parse("clock", "colour = 3").expect_err("unknown key");
        assert!(error.contains("colour"), "{error}");
        let error = AppSettings::parse("weather", "").expect_err("no such app");
        assert!(error.contains("clock, calendar"), "{error}");
        for name in AppSettings::NAMES {
            let app = AppSettings::parse(name, "").expect("defaults").build();
            assert_eq!(app.name(), name);
        }
    }

    #[test]
    fn a_feed_hands_the_latest_value_to_every_clone() {
        let feed = Feed::default();
        let reader = feed.clone();
        assert!(reader.get().is_none());
        feed.set(1);
        feed.set(2);
        assert_eq!(reader.get().as_deref(), Some(&2));
    }
}
