//! MPU-6050 (InvenSense): a common, cheap alternative to the ADXL345; only its accelerometer is
//! used.
//!
//! The chip powers up asleep with its data registers frozen, so [`Mpu6050::configure`] wakes it
//! (clock from the X gyro's PLL, the datasheet's recommendation) before anything else.

use embedded_hal::i2c::I2c;

use super::{Acceleration, Part, Range, Result, bus_error, check_id, read_registers};

/// WHO_AM_I's value, the same at either address.
pub const WHO_AM_I_VALUE: u8 = 0x68;

mod reg {
    pub const CONFIG: u8 = 0x1A;
    pub const ACCEL_CONFIG: u8 = 0x1C;
    pub const ACCEL_XOUT_H: u8 = 0x3B;
    pub const PWR_MGMT_1: u8 = 0x6B;
    pub const WHO_AM_I: u8 = 0x75;
}

/// PWR_MGMT_1: SLEEP clear, clock source = PLL with X gyro reference.
const AWAKE_PLL_X: u8 = 0x01;

/// The chip's two addresses, chosen by its AD0 pin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Address {
    /// AD0 low: 0x68 (most breakout boards).
    Ad0Low,
    /// AD0 high: 0x69.
    Ad0High,
}

impl Address {
    /// Both addresses, in the order a probe tries them.
    pub const ALL: [Address; 2] = [Address::Ad0Low, Address::Ad0High];

    /// The 7-bit bus address.
    pub fn bits(self) -> u8 {
        match self {
            Address::Ad0Low => 0x68,
            Address::Ad0High => 0x69,
        }
    }
}

/// Digital low-pass filter (CONFIG DLPF_CFG): accelerometer bandwidth. Narrower means less noise
/// and more delay; 44 Hz suits 20–50 Hz polling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dlpf {
    /// 184 Hz.
    Hz184,
    /// 94 Hz.
    Hz94,
    /// 44 Hz.
    Hz44,
    /// 21 Hz.
    Hz21,
    /// 10 Hz.
    Hz10,
    /// 5 Hz.
    Hz5,
}

impl Dlpf {
    fn code(self) -> u8 {
        match self {
            Dlpf::Hz184 => 1,
            Dlpf::Hz94 => 2,
            Dlpf::Hz44 => 3,
            Dlpf::Hz21 => 4,
            Dlpf::Hz10 => 5,
            Dlpf::Hz5 => 6,
        }
    }
}

/// How to set the chip up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Full-scale range.
    pub range: Range,
    /// Low-pass filter; `None` leaves it off (260 Hz).
    pub dlpf: Option<Dlpf>,
}

/// An MPU-6050 on an I2C bus.
#[derive(Debug)]
pub struct Mpu6050<I2C> {
    i2c: I2C,
    address: u8,
    /// Counts per g at the configured range (the chip resets to ±2 g).
    lsb_per_g: f32,
}

impl<I2C: I2c> Mpu6050<I2C> {
    /// Takes the bus; talks to nobody yet.
    pub fn new(i2c: I2C, address: Address) -> Self {
        Mpu6050 {
            i2c,
            address: address.bits(),
            lsb_per_g: 16384.0,
        }
    }

    /// The 7-bit address it answers at.
    pub fn address(&self) -> u8 {
        self.address
    }

    /// Reads WHO_AM_I.
    pub fn who_am_i(&mut self) -> Result<u8> {
        let [id] = read_registers(
            &mut self.i2c,
            Part::Mpu6050,
            self.address,
            reg::WHO_AM_I,
            "reading WHO_AM_I",
        )?;
        Ok(id)
    }

    /// Checks the identity, wakes the chip, sets the range and the low-pass filter.
    pub fn configure(&mut self, config: Config) -> Result<()> {
        let found = self.who_am_i()?;
        check_id(
            Part::Mpu6050,
            self.address,
            reg::WHO_AM_I,
            found,
            WHO_AM_I_VALUE,
        )?;
        self.write(reg::PWR_MGMT_1, AWAKE_PLL_X, "waking up (PWR_MGMT_1)")?;
        let afs = config.range.code();
        self.write(reg::ACCEL_CONFIG, afs << 3, "writing ACCEL_CONFIG")?;
        self.lsb_per_g = f32::from(16384u16 >> afs);
        let dlpf = config.dlpf.map_or(0, Dlpf::code);
        self.write(reg::CONFIG, dlpf, "writing CONFIG (DLPF)")
    }

    /// One sample. All six data bytes come from one read, so the axes belong to the same
    /// conversion.
    pub fn read(&mut self) -> Result<Acceleration> {
        let data: [u8; 6] = read_registers(
            &mut self.i2c,
            Part::Mpu6050,
            self.address,
            reg::ACCEL_XOUT_H,
            "reading ACCEL_XOUT_H..ACCEL_ZOUT_L",
        )?;
        let axis =
            |i: usize| f32::from(i16::from_be_bytes([data[i], data[i + 1]])) / self.lsb_per_g;
        Ok(Acceleration {
            x: axis(0),
            y: axis(2),
            z: axis(4),
        })
    }

