//! The lamp's loop as a testable state machine: samples → [`Classifier`] → the app chosen for the
//! surface → crossfade, dimming and rotation → a [`FrameSink`].
//!
//! [`Lamp`] is the pure part: it is fed samples and asked for frames, with the time passed in.
//! [`Runner`] drives it synchronously on a [`Clock`]: it polls the accelerometer at the config's
//! rate and renders at the config's frame rate, sleeping until whichever is due next. On the
//! simulator's virtual clock a test runs minutes of lamp life in moments, and everything is
//! deterministic; the binary runs the same loop on the monotonic clock.
//!
//! # A still lamp rests
//! Each frame the lamp asks the app on show whether its last picture still holds
//! ([`crate::apps::App::still_valid`]: the same minute on a digital clock, the beam within a
//! pixel of where the stars were drawn); if nothing else changed (no fade, no dimming, the same
//! app), it is not drawn again and the output gets it again only every [`STILL_RESEND`]. A
//! framebuffer keeps its picture, so the projector still shows it at its own refresh rate;
//! drawing the star map 30 times a second for nothing cost the desktop simulator 8 % of a core.
//!
//! # Faults
//! - Accelerometer missing at start: probed again with backoff; meanwhile the `info` card shows.
//! - I2C errors: each read is retried (1, 2, 4, 8 ms, see [`crate::sensor::retry`]); when that
//!   gives up the lamp keeps the last surface, reports the problem (log once, and on the `info`
//!   card), tries again after 0.1 s doubling to 5 s, and reconfigures the chip when it answers
//!   again (a chip that lost power forgets its settings).
//! - Projector or framebuffer missing or unplugged: see [`Resilient`]; the loop keeps sensing.
//!
//! # Latency
//! From the lamp coming to rest on a new surface to that surface's first frame: the classifier's
//! filter settling into the enter cone (τ = 200 ms low-pass; about 0.1–0.3 s after the end of a
//! turn, depending on how the turn ends) plus its dwell (400 ms) plus at most one frame period.
//! The new app is visible in that first frame: the crossfade starts one frame period in.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use atelier_hal::{Clock, Instant};
use chrono::{DateTime, Utc};
use embedded_hal::i2c::I2c;

use crate::apps::{App, AppSettings, Info, InfoSettings, Refresher, RenderContext, Zone};
use crate::config::LanternConfig;
use crate::render::{Frame, FrameSink, Orientation, OutputState, Resilient, crossfade};
use crate::sensor::{Acceleration, SensorLink};
use crate::surface::{Classifier, State};

/// One surface's app and how its picture is turned.
struct Screen {
    app: Box<dyn App>,
    orientation: Orientation,
}

impl Screen {
    fn new(app: Box<dyn App>, orientation: Orientation) -> Screen {
        Screen { app, orientation }
    }
}

/// What the lamp shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Showing {
    /// The info card, before the first surface is known.
    Startup,
    /// The info card with a pairing code, while a phone is being paired.
    Pairing,
    /// The app of this surface.
    Surface(String),
}

/// Who the lamp is and what is wrong with it, for the `info` app.
#[derive(Clone, Debug, Default)]
pub struct Status {
    /// The lamp's name.
    pub name: String,
    /// Its network address.
    pub address: Option<String>,
    /// The companion pairing code, while one is shown.
    pub pairing_code: Option<String>,
    /// "ADXL345 at 0x53" once found.
    pub sensor: Option<String>,
    /// Why the sensor is silent, if it is.
    pub sensor_problem: Option<String>,
    /// Why the projector is dark, if it is.
    pub output_problem: Option<String>,
}

