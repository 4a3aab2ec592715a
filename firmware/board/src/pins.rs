//! Naming the Pi's GPIO lines: BCM numbers and pull resistors, checked when a config is read.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A GPIO line by its Broadcom (BCM) number, as printed on pinout diagrams as "GPIO17" — not the
/// physical pin number on the 40-pin header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Bcm(u8);

impl Bcm {
    /// The highest GPIO on the 40-pin header of every Pi since the B+.
    pub const MAX: u8 = 27;

    /// `GPIO{number}`, if the header has it.
    pub fn new(number: u32) -> Result<Bcm, String> {
        match u8::try_from(number) {
            Ok(n) if n <= Bcm::MAX => Ok(Bcm(n)),
            _ => Err(format!(
                "GPIO {number} is not on the Raspberry Pi header: use a BCM number from 0 to {} \
                 (GPIO17 is 17; physical pin numbers do not work here)",
                Bcm::MAX
            )),
        }
    }

    /// The BCM number.
    pub fn number(self) -> u8 {
        self.0
    }
}

/// Two config keys that name the same GPIO.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinClash {
    /// The key that names the pin a second time, such as `pins.busy_led`.
    pub key: String,
    /// The key that named it first.
    pub first: String,
    /// The pin.
    pub pin: Bcm,
}

impl fmt::Display for PinClash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is already used by `{}`", self.pin, self.first)
    }
}

/// Checks that no two of a machine's configured pins (key, pin) are the same GPIO: every
/// machine's config calls this, so a pin given twice is always named with both keys.
pub fn check_distinct<'a>(pins: impl IntoIterator<Item = (&'a str, Bcm)>) -> Result<(), PinClash> {
    let mut seen: Vec<(&str, Bcm)> = Vec::new();
    for (key, pin) in pins {
        if let Some((first, _)) = seen.iter().find(|(_, p)| *p == pin) {
            return Err(PinClash {
                key: key.to_owned(),
                first: (*first).to_owned(),
                pin,
            });
        }
        seen.push((key, pin));
    }
    Ok(())
}

impl fmt::Display for Bcm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GPIO{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Bcm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = i64::deserialize(deserializer)?;
        let number = u32::try_from(number).unwrap_or(u32::MAX);
        Bcm::new(number).map_err(serde::de::Error::custom)
    }
}

/// The pull resistor on an input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pull {
    /// None: the external circuit sets the level.
    #[default]
    None,
    /// To 3.3 V: reads high while nothing pulls it down (a button to ground).
    Up,
    /// To ground: reads low while nothing pulls it up.
    Down,
}

impl Pull {
    /// The level the input reads while nothing drives it (floating reads low in simulation).
    pub fn idle_level(self) -> bool {
        matches!(self, Pull::Up)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_gpios_are_accepted_and_others_explained() {
        assert_eq!(Bcm::new(17).map(Bcm::number), Ok(17));
        assert_eq!(Bcm::new(0).map(Bcm::number), Ok(0));
        let error = Bcm::new(40).expect_err("GPIO 40 is not on the header");
        assert!(
            error.contains("GPIO 40 is not on the Raspberry Pi header"),
            "{error}"
        );
        assert!(error.contains("0 to 27"), "{error}");
    }

    #[test]
    fn a_pin_named_twice_is_reported_with_both_keys() {
        let pin = |n| Bcm::new(n).expect("on the header");
        assert_eq!(
            check_distinct([("pins.a", pin(4)), ("pins.b", pin(5))]),
            Ok(())
        );
        let clash = check_distinct([
            ("pins.step", pin(5)),
            ("pins.dir", pin(6)),
            ("pins.enable", pin(5)),
        ])
        .expect_err("GPIO5 twice");
        assert_eq!(
            (clash.key.as_str(), clash.first.as_str()),
            ("pins.enable", "pins.step")
        );
        assert_eq!(clash.to_string(), "GPIO5 is already used by `pins.step`");
    }
}
