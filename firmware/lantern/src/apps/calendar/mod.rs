//! `calendar`: today's events around a clock face, Lantern's "augmented clock".
//!
//! The dial shows 12 hours, as Lantern's did: 08:00–20:00 during the day, 20:00–08:00 at night,
//! so a label's place on the dial is its hour on a wall clock. Each event in that window gets a
//! notch on the rim and a label outside it ("09:30 Standup"); past events are dimmed and struck
//! through. All-day events are listed above the dial.
//!
//! The ICS comes from a file or an `http://`, `https://` or `webcal://` URL (a hosted calendar's
//! "secret address in iCal format"), fetched with ureq over rustls, checked against the system's
//! certificates, so no OpenSSL is needed on the Pi. A calendar that cannot be read or parsed
//! shows "calendar unavailable" and logs why; the clock keeps running.

pub mod ics;
pub mod tzid;
pub mod vtimezone;
mod windows_zones;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::RgbColor;
use serde::Deserialize;

use super::clock::{draw_dial, draw_hands};
use super::draw::{line, palette};
use super::{App, Feed, Refresher, RenderContext, Zone};
use crate::render::Frame;
use crate::render::text::{Align, Style, Text};
use ics::{CalendarData, Occurrence};

/// `[apps.calendar]` settings: one of `path` or `url`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarSettings {
    /// An ICS file.
    pub path: Option<PathBuf>,
    /// An `http://` URL of an ICS file.
    pub url: Option<String>,
    /// How often to read it again, seconds (default 300).
    pub refresh_s: Option<u64>,
    /// IANA name or offset; the lamp's zone when absent.
    pub timezone: Option<Zone>,
}

/// The days around now that each refresh expands: yesterday (the night's 20:00–08:00 dial)
/// to the day after tomorrow (a refresh late in the evening still covers tomorrow).
const DAYS_BEFORE: i64 = 1;
const DAYS_AFTER: i64 = 2;

/// How long one refresh may spend expanding recurrences before it publishes what it has.
const EXPANSION_BUDGET: Duration = Duration::from_secs(2);

/// Each day's occurrences, expanded by the refresher so drawing only looks them up: no rule,
/// however hostile, costs a frame anything.
#[derive(Clone, Debug, Default)]
pub struct Agenda {
    days: Vec<(NaiveDate, Vec<Occurrence>)>,
    events: usize,
}

impl Agenda {
    /// The occurrences of `days` in `zone`, within `budget` for all of them.
    pub fn expand(
        data: &CalendarData,
        zone: Zone,
        days: impl IntoIterator<Item = NaiveDate>,
        budget: Duration,
    ) -> Agenda {
        let deadline = std::time::Instant::now() + budget;
        let mut agenda = Agenda {
            days: Vec::new(),
            events: data.len(),
        };
        for day in days {
            let (occurrences, complete) = data.occurrences_until(day, zone, Some(deadline));
            if !complete {
                tracing::warn!(
                    "calendar: expanding {day} took over {budget:?}; later events left out"
                );
            }
            agenda.days.push((day, occurrences));
        }
        agenda
    }

    /// The occurrences on `day`, if it was expanded.
    pub fn day(&self, day: NaiveDate) -> Option<&[Occurrence]> {
        self.days
            .iter()
            .find(|(d, _)| *d == day)
            .map(|(_, occurrences)| occurrences.as_slice())
    }

    /// Events in the calendar (recurring ones once).
    pub fn events(&self) -> usize {
        self.events
    }
}

/// What the last read produced.
pub type Loaded = Result<Agenda, String>;

/// The calendar app.
#[derive(Debug)]
pub struct Calendar {
    settings: CalendarSettings,
    /// The lamp's zone, for a calendar without its own.
    lamp_zone: Zone,
    feed: Feed<Loaded>,
    text: Text,
}

impl Calendar {
    /// A calendar app on a lamp in UTC; see [`Calendar::in_zone`].
    pub fn new(settings: CalendarSettings) -> Calendar {
        Calendar::in_zone(settings, Zone::default())
    }

    /// A calendar app on a lamp in `lamp_zone`; shows a bare clock until its refresher has read
    /// the calendar.
    pub fn in_zone(settings: CalendarSettings, lamp_zone: Zone) -> Calendar {
        Calendar {
            settings,
            lamp_zone,
            feed: Feed::default(),
            text: Text::new(),
        }
    }