/// The lamp: classifier, apps and compositor. Pure: time comes in as arguments.
pub struct Lamp {
    classifier: Classifier,
    screens: HashMap<String, Screen>,
    startup: Screen,
    width: u32,
    height: u32,
    zone: Zone,
    observer: crate::sky::Observer,
    crossfade: Duration,
    frame_period: Duration,
    moving_dim: f32,
    /// The surface whose app is on the wall.
    showing: Showing,
    /// The picture faded from, and when the fade started.
    fade: Option<(Frame, Instant)>,
    /// Brightness now (moving_dim … 1), and when it was last updated.
    level: f32,
    level_at: Option<Instant>,
    /// What the app in view draws on.
    canvas: Frame,
    composed: Frame,
    output: Frame,
    /// Public so the shell can fill in the address and sensor.
    pub status: Status,
    /// Until when the pairing code is shown.
    pairing_until: Option<Instant>,
    /// What the picture on the canvas was drawn as; `None` after a change of apps.
    drawn: Option<(Showing, f32)>,
    /// Whether the last [`Lamp::render`] drew a new picture.
    drew: bool,
}

impl std::fmt::Debug for Lamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lamp")
            .field("showing", &self.showing)
            .field("state", self.classifier.state())
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

impl Lamp {
    /// A lamp as `config` describes it, with each surface's app built from its settings.
    pub fn new(config: &LanternConfig) -> Result<Lamp, crate::surface::ConfigError> {
        let apps = config
            .apps
            .iter()
            .map(|a| {
                let app = a.settings().build_in(config.location.timezone);
                (a.surface.clone(), app, a.orientation())
            })
            .collect();
        Lamp::with_apps(config, apps)
    }

    /// A lamp with the given apps per surface (tests hand in apps they keep a feed of).
    pub fn with_apps(
        config: &LanternConfig,
        apps: Vec<(String, Box<dyn App>, Orientation)>,
    ) -> Result<Lamp, crate::surface::ConfigError> {
        let display = &config.display;
        let (width, height) = (display.width, display.height);
        let screens = apps
            .into_iter()
            .map(|(surface, app, orientation)| (surface, Screen::new(app, orientation)))
            .collect();
        Ok(Lamp {
            classifier: Classifier::new(config.surfaces.clone())?,
            screens,
            startup: Screen::new(
                Box::new(Info::new(InfoSettings::default())),
                Orientation::default(),
            ),
            width,
            height,
            zone: config.location.timezone,
            observer: crate::sky::Observer {
                latitude_deg: config.location.latitude,
                longitude_deg: config.location.longitude,
            },
            crossfade: Duration::from_millis(display.crossfade_ms),
            frame_period: Duration::from_secs(1) / display.fps.max(1),
            moving_dim: display.moving_dim,
            showing: Showing::Startup,
            fade: None,
            level: 1.0,
            level_at: None,
            canvas: Frame::new(width, height),
            composed: Frame::new(width, height),
            output: Frame::new(width, height),
            status: Status {
                name: config.lamp.name.clone(),
                ..Status::default()
            },
            pairing_until: None,
            drawn: None,
            drew: false,
        })
    }

    /// Takes a changed config: each surface's app and orientation, the surfaces, the name,
    /// location and display settings. The classifier keeps its filter and, if the surface it
    /// shows still exists, that surface; an app whose settings did not change keeps running.
    /// The picture size is fixed at start. On error nothing changed.
    pub fn reconfigure(
        &mut self,
        config: &LanternConfig,
    ) -> Result<(), crate::surface::ConfigError> {
        self.classifier.reconfigure(config.surfaces.clone())?;
        self.screens = config
            .apps
            .iter()
            .map(|a| {
                let app = a.settings().build_in(config.location.timezone);
                let screen = Screen::new(app, a.orientation());
                (a.surface.clone(), screen)
            })
            .collect();
        let display = &config.display;
        self.zone = config.location.timezone;
        self.observer = crate::sky::Observer {
            latitude_deg: config.location.latitude,
            longitude_deg: config.location.longitude,
        };
        self.crossfade = Duration::from_millis(display.crossfade_ms);
        self.frame_period = Duration::from_secs(1) / display.fps.max(1);
        self.moving_dim = display.moving_dim;
        self.status.name = config.lamp.name.clone();
        self.drawn = None;
        tracing::info!(
            "config changed: {} surfaces, {} apps",
            config.surfaces.surfaces.len(),
            config.apps.len()
        );
        Ok(())
    }

