//! Accelerometers on the I2C bus: an ADXL345 and an MPU-6050 at register level, driven by a
//! scripted orientation.
//!
//! # Frames and signs
//! The script gives the direction of *gravity* in the sensor frame (a unit vector pointing at the
//! earth). A resting accelerometer measures the opposite, +1 g pointing up (a chip lying flat on a
//! table reads z = +1 g while gravity points along −Z), so the models report `−gravity`, plus any
//! scripted bump, plus noise, in the chip's own axes.
//!
//! # Sampling
//! Both chips sample at their output data rate and latch a sample for a multi-byte read. The
//! models do the same: a sample is computed once per output-data-rate tick, at the tick's time,
//! and every register read within that tick reports it, so the bytes of one read always belong
//! together and reading faster than the data rate returns the same sample again.

use std::f64::consts::TAU;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atelier_hal::Instant;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::i2c::RegisterDevice;

/// A direction in the sensor frame; not necessarily unit length when given, normalised on use.
pub type Vector = [f64; 3];

/// Gravity along +Z: the fallback for a zero or non-finite direction handed to a script.
const FALLBACK_GRAVITY: Vector = [0.0, 0.0, 1.0];

/// A damped sinusoidal tilt after each movement, the way a lamp on a spring arm settles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wobble {
    /// Peak tilt at the start, in degrees.
    pub amplitude_deg: f64,
    /// Oscillation frequency.
    pub frequency_hz: f64,
    /// Time constant of the exponential decay.
    pub decay: Duration,
}

impl Wobble {
    /// A desk lamp on a spring arm: 6° at 2.5 Hz, decaying with a 0.3 s time constant.
    pub const SPRING_ARM: Wobble = Wobble {
        amplitude_deg: 6.0,
        frequency_hz: 2.5,
        decay: Duration::from_millis(300),
    };

    /// Tilt in radians `since` the end of a movement.
    fn tilt(&self, since: Duration) -> f64 {
        let t = since.as_secs_f64();
        let decay = self.decay.as_secs_f64();
        if decay <= 0.0 || t > 20.0 * decay {
            return 0.0;
        }
        self.amplitude_deg.to_radians() * (-t / decay).exp() * (TAU * self.frequency_hz * t).sin()
    }
}

/// A bump: extra acceleration of the lamp for a while (a knock, a hand grabbing it).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bump {
    at: Instant,
    duration: Duration,
    acceleration: Vector,
}

/// Where gravity points over virtual time: key frames joined by great-circle interpolation, an
/// optional wobble after each movement, and bumps.
///
/// Before the first key frame gravity points as at the first one, after the last as at the last;
/// with no key frame at all it points along +Z (sensor facing down, as on a table).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrientationScript {
    keys: Vec<(Instant, Vector)>,
    wobble: Option<Wobble>,
    bumps: Vec<Bump>,
}

impl OrientationScript {
    /// Gravity along `direction` from the start, for ever (until more key frames are added).
    pub fn fixed(direction: Vector) -> OrientationScript {
        OrientationScript::default().key(Instant::ZERO, direction)
    }

    /// Adds a key frame: gravity points along `direction` at `at`.
    ///
    /// Key frames are kept in time order whatever order they are added in. A zero or non-finite
    /// direction is taken as +Z, so a script never produces NaN.
    pub fn key(mut self, at: Instant, direction: Vector) -> OrientationScript {
        self.push_key(at, direction);
        self
    }

    /// [`key`](Self::key) on a script held by reference, for changing a running model's script.
    pub fn push_key(&mut self, at: Instant, direction: Vector) {
        let direction = normalize(direction).unwrap_or(FALLBACK_GRAVITY);
        let index = self.keys.partition_point(|(t, _)| *t <= at);
        self.keys.insert(index, (at, direction));
    }

    /// Holds the direction reached at `from` and then turns to `direction` over `duration`: the
    /// usual "the user moves the lamp now" step in a test.
    pub fn move_to(&mut self, from: Instant, duration: Duration, direction: Vector) {
        let start = self.gravity_without_wobble(from);
        self.keys.retain(|(t, _)| *t < from);
        self.push_key(from, start);
        self.push_key(from + duration, direction);
    }

