//! ADXL345 (Analog Devices): the accelerometer the original Lantern used.
//!
//! The driver runs the chip in full resolution, where every range reads 3.9 mg/LSB, so the range
//! only sets where readings saturate. It configures in standby (the datasheet's advice) and then
//! sets the Measure bit; until then the data registers hold zeros.

use embedded_hal::i2c::I2c;

use super::{Acceleration, Part, Range, Result, bus_error, check_id, read_registers};

/// DEVID's fixed value.
pub const DEVICE_ID: u8 = 0xE5;

/// 3.9 mg/LSB: 256 LSB/g, the full-resolution scale at every range.
const G_PER_LSB: f32 = 1.0 / 256.0;

mod reg {
    pub const DEVID: u8 = 0x00;
    pub const BW_RATE: u8 = 0x2C;
    pub const POWER_CTL: u8 = 0x2D;
    pub const DATA_FORMAT: u8 = 0x31;
    pub const DATAX0: u8 = 0x32;
}

const MEASURE: u8 = 0x08;
const FULL_RES: u8 = 0x08;

/// The chip's two addresses, chosen by its ALT ADDRESS pin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Address {
    /// ALT ADDRESS tied low: 0x53 (most breakout boards).
    AltLow,
    /// ALT ADDRESS tied high: 0x1D.
    AltHigh,
}

impl Address {
    /// Both addresses, in the order a probe tries them.
    pub const ALL: [Address; 2] = [Address::AltLow, Address::AltHigh];

    /// The 7-bit bus address.
    pub fn bits(self) -> u8 {
        match self {
            Address::AltLow => 0x53,
            Address::AltHigh => 0x1D,
        }
    }
}

/// Output data rate (BW_RATE). Noise grows above 100 Hz; a lamp polled at 20–50 Hz wants 100 Hz
/// or less.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DataRate {
    /// 12.5 Hz.
    Hz12_5,
    /// 25 Hz.
    Hz25,
    /// 50 Hz.
    Hz50,
    /// 100 Hz (the chip's reset value).
    #[default]
    Hz100,
    /// 200 Hz.
    Hz200,
    /// 400 Hz.
    Hz400,
    /// 800 Hz.
    Hz800,
}

impl DataRate {
    fn code(self) -> u8 {
        match self {
            DataRate::Hz12_5 => 0x07,
            DataRate::Hz25 => 0x08,
            DataRate::Hz50 => 0x09,
            DataRate::Hz100 => 0x0A,
            DataRate::Hz200 => 0x0B,
            DataRate::Hz400 => 0x0C,
            DataRate::Hz800 => 0x0D,
        }
    }
}

/// How to set the chip up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Saturation limit.
    pub range: Range,
    /// Output data rate.
    pub rate: DataRate,
}

/// An ADXL345 on an I2C bus.
#[derive(Debug)]
pub struct Adxl345<I2C> {
    i2c: I2C,
    address: u8,
}

impl<I2C: I2c> Adxl345<I2C> {
    /// Takes the bus; talks to nobody yet.
    pub fn new(i2c: I2C, address: Address) -> Self {
        Adxl345 {
            i2c,
            address: address.bits(),
        }
    }

    /// The 7-bit address it answers at.
    pub fn address(&self) -> u8 {
        self.address
    }

    /// Reads DEVID.
    pub fn device_id(&mut self) -> Result<u8> {
        let [id] = read_registers(
            &mut self.i2c,
            Part::Adxl345,
            self.address,
            reg::DEVID,
            "reading DEVID",
        )?;
        Ok(id)
    }

    /// Checks the identity, then sets range and rate in standby and starts measuring.
    pub fn configure(&mut self, config: Config) -> Result<()> {
        let found = self.device_id()?;
        check_id(Part::Adxl345, self.address, reg::DEVID, found, DEVICE_ID)?;
        self.write(reg::POWER_CTL, 0, "entering standby")?;
        self.write(
            reg::DATA_FORMAT,
            FULL_RES | config.range.code(),
            "writing DATA_FORMAT",
        )?;
        self.write(reg::BW_RATE, config.rate.code(), "writing BW_RATE")?;
        self.write(reg::POWER_CTL, MEASURE, "starting measurement")
    }

    /// One sample. All six data bytes come from one read, so the axes belong to the same
    /// conversion.
    pub fn read(&mut self) -> Result<Acceleration> {
        let data: [u8; 6] = read_registers(
            &mut self.i2c,
            Part::Adxl345,
            self.address,
            reg::DATAX0,
            "reading DATAX0..DATAZ1",
        )?;
        let axis = |i: usize| f32::from(i16::from_le_bytes([data[i], data[i + 1]])) * G_PER_LSB;
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
            .map_err(bus_error(Part::Adxl345, self.address, action))
    }
}