    /// Projects `code` (on the info card, whatever the surface) until `until`, or until
    /// [`Lamp::hide_pairing_code`].
    pub fn show_pairing_code(&mut self, code: &str, until: Instant) {
        self.status.pairing_code = Some(code.to_owned());
        self.pairing_until = Some(until);
    }

    /// Stops projecting the pairing code.
    pub fn hide_pairing_code(&mut self) {
        self.status.pairing_code = None;
        self.pairing_until = None;
    }

    /// The refreshers of every app, for the shell to run off the render path.
    pub fn refreshers(&self) -> Vec<Box<dyn Refresher>> {
        self.screens
            .values()
            .filter_map(|s| s.app.refresher())
            .collect()
    }

    /// Feeds one accelerometer sample taken at `at`.
    pub fn sample(&mut self, at: Instant, sample: Acceleration) {
        if let Some(event) = self.classifier.update(at, sample) {
            tracing::debug!(at = %event.at, from = ?event.from, to = ?event.to, "surface");
        }
    }

    /// The classifier's state.
    pub fn state(&self) -> &State {
        self.classifier.state()
    }

    /// The classifier, to calibrate.
    pub fn classifier_mut(&mut self) -> &mut Classifier {
        &mut self.classifier
    }

    /// What is on the wall.
    pub fn showing(&self) -> &Showing {
        &self.showing
    }

    /// Whether the last [`Lamp::render`] drew a new picture; if not, the one before still
    /// holds (see [`App::still_valid`]).
    pub fn drew(&self) -> bool {
        self.drew
    }

    /// The frame for time `at` (wall time `now`): drawn anew when anything on it can have
    /// changed, else the last one.
    pub fn render(&mut self, at: Instant, now: DateTime<Utc>) -> &Frame {
        if self.pairing_until.is_some_and(|until| at >= until) {
            self.hide_pairing_code();
        }
        // Which app, and how bright.
        let (wanted, target) = match (self.classifier.state(), &self.showing) {
            _ if self.pairing_until.is_some() => (Showing::Pairing, 1.0),
            (State::Surface(name), _) => (Showing::Surface(name.clone()), 1.0),
            (State::Unknown, Showing::Startup) => (Showing::Startup, 1.0),
            (State::Unknown | State::Moving, Showing::Pairing) => (Showing::Startup, 1.0),
            (State::Moving | State::Unknown, showing) => (showing.clone(), self.moving_dim),
        };
        if wanted != self.showing {
            tracing::info!(from = ?self.showing, to = ?wanted, at = %at, "switching app");
            if !self.crossfade.is_zero() {
                // Start one frame in, so the very first frame already shows the new app.
                self.fade = Some((
                    self.output.clone(),
                    at.saturating_sub_duration(self.frame_period),
                ));
            }
            self.showing = wanted;
        }
        let dt = self
            .level_at
            .map_or(Duration::ZERO, |last| at - last)
            .as_secs_f32();
        self.level_at = Some(at);
        let step = if self.crossfade.is_zero() {
            1.0
        } else {
            dt / self.crossfade.as_secs_f32()
        };
        self.level = if self.level < target {
            (self.level + step).min(target)
        } else {
            (self.level - step).max(target)
        };

        let problems: Vec<String> = [&self.status.sensor_problem, &self.status.output_problem]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let surface = match &self.showing {
            Showing::Surface(name) => Some(name.as_str()),
            Showing::Startup | Showing::Pairing => None,
        };
        let context = RenderContext {
            now,
            zone: self.zone,
            gravity: self.classifier.gravity(),
            surface,
            lamp_name: &self.status.name,
            address: self.status.address.as_deref(),
            pairing_code: self.status.pairing_code.as_deref(),
            sensor: self.status.sensor.as_deref(),
            problems: &problems,
            observer: self.observer,
        };
        let (width, height) = (self.width, self.height);
        let screen = match &self.showing {
            Showing::Startup | Showing::Pairing => &mut self.startup,
            Showing::Surface(name) => self.screens.entry(name.clone()).or_insert_with(|| {
                let blank = AppSettings::Blank(Default::default()).build();
                Screen::new(blank, Orientation::default())
            }),
        };
        let scene = (self.showing.clone(), self.level);
        self.drew = self.fade.is_some()
            || self.drawn.as_ref() != Some(&scene)
            || !screen.app.still_valid(&context);
        if !self.drew {
            return &self.output;
        }
        self.drawn = Some(scene);
        // One canvas for every app (each draws the whole of it every frame): a lamp with many
        // surfaces holds one picture, not one each. Turned surfaces need it the other way up.
        let (w, h) = screen.orientation.canvas_size(width, height);
        if (self.canvas.width(), self.canvas.height()) != (w, h) {
            self.canvas = Frame::new(w, h);
        }
        screen.app.render(&context, &mut self.canvas);
        screen.orientation.apply(&self.canvas, &mut self.composed);
        self.composed.dim(self.level);
        match &self.fade {
            Some((from, start)) if (at - *start) < self.crossfade => {
                let amount = (at - *start).as_secs_f32() / self.crossfade.as_secs_f32();
                crossfade(from, &self.composed, amount, &mut self.output);
            }
            _ => {
                self.fade = None;
                std::mem::swap(&mut self.output, &mut self.composed);
            }
        }
        &self.output
    }
}