    /// Adds a wobble after every key frame that ends a movement.
    pub fn with_wobble(mut self, wobble: Wobble) -> OrientationScript {
        self.wobble = Some(wobble);
        self
    }

    /// [`with_wobble`](Self::with_wobble) on a script held by reference; `None` for a rigid
    /// mount.
    pub fn set_wobble(&mut self, wobble: Option<Wobble>) {
        self.wobble = wobble;
    }

    /// Adds `acceleration` (in g, sensor frame) to what the sensor measures during
    /// `at..at + duration`.
    pub fn with_bump(mut self, at: Instant, duration: Duration, acceleration: Vector) -> Self {
        self.push_bump(at, duration, acceleration);
        self
    }

    /// [`with_bump`](Self::with_bump) on a script held by reference (a knock on a running lamp).
    pub fn push_bump(&mut self, at: Instant, duration: Duration, acceleration: Vector) {
        self.bumps.push(Bump {
            at,
            duration,
            acceleration,
        });
    }

    /// The unit gravity direction at `now`, wobble included.
    pub fn gravity(&self, now: Instant) -> Vector {
        let mut direction = self.gravity_without_wobble(now);
        let Some(wobble) = self.wobble else {
            return direction;
        };
        for pair in self.keys.windows(2) {
            let [(_, before), (at, after)] = [pair[0], pair[1]];
            if at > now {
                break;
            }
            // Tilt about the axis of the movement that just ended, so the lamp overshoots along
            // the way it was going.
            let Some(axis) = normalize(cross(before, after)) else {
                continue;
            };
            direction = rotate(direction, axis, wobble.tilt(now - at));
        }
        direction
    }

    fn gravity_without_wobble(&self, now: Instant) -> Vector {
        let next = self.keys.partition_point(|(t, _)| *t <= now);
        match (
            next.checked_sub(1).map(|i| self.keys[i]),
            self.keys.get(next),
        ) {
            (None, None) => FALLBACK_GRAVITY,
            (None, Some(&(_, first))) => first,
            (Some((_, last)), None) => last,
            (Some((t0, d0)), Some(&(t1, d1))) => {
                let span = (t1 - t0).as_secs_f64();
                let fraction = if span > 0.0 {
                    (now - t0).as_secs_f64() / span
                } else {
                    1.0
                };
                slerp(d0, d1, fraction)
            }
        }
    }

    /// What an ideal accelerometer measures at `now`, in g: `−gravity` plus any bump.
    pub fn acceleration(&self, now: Instant) -> Vector {
        let g = self.gravity(now);
        let mut a = [-g[0], -g[1], -g[2]];
        for bump in &self.bumps {
            if now >= bump.at && now < bump.at + bump.duration {
                for (axis, extra) in a.iter_mut().zip(bump.acceleration) {
                    *axis += if extra.is_finite() { extra } else { 0.0 };
                }
            }
        }
        a
    }
}

/// An [`OrientationScript`] seen through a noisy sensor: seeded Gaussian noise on every axis.
///
/// The device models use one inside; tests of code that consumes samples (a classifier) can use
/// one directly and skip the bus.
#[derive(Clone, Debug)]
pub struct AccelerationSource {
    script: OrientationScript,
    noise_rms: f64,
    rng: ChaCha8Rng,
}

