//! A push button for machines with one (the comic robot's "make a comic" button, a pause button).
//!
//! [`DebouncedButton`] is generic over the embedded-hal input traits and a [`Clock`], so the same
//! code runs on a Pi and on the simulated board. It is edge driven: it sleeps until the line
//! moves, then until the contact has been still for the settle time, and only then reports a
//! change. Unlike sampling every millisecond, it costs nothing while nobody presses, and it works
//! in virtual time, where a day without presses passes in one jump.
//!
//! [`toggle_on_press`] is the smallest machine built on it: each press toggles a light.

use std::fmt;
use std::time::Duration;

use atelier_hal::{Clock, Instant, WaitForEdge};
use embedded_hal::digital::StatefulOutputPin;

/// A settled change of the button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButtonEvent {
    /// Pressed at the given time (the first edge of the contact closing).
    Pressed(Instant),
    /// Released at the given time (the first edge of the contact opening).
    Released(Instant),
}

/// A push button debounced by waiting for its contact to settle.
#[derive(Debug)]
pub struct DebouncedButton<P, C> {
    pin: P,
    clock: C,
    settle: Duration,
    pressed_level: bool,
    pressed: bool,
}

/// The settle time that suits tactile switches: their bounce ends within 5–10 ms, and a person
/// does not notice 20 ms.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(20);

impl<P: WaitForEdge, C: Clock> DebouncedButton<P, C> {
    /// A button on `pin` that reads `pressed_level` while pressed (`false` for the usual wiring to
    /// ground with a pull-up). Reads the pin once to learn whether it is held down at start.
    pub fn new(
        mut pin: P,
        clock: C,
        pressed_level: bool,
        settle: Duration,
    ) -> Result<Self, P::Error> {
        let pressed = pin.is_high()? == pressed_level;
        Ok(DebouncedButton {
            pin,
            clock,
            settle,
            pressed_level,
            pressed,
        })
    }

    /// Whether the button is down, as of the last settled change.
    pub fn is_pressed(&self) -> bool {
        self.pressed
    }

    /// Blocks until the button settles in a new state, or until `deadline` passes with no edge.
    /// Chatter that settles back where it started is not an event.
    pub fn wait_for_change(&mut self, deadline: Instant) -> Result<Option<ButtonEvent>, P::Error> {
        loop {
            let Some((_, first_edge)) = self.pin.wait_for_edge(deadline)? else {
                return Ok(None);
            };
            // The contact is moving: wait until it has been still for the settle time.
            while self
                .pin
                .wait_for_edge(self.clock.now() + self.settle)?
                .is_some()
            {}
            let pressed = self.pin.is_high()? == self.pressed_level;
            if pressed != self.pressed {
                self.pressed = pressed;
                return Ok(Some(if pressed {
                    ButtonEvent::Pressed(first_edge)
                } else {
                    ButtonEvent::Released(first_edge)
                }));
            }
        }
    }

    /// Blocks until the next press, or until `deadline`. Releases are passed over.
    pub fn wait_for_press(&mut self, deadline: Instant) -> Result<Option<Instant>, P::Error> {
        loop {
            match self.wait_for_change(deadline)? {
                Some(ButtonEvent::Pressed(at)) => return Ok(Some(at)),
                Some(ButtonEvent::Released(_)) => {}
                None => return Ok(None),
            }
        }
    }

    /// Gives the pin and the clock back.
    pub fn release(self) -> (P, C) {
        (self.pin, self.clock)
    }
}

/// Why [`toggle_on_press`] stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum ToggleError<B, L> {
    /// Reading the button failed.
    Button(B),
    /// Driving the light failed.
    Light(L),
}

impl<B: fmt::Debug, L: fmt::Debug> fmt::Display for ToggleError<B, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToggleError::Button(e) => write!(f, "reading the button failed: {e:?}"),
            ToggleError::Light(e) => write!(f, "driving the light failed: {e:?}"),
        }
    }
}

impl<B: fmt::Debug, L: fmt::Debug> std::error::Error for ToggleError<B, L> {}

/// Toggles `light` at every press of `button` until `until`, telling `on_toggle` when each press
/// began and whether the light is now on; returns how many presses there were.
pub fn toggle_on_press<P, C, L>(
    button: &mut DebouncedButton<P, C>,
    light: &mut L,
    until: Instant,
    mut on_toggle: impl FnMut(Instant, bool),
) -> Result<u32, ToggleError<P::Error, L::Error>>
where
    P: WaitForEdge,
    C: Clock,
    L: StatefulOutputPin,
{
    let mut presses = 0;
    while let Some(at) = button.wait_for_press(until).map_err(ToggleError::Button)? {
        light.toggle().map_err(ToggleError::Light)?;
        presses += 1;
        on_toggle(at, light.is_set_high().map_err(ToggleError::Light)?);
    }
    Ok(presses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_sim::{Bounce, ButtonScript, SimBoard};

    const BUTTON: u8 = 17;

    fn at_ms(ms: u64) -> Instant {
        Instant::from_nanos(ms * 1_000_000)
    }

    #[test]
    fn bouncy_presses_give_one_event_each_at_the_first_edge() {
        let sim = SimBoard::new();
        let script = ButtonScript::active_low(11)
            .press(at_ms(100), Duration::from_millis(150), Bounce::TACTILE)
            .press(at_ms(600), Duration::from_millis(80), Bounce::TACTILE);
        sim.input_line(BUTTON, true).schedule_all(script.levels());
        let pin = sim.input(BUTTON, "button", true).expect("free pin");
        let mut button = DebouncedButton::new(pin, sim.clock(), false, DEFAULT_SETTLE)
            .expect("sim pins do not fail");
        let mut events = Vec::new();
        while let Some(event) = button.wait_for_change(at_ms(2_000)).expect("sim") {
            events.push(event);
        }
        assert_eq!(
            events,
            vec![
                ButtonEvent::Pressed(at_ms(100)),
                ButtonEvent::Released(at_ms(250)),
                ButtonEvent::Pressed(at_ms(600)),
                ButtonEvent::Released(at_ms(680)),
            ]
        );
    }

    #[test]
    fn a_glitch_that_settles_back_is_not_a_press() {
        let sim = SimBoard::new();
        let line = sim.input_line(BUTTON, true);
        // 2 ms of chatter that ends released: a knock on the case, not a press.
        line.schedule(at_ms(10), false);
        line.schedule(at_ms(11), true);
        line.schedule(at_ms(12), false);
        line.schedule(at_ms(12) + Duration::from_micros(500), true);
        let pin = sim.input(BUTTON, "button", true).expect("free pin");
        let mut button = DebouncedButton::new(pin, sim.clock(), false, Duration::from_millis(20))
            .expect("sim pins do not fail");
        assert_eq!(button.wait_for_press(at_ms(1_000)).expect("sim"), None);
        assert!(!button.is_pressed());
    }

    #[test]
    fn a_button_held_at_start_is_known_to_be_pressed() {
        let sim = SimBoard::new();
        sim.input_line(BUTTON, false);
        let pin = sim.input(BUTTON, "button", true).expect("free pin");
        let button = DebouncedButton::new(pin, sim.clock(), false, Duration::from_millis(20))
            .expect("sim pins do not fail");
        assert!(button.is_pressed());
    }
}