    /// Gives the bus back.
    pub fn release(self) -> I2C {
        self.i2c
    }

    fn write(&mut self, register: u8, value: u8, action: &'static str) -> Result<()> {
        self.i2c
            .write(self.address, &[register, value])
            .map_err(bus_error(Part::Mpu6050, self.address, action))
    }
}

#[cfg(test)]
mod tests {
    use atelier_sim::{Mpu6050Model, OrientationScript, Registers, SimBoard, SimI2cBus, Transfer};

    use super::*;
    use crate::sensor::Error;

    fn board(script: OrientationScript, address: u8) -> (SimBoard, SimI2cBus, Mpu6050Model) {
        let sim = SimBoard::new();
        let model = Mpu6050Model::new(script, 13);
        let bus = sim.i2c_bus(1);
        bus.attach(address, Registers::new(model.clone()));
        (sim, bus, model)
    }

    #[test]
    fn configure_wakes_the_chip_and_sets_range_and_filter() {
        let (sim, bus, model) = board(OrientationScript::default(), 0x68);
        let mut mpu = Mpu6050::new(sim.i2c(1), Address::Ad0Low);
        assert_eq!(model.register(0x6B), 0x40, "asleep at reset");
        mpu.configure(Config {
            range: Range::G4,
            dlpf: Some(Dlpf::Hz44),
        })
        .expect("configure");
        assert_eq!(model.register(0x6B), 0x01, "awake, PLL clock");
        assert_eq!(model.register(0x1C), 1 << 3, "AFS_SEL ±4 g");
        assert_eq!(model.register(0x1A), 3, "DLPF 44 Hz");
        let first = bus.log().into_iter().next().expect("a transaction");
        assert_eq!(
            first.transfers,
            [Transfer::Write(vec![0x75]), Transfer::Read(vec![0x68])]
        );
    }

    #[test]
    fn reads_zero_until_woken() {
        let (sim, _bus, _model) = board(OrientationScript::default(), 0x68);
        let mut mpu = Mpu6050::new(sim.i2c(1), Address::Ad0Low);
        assert_eq!(mpu.read().expect("read"), Acceleration::default());
    }

    #[test]
    fn readings_follow_gravity_at_every_range_and_orientation() {
        let s = 0.5f64.sqrt();
        let orientations = [
            [0.0, 0.0, 1.0],
            [0.0, 0.0, -1.0],
            [0.0, -1.0, 0.0],
            [-s, 0.0, s],
            [0.5, -0.5, -s],
        ];
        for range in Range::ALL {
            for dlpf in [None, Some(Dlpf::Hz44)] {
                for gravity in orientations {
                    let (sim, _bus, _model) = board(OrientationScript::fixed(gravity), 0x69);
                    let mut mpu = Mpu6050::new(sim.i2c(1), Address::Ad0High);
                    mpu.configure(Config { range, dlpf }).expect("configure");
                    let a = mpu.read().expect("read");
                    // Noise 8 mg rms unfiltered: 6 sigma plus a count at ±16 g.
                    let tolerance = 6.0 * 0.008 + 0.0005;
                    for (read, expected) in [a.x, a.y, a.z].into_iter().zip(gravity) {
                        assert!(
                            (f64::from(read) + expected).abs() < tolerance,
                            "{range:?} {dlpf:?} {gravity:?}: read {a:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn one_six_byte_big_endian_read_with_negative_axes() {
        let (sim, bus, model) = board(OrientationScript::fixed([0.0, 1.0, 0.0]), 0x68);
        model.set_noise(0.0);
        let mut mpu = Mpu6050::new(sim.i2c(1), Address::Ad0Low);
        mpu.configure(Config {
            range: Range::G16,
            dlpf: None,
        })
        .expect("configure");
        let a = mpu.read().expect("read");
        // Gravity along +Y reads −1 g on Y: −2048 = 0xF800 at ±16 g, high byte first.
        assert_eq!(
            a,
            Acceleration {
                x: 0.0,
                y: -1.0,
                z: 0.0
            }
        );
        let last = bus.log().pop().expect("a transaction");
        assert_eq!(
            last.transfers,
            [
                Transfer::Write(vec![0x3B]),
                Transfer::Read(vec![0, 0, 0xF8, 0x00, 0, 0])
            ]
        );
    }

    #[test]
    fn a_clone_with_another_who_am_i_is_refused() {
        let sim = SimBoard::new();
        let mut memory = atelier_sim::RegisterMemory::default();
        memory.registers[0x75] = 0x70; // MPU-6500
        sim.i2c_bus(1).attach(0x68, Registers::new(memory));
        let error = Mpu6050::new(sim.i2c(1), Address::Ad0Low)
            .configure(Config::default())
            .expect_err("wrong id");
        assert_eq!(
            error,
            Error::WrongId {
                part: Part::Mpu6050,
                address: 0x68,
                register: 0x75,
                found: 0x70,
                expected: 0x68,
            }
        );
    }
}