    /// The zone the calendar's days are in.
    fn zone(&self) -> Zone {
        self.settings.timezone.unwrap_or(self.lamp_zone)
    }

    /// Where the refresher publishes.
    pub fn feed(&self) -> Feed<Loaded> {
        self.feed.clone()
    }
}

/// Reads and parses the calendar once per period, and expands the days around now.
#[derive(Debug)]
pub struct IcsRefresher {
    settings: CalendarSettings,
    zone: Zone,
    feed: Feed<Loaded>,
    last_error: Option<String>,
}

/// An ICS file, or an `http://`, `https://` or `webcal://` URL, read within
/// [`ics::MAX_BYTES`] (what `lantern agenda` and the refresher read).
pub fn read_source(source: &str) -> Result<String, String> {
    if source.contains("://") {
        http_get(source, Duration::from_secs(10))
    } else {
        read_bounded(std::path::Path::new(source))
    }
}

/// A calendar file, at most [`ics::MAX_BYTES`].
fn read_bounded(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read as _;
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut text = String::new();
    file.take(ics::MAX_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if text.len() as u64 > ics::MAX_BYTES {
        return Err(format!(
            "{} is over {} MiB: not read",
            path.display(),
            ics::MAX_BYTES >> 20
        ));
    }
    Ok(text)
}

impl IcsRefresher {
    fn fetch(&self) -> Result<String, String> {
        match (&self.settings.path, &self.settings.url) {
            (Some(path), _) => read_bounded(path),
            (None, Some(url)) => http_get(url, Duration::from_secs(10)),
            (None, None) => Err("no `path` or `url` set for the calendar".into()),
        }
    }
}

impl Refresher for IcsRefresher {
    fn period(&self) -> Duration {
        Duration::from_secs(self.settings.refresh_s.unwrap_or(300).max(5))
    }

    fn refresh(&mut self, now: DateTime<Utc>) {
        let today = self.zone.local(now).date();
        let zone = self.zone;
        let loaded = self
            .fetch()
            .and_then(|text| ics::parse(&text).map_err(|e| e.to_string()))
            .map(|data| {
                for skipped in &data.skipped {
                    tracing::warn!("calendar: skipped {skipped}");
                }
                for note in &data.zone_notes {
                    tracing::info!("calendar: {note}");
                }
                let days = (-DAYS_BEFORE..=DAYS_AFTER)
                    .filter_map(|offset| today.checked_add_signed(chrono::Duration::days(offset)));
                Agenda::expand(&data, zone, days, EXPANSION_BUDGET)
            });
        match &loaded {
            Err(error) => {
                if self.last_error.as_ref() != Some(error) {
                    tracing::warn!("calendar unavailable: {error}");
                }
                self.last_error = Some(error.clone());
            }
            Ok(agenda) => {
                if self.last_error.take().is_some() {
                    tracing::info!("calendar readable again ({} events)", agenda.events());
                }
            }
        }
        self.feed.set(loaded);
    }
}

/// The ICS at `url` (`http://`, `https://`, or `webcal://`, which is https by another name),
/// following redirects, within `timeout`, at most 16 MiB.
fn http_get(url: &str, timeout: Duration) -> Result<String, String> {
    let url = match url.strip_prefix("webcal://") {
        Some(rest) => format!("https://{rest}"),
        None => url.to_owned(),
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!(
            "{url}: not a calendar URL; accepted: http://, https:// or webcal://"
        ));
    }
    // The system's certificate store (ca-certificates on Pi OS), so a home or school network
    // with its own certificate authority works as it does for the browser.
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_global(Some(timeout))
        .user_agent("lantern")
        .build()
        .into();
    let mut response = agent
        .get(&url)
        .header("Accept", "text/calendar")
        .call()
        .map_err(|e| format!("{url}: {e}"))?;
    response
        .body_mut()
        .with_config()
        .limit(ics::MAX_BYTES)
        .read_to_string()
        .map_err(|e| format!("{url}: {e}"))
}

