//! A virtual I2C bus on which register-level device models hang.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atelier_hal::{Clock, Instant};
use embedded_hal::i2c::{self, ErrorKind, I2c, NoAcknowledgeSource, Operation, SevenBitAddress};

use crate::clock::VirtualClock;

/// A device on the bus, at the level of bytes on the wire.
pub trait I2cModel: Send {
    /// The controller wrote `bytes` to this device within one transaction.
    fn write(&mut self, now: Instant, bytes: &[u8]);
    /// The controller reads `buf.len()` bytes from this device.
    fn read(&mut self, now: Instant, buf: &mut [u8]);
    /// The transaction ended (STOP).
    fn stop(&mut self) {}
}

/// A device seen as a register file, the way most sensors work: the first byte written selects a
/// register, further bytes are written from there on, reads continue from the selected register,
/// and the register pointer advances after every byte.
pub trait RegisterDevice: Send {
    /// Reads register `register` at time `now` (device models compute sensor data here).
    fn read_register(&mut self, now: Instant, register: u8) -> u8;
    /// Writes `value` to register `register`.
    fn write_register(&mut self, now: Instant, register: u8, value: u8);
    /// Where the pointer goes after accessing `register`; most parts simply count up.
    fn next_register(&self, register: u8) -> u8 {
        register.wrapping_add(1)
    }
}

/// Adapts a [`RegisterDevice`] to the bus.
#[derive(Debug)]
pub struct Registers<D> {
    device: D,
    pointer: u8,
}

impl<D: RegisterDevice> Registers<D> {
    /// Puts `device` on the wire, pointer at register 0.
    pub fn new(device: D) -> Self {
        Registers { device, pointer: 0 }
    }
}

impl<D: RegisterDevice> I2cModel for Registers<D> {
    fn write(&mut self, now: Instant, bytes: &[u8]) {
        let Some((&register, data)) = bytes.split_first() else {
            return;
        };
        self.pointer = register;
        for &byte in data {
            self.device.write_register(now, self.pointer, byte);
            self.pointer = self.device.next_register(self.pointer);
        }
    }

    fn read(&mut self, now: Instant, buf: &mut [u8]) {
        for byte in buf {
            *byte = self.device.read_register(now, self.pointer);
            self.pointer = self.device.next_register(self.pointer);
        }
    }
}

/// 256 plain read/write registers: a stand-in device for tests of bus plumbing.
#[derive(Clone, Debug)]
pub struct RegisterMemory {
    /// The register contents.
    pub registers: [u8; 256],
}

impl Default for RegisterMemory {
    fn default() -> Self {
        RegisterMemory {
            registers: [0; 256],
        }
    }
}

impl RegisterDevice for RegisterMemory {
    fn read_register(&mut self, _now: Instant, register: u8) -> u8 {
        self.registers[usize::from(register)]
    }

    fn write_register(&mut self, _now: Instant, register: u8, value: u8) {
        self.registers[usize::from(register)] = value;
    }
}

/// A fault the bus will produce on coming transactions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum I2cFault {
    /// The addressed device does not acknowledge its address (browned out, loose wire).
    AddressNack,
    /// A bus error: a glitch on SDA/SCL (long wires, interference).
    BusError,
    /// Another controller won arbitration.
    ArbitrationLoss,
}

impl I2cFault {
    fn kind(self) -> ErrorKind {
        match self {
            I2cFault::AddressNack => ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address),
            I2cFault::BusError => ErrorKind::Bus,
            I2cFault::ArbitrationLoss => ErrorKind::ArbitrationLoss,
        }
    }
}

/// One transfer as it crossed the wire, for checks and recordings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// Bytes written to the device.
    Write(Vec<u8>),
    /// Bytes read from the device.
    Read(Vec<u8>),
}

/// One transaction on the bus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct I2cRecord {
    /// When it started.
    pub at: Instant,
    /// The 7-bit address.
    pub address: u8,
    /// What crossed the wire, in order; empty when the transaction failed at the address.
    pub transfers: Vec<Transfer>,
    /// The error the controller saw, if any.
    pub error: Option<ErrorKind>,
}

/// A simulated I2C bus: the world's side (attach devices, inject faults, read the log).
///
/// Cloning gives another handle on the same bus.
#[derive(Clone)]
pub struct SimI2cBus {
    number: u8,
    state: Arc<Mutex<BusState>>,
    clock: VirtualClock,
}

struct BusState {
    devices: BTreeMap<u8, Box<dyn I2cModel>>,
    faults: VecDeque<(Option<u8>, I2cFault)>,
    log: Vec<I2cRecord>,
    bit_time: Duration,
}

impl fmt::Debug for SimI2cBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("SimI2cBus")
            .field("number", &self.number)
            .field("addresses", &state.devices.keys().collect::<Vec<_>>())
            .field("transactions", &state.log.len())
            .finish_non_exhaustive()
    }
}