impl AccelerationSource {
    /// `script` with `noise_rms` g of white noise per axis, drawn from `seed`.
    pub fn new(script: OrientationScript, noise_rms: f64, seed: u64) -> AccelerationSource {
        AccelerationSource {
            script,
            noise_rms: sanitize_noise(noise_rms),
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// One measurement at `now`, in g.
    pub fn sample(&mut self, now: Instant) -> Vector {
        self.sample_scaled(now, 1.0)
    }

    /// The script.
    pub fn script(&self) -> &OrientationScript {
        &self.script
    }

    fn sample_scaled(&mut self, now: Instant, noise_factor: f64) -> Vector {
        let sigma = self.noise_rms * noise_factor;
        let mut a = self.script.acceleration(now);
        if sigma > 0.0 {
            for axis in &mut a {
                *axis += sigma * gaussian(&mut self.rng);
            }
        }
        a
    }
}

/// A standard normal deviate (Box–Muller; one of the pair is thrown away, which keeps the stream
/// of draws simple to reason about).
fn gaussian(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // (0, 1]: the logarithm stays finite
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
}

fn sanitize_noise(rms: f64) -> f64 {
    if rms.is_finite() && rms > 0.0 {
        rms
    } else {
        0.0
    }
}

/// The state shared by a model's handles.
#[derive(Debug)]
struct Chip {
    registers: [u8; 256],
    source: AccelerationSource,
    /// The sample of the current output-data-rate tick: (tick number, acceleration in g).
    latched: Option<(u64, Vector)>,
}

impl Chip {
    fn new(registers: [u8; 256], source: AccelerationSource) -> Chip {
        Chip {
            registers,
            source,
            latched: None,
        }
    }

    /// The sample of the tick containing `now` at `rate_hz`, computed at the tick's start.
    fn sample(&mut self, now: Instant, rate_hz: f64, noise_factor: f64) -> Vector {
        let tick = (now.as_nanos() as f64 * rate_hz / 1e9).floor() as u64;
        match self.latched {
            Some((latched, a)) if latched == tick => a,
            _ => {
                let at = Instant::from_nanos((tick as f64 * 1e9 / rate_hz) as u64);
                let a = self.source.sample_scaled(at, noise_factor);
                self.latched = Some((tick, a));
                a
            }
        }
    }
}

/// The common handle of both models: a chip behind a lock, shared by every clone.
#[derive(Clone)]
struct Shared(Arc<Mutex<Chip>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Chip> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chip = self.lock();
        f.debug_struct("Chip")
            .field("script", &chip.source.script)
            .field("noise_rms", &chip.source.noise_rms)
            .finish_non_exhaustive()
    }
}

/// Counts for `g` at `lsb_per_g`, saturated to a signed `bits`-bit converter.
fn counts(g: f64, lsb_per_g: f64, bits: u32) -> i16 {
    let max = f64::from((1u32 << (bits - 1)) - 1);
    let min = -f64::from(1u32 << (bits - 1));
    let value = (g * lsb_per_g).round();
    // NaN fails both comparisons and lands on zero.
    if value >= min && value <= max {
        value as i16
    } else if value > max {
        max as i16
    } else if value < min {
        min as i16
    } else {
        0
    }
}

/// ADXL345 registers the model gives meaning to.
mod adxl {
    pub const DEVID: u8 = 0x00;
    pub const BW_RATE: u8 = 0x2C;
    pub const POWER_CTL: u8 = 0x2D;
    pub const INT_SOURCE: u8 = 0x30;
    pub const DATA_FORMAT: u8 = 0x31;
    pub const DATAX0: u8 = 0x32;
    pub const DATAZ1: u8 = 0x37;
    pub const FIFO_STATUS: u8 = 0x39;
    pub const ID: u8 = 0xE5;
    pub const MEASURE: u8 = 0x08;
    pub const FULL_RES: u8 = 0x08;
    pub const JUSTIFY: u8 = 0x04;
}

/// An ADXL345 (Analog Devices, 3-axis, ±2…±16 g) at register level.
///
/// Registers: DEVID (0x00, 0xE5, read-only), BW_RATE (0x2C, output data rate; reset 100 Hz),
/// POWER_CTL (0x2D; data reads 0 until the Measure bit is set), DATA_FORMAT (0x31: FULL_RES,
/// Justify, Range), DATAX0…DATAZ1 (0x32…0x37, little-endian, right- or left-justified). Every
/// other register is plain storage. Scale: 3.9 mg/LSB (256 LSB/g) at every range in full
/// resolution; 10 bits over the range otherwise; saturates at the range's limits.
///
/// Noise: `noise_rms` is the figure at 100 Hz; above 100 Hz it grows by √2 per doubling of the
/// rate, as on the datasheet.
///
/// Cloning gives another handle on the same chip: hang one on the bus and keep one to change the
/// script while the firmware runs.
#[derive(Clone, Debug)]
pub struct Adxl345Model {
    chip: Shared,
}

impl Adxl345Model {
    /// Datasheet noise at 100 Hz: about 4 mg rms.
    pub const DEFAULT_NOISE_RMS: f64 = 0.004;