impl App for Calendar {
    fn name(&self) -> &'static str {
        "calendar"
    }

    fn refresher(&self) -> Option<Box<dyn Refresher>> {
        Some(Box::new(IcsRefresher {
            settings: self.settings.clone(),
            zone: self.zone(),
            feed: self.feed.clone(),
            last_error: None,
        }))
    }

    fn render(&mut self, context: &RenderContext<'_>, frame: &mut Frame) {
        frame.fill(Rgb888::BLACK);
        let zone = self.zone();
        let local = zone.local(context.now);
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let unit = h.min(w * 0.5625) / 100.0;
        let radius = (h * 0.31).min(w * 0.28);
        let centre = (w / 2.0, h * 0.54);
        draw_dial(frame, centre, radius);
        let loaded = self.feed.get();
        match loaded.as_deref() {
            None => {}
            Some(Err(_)) => {
                let style = Style::new(5.5 * unit, palette::WARN);
                self.text.draw(
                    frame,
                    "calendar unavailable",
                    w / 2.0,
                    h * 0.1,
                    Align::Center,
                    style,
                );
            }
            Some(Ok(agenda)) => {
                // A day not expanded yet (the refresher is behind) shows the bare clock.
                let occurrences = agenda.day(local.date()).unwrap_or_default();
                self.draw_events(frame, context.now, zone, occurrences, centre, radius, unit);
            }
        }
        draw_hands(frame, centre, radius, local, true);
    }
}

/// A label waiting for its place.
struct Label {
    text: String,
    /// Where the notch points: fraction of a turn from 12.
    fraction: f32,
    y: f32,
    past: bool,
}

