//! The simulated lamp: an ADXL345 model on the configured I2C bus of a simulated board, so
//! `lantern run --board sim`, the tests and the desktop simulator run the same lamp.

use std::time::Duration;

use atelier_hal::Instant;
use atelier_sim::{
    Adxl345Model, OrientationScript, Pace, Registers, SimBoard, VirtualClock, Wobble,
};

use crate::config::LanternConfig;

/// Gravity's direction in the sensor frame when the lamp stands on the table pointing at the
/// ceiling, at the wall, and at the table (the shipped config's three surfaces).
pub const CEILING: [f64; 3] = [0.0, 0.0, -1.0];
/// See [`CEILING`].
pub const WALL: [f64; 3] = [0.0, -1.0, 0.0];
/// See [`CEILING`].
pub const TABLE: [f64; 3] = [0.0, 0.0, 1.0];

/// A simulated lamp: the board, and a handle on its accelerometer to turn the lamp.
#[derive(Debug, Clone)]
pub struct SimLamp {
    /// The board, with the accelerometer on `config.sensor.i2c_bus` at 0x53.
    pub board: SimBoard,
    /// The accelerometer: `update_script` turns the lamp, `set_noise` shakes it.
    pub accelerometer: Adxl345Model,
}

impl SimLamp {
    /// A lamp following `script` on a board whose clock runs at `pace`.
    pub fn new(config: &LanternConfig, script: OrientationScript, pace: Pace) -> SimLamp {
        let board = SimBoard::with_clock(VirtualClock::with_pace(pace));
        let accelerometer = Adxl345Model::new(script, 7);
        board
            .i2c_bus(config.sensor.i2c_bus)
            .attach(0x53, Registers::new(accelerometer.clone()));
        SimLamp {
            board,
            accelerometer,
        }
    }

    /// Points the lamp along `direction` (gravity in the sensor frame), turning it over
    /// `duration` from now.
    pub fn turn_to(&self, direction: [f64; 3], duration: Duration) {
        let now = atelier_hal::Clock::now(&self.board.clock());
        self.accelerometer
            .update_script(|script| script.move_to(now, duration, direction));
    }
}

/// What `lantern run --board sim` shows: the lamp on a spring arm turned table → wall →
/// ceiling → table, 8 s on each, for an hour.
pub fn tour() -> OrientationScript {
    let mut script = OrientationScript::fixed(TABLE).with_wobble(Wobble::SPRING_ARM);
    let directions = [WALL, CEILING, TABLE];
    for cycle in 0..450u64 {
        let at = Instant::from_duration(Duration::from_secs(8 * (cycle + 1)));
        script.move_to(
            at,
            Duration::from_millis(1200),
            directions[cycle as usize % 3],
        );
    }
    script
}