    /// A chip at power-on, following `script`, with the default noise drawn from `seed`.
    pub fn new(script: OrientationScript, seed: u64) -> Adxl345Model {
        let mut registers = [0u8; 256];
        registers[usize::from(adxl::DEVID)] = adxl::ID;
        registers[usize::from(adxl::BW_RATE)] = 0x0A;
        registers[usize::from(adxl::INT_SOURCE)] = 0x02;
        let source = AccelerationSource::new(script, Self::DEFAULT_NOISE_RMS, seed);
        Adxl345Model {
            chip: Shared(Arc::new(Mutex::new(Chip::new(registers, source)))),
        }
    }

    /// Changes the noise (g rms per axis at 100 Hz); zero for a noiseless sensor.
    pub fn set_noise(&self, rms: f64) {
        self.chip.lock().source.noise_rms = sanitize_noise(rms);
    }

    /// Replaces the script from now on.
    pub fn set_script(&self, script: OrientationScript) {
        let mut chip = self.chip.lock();
        chip.source.script = script;
        chip.latched = None;
    }

    /// Edits the script in place (add a key frame, a bump).
    pub fn update_script(&self, edit: impl FnOnce(&mut OrientationScript)) {
        let mut chip = self.chip.lock();
        edit(&mut chip.source.script);
        chip.latched = None;
    }

    /// A register's stored value (data registers hold no stored value and read 0 here).
    pub fn register(&self, register: u8) -> u8 {
        self.chip.lock().registers[usize::from(register)]
    }

    /// The output data rate BW_RATE selects: 3200 Hz halved for every step below code 15.
    fn rate_hz(bw_rate: u8) -> f64 {
        3200.0 / f64::from(1u32 << (15 - u32::from(bw_rate & 0x0F)))
    }
}

impl RegisterDevice for Adxl345Model {
    fn read_register(&mut self, now: Instant, register: u8) -> u8 {
        let mut chip = self.chip.lock();
        match register {
            adxl::DATAX0..=adxl::DATAZ1 => {
                if chip.registers[usize::from(adxl::POWER_CTL)] & adxl::MEASURE == 0 {
                    return 0;
                }
                let rate = Self::rate_hz(chip.registers[usize::from(adxl::BW_RATE)]);
                let a = chip.sample(now, rate, (rate / 100.0).max(1.0).sqrt());
                let format = chip.registers[usize::from(adxl::DATA_FORMAT)];
                let range = u32::from(format & 0x03);
                let (lsb_per_g, bits) = if format & adxl::FULL_RES != 0 {
                    (256.0, 10 + range)
                } else {
                    (f64::from(256u32 >> range), 10)
                };
                let offset = register - adxl::DATAX0;
                let mut value = counts(a[usize::from(offset / 2)], lsb_per_g, bits);
                if format & adxl::JUSTIFY != 0 {
                    value = value.wrapping_shl(16 - bits);
                }
                value.to_le_bytes()[usize::from(offset % 2)]
            }
            // FIFO bypassed: one entry always ready.
            adxl::FIFO_STATUS => 0x01,
            _ => chip.registers[usize::from(register)],
        }
    }