impl Calendar {
    #[allow(clippy::too_many_arguments)]
    fn draw_events(
        &mut self,
        frame: &mut Frame,
        now: DateTime<Utc>,
        zone: Zone,
        occurrences: &[Occurrence],
        centre: (f32, f32),
        radius: f32,
        unit: f32,
    ) {
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let local_now = zone.local(now);
        // The 12-hour window: 08–20 by day, 20–08 by night (see the module docs).
        let window_start = {
            let eight = local_now.date().and_time(NaiveTime::MIN) + chrono::Duration::hours(8);
            let hour = local_now.hour();
            if (8..20).contains(&hour) {
                eight
            } else if hour >= 20 {
                eight + chrono::Duration::hours(12)
            } else {
                eight - chrono::Duration::hours(12)
            }
        };
        let window_end = window_start + chrono::Duration::hours(12);
        let all_day: Vec<&str> = occurrences
            .iter()
            .filter(|o| o.all_day)
            .map(|o| o.title.as_str())
            .collect();
        if !all_day.is_empty() {
            let style = Style::new(4.6 * unit, palette::INK);
            let text = self.text.ellipsize(&all_day.join("  ·  "), style, w * 0.9);
            self.text
                .draw(frame, &text, w / 2.0, h * 0.09, Align::Center, style);
        }
        let label_style = Style::new(3.7 * unit, palette::INK);
        let line_height = Text::line_height(label_style.size) * 0.95;
        let mut right = Vec::new();
        let mut left = Vec::new();
        for occurrence in occurrences.iter().filter(|o| !o.all_day) {
            let start = zone.local(occurrence.start);
            if start < window_start || start >= window_end {
                continue;
            }
            let hours = (start - window_start).num_seconds() as f32 / 3600.0 + 8.0;
            let fraction = (hours % 12.0) / 12.0;
            let angle = fraction * std::f32::consts::TAU;
            let label = Label {
                text: format!("{} {}", start.format("%H:%M"), occurrence.title),
                fraction,
                y: centre.1 - (radius * 1.12) * angle.cos()
                    + Text::cap_height(label_style.size) / 2.0,
                past: occurrence.end.max(occurrence.start) < now,
            };
            if fraction < 0.5 {
                right.push(label);
            } else {
                left.push(label);
            }
        }
        for (labels, side) in [(&mut right, 1.0f32), (&mut left, -1.0f32)] {
            labels.sort_by(|a, b| a.y.total_cmp(&b.y));
            // Push overlapping labels down, then pull the column back up if it ran off the edge.
            for i in 1..labels.len() {
                let floor = labels[i - 1].y + line_height;
                if labels[i].y < floor {
                    labels[i].y = floor;
                }
            }
            let overflow = labels.last().map_or(0.0, |l| l.y - (h - 2.0 * unit));
            if overflow > 0.0 {
                for label in labels.iter_mut() {
                    label.y -= overflow;
                }
            }
            for label in labels.iter() {
                let angle = label.fraction * std::f32::consts::TAU;
                let (sin, cos) = angle.sin_cos();
                let notch_color = if label.past {
                    palette::DIM
                } else {
                    palette::ACCENT
                };
                line(
                    frame,
                    (centre.0 + radius * 1.0 * sin, centre.1 - radius * 1.0 * cos),
                    (
                        centre.0 + radius * 1.07 * sin,
                        centre.1 - radius * 1.07 * cos,
                    ),
                    (radius * 0.02).max(2.0),
                    notch_color,
                );
                let anchor_x = centre.0
                    + side * (radius * 1.12 * sin.abs()).max(radius * 0.6)
                    + side * 2.0 * unit;
                let max_width = if side > 0.0 {
                    w - anchor_x - 3.0 * unit
                } else {
                    anchor_x - 3.0 * unit
                };
                let style = Style {
                    color: if label.past {
                        palette::DIM
                    } else {
                        palette::INK
                    },
                    ..label_style
                };
                let text = self.text.ellipsize(&label.text, style, max_width.max(10.0));
                let align = if side > 0.0 {
                    Align::Left
                } else {
                    Align::Right
                };
                let width = self
                    .text
                    .draw(frame, &text, anchor_x, label.y, align, style);
                if label.past {
                    let x0 = if side > 0.0 {
                        anchor_x
                    } else {
                        anchor_x - width
                    };
                    let y = label.y - Text::cap_height(style.size) * 0.4;
                    line(
                        frame,
                        (x0, y),
                        (x0 + width, y),
                        (unit * 0.3).max(1.0),
                        palette::DIM,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_file_shows_calendar_unavailable_without_panicking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("broken.ics");
        std::fs::write(&path, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2024").expect("write");
        let mut app = Calendar::new(CalendarSettings {
            path: Some(path.clone()),
            ..CalendarSettings::default()
        });
        let now = DateTime::parse_from_rfc3339("2024-05-14T10:00:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        let context = RenderContext::at(now);
        let mut before = Frame::new(320, 180);
        app.render(&context, &mut before);
        app.refresher().expect("reads files").refresh(now);
        assert!(app.feed().get().is_some_and(|l| l.is_err()));
        let mut after = Frame::new(320, 180);
        app.render(&context, &mut after);
        assert_ne!(before, after, "the warning is drawn");
        // The warning sits in the top band, in the warning colour.
        let warned = (0..320).any(|x| {
            (10..30).any(|y| {
                let p = after.pixel(x, y);
                p.r() > 200 && p.g() > 150 && p.b() < 60
            })
        });
        assert!(warned);
        // A missing file is unavailable too.
        std::fs::remove_file(&path).expect("remove");
        app.refresher().expect("reads files").refresh(now);
        let loaded = app.feed().get().expect("published");
        assert!(
            loaded
                .as_ref()
                .as_ref()
                .is_err_and(|e| e.contains("cannot read"))
        );
    }

    #[test]
    fn http_urls_are_fetched_and_other_schemes_are_refused_by_name() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("addr");
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("client");
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                let n = stream.read(&mut buffer).expect("request");
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..n]);
            }
            let body = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
            write!(
                stream,
                "HTTP/1.0 200 OK\r\nContent-Type: text/calendar\r\n\r\n{body}"
            )
            .expect("answer");
            String::from_utf8_lossy(&request).into_owned()
        });
        let body = http_get(
            &format!("http://{address}/cal/me.ics"),
            Duration::from_secs(2),
        )
        .expect("fetched");
        assert!(body.starts_with("BEGIN:VCALENDAR"));
        let request = server.join().expect("server");
        assert!(
            request.starts_with("GET /cal/me.ics HTTP/1.1\r\n"),
            "{request}"
        );
        let error =
            http_get("ftp://example.invalid/a.ics", Duration::from_secs(1)).expect_err("ftp");
        assert!(
            error.contains("accepted: http://, https:// or webcal://"),
            "{error}"
        );
        // An https URL is attempted (and fails here, with no network, naming the URL).
        let error = http_get("webcal://calendar.invalid/a.ics", Duration::from_secs(2))
            .expect_err("no network");
        assert!(
            error.starts_with("https://calendar.invalid/a.ics:"),
            "{error}"
        );
    }
}
