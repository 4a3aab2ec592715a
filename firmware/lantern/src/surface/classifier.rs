//! The classifier's state machine: filter, motion gate, hysteresis, dwell, calibration.

use std::time::Duration;

use atelier_hal::Instant;

use super::config::{Config, ConfigError, SurfaceSpec};
use super::vector::{Vec3, distance, dot, norm, normalize};
use crate::sensor::Acceleration;

/// What the lamp is doing, as far as the display cares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum State {
    /// No surface recognised yet (at start, before the first dwell completes).
    #[default]
    Unknown,
    /// Being moved or knocked: dim or freeze the picture.
    Moving,
    /// Pointing at the named surface.
    Surface(String),
}

/// A change of [`State`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The time of the sample that caused it.
    pub at: Instant,
    /// The state before.
    pub from: State,
    /// The state now.
    pub to: State,
}

/// Why a calibration was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalibrationError {
    /// Nothing to save yet.
    #[error("cannot calibrate surface {name:?}: no accelerometer sample yet")]
    NoSample {
        /// The surface asked for.
        name: String,
    },
    /// The direction would be wrong.
    #[error("cannot calibrate surface {name:?} while the lamp is moving; hold it still")]
    Moving {
        /// The surface asked for.
        name: String,
    },
    /// Names key the apps; an empty one cannot.
    #[error("cannot calibrate a surface with an empty name")]
    EmptyName,
}

/// The low-pass filter's state.
#[derive(Clone, Copy, Debug)]
struct Filtered {
    at: Instant,
    /// Filtered acceleration, g.
    value: Vec3,
}

/// From timed samples to the surface the lamp points at. Pure: no clock, no I/O.
#[derive(Clone, Debug)]
pub struct Classifier {
    config: Config,
    /// Unit gravity directions, in the order of `config.surfaces`.
    references: Vec<Vec3>,
    cos_enter: f32,
    cos_exit: f32,
    tau: f32,
    gap: Duration,
    dwell: Duration,
    hold: Duration,
    filter: Option<Filtered>,
    state: State,
    /// The surface last shown; kept through movements and dead bands.
    current: Option<usize>,
    last_motion: Option<Instant>,
    /// A different surface that has been winning since the instant given.
    candidate: Option<(usize, Instant)>,
}

impl Classifier {
    /// A classifier in [`State::Unknown`], after checking `config`.
    pub fn new(config: Config) -> Result<Classifier, ConfigError> {
        config.validate()?;
        let references = config
            .surfaces
            .iter()
            .map(|s| normalize(s.direction).unwrap_or([0.0, 0.0, 1.0]))
            .collect();
        Ok(Classifier {
            references,
            cos_enter: config.enter_deg.to_radians().cos(),
            cos_exit: config.exit_deg.to_radians().cos(),
            tau: Duration::from_millis(config.tau_ms).as_secs_f32(),
            gap: Duration::from_millis(config.gap_ms),
            dwell: Duration::from_millis(config.dwell_ms),
            hold: Duration::from_millis(config.moving_hold_ms),
            config,
            filter: None,
            state: State::Unknown,
            current: None,
            last_motion: None,
            candidate: None,
        })
    }

    /// Takes new settings (surfaces added, renamed, removed or re-aimed) without forgetting the
    /// filtered direction: the surface shown stays shown if it still exists, and the next
    /// sample decides the rest. On error nothing changed.
    pub fn reconfigure(&mut self, config: Config) -> Result<(), ConfigError> {
        let mut next = Classifier::new(config)?;
        let shown = self
            .current
            .and_then(|i| self.config.surfaces.get(i))
            .map(|s| s.name.clone());
        next.current =
            shown.and_then(|name| next.config.surfaces.iter().position(|s| s.name == name));
        next.filter = self.filter;
        next.last_motion = self.last_motion;
        next.state = match &self.state {
            State::Surface(name) if next.current.is_some() => State::Surface(name.clone()),
            State::Moving => State::Moving,
            _ => State::Unknown,
        };
        *self = next;
        Ok(())
    }

    /// The current state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The settings, with calibrated surfaces included: save this to keep a calibration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The filtered gravity direction (unit vector, sensor frame), once there is a sample.
    pub fn gravity(&self) -> Option<[f32; 3]> {
        let f = self.filter?;
        normalize([-f.value[0], -f.value[1], -f.value[2]])
    }