trait SaturatingSub {
    fn saturating_sub_duration(self, d: Duration) -> Instant;
}

impl SaturatingSub for Instant {
    fn saturating_sub_duration(self, d: Duration) -> Instant {
        Instant::from_nanos(
            self.as_nanos()
                .saturating_sub(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        )
    }
}

/// Where the wall-clock time of a frame comes from.
#[derive(Clone, Copy, Debug)]
pub enum WallTime {
    /// The system's clock (real runs).
    System,
    /// `origin` plus the run's clock (simulation: deterministic).
    From(DateTime<Utc>),
}

impl WallTime {
    fn at(&self, instant: Instant) -> DateTime<Utc> {
        match self {
            WallTime::System => Utc::now(),
            WallTime::From(origin) => {
                *origin
                    + chrono::Duration::from_std(instant.since_start())
                        .unwrap_or(chrono::Duration::MAX)
            }
        }
    }
}

/// A command for a running lamp, through its [`LampHandle`].
#[derive(Debug)]
pub enum Command {
    /// Project a pairing code for `lifetime`.
    ShowPairingCode {
        /// The six digits.
        code: String,
        /// How long the code is valid.
        lifetime: Duration,
    },
    /// Stop projecting the pairing code (a device paired).
    HidePairingCode,
    /// Take a changed config (see [`Lamp::reconfigure`]); the reply says whether it did.
    Reconfigure {
        /// The config now in force.
        config: Box<LanternConfig>,
        /// Why not, if not.
        reply: Option<tokio::sync::oneshot::Sender<Result<(), String>>>,
    },
    /// "The lamp points at surface `surface` now": the direction it measured, or why not.
    Calibrate {
        /// The surface's name (a new name adds a surface).
        surface: String,
        /// The measured direction, or why there is none.
        reply: tokio::sync::oneshot::Sender<Result<[f32; 3], String>>,
    },
}

/// What a running lamp is doing, published whenever it changes (at most once a frame).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LampState {
    /// The lamp's name.
    pub name: String,
    /// The surface whose app is projected (`None`: the info card).
    pub showing: Option<String>,
    /// What the sensor says: a surface's name, `moving`, or `unknown`.
    pub sensed: String,
    /// Filtered gravity in the sensor frame (unit vector), once known.
    pub gravity: Option<[f32; 3]>,
    /// The beam's angle above the horizon, degrees (90: straight up at the ceiling).
    pub elevation_deg: Option<f32>,
    /// Whether a pairing code is projected.
    pub pairing_code_shown: bool,
    /// The accelerometer in use.
    pub sensor: Option<String>,
    /// What is wrong, one line each.
    pub problems: Vec<String>,
}