    fn write_register(&mut self, _now: Instant, register: u8, value: u8) {
        let mut chip = self.chip.lock();
        match register {
            adxl::DEVID | adxl::INT_SOURCE | adxl::DATAX0..=adxl::DATAZ1 | adxl::FIFO_STATUS => {}
            _ => {
                chip.registers[usize::from(register)] = value;
                // A new rate or power state starts a fresh sample.
                chip.latched = None;
            }
        }
    }
}

/// MPU-6050 registers the model gives meaning to.
mod mpu {
    pub const CONFIG: u8 = 0x1A;
    pub const ACCEL_CONFIG: u8 = 0x1C;
    pub const ACCEL_XOUT_H: u8 = 0x3B;
    pub const ACCEL_ZOUT_L: u8 = 0x40;
    pub const TEMP_OUT_H: u8 = 0x41;
    pub const TEMP_OUT_L: u8 = 0x42;
    pub const GYRO_XOUT_H: u8 = 0x43;
    pub const GYRO_ZOUT_L: u8 = 0x48;
    pub const PWR_MGMT_1: u8 = 0x6B;
    pub const PWR_MGMT_2: u8 = 0x6C;
    pub const WHO_AM_I: u8 = 0x75;
    pub const ID: u8 = 0x68;
    pub const DEVICE_RESET: u8 = 0x80;
    pub const SLEEP: u8 = 0x40;
    /// 25 °C: TEMP_OUT / 340 + 36.53.
    pub const TEMP_25C: i16 = -3920;
    /// Accelerometer bandwidth for DLPF_CFG 0…7 (7 is reserved; taken as off).
    pub const BANDWIDTH_HZ: [f64; 8] = [260.0, 184.0, 94.0, 44.0, 21.0, 10.0, 5.0, 260.0];
}

/// An MPU-6050 (InvenSense, accelerometer + gyroscope) at register level; the gyroscope reads
/// still and the temperature 25 °C.
///
/// Registers: WHO_AM_I (0x75, 0x68 at either address, read-only), PWR_MGMT_1 (0x6B; resets with
/// SLEEP set, and data reads 0 while asleep; DEVICE_RESET restores every register), PWR_MGMT_2
/// (0x6C; an accelerometer axis in standby reads 0), CONFIG (0x1A, DLPF_CFG), ACCEL_CONFIG
/// (0x1C, AFS_SEL: 16384/8192/4096/2048 LSB/g), ACCEL_XOUT_H…ACCEL_ZOUT_L (0x3B…0x40,
/// big-endian), TEMP_OUT, GYRO_*OUT. Every other register is plain storage. Samples at 1 kHz.
///
/// Noise: `noise_rms` is the figure with the low-pass filter off (260 Hz); a narrower DLPF
/// bandwidth lowers it by the square root of the bandwidth ratio.
///
/// Cloning gives another handle on the same chip.
#[derive(Clone, Debug)]
pub struct Mpu6050Model {
    chip: Shared,
}

impl Mpu6050Model {
    /// 400 µg/√Hz over the unfiltered bandwidth: about 8 mg rms.
    pub const DEFAULT_NOISE_RMS: f64 = 0.008;

    /// A chip at power-on (asleep), following `script`, with the default noise drawn from `seed`.
    pub fn new(script: OrientationScript, seed: u64) -> Mpu6050Model {
        let source = AccelerationSource::new(script, Self::DEFAULT_NOISE_RMS, seed);
        Mpu6050Model {
            chip: Shared(Arc::new(Mutex::new(Chip::new(
                Self::reset_registers(),
                source,
            )))),
        }
    }

    fn reset_registers() -> [u8; 256] {
        let mut registers = [0u8; 256];
        registers[usize::from(mpu::PWR_MGMT_1)] = mpu::SLEEP;
        registers[usize::from(mpu::WHO_AM_I)] = mpu::ID;
        registers
    }

    /// Changes the noise (g rms per axis with the DLPF off); zero for a noiseless sensor.
    pub fn set_noise(&self, rms: f64) {
        self.chip.lock().source.noise_rms = sanitize_noise(rms);
    }

    /// Replaces the script from now on.
    pub fn set_script(&self, script: OrientationScript) {
        let mut chip = self.chip.lock();
        chip.source.script = script;
        chip.latched = None;
    }

    /// Edits the script in place (add a key frame, a bump).
    pub fn update_script(&self, edit: impl FnOnce(&mut OrientationScript)) {
        let mut chip = self.chip.lock();
        edit(&mut chip.source.script);
        chip.latched = None;
    }