#[cfg(test)]
mod tests {
    use atelier_sim::{
        Adxl345Model, OrientationScript, RegisterMemory, Registers, SimBoard, SimI2cBus, Transfer,
    };
    use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};

    use super::*;

    fn board(script: OrientationScript, address: u8) -> (SimBoard, SimI2cBus, Adxl345Model) {
        let sim = SimBoard::new();
        let model = Adxl345Model::new(script, 11);
        let bus = sim.i2c_bus(1);
        bus.attach(address, Registers::new(model.clone()));
        (sim, bus, model)
    }

    #[test]
    fn configure_checks_the_id_and_writes_format_rate_and_measure_in_standby() {
        let (sim, bus, model) = board(OrientationScript::default(), 0x53);
        let mut adxl = Adxl345::new(sim.i2c(1), Address::AltLow);
        adxl.configure(Config {
            range: Range::G8,
            rate: DataRate::Hz50,
        })
        .expect("configure");
        assert_eq!(model.register(0x31), 0x08 | 0x02, "FULL_RES, ±8 g");
        assert_eq!(model.register(0x2C), 0x09, "50 Hz");
        assert_eq!(model.register(0x2D), 0x08, "Measure");
        let writes: Vec<Vec<Transfer>> = bus.log().into_iter().map(|r| r.transfers).collect();
        assert_eq!(
            writes,
            [
                vec![Transfer::Write(vec![0x00]), Transfer::Read(vec![0xE5])],
                vec![Transfer::Write(vec![0x2D, 0x00])],
                vec![Transfer::Write(vec![0x31, 0x0A])],
                vec![Transfer::Write(vec![0x2C, 0x09])],
                vec![Transfer::Write(vec![0x2D, 0x08])],
            ]
        );
    }

    #[test]
    fn readings_follow_gravity_at_every_range_and_orientation() {
        let s = 0.5f64.sqrt();
        let orientations = [
            [0.0, 0.0, 1.0],
            [0.0, 0.0, -1.0],
            [0.0, -1.0, 0.0],
            [1.0, 0.0, 0.0],
            [s, -0.5, 0.5],
        ];
        for range in Range::ALL {
            for gravity in orientations {
                let (sim, _bus, _model) = board(OrientationScript::fixed(gravity), 0x1D);
                let mut adxl = Adxl345::new(sim.i2c(1), Address::AltHigh);
                adxl.configure(Config {
                    range,
                    rate: DataRate::Hz100,
                })
                .expect("configure");
                let a = adxl.read().expect("read");
                // Noise 4 mg rms: 6 sigma plus a count of rounding.
                let tolerance = 6.0 * 0.004 + 0.004;
                for (read, expected) in [a.x, a.y, a.z].into_iter().zip(gravity) {
                    assert!(
                        (f64::from(read) + expected).abs() < tolerance,
                        "{range:?} {gravity:?}: read {a:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn one_six_byte_little_endian_read_with_negative_axes() {
        let (sim, bus, model) = board(OrientationScript::fixed([1.0, 0.0, 0.0]), 0x53);
        model.set_noise(0.0);
        let mut adxl = Adxl345::new(sim.i2c(1), Address::AltLow);
        adxl.configure(Config::default()).expect("configure");
        let a = adxl.read().expect("read");
        // Gravity along +X reads −1 g on X: −256 = 0xFF00, low byte first.
        assert_eq!(
            a,
            Acceleration {
                x: -1.0,
                y: 0.0,
                z: 0.0
            }
        );
        let last = bus.log().pop().expect("a transaction");
        assert_eq!(
            last.transfers,
            [
                Transfer::Write(vec![0x32]),
                Transfer::Read(vec![0x00, 0xFF, 0, 0, 0, 0])
            ]
        );
    }

    #[test]
    fn a_wrong_id_and_a_missing_chip_are_told_apart() {
        let sim = SimBoard::new();
        let mut memory = RegisterMemory::default();
        memory.registers[0] = 0x12;
        sim.i2c_bus(1).attach(0x53, Registers::new(memory));
        let error = Adxl345::new(sim.i2c(1), Address::AltLow)
            .configure(Config::default())
            .expect_err("wrong id");
        assert_eq!(error.kind(), None);
        assert_eq!(
            error.to_string(),
            "ADXL345 at I2C address 0x53: identity register 0x00 reads 0x12, expected 0xe5; is \
             another chip at this address?"
        );
        let error = Adxl345::new(sim.i2c(1), Address::AltHigh)
            .configure(Config::default())
            .expect_err("nobody at 0x1d");
        assert_eq!(
            error.kind(),
            Some(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address))
        );
        assert!(error.to_string().contains("0x1d"), "{error}");
        assert!(error.to_string().contains("reading DEVID"), "{error}");
    }

    #[test]
    fn release_gives_the_bus_back() {
        let (sim, bus, _model) = board(OrientationScript::default(), 0x53);
        let mut i2c = Adxl345::new(sim.i2c(1), Address::AltLow).release();
        let mut id = [0u8];
        embedded_hal::i2c::I2c::write_read(&mut i2c, 0x53, &[0], &mut id).expect("read");
        assert_eq!(id, [0xE5]);
        assert_eq!(bus.log().len(), 1);
    }
}
