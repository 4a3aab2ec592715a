//! The lamp in the desktop simulator: Lantern's real loop on a simulated board (an ADXL345
//! model on the configured I2C bus), its companion page exactly as the lamp serves it, and the
//! hardware panel's controls: which way the lamp points, how much the sensor shakes, whether
//! the arm wobbles, a knock.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use atelier_board::Board;
use atelier_config::Places;
use atelier_hal::Clock as _;
use atelier_sim::{OrientationScript, Pace, Projector, Wobble};
use lantern::config::LanternConfig;
use lantern::lamp::{Lamp, LampHandle, Runner, WallTime};
use lantern::render::SimSink;
use lantern::simulated::{CEILING, SimLamp, TABLE, WALL};
use serde::{Deserialize, Serialize};

/// How long a turn from the panel takes: a hand moving a lamp.
const TURN: Duration = Duration::from_millis(1200);

/// The most sensor noise the panel sets, g rms: enough to keep the classifier from settling.
pub const MAX_NOISE_G: f64 = 0.5;

/// Where the lamp points, as the panel sets it.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Toward {
    /// Standing on the table, beam up.
    Ceiling,
    /// Beam level.
    Wall,
    /// Beam down onto the table.
    Table,
}

impl Toward {
    /// Gravity in the sensor frame when pointing this way (the shipped config's surfaces).
    pub fn gravity(self) -> [f64; 3] {
        match self {
            Toward::Ceiling => CEILING,
            Toward::Wall => WALL,
            Toward::Table => TABLE,
        }
    }
}

/// What the hardware panel has set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Panel {
    /// Gravity in the sensor frame the lamp is turning (or has turned) to.
    pub gravity: [f64; 3],
    /// One of the three named directions, when the gravity is one.
    pub toward: Option<Toward>,
    /// Sensor noise, g rms per axis.
    pub noise_g: f64,
    /// The arm springs back after each turn.
    pub wobble: bool,
}

/// A change from the hardware panel; every field is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelChange {
    /// Point at the ceiling, the wall or the table.
    pub toward: Option<Toward>,
    /// Point along this gravity vector (sensor frame, any length but zero).
    pub gravity: Option<[f64; 3]>,
    /// Sensor noise, 0 to [`MAX_NOISE_G`] g rms.
    pub noise_g: Option<f64>,
    /// The arm wobbles after a turn.
    pub wobble: Option<bool>,
    /// Knock the lamp: a 0.3 g jolt for 150 ms.
    #[serde(default)]
    pub knock: bool,
}

/// The simulated lamp, running.
#[derive(Debug)]
pub struct DeskLamp {
    sim: SimLamp,
    handle: LampHandle,
    places: Places,
    companion: lantern::config::Companion,
    panel: Mutex<Panel>,
}

impl DeskLamp {
    /// Loads the lamp's config from `places` (its state folder is the simulator's own), starts
    /// the lamp loop on a thread of its own at real time, pointing at the ceiling, and its
    /// apps' refreshers on `runtime`. The thread ends when `stop` is set.
    pub fn start(
        places: Places,
        runtime: tokio::runtime::Handle,
        stop: Arc<AtomicBool>,
    ) -> anyhow::Result<(Arc<DeskLamp>, std::thread::JoinHandle<()>)> {
        let config: LanternConfig = places.load()?;
        let script = OrientationScript::fixed(CEILING).with_wobble(Wobble::SPRING_ARM);
        let sim = SimLamp::new(&config, script, Pace::RealTime { speed: 1.0 });
        let mut board = Board::sim(sim.board.clone());
        let bus = board
            .i2c(config.sensor.i2c_bus)
            .context("the simulated lamp's I2C bus")?;
        let lamp = Lamp::new(&config).map_err(|e| anyhow!("{}: {e}", places.defaults.display()))?;
        let refreshers = lamp.refreshers();
        // Frames go to a simulated projector; the page's preview comes from the lamp's handle.
        let sink = SimSink::new(Projector::new(1));
        let mut runner = Runner::new(lamp, &config, bus, sink, board.clock(), WallTime::System);
        let handle = runner.connect();
        let mut spawn_refreshers = lantern::refreshing::on_runtime(runtime, Arc::clone(&stop));
        spawn_refreshers(refreshers);
        runner.on_new_refreshers(spawn_refreshers);
        let thread = std::thread::Builder::new()
            .name("lantern".into())
            .spawn(move || runner.run(&stop))
            .context("starting the lamp's thread")?;
        let companion = lantern::config::Companion {
            // The simulator listens on 127.0.0.1 only: what the lamp shows is this desktop's.
            open_read: true,
            ..config.companion
        };
        let lamp = DeskLamp {
            sim,
            handle,
            places,
            companion,
            panel: Mutex::new(Panel {
                gravity: CEILING,
                toward: Some(Toward::Ceiling),
                noise_g: atelier_sim::Adxl345Model::DEFAULT_NOISE_RMS,
                wobble: true,
            }),
        };
        Ok((Arc::new(lamp), thread))
    }