    /// A register's stored value (data registers hold no stored value and read 0 here).
    pub fn register(&self, register: u8) -> u8 {
        self.chip.lock().registers[usize::from(register)]
    }
}

impl RegisterDevice for Mpu6050Model {
    fn read_register(&mut self, now: Instant, register: u8) -> u8 {
        let mut chip = self.chip.lock();
        let power = chip.registers[usize::from(mpu::PWR_MGMT_1)];
        let value: i16 = match register {
            mpu::ACCEL_XOUT_H..=mpu::GYRO_ZOUT_L if power & mpu::SLEEP != 0 => 0,
            mpu::ACCEL_XOUT_H..=mpu::ACCEL_ZOUT_L => {
                let axis = usize::from((register - mpu::ACCEL_XOUT_H) / 2);
                // STBY_XA, STBY_YA, STBY_ZA are bits 5, 4, 3.
                let standby = chip.registers[usize::from(mpu::PWR_MGMT_2)] & (0x20 >> axis) != 0;
                if standby {
                    0
                } else {
                    let dlpf = usize::from(chip.registers[usize::from(mpu::CONFIG)] & 0x07);
                    let factor = (mpu::BANDWIDTH_HZ[dlpf] / mpu::BANDWIDTH_HZ[0]).sqrt();
                    let a = chip.sample(now, 1000.0, factor);
                    let afs = (chip.registers[usize::from(mpu::ACCEL_CONFIG)] >> 3) & 0x03;
                    counts(a[axis], f64::from(16384u32 >> afs), 16)
                }
            }
            mpu::TEMP_OUT_H | mpu::TEMP_OUT_L => mpu::TEMP_25C,
            mpu::GYRO_XOUT_H..=mpu::GYRO_ZOUT_L => 0,
            _ => return chip.registers[usize::from(register)],
        };
        // Big-endian: the high byte at the even offset from ACCEL_XOUT_H.
        value.to_be_bytes()[usize::from((register - mpu::ACCEL_XOUT_H) % 2)]
    }