/// The commands a lamp's inbox holds before senders are told it is busy.
pub const INBOX: usize = 16;

/// A still picture goes to the output again this often: a framebuffer something else wrote on
/// (a console, a splash screen) heals within it, and the preview's viewers see a frame at least
/// this often.
pub const STILL_RESEND: Duration = Duration::from_secs(1);

/// How often the preview is refreshed, and how wide it is at most.
pub const PREVIEW_PERIOD: Duration = Duration::from_millis(100);
/// The preview's largest width, pixels (the picture scaled down, aspect kept).
pub const PREVIEW_WIDTH: u32 = 320;

/// Why a command did not reach the lamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Undelivered {
    /// Its inbox is full: try again in a moment.
    #[error("the lamp is busy: try again in a moment")]
    Busy,
    /// The loop has stopped.
    #[error("the lamp has stopped")]
    Stopped,
}

/// The way in to a running lamp and its outbox: commands, state, the projected picture.
#[derive(Clone, Debug)]
pub struct LampHandle {
    commands: std::sync::mpsc::SyncSender<Command>,
    state: tokio::sync::watch::Receiver<LampState>,
    preview: tokio::sync::watch::Receiver<std::sync::Arc<Frame>>,
}

impl LampHandle {
    /// Queues `command`; never blocks.
    pub fn send(&self, command: Command) -> Result<(), Undelivered> {
        self.commands.try_send(command).map_err(|e| match e {
            std::sync::mpsc::TrySendError::Full(_) => Undelivered::Busy,
            std::sync::mpsc::TrySendError::Disconnected(_) => Undelivered::Stopped,
        })
    }

    /// The lamp's state, as it changes.
    pub fn state(&self) -> tokio::sync::watch::Receiver<LampState> {
        self.state.clone()
    }

    /// A scaled-down copy of what the lamp projects, refreshed every [`PREVIEW_PERIOD`].
    pub fn preview(&self) -> tokio::sync::watch::Receiver<std::sync::Arc<Frame>> {
        self.preview.clone()
    }
}

/// Starts the data refreshers of a set of apps (the shell runs them off the drawing path); the
/// set replaces the one before.
pub type RefresherSpawner = Box<dyn FnMut(Vec<Box<dyn crate::apps::Refresher>>) + Send>;

/// The loop's ends: the inbox it drains and the outbox it publishes to.
struct Mailbox {
    inbox: std::sync::mpsc::Receiver<Command>,
    state: tokio::sync::watch::Sender<LampState>,
    preview: tokio::sync::watch::Sender<std::sync::Arc<Frame>>,
    next_preview: Instant,
    /// A picture went out that the preview does not show yet.
    preview_stale: bool,
}

/// Drives a [`Lamp`] on a clock: sensor at its rate, frames at theirs, commands from its inbox
/// between them.
pub struct Runner<I2C, S, C> {
    /// The lamp.
    pub lamp: Lamp,
    sensor: SensorLink<I2C>,
    sink: Resilient<S>,
    clock: C,
    wall: WallTime,
    sample_period: Duration,
    frame_period: Duration,
    next_sample: Instant,
    next_frame: Instant,
    /// When a picture last went to the output.
    shown_at: Option<Instant>,
    mailbox: Option<Mailbox>,
    spawn_refreshers: Option<RefresherSpawner>,
}

