//! `clock`: analog (dial, ticks, sweeping hands) or digital, in any time zone.

use std::f32::consts::TAU;

use chrono::{Datelike, NaiveDateTime, Timelike};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::RgbColor;
use serde::Deserialize;

use super::draw::{disc, line, palette};
use super::{App, Drawn, RenderContext, Zone};
use crate::render::Frame;
use crate::render::text::{Align, Style, Text};

/// Analog or digital.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockStyle {
    /// Dial and hands.
    #[default]
    Analog,
    /// Large digits.
    Digital,
}

/// `[apps.clock]` settings.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClockSettings {
    /// Analog or digital.
    pub style: ClockStyle,
    /// IANA name (`"Europe/Paris"`) or offset (`"+05:30"`); the lamp's zone when absent.
    pub timezone: Option<Zone>,
    /// Hide the second hand / seconds.
    pub hide_seconds: bool,
    /// 12-hour digits with am/pm (digital only).
    pub twelve_hour: bool,
}

/// A clock.
#[derive(Debug)]
pub struct Clock {
    settings: ClockSettings,
    text: Text,
    /// The local time shown, to the second or the minute.
    drawn: Drawn<NaiveDateTime>,
}

impl Clock {
    /// A clock with `settings`.
    pub fn new(settings: ClockSettings) -> Clock {
        Clock {
            settings,
            text: Text::new(),
            drawn: Drawn::default(),
        }
    }
}

impl App for Clock {
    fn name(&self) -> &'static str {
        "clock"
    }

    fn still_valid(&self, context: &RenderContext<'_>) -> bool {
        self.shown_time(context)
            .is_some_and(|shown| self.drawn.is(&shown))
    }

    fn render(&mut self, context: &RenderContext<'_>, frame: &mut Frame) {
        if let Some(shown) = self.shown_time(context) {
            self.drawn.set(shown);
        }
        frame.fill(Rgb888::BLACK);
        let zone = self.settings.timezone.unwrap_or(context.zone);
        let local = zone.local(context.now);
        match self.settings.style {
            ClockStyle::Analog => {
                let (w, h) = (frame.width() as f32, frame.height() as f32);
                let radius = w.min(h) * 0.44;
                draw_dial(frame, (w / 2.0, h / 2.0), radius);
                let date = local.format("%a %-d %b").to_string();
                let style = Style::new(radius * 0.1, palette::DIM);
                self.text.draw(
                    frame,
                    &date,
                    w / 2.0,
                    h / 2.0 + radius * 0.45,
                    Align::Center,
                    style,
                );
                // Without a second hand the minute hand steps once a second (a tenth of a
                // degree), so the picture holds for a second.
                let shown = self.shown_time(context).unwrap_or(local);
                draw_hands(
                    frame,
                    (w / 2.0, h / 2.0),
                    radius,
                    shown,
                    !self.settings.hide_seconds,
                );
            }
            ClockStyle::Digital => self.draw_digital(frame, local),
        }
    }
}

impl Clock {
    /// The local time as far as the picture shows it: to the minute for digits without seconds,
    /// to the second otherwise (an analog minute hand moves a few pixels a second). `None` while
    /// a second hand sweeps: that clock changes every frame.
    fn shown_time(&self, context: &RenderContext<'_>) -> Option<NaiveDateTime> {
        let zone = self.settings.timezone.unwrap_or(context.zone);
        let local = zone.local(context.now);
        let to_second = local.with_nanosecond(0)?;
        match (self.settings.style, self.settings.hide_seconds) {
            (ClockStyle::Analog, false) => None,
            (ClockStyle::Digital, true) => to_second.with_second(0),
            (ClockStyle::Analog, true) | (ClockStyle::Digital, false) => Some(to_second),
        }
    }

