use embedded_hal::digital::OutputPin;

/// Output pins that can change at one instant.
///
/// The Linux GPIO character device takes several lines in one request and sets them in one
/// call; memory-mapped GPIO through rppal has no such call, and pins change one write after the
/// other. A driver whose pins must move together (two motors' STEP lines) asks here first and
/// falls back to writing pin by pin.
pub trait SetTogether: OutputPin + Sized {
    /// Sets every pin of `pins` high (or low) in one write and answers `true`; answers `false`,
    /// changing nothing, when this backend cannot (the default), or not for these pins.
    fn set_together(pins: &mut [&mut Self], high: bool) -> Result<bool, Self::Error> {
        let _ = (pins, high);
        Ok(false)
    }
}