    /// The lamp's simulated board (its accelerometer's I2C bus and its recording).
    pub fn board(&self) -> atelier_sim::SimBoard {
        self.sim.board.clone()
    }

    /// The lamp's handle: its state, preview and commands, as the companion uses them.
    pub fn handle(&self) -> &LampHandle {
        &self.handle
    }

    /// The companion's router, as `lantern run` serves it (pairings in the simulator's state).
    pub fn companion_router(&self) -> anyhow::Result<axum::Router> {
        let gate = lantern::companion::gate(&self.places, &self.companion, self.handle.clone())
            .with_context(|| {
                format!(
                    "the lamp's pairings in {}",
                    self.places.in_state(Path::new("pairings.json")).display()
                )
            })?;
        let companion =
            lantern::companion::Companion::new(self.places.clone(), self.handle.clone());
        Ok(lantern::companion::router(companion, gate).0)
    }

    /// What the panel has set.
    pub fn panel(&self) -> Panel {
        self.panel
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Applies a change from the panel; a value out of range changes nothing and says why.
    pub fn change(&self, change: &PanelChange) -> Result<Panel, String> {
        let gravity = match (change.toward, change.gravity) {
            (Some(_), Some(_)) => return Err("give `toward` or `gravity`, not both".into()),
            (Some(toward), None) => Some(toward.gravity()),
            (None, Some(vector)) => {
                let length = vector.iter().map(|v| v * v).sum::<f64>().sqrt();
                if !(length.is_finite() && length > 1e-6) {
                    return Err(format!(
                        "gravity {vector:?} has no direction: give three numbers, not all zero"
                    ));
                }
                Some(vector.map(|v| v / length))
            }
            (None, None) => None,
        };
        if let Some(noise) = change.noise_g
            && !(0.0..=MAX_NOISE_G).contains(&noise)
        {
            return Err(format!(
                "noise_g {noise} is out of range: 0 to {MAX_NOISE_G} g rms"
            ));
        }
        let mut panel = self.panel.lock().unwrap_or_else(PoisonError::into_inner);
        let now = self.sim.board.clock().now();
        if let Some(gravity) = gravity {
            self.sim.turn_to(gravity, TURN);
            panel.gravity = gravity;
            panel.toward = change.toward.or_else(|| {
                [Toward::Ceiling, Toward::Wall, Toward::Table]
                    .into_iter()
                    .find(|t| t.gravity() == gravity)
            });
        }
        if let Some(noise) = change.noise_g {
            self.sim.accelerometer.set_noise(noise);
            panel.noise_g = noise;
        }
        if let Some(wobble) = change.wobble {
            self.sim
                .accelerometer
                .update_script(|script| script.set_wobble(wobble.then_some(Wobble::SPRING_ARM)));
            panel.wobble = wobble;
        }
        if change.knock {
            self.sim.accelerometer.update_script(|script| {
                script.push_bump(now, Duration::from_millis(150), [0.3, 0.0, 0.0]);
            });
        }
        Ok(panel.clone())
    }
}