impl SimI2cBus {
    pub(crate) fn new(number: u8, clock: VirtualClock) -> Self {
        SimI2cBus {
            number,
            state: Arc::new(Mutex::new(BusState {
                devices: BTreeMap::new(),
                faults: VecDeque::new(),
                log: Vec::new(),
                // 100 kHz standard mode, the Pi's default.
                bit_time: Duration::from_micros(10),
            })),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, BusState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The bus number (`/dev/i2c-N` on a real board).
    pub fn number(&self) -> u8 {
        self.number
    }

    /// Hangs `model` on the bus at `address`, replacing whatever answered there.
    pub fn attach(&self, address: u8, model: impl I2cModel + 'static) {
        self.lock().devices.insert(address, Box::new(model));
    }

    /// Takes the device at `address` off the bus (an unplugged breakout).
    pub fn detach(&self, address: u8) {
        self.lock().devices.remove(&address);
    }

    /// Sets the bus clock frequency; transactions take virtual time accordingly.
    pub fn set_frequency(&self, hertz: u32) {
        self.lock().bit_time = Duration::from_secs(1) / hertz.max(1);
    }

    /// Makes the next transaction to `address` (or to any address, for `None`) fail with `fault`.
    /// Several calls queue several failures.
    pub fn inject(&self, address: Option<u8>, fault: I2cFault) {
        self.lock().faults.push_back((address, fault));
    }

    /// Every transaction so far.
    pub fn log(&self) -> Vec<I2cRecord> {
        self.lock().log.clone()
    }

    /// The firmware's handle: an embedded-hal I2C bus.
    pub fn controller(&self) -> SimI2c {
        SimI2c { bus: self.clone() }
    }

    fn run(&self, address: u8, operations: &mut [Operation<'_>]) -> Result<(), SimI2cError> {
        let at = self.clock.now();
        let mut state = self.lock();
        let fault_index = state
            .faults
            .iter()
            .position(|(target, _)| target.is_none_or(|a| a == address));
        let fault = fault_index
            .and_then(|i| state.faults.remove(i))
            .map(|(_, f)| f);
        let present = state.devices.contains_key(&address);
        let error = match fault {
            Some(fault) => Some(fault.kind()),
            None if !present => Some(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)),
            None => None,
        };
        // Nine clocks a byte (eight bits and the acknowledge). The address goes out at the start
        // and again at every repeated start, which embedded-hal puts where the direction changes.
        let mut bytes = 1;
        let mut transfers = Vec::new();
        if error.is_none()
            && let Some(device) = state.devices.get_mut(&address)
        {
            let mut reading = None;
            for operation in operations.iter_mut() {
                let is_read = matches!(operation, Operation::Read(_));
                if reading.is_some_and(|r| r != is_read) {
                    bytes += 1;
                }
                reading = Some(is_read);
                match operation {
                    Operation::Write(data) => {
                        device.write(at, data);
                        transfers.push(Transfer::Write(data.to_vec()));
                        bytes += data.len();
                    }
                    Operation::Read(buf) => {
                        device.read(at, buf);
                        transfers.push(Transfer::Read(buf.to_vec()));
                        bytes += buf.len();
                    }
                }
            }
            device.stop();
        }
        let busy = state.bit_time * 9 * u32::try_from(bytes).unwrap_or(u32::MAX);
        state.log.push(I2cRecord {
            at,
            address,
            transfers,
            error,
        });
        drop(state);
        self.clock.sleep(busy);
        match error {
            Some(kind) => Err(SimI2cError {
                bus: self.number,
                address,
                kind,
            }),
            None => Ok(()),
        }
    }
}

/// The firmware's handle on a simulated I2C bus.
#[derive(Clone, Debug)]
pub struct SimI2c {
    bus: SimI2cBus,
}

/// An I2C error on the simulated bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("simulated I2C bus {bus}, device {address:#04x}: {kind}")]
pub struct SimI2cError {
    /// Bus number.
    pub bus: u8,
    /// Device address.
    pub address: u8,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl i2c::Error for SimI2cError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl i2c::ErrorType for SimI2c {
    type Error = SimI2cError;
}

impl I2c<SevenBitAddress> for SimI2c {
    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), SimI2cError> {
        self.bus.run(address, operations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bus_with_memory() -> SimI2cBus {
        let bus = SimI2cBus::new(1, VirtualClock::new());
        bus.attach(0x50, Registers::new(RegisterMemory::default()));
        bus
    }

    #[test]
    fn registers_auto_increment_across_writes_and_reads() {
        let bus = bus_with_memory();
        let mut i2c = bus.controller();
        i2c.write(0x50, &[0x10, 0xAA, 0xBB, 0xCC]).expect("write");
        let mut read = [0u8; 3];
        i2c.write_read(0x50, &[0x10], &mut read)
            .expect("write_read");
        assert_eq!(read, [0xAA, 0xBB, 0xCC]);
        let log = bus.log();
        assert_eq!(log.len(), 2);
        assert_eq!(
            log[1].transfers,
            vec![
                Transfer::Write(vec![0x10]),
                Transfer::Read(vec![0xAA, 0xBB, 0xCC])
            ]
        );
    }

    #[test]
    fn a_missing_device_does_not_acknowledge_its_address() {
        let bus = bus_with_memory();
        let error = bus
            .controller()
            .write(0x51, &[0])
            .expect_err("nobody at 0x51");
        assert_eq!(
            i2c::Error::kind(&error),
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
        );
        assert_eq!(
            error.to_string(),
            "simulated I2C bus 1, device 0x51: The device did not acknowledge its address"
        );
    }

    #[test]
    fn injected_faults_hit_the_next_matching_transaction_only() {
        let bus = bus_with_memory();
        bus.inject(Some(0x50), I2cFault::BusError);
        let mut i2c = bus.controller();
        let error = i2c.write(0x50, &[0]).expect_err("injected");
        assert_eq!(i2c::Error::kind(&error), ErrorKind::Bus);
        i2c.write(0x50, &[0]).expect("fault was used up");
    }

    #[test]
    fn transactions_take_bus_time() {
        let clock = VirtualClock::new();
        let bus = SimI2cBus::new(1, clock.clone());
        bus.attach(0x50, Registers::new(RegisterMemory::default()));
        let mut buf = [0u8; 6];
        bus.controller()
            .write_read(0x50, &[0x32], &mut buf)
            .expect("read");
        // Address, register, repeated-start address, 6 data bytes: 9 clocks each at 100 kHz.
        assert_eq!(clock.now().since_start(), Duration::from_micros(810));
    }
}