    fn write_register(&mut self, _now: Instant, register: u8, value: u8) {
        let mut chip = self.chip.lock();
        match register {
            mpu::WHO_AM_I | mpu::ACCEL_XOUT_H..=mpu::GYRO_ZOUT_L => {}
            mpu::PWR_MGMT_1 if value & mpu::DEVICE_RESET != 0 => {
                chip.registers = Self::reset_registers();
                chip.latched = None;
            }
            _ => {
                chip.registers[usize::from(register)] = value;
                chip.latched = None;
            }
        }
    }
}

fn dot(a: Vector, b: Vector) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: Vector, b: Vector) -> Vector {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn normalize(v: Vector) -> Option<Vector> {
    let norm = dot(v, v).sqrt();
    (norm.is_finite() && norm > 1e-12).then(|| [v[0] / norm, v[1] / norm, v[2] / norm])
}

/// Rotates `v` about the unit `axis` by `angle` radians (Rodrigues).
fn rotate(v: Vector, axis: Vector, angle: f64) -> Vector {
    let (sin, cos) = angle.sin_cos();
    let k_cross_v = cross(axis, v);
    let k_dot_v = dot(axis, v);
    [0, 1, 2].map(|i| v[i] * cos + k_cross_v[i] * sin + axis[i] * k_dot_v * (1.0 - cos))
}

/// Great-circle interpolation between unit vectors, so a sweep turns at a steady rate.
fn slerp(a: Vector, b: Vector, fraction: f64) -> Vector {
    let fraction = fraction.clamp(0.0, 1.0);
    let angle = dot(a, b).clamp(-1.0, 1.0).acos();
    if angle < 1e-9 {
        return a;
    }
    // Opposite directions have no unique great circle: turn about any axis perpendicular to `a`.
    let axis = normalize(cross(a, b))
        .or_else(|| normalize(cross(a, [1.0, 0.0, 0.0])))
        .or_else(|| normalize(cross(a, [0.0, 1.0, 0.0])))
        .unwrap_or([0.0, 0.0, 1.0]);
    rotate(a, axis, angle * fraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Registers, SimBoard};
    use atelier_hal::Clock;
    use embedded_hal::i2c::I2c;

    const DOWN: Vector = [0.0, 0.0, 1.0];
    const SIDE: Vector = [0.0, -1.0, 0.0];

    fn at_ms(ms: u64) -> Instant {
        Instant::from_nanos(ms * 1_000_000)
    }

    fn angle_deg(a: Vector, b: Vector) -> f64 {
        let (Some(a), Some(b)) = (normalize(a), normalize(b)) else {
            return f64::NAN;
        };
        dot(a, b).clamp(-1.0, 1.0).acos().to_degrees()
    }

    #[test]
    fn script_interpolates_along_the_great_circle() {
        let script = OrientationScript::fixed(DOWN)
            .key(at_ms(1000), DOWN)
            .key(at_ms(2000), SIDE);
        assert!(angle_deg(script.gravity(at_ms(500)), DOWN) < 1e-9);
        assert!((angle_deg(script.gravity(at_ms(1500)), DOWN) - 45.0).abs() < 1e-6);
        assert!((angle_deg(script.gravity(at_ms(1250)), DOWN) - 22.5).abs() < 1e-6);
        assert!(angle_deg(script.gravity(at_ms(9000)), SIDE) < 1e-9);
        // Opposite key frames and a zero vector do not produce NaN.
        let flip = OrientationScript::fixed(DOWN).key(at_ms(1000), [0.0, 0.0, -1.0]);
        let mid = flip.gravity(at_ms(500));
        assert!((angle_deg(mid, DOWN) - 90.0).abs() < 1e-6, "{mid:?}");
        let zero = OrientationScript::fixed([0.0; 3]).gravity(Instant::ZERO);
        assert_eq!(zero, FALLBACK_GRAVITY);
    }

    #[test]
    fn wobble_tilts_after_a_movement_and_dies_out() {
        let script = OrientationScript::fixed(DOWN)
            .key(at_ms(1000), SIDE)
            .with_wobble(Wobble::SPRING_ARM);
        // A quarter period after the end of the move, the tilt is near its (decayed) peak.
        let quarter = at_ms(1100);
        let tilt = angle_deg(script.gravity(quarter), SIDE);
        assert!(tilt > 3.0 && tilt < 6.0, "tilt {tilt}");
        // Ten time constants later it is gone.
        assert!(angle_deg(script.gravity(at_ms(4000)), SIDE) < 0.01);
        // Before the move ends, no wobble: a plain interpolation.
        let plain = OrientationScript::fixed(DOWN).key(at_ms(1000), SIDE);
        assert_eq!(script.gravity(at_ms(600)), plain.gravity(at_ms(600)));
    }

    #[test]
    fn noise_has_the_configured_spread() {
        let mut source = AccelerationSource::new(OrientationScript::fixed(DOWN), 0.004, 7);
        let n = 4000;
        let mut sum = 0.0;
        let mut sum_sq = 0.0;
        for i in 0..n {
            let x = source.sample(at_ms(i))[0];
            sum += x;
            sum_sq += x * x;
        }
        let mean = sum / n as f64;
        let rms = (sum_sq / n as f64 - mean * mean).sqrt();
        assert!(mean.abs() < 0.0005, "mean {mean}");
        assert!((rms - 0.004).abs() < 0.0004, "rms {rms}");
    }

    #[test]
    fn adxl345_reads_zero_until_measuring_then_little_endian_counts() {
        let sim = SimBoard::new();
        let model = Adxl345Model::new(OrientationScript::fixed(SIDE), 1);
        model.set_noise(0.0);
        sim.i2c_bus(1).attach(0x53, Registers::new(model.clone()));
        let mut i2c = sim.i2c(1);
        let mut id = [0u8];
        i2c.write_read(0x53, &[0x00], &mut id).expect("devid");
        assert_eq!(id, [0xE5]);
        let mut data = [0xAAu8; 6];
        i2c.write_read(0x53, &[0x32], &mut data).expect("data");
        assert_eq!(data, [0; 6], "standby reads zero");
        // Full resolution, ±16 g, measure.
        i2c.write(0x53, &[0x31, 0x0B]).expect("format");
        i2c.write(0x53, &[0x2D, 0x08]).expect("power");
        i2c.write_read(0x53, &[0x32], &mut data).expect("data");
        // Gravity along −Y: the chip reads +1 g on Y = 256 counts.
        assert_eq!(data, [0, 0, 0x00, 0x01, 0, 0]);
        // 10-bit at ±4 g: 128 LSB/g; gravity along +Y reads −1 g = −128 = 0xFF80.
        model.set_script(OrientationScript::fixed([0.0, 1.0, 0.0]));
        i2c.write(0x53, &[0x31, 0x01]).expect("format");
        i2c.write_read(0x53, &[0x32], &mut data).expect("data");
        assert_eq!(data, [0, 0, 0x80, 0xFF, 0, 0]);
        // DEVID is read-only.
        i2c.write(0x53, &[0x00, 0x12]).expect("write devid");
        assert_eq!(model.register(0x00), 0xE5);
    }

    #[test]
    fn mpu6050_sleeps_at_reset_then_big_endian_counts_by_range() {
        let sim = SimBoard::new();
        let model = Mpu6050Model::new(OrientationScript::fixed(DOWN), 1);
        model.set_noise(0.0);
        sim.i2c_bus(1).attach(0x68, Registers::new(model.clone()));
        let mut i2c = sim.i2c(1);
        let mut data = [0xAAu8; 6];
        i2c.write_read(0x68, &[0x3B], &mut data).expect("data");
        assert_eq!(data, [0; 6], "asleep reads zero");
        i2c.write(0x68, &[0x6B, 0x01]).expect("wake");
        i2c.write_read(0x68, &[0x3B], &mut data).expect("data");
        // ±2 g: gravity along +Z reads z = −1 g = −16384 = 0xC000, big-endian.
        assert_eq!(data, [0, 0, 0, 0, 0xC0, 0x00]);
        i2c.write(0x68, &[0x1C, 3 << 3]).expect("±16 g");
        i2c.write_read(0x68, &[0x3B], &mut data).expect("data");
        assert_eq!(data, [0, 0, 0, 0, 0xF8, 0x00]);
        // Device reset puts it back to sleep at ±2 g.
        i2c.write(0x68, &[0x6B, 0x80]).expect("reset");
        assert_eq!(model.register(0x6B), 0x40);
        assert_eq!(model.register(0x1C), 0);
        let mut who = [0u8];
        i2c.write_read(0x68, &[0x75], &mut who).expect("who");
        assert_eq!(who, [0x68]);
    }

    #[test]
    fn one_read_is_one_sample_and_samples_follow_the_data_rate() {
        let sim = SimBoard::new();
        let model = Adxl345Model::new(OrientationScript::fixed(DOWN), 3);
        model.set_noise(0.05);
        sim.i2c_bus(1).attach(0x53, Registers::new(model.clone()));
        let mut i2c = sim.i2c(1);
        i2c.write(0x53, &[0x2D, 0x08]).expect("measure");
        let mut a = [0u8; 6];
        let mut b = [0u8; 6];
        // Two reads within one 10 ms tick at 100 Hz see the same sample.
        i2c.write_read(0x53, &[0x32], &mut a).expect("a");
        i2c.write_read(0x53, &[0x32], &mut b).expect("b");
        assert_eq!(a, b);
        sim.clock().sleep(Duration::from_millis(10));
        i2c.write_read(0x53, &[0x32], &mut b).expect("b");
        assert_ne!(a, b, "a new tick brings a new noisy sample");
    }

    #[test]
    fn no_register_access_panics() {
        let mut adxl = Adxl345Model::new(OrientationScript::default(), 0);
        let mut mpu = Mpu6050Model::new(OrientationScript::default(), 0);
        for value in [0x00, 0xFF, 0x0F, 0x80] {
            for register in 0..=255u8 {
                adxl.write_register(Instant::ZERO, register, value);
                mpu.write_register(Instant::ZERO, register, value);
            }
            for register in 0..=255u8 {
                adxl.read_register(at_ms(5), register);
                mpu.read_register(at_ms(5), register);
            }
        }
    }
}