impl<I2C, S, C> std::fmt::Debug for Runner<I2C, S, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("lamp", &self.lamp)
            .field("next_frame", &self.next_frame)
            .finish_non_exhaustive()
    }
}

impl<I2C: I2c, S: FrameSink, C: Clock> Runner<I2C, S, C> {
    /// A runner reading `bus` at `config.sensor.rate_hz` and showing frames on `sink` at
    /// `config.display.fps`.
    pub fn new(
        lamp: Lamp,
        config: &LanternConfig,
        bus: I2C,
        sink: S,
        clock: C,
        wall: WallTime,
    ) -> Runner<I2C, S, C> {
        let now = clock.now();
        Runner {
            lamp,
            sensor: SensorLink::new(bus),
            sink: Resilient::new(sink),
            clock,
            wall,
            sample_period: Duration::from_secs(1) / config.sensor.rate_hz.max(1),
            frame_period: Duration::from_secs(1) / config.display.fps.max(1),
            next_sample: now,
            next_frame: now,
            shown_at: None,
            mailbox: None,
            spawn_refreshers: None,
        }
    }

    /// Opens the lamp's inbox and outbox: the handle the companion, tests and the desktop
    /// simulator use. A second call replaces the first handle's channels.
    pub fn connect(&mut self) -> LampHandle {
        let (commands, inbox) = std::sync::mpsc::sync_channel(INBOX);
        let (state_tx, state) = tokio::sync::watch::channel(self.state());
        let (preview_tx, preview) =
            tokio::sync::watch::channel(std::sync::Arc::new(Frame::new(1, 1)));
        self.mailbox = Some(Mailbox {
            inbox,
            state: state_tx,
            preview: preview_tx,
            next_preview: self.clock.now(),
            preview_stale: true,
        });
        LampHandle {
            commands,
            state,
            preview,
        }
    }

    /// Who starts the apps' refreshers when a new config brings new apps (the shell's runtime).
    pub fn on_new_refreshers(&mut self, spawn: RefresherSpawner) {
        self.spawn_refreshers = Some(spawn);
    }

    /// The output, to look at its state.
    pub fn output(&self) -> &Resilient<S> {
        &self.sink
    }

    /// Runs until the clock reads `deadline`.
    pub fn run_until(&mut self, deadline: Instant) {
        loop {
            let next = self.next_sample.min(self.next_frame);
            if next > deadline {
                self.clock.sleep_until(deadline);
                return;
            }
            self.clock.sleep_until(next);
            self.step();
        }
    }