    /// Feeds one sample taken at `at`; returns the state change it caused, if any.
    ///
    /// Non-finite samples are ignored. A sample older than the previous one restarts the filter.
    pub fn update(&mut self, at: Instant, sample: Acceleration) -> Option<Event> {
        let raw = [sample.x, sample.y, sample.z];
        if !raw.iter().all(|v| v.is_finite()) {
            return None;
        }
        let previous = self.filter.filter(|f| at >= f.at && at - f.at <= self.gap);
        let Some(previous) = previous else {
            // First sample, or after a gap: start over from this one.
            self.filter = Some(Filtered { at, value: raw });
            self.candidate = None;
            return self.classify(at, false);
        };
        let jolt = (norm(raw) - 1.0).abs() > self.config.moving_magnitude_g;
        let swing = distance(raw, previous.value) > self.config.moving_change_g;
        let value = if jolt {
            previous.value
        } else {
            let dt = (at - previous.at).as_secs_f32();
            let alpha = dt / (self.tau + dt);
            [0, 1, 2].map(|i| previous.value[i] + alpha * (raw[i] - previous.value[i]))
        };
        self.filter = Some(Filtered { at, value });
        self.classify(at, jolt || swing)
    }

    /// Saves the current filtered direction as surface `name` (replacing one of that name, or
    /// adding it) and shows that surface at once: the user is pointing at it.
    pub fn calibrate(&mut self, name: &str) -> Result<Option<Event>, CalibrationError> {
        if name.trim().is_empty() {
            return Err(CalibrationError::EmptyName);
        }
        if self.state == State::Moving {
            return Err(CalibrationError::Moving { name: name.into() });
        }
        let (Some(filter), Some(direction)) = (self.filter, self.gravity()) else {
            return Err(CalibrationError::NoSample { name: name.into() });
        };
        let index = match self.config.surfaces.iter().position(|s| s.name == name) {
            Some(i) => {
                self.config.surfaces[i].direction = direction;
                self.references[i] = direction;
                i
            }
            None => {
                self.config.surfaces.push(SurfaceSpec::new(name, direction));
                self.references.push(direction);
                self.references.len() - 1
            }
        };
        self.current = Some(index);
        self.candidate = None;
        Ok(self.set(filter.at, State::Surface(name.into())))
    }

    fn classify(&mut self, at: Instant, motion: bool) -> Option<Event> {
        if motion {
            self.last_motion = Some(at);
            self.candidate = None;
            return self.set(at, State::Moving);
        }
        let holding = self.last_motion.is_some_and(|m| at - m < self.hold);
        let target = self.gravity().and_then(|g| self.target(g));
        match target {
            Some(t) if Some(t) == self.current => {
                self.candidate = None;
                if holding { None } else { self.show(at, t) }
            }
            Some(t) => {
                let since = match self.candidate {
                    Some((c, since)) if c == t => since,
                    _ => {
                        self.candidate = Some((t, at));
                        at
                    }
                };
                if holding || at - since < self.dwell {
                    return None;
                }
                self.current = Some(t);
                self.candidate = None;
                self.show(at, t)
            }
            None => {
                self.candidate = None;
                if holding || self.state != State::Moving {
                    None
                } else {
                    self.set(at, State::Unknown)
                }
            }
        }
    }

    /// The surface the direction `gravity` argues for, before dwell; see the module docs.
    fn target(&self, gravity: Vec3) -> Option<usize> {
        let mut best: Option<(usize, f32)> = None;
        for (i, reference) in self.references.iter().enumerate() {
            let cos = dot(gravity, *reference);
            if cos >= self.cos_enter && best.is_none_or(|(_, b)| cos > b) {
                best = Some((i, cos));
            }
        }
        let Some(current) = self.current else {
            return best.map(|(i, _)| i);
        };
        let cos_current = self
            .references
            .get(current)
            .map_or(-1.0, |r| dot(gravity, *r));
        match best {
            Some((b, cos_b)) if cos_current < self.cos_exit || cos_b > cos_current => Some(b),
            // Inside the current surface's exit cone, or between surfaces: keep it.
            _ => Some(current),
        }
    }

    fn show(&mut self, at: Instant, index: usize) -> Option<Event> {
        let name = &self.config.surfaces.get(index)?.name;
        if matches!(&self.state, State::Surface(shown) if shown == name) {
            return None;
        }
        let to = State::Surface(name.clone());
        self.set(at, to)
    }

    fn set(&mut self, at: Instant, to: State) -> Option<Event> {
        if self.state == to {
            return None;
        }
        let from = std::mem::replace(&mut self.state, to.clone());
        Some(Event { at, from, to })
    }
}
