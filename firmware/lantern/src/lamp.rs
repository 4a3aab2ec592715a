//! The lamp's loop as a testable state machine: samples → [`Classifier`] → the app chosen for the
//! surface → crossfade, dimming and rotation → a [`FrameSink`].
//!
//! [`Lamp`] is the pure part: it is fed samples and asked for frames, with the time passed in.
//! [`Runner`] drives it synchronously on a [`Clock`]: it polls the accelerometer at the config's
//! rate and renders at the config's frame rate, sleeping until whichever is due next. On the
//! simulator's virtual clock a test runs minutes of lamp life in moments, and everything is
//! deterministic; the binary runs the same loop on the monotonic clock.
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
use crate::sensor::{
    Acceleration, Accelerometer, Adxl345, Backoff, Mpu6050, Range, adxl345, mpu6050, probe, retry,
};
use crate::surface::{Classifier, State};

/// One surface's app and how its picture is turned.
struct Screen {
    app: Box<dyn App>,
    orientation: Orientation,
    canvas: Frame,
}

impl Screen {
    fn new(app: Box<dyn App>, orientation: Orientation, width: u32, height: u32) -> Screen {
        let (w, h) = orientation.canvas_size(width, height);
        Screen {
            app,
            orientation,
            canvas: Frame::new(w, h),
        }
    }
}

/// What the lamp shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Showing {
    /// The info card, before the first surface is known.
    Startup,
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
    /// The companion pairing code.
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
    composed: Frame,
    output: Frame,
    /// Public so the shell can fill in the address and sensor.
    pub status: Status,
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
            .map(|a| (a.surface.clone(), a.settings().build(), a.orientation()))
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
            .map(|(surface, app, orientation)| {
                (surface, Screen::new(app, orientation, width, height))
            })
            .collect();
        Ok(Lamp {
            classifier: Classifier::new(config.surfaces.clone())?,
            screens,
            startup: Screen::new(
                Box::new(Info::new(InfoSettings::default())),
                Orientation::default(),
                width,
                height,
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
            composed: Frame::new(width, height),
            output: Frame::new(width, height),
            status: Status {
                name: config.lamp.name.clone(),
                pairing_code: config.lamp.pairing_code.clone(),
                ..Status::default()
            },
        })
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

    /// Draws the frame for time `at` (wall time `now`) and returns it.
    pub fn render(&mut self, at: Instant, now: DateTime<Utc>) -> &Frame {
        // Which app, and how bright.
        let (wanted, target) = match (self.classifier.state(), &self.showing) {
            (State::Surface(name), _) => (Showing::Surface(name.clone()), 1.0),
            (State::Unknown, Showing::Startup) => (Showing::Startup, 1.0),
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
            Showing::Startup => None,
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
            Showing::Startup => &mut self.startup,
            Showing::Surface(name) => self.screens.entry(name.clone()).or_insert_with(|| {
                let blank = AppSettings::Blank(Default::default()).build();
                Screen::new(blank, Orientation::default(), width, height)
            }),
        };
        screen.app.render(&context, &mut screen.canvas);
        screen.orientation.apply(&screen.canvas, &mut self.composed);
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

/// The accelerometer as the loop sees it: found or not, answering or not.
#[derive(Debug)]
pub struct SensorLink<I2C> {
    bus: Option<I2C>,
    chip: Option<Accelerometer<I2C>>,
    configured: bool,
    failures: u32,
    next_try: Instant,
}

impl<I2C: I2c> SensorLink<I2C> {
    /// A link that will probe `bus` on its first poll.
    pub fn new(bus: I2C) -> SensorLink<I2C> {
        SensorLink {
            bus: Some(bus),
            chip: None,
            configured: false,
            failures: 0,
            next_try: Instant::ZERO,
        }
    }

    fn fail(&mut self, now: Instant, problem: String, status: &mut Status) {
        self.failures = self.failures.saturating_add(1);
        self.configured = false;
        let delay = Duration::from_millis(100)
            .saturating_mul(1 << self.failures.min(6))
            .min(Duration::from_secs(5));
        if status.sensor_problem.is_none() {
            tracing::warn!(
                "accelerometer: {problem}; keeping the last surface and retrying (up to every {:?})",
                Duration::from_secs(5)
            );
        }
        status.sensor_problem = Some(format!("accelerometer: {problem}"));
        self.next_try = now + delay;
    }

    /// One sample, if the sensor is due and answers; problems land in `status`.
    pub fn poll<C: Clock>(&mut self, clock: &C, status: &mut Status) -> Option<Acceleration> {
        let now = clock.now();
        if now < self.next_try {
            return None;
        }
        if self.chip.is_none() {
            let mut bus = self.bus.take()?;
            let found = probe(&mut bus).map(|chip| (chip.part(), chip.address()));
            match found {
                Ok((part, address)) => {
                    let chip = match part {
                        crate::sensor::Part::Adxl345 => adxl345::Address::ALL
                            .into_iter()
                            .find(|a| a.bits() == address)
                            .map(|a| Accelerometer::Adxl345(Adxl345::new(bus, a))),
                        crate::sensor::Part::Mpu6050 => mpu6050::Address::ALL
                            .into_iter()
                            .find(|a| a.bits() == address)
                            .map(|a| Accelerometer::Mpu6050(Mpu6050::new(bus, a))),
                    };
                    status.sensor = Some(format!("{part} at {address:#04x}"));
                    tracing::info!("accelerometer: {part} at {address:#04x}");
                    self.chip = chip;
                }
                Err(error) => {
                    self.bus = Some(bus);
                    self.fail(now, error.to_string(), status);
                    return None;
                }
            }
        }
        let chip = self.chip.as_mut()?;
        if !self.configured {
            if let Err(error) = retry(clock, Backoff::default(), || chip.configure(Range::G2)) {
                self.fail(now, error.to_string(), status);
                return None;
            }
            self.configured = true;
        }
        let chip = self.chip.as_mut()?;
        match retry(clock, Backoff::default(), || chip.read()) {
            Ok(sample) => {
                if status.sensor_problem.take().is_some() {
                    tracing::info!("accelerometer answers again");
                }
                self.failures = 0;
                Some(sample)
            }
            Err(error) => {
                self.fail(now, error.to_string(), status);
                None
            }
        }
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

/// Drives a [`Lamp`] on a clock: sensor at its rate, frames at theirs.
#[derive(Debug)]
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
        }
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

    /// Does whatever is due now.
    fn step(&mut self) {
        let now = self.clock.now();
        if now >= self.next_sample {
            if let Some(sample) = self.sensor.poll(&self.clock, &mut self.lamp.status) {
                self.lamp.sample(self.clock.now(), sample);
            }
            self.next_sample = next_tick(self.next_sample, self.sample_period, self.clock.now());
        }
        let now = self.clock.now();
        if now >= self.next_frame {
            let wall = self.wall.at(now);
            let frame = self.lamp.render(now, wall);
            self.sink.show(frame, now);
            self.lamp.status.output_problem = match self.sink.state() {
                OutputState::Up => None,
                OutputState::Down { reason, .. } => Some(reason.clone()),
            };
            self.next_frame = next_tick(self.next_frame, self.frame_period, self.clock.now());
        }
    }
}

/// The next tick after `previous`, skipping ticks already missed rather than bursting.
fn next_tick(previous: Instant, period: Duration, now: Instant) -> Instant {
    let next = previous + period;
    if next > now { next } else { now + period }
}