    fn draw_digital(&mut self, frame: &mut Frame, local: NaiveDateTime) {
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let (hour, suffix) = if self.settings.twelve_hour {
            let (pm, hour) = local.hour12();
            (hour.to_string(), Some(if pm { "pm" } else { "am" }))
        } else {
            (format!("{:02}", local.hour()), None)
        };
        let main = format!("{hour}:{:02}", local.minute());
        let small = match (self.settings.hide_seconds, suffix) {
            (true, None) => String::new(),
            (true, Some(s)) => format!(" {s}"),
            (false, None) => format!(":{:02}", local.second()),
            (false, Some(s)) => format!(":{:02} {s}", local.second()),
        };
        // The biggest digits that fit 90 % of the width and 45 % of the height.
        let mut size = h * 0.42;
        let big = |size: f32| Style::new(size, palette::INK).bold();
        let little = |size: f32| Style::new(size * 0.33, palette::DIM);
        let total =
            |text: &Text, size| text.width(&main, big(size)) + text.width(&small, little(size));
        let fit = total(&self.text, size);
        if fit > w * 0.9 {
            size *= w * 0.9 / fit;
        }
        let width = total(&self.text, size);
        let left = (w - width) / 2.0;
        let baseline = h / 2.0 + Text::cap_height(size) / 2.0 - h * 0.04;
        let main_width = self
            .text
            .draw(frame, &main, left, baseline, Align::Left, big(size));
        self.text.draw(
            frame,
            &small,
            left + main_width,
            baseline,
            Align::Left,
            little(size),
        );
        let date = local.format("%A %-d %B %Y").to_string();
        let date_style = Style::new((size * 0.16).max(12.0), palette::DIM);
        let date_baseline = baseline + size * 0.3 + Text::cap_height(date_style.size);
        self.text.draw(
            frame,
            &date,
            w / 2.0,
            date_baseline,
            Align::Center,
            date_style,
        );
        let _ = local.weekday();
    }
}

/// Point at `fraction` of a turn from 12 o'clock, `length` from `centre`.
fn at(centre: (f32, f32), fraction: f32, length: f32) -> (f32, f32) {
    let angle = fraction * TAU;
    (
        centre.0 + length * angle.sin(),
        centre.1 - length * angle.cos(),
    )
}

/// Ticks for minutes and hours, and a faint rim.
pub(crate) fn draw_dial(frame: &mut Frame, centre: (f32, f32), radius: f32) {
    super::draw::ring(
        frame,
        centre.0,
        centre.1,
        radius,
        (radius * 0.006).max(1.0),
        palette::FAINT,
    );
    for minute in 0..60 {
        let fraction = minute as f32 / 60.0;
        if minute % 5 == 0 {
            line(
                frame,
                at(centre, fraction, radius * 0.86),
                at(centre, fraction, radius * 0.97),
                (radius * 0.028).max(2.0),
                palette::INK,
            );
        } else {
            line(
                frame,
                at(centre, fraction, radius * 0.93),
                at(centre, fraction, radius * 0.97),
                (radius * 0.008).max(1.0),
                palette::DIM,
            );
        }
    }
}

/// Hour, minute and (optionally) second hands for local time `local`.
pub(crate) fn draw_hands(
    frame: &mut Frame,
    centre: (f32, f32),
    radius: f32,
    local: NaiveDateTime,
    seconds: bool,
) {
    let second = local.second() as f32 + local.nanosecond().min(999_999_999) as f32 / 1e9;
    let minute = local.minute() as f32 + second / 60.0;
    let hour = (local.hour() % 12) as f32 + minute / 60.0;
    line(
        frame,
        at(centre, hour / 12.0 + 0.5, radius * 0.08),
        at(centre, hour / 12.0, radius * 0.52),
        radius * 0.05,
        palette::INK,
    );
    line(
        frame,
        at(centre, minute / 60.0 + 0.5, radius * 0.08),
        at(centre, minute / 60.0, radius * 0.8),
        radius * 0.032,
        palette::INK,
    );
    if seconds {
        line(
            frame,
            at(centre, second / 60.0 + 0.5, radius * 0.16),
            at(centre, second / 60.0, radius * 0.88),
            (radius * 0.01).max(1.5),
            palette::ACCENT,
        );
    }
    disc(frame, centre.0, centre.1, radius * 0.035, palette::ACCENT);
    disc(frame, centre.0, centre.1, radius * 0.012, Rgb888::BLACK);
}
