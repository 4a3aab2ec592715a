//! A 28BYJ-48 geared stepper on a ULN2003 darlington board: four coil lines driven directly,
//! in the half-step sequence (one line changes per step, so no in-between state ever reaches
//! the coils).

use embedded_hal::digital::OutputPin;

/// The eight coil patterns of half-stepping, IN1 to IN4 as bits 0 to 3.
pub const HALF_STEPS: [u8; 8] = [
    0b0001, 0b0011, 0b0010, 0b0110, 0b0100, 0b1100, 0b1000, 0b1001,
];

/// A unipolar motor on four ULN2003 inputs.
#[derive(Debug)]
pub struct Uln2003<P> {
    coils: [P; 4],
    /// Index into [`HALF_STEPS`] of the pattern on the coils, or last on them while released:
    /// energising again at the same phase holds the rotor where it was left.
    phase: usize,
    /// Whether the coils carry the phase's pattern.
    energised: bool,
}

impl<P: OutputPin> Uln2003<P> {
    /// The motor on `coils` (IN1 to IN4), released (every coil off).
    pub fn new(mut coils: [P; 4]) -> Result<Self, P::Error> {
        for coil in &mut coils {
            coil.set_low()?;
        }
        Ok(Uln2003 {
            coils,
            phase: 0,
            energised: false,
        })
    }

    /// One half-step forward or back. From release, the coils are first energised at the phase
    /// they were left at, which holds the rotor where it is.
    pub fn step(&mut self, forward: bool) -> Result<(), P::Error> {
        if !self.energised {
            self.energise(self.phase)?;
        }
        let next = if forward {
            (self.phase + 1) % 8
        } else {
            (self.phase + 7) % 8
        };
        self.energise(next)
    }

    /// Puts pattern `phase` on the coils, changing only the lines that differ.
    fn energise(&mut self, phase: usize) -> Result<(), P::Error> {
        let old = if self.energised {
            HALF_STEPS[self.phase]
        } else {
            0
        };
        let new = HALF_STEPS[phase];
        for (line, coil) in self.coils.iter_mut().enumerate() {
            let bit = 1 << line;
            if (old ^ new) & bit != 0 {
                coil.set_state((new & bit != 0).into())?;
            }
        }
        self.phase = phase;
        self.energised = true;
        Ok(())
    }

    /// Energises the coils at the phase they were left at: the rotor holds where it is.
    pub fn hold(&mut self) -> Result<(), P::Error> {
        if !self.energised {
            self.energise(self.phase)?;
        }
        Ok(())
    }

    /// Whether the coils carry a pattern (the rotor holds).
    pub fn energised(&self) -> bool {
        self.energised
    }

    /// Switches every coil off: no holding torque, no heat.
    pub fn release_coils(&mut self) -> Result<(), P::Error> {
        for coil in &mut self.coils {
            coil.set_low()?;
        }
        self.energised = false;
        Ok(())
    }

    /// The pins back.
    pub fn release(self) -> [P; 4] {
        self.coils
    }
}