    /// Runs until `stop` is set (checked at least once per frame).
    pub fn run(&mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            let next = self.next_sample.min(self.next_frame);
            self.clock.sleep_until(next);
            self.step();
        }
    }

    fn state(&self) -> LampState {
        let lamp = &self.lamp;
        let gravity = lamp.classifier.gravity();
        LampState {
            name: lamp.status.name.clone(),
            showing: match &lamp.showing {
                Showing::Surface(name) => Some(name.clone()),
                Showing::Startup | Showing::Pairing => None,
            },
            sensed: match lamp.classifier.state() {
                State::Surface(name) => name.clone(),
                State::Moving => "moving".to_owned(),
                State::Unknown => "unknown".to_owned(),
            },
            // Gravity points down; the beam is +Z: its elevation is how far −gravity's Z is
            // above the horizontal.
            elevation_deg: gravity.map(|g| (-g[2]).clamp(-1.0, 1.0).asin().to_degrees()),
            gravity,
            pairing_code_shown: lamp.status.pairing_code.is_some(),
            sensor: lamp.status.sensor.clone(),
            problems: [&lamp.status.sensor_problem, &lamp.status.output_problem]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::ShowPairingCode { code, lifetime } => {
                let until = self.clock.now() + lifetime;
                self.lamp.show_pairing_code(&code, until);
            }
            Command::HidePairingCode => self.lamp.hide_pairing_code(),
            Command::Reconfigure { config, reply } => {
                let result = self.lamp.reconfigure(&config).map_err(|e| e.to_string());
                if result.is_ok() {
                    self.sample_period = Duration::from_secs(1) / config.sensor.rate_hz.max(1);
                    self.frame_period = Duration::from_secs(1) / config.display.fps.max(1);
                    if let Some(spawn) = &mut self.spawn_refreshers {
                        spawn(self.lamp.refreshers());
                    }
                }
                if let Some(reply) = reply {
                    // The asker may have given up waiting; the change stands either way.
                    let _ = reply.send(result);
                }
            }
            Command::Calibrate { surface, reply } => {
                let result = self
                    .lamp
                    .classifier_mut()
                    .calibrate(&surface)
                    .map_err(|e| e.to_string())
                    .and_then(|_| {
                        self.lamp
                            .classifier
                            .config()
                            .surfaces
                            .iter()
                            .find(|s| s.name == surface)
                            .map(|s| s.direction)
                            .ok_or_else(|| format!("calibration did not record {surface:?}"))
                    });
                let _ = reply.send(result);
            }
        }
    }

    /// Does whatever is due now.
    fn step(&mut self) {
        let commands: Vec<Command> = self
            .mailbox
            .as_ref()
            .map(|m| m.inbox.try_iter().take(INBOX).collect())
            .unwrap_or_default();
        for command in commands {
            self.handle(command);
        }
        let now = self.clock.now();
        if now >= self.next_sample {
            let sample = self.sensor.poll(&self.clock);
            self.lamp.status.sensor = self.sensor.found().map(str::to_owned);
            self.lamp.status.sensor_problem = self.sensor.problem().map(str::to_owned);
            if let Some(sample) = sample {
                self.lamp.sample(self.clock.now(), sample);
            }
            self.next_sample = next_tick(self.next_sample, self.sample_period, self.clock.now());
        }
        let now = self.clock.now();
        if now >= self.next_frame {
            let wall = self.wall.at(now);
            self.lamp.render(now, wall);
            let due = match (self.sink.state(), self.shown_at) {
                // The output itself paces its retries.
                (OutputState::Down { .. }, _) | (_, None) => true,
                (OutputState::Up, Some(shown)) => now - shown >= STILL_RESEND,
            };
            let fresh = self.lamp.drew() || due;
            if fresh {
                self.sink.show(&self.lamp.output, now);
                self.shown_at = Some(now);
            }
            self.lamp.status.output_problem = match self.sink.state() {
                OutputState::Up => None,
                OutputState::Down { reason, .. } => Some(reason.clone()),
            };
            self.next_frame = next_tick(self.next_frame, self.frame_period, self.clock.now());
            self.publish(now, fresh);
        }
    }

    /// The state when it changed, the preview when it is due and the picture was sent out
    /// since.
    fn publish(&mut self, now: Instant, fresh: bool) {
        let state = self.state();
        let Some(mailbox) = &mut self.mailbox else {
            return;
        };
        mailbox.state.send_if_modified(|old| {
            let changed = *old != state;
            if changed {
                *old = state;
            }
            changed
        });
        mailbox.preview_stale |= fresh;
        if mailbox.preview_stale && now >= mailbox.next_preview {
            mailbox.preview_stale = false;
            let preview = self.lamp.output.scaled_to_width(PREVIEW_WIDTH);
            mailbox.preview.send_replace(std::sync::Arc::new(preview));
            mailbox.next_preview = next_tick(mailbox.next_preview, PREVIEW_PERIOD, now);
        }
    }
}

/// The next tick after `previous`, skipping ticks already missed rather than bursting.
fn next_tick(previous: Instant, period: Duration, now: Instant) -> Instant {
    let next = previous + period;
    if next > now { next } else { now + period }
}
