//! `now-playing`: what the Music Player Daemon (MPD) is playing: title, artist, album, a
//! progress bar and play/pause, or "nothing playing" when it is stopped or unreachable.

pub mod mpd;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::RgbColor;
use serde::Deserialize;

use super::draw::{palette, polygon, rounded_rect};
use super::{App, Drawn, Feed, Refresher, RenderContext};
use crate::render::Frame;
use crate::render::text::{Align, Style, Text};
use mpd::{PlayState, PlayerStatus};

/// `[apps.now-playing]` settings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NowPlayingSettings {
    /// MPD's `host:port`.
    pub server: String,
    /// How often to ask, ms.
    pub refresh_ms: u64,
    /// How long to wait for MPD at each step, ms.
    pub timeout_ms: u64,
}

impl Default for NowPlayingSettings {
    fn default() -> Self {
        NowPlayingSettings {
            server: "127.0.0.1:6600".into(),
            refresh_ms: 1000,
            timeout_ms: 1000,
        }
    }
}

/// The last answer from MPD and when it came.
#[derive(Clone, Debug)]
pub struct Playing {
    /// What MPD said, or why it could not be asked.
    pub status: Result<PlayerStatus, String>,
    /// Wall time of the answer: progress is extrapolated from it while playing.
    pub fetched_at: DateTime<Utc>,
}

/// The now-playing app.
#[derive(Debug)]
pub struct NowPlaying {
    settings: NowPlayingSettings,
    feed: Feed<Playing>,
    text: Text,
    drawn: Drawn<Shown>,
}

/// The answer drawn and, while playing, the second of the song shown (the progress bar and the
/// time move once a second).
#[derive(Debug)]
struct Shown {
    answer: Option<Arc<Playing>>,
    second_shown: Option<i64>,
}

impl PartialEq for Shown {
    fn eq(&self, other: &Shown) -> bool {
        let same_answer = match (&self.answer, &other.answer) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_answer && self.second_shown == other.second_shown
    }
}

impl Shown {
    fn of(answer: Option<Arc<Playing>>, context: &RenderContext<'_>) -> Shown {
        let second_shown = answer.as_deref().and_then(|p| match &p.status {
            Ok(status) if status.state == PlayState::Play => {
                shown_elapsed(status, p.fetched_at, context.now).map(|e| e as i64)
            }
            _ => None,
        });
        Shown {
            answer,
            second_shown,
        }
    }
}

impl NowPlaying {
    /// An app that will show what `settings.server` plays once its refresher has run.
    pub fn new(settings: NowPlayingSettings) -> NowPlaying {
        NowPlaying {
            settings,
            feed: Feed::default(),
            text: Text::new(),
            drawn: Drawn::default(),
        }
    }

    /// Where the refresher publishes (tests feed it directly).
    pub fn feed(&self) -> Feed<Playing> {
        self.feed.clone()
    }
}

/// Asks MPD once per period.
#[derive(Debug)]
pub struct MpdRefresher {
    settings: NowPlayingSettings,
    feed: Feed<Playing>,
    logged_down: bool,
}

impl Refresher for MpdRefresher {
    fn period(&self) -> Duration {
        Duration::from_millis(self.settings.refresh_ms.max(100))
    }

    fn refresh(&mut self, now: DateTime<Utc>) {
        let timeout = Duration::from_millis(self.settings.timeout_ms.max(10));
        let status = mpd::query(&self.settings.server, timeout).map_err(|e| e.to_string());
        match &status {
            Err(error) if !self.logged_down => {
                tracing::info!("now-playing: {error}; showing \"nothing playing\"");
                self.logged_down = true;
            }
            Ok(_) if self.logged_down => {
                tracing::info!(server = %self.settings.server, "now-playing: MPD answers again");
                self.logged_down = false;
            }
            _ => {}
        }
        self.feed.set(Playing {
            status,
            fetched_at: now,
        });
    }
}

fn clock_text(seconds: f64) -> String {
    let total = seconds.max(0.0) as u64;
    if total >= 3600 {
        format!("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60)
    } else {
        format!("{}:{:02}", total / 60, total % 60)
    }
}

/// Seconds into the song as the picture shows them: extrapolated from the answer while playing,
/// in whole seconds (the time shown and the bar move together, once a second).
fn shown_elapsed(
    status: &PlayerStatus,
    fetched_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<f64> {
    let since = (now - fetched_at).num_milliseconds().max(0) as f64 / 1000.0;
    status.elapsed.map(|e| {
        let e = if status.state == PlayState::Play {
            (e + since).floor()
        } else {
            e
        };
        status.duration.map_or(e, |d| e.min(d))
    })
}

impl App for NowPlaying {
    fn name(&self) -> &'static str {
        "now-playing"
    }

    fn refresher(&self) -> Option<Box<dyn Refresher>> {
        Some(Box::new(MpdRefresher {
            settings: self.settings.clone(),
            feed: self.feed.clone(),
            logged_down: false,
        }))
    }

    fn still_valid(&self, context: &RenderContext<'_>) -> bool {
        self.drawn.is(&Shown::of(self.feed.get(), context))
    }

    fn render(&mut self, context: &RenderContext<'_>, frame: &mut Frame) {
        frame.fill(Rgb888::BLACK);
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let unit = h.min(w * 0.5625) / 100.0;
        let latest = self.feed.get();
        self.drawn.set(Shown::of(latest.clone(), context));
        let playing = latest.as_deref().and_then(|p| match &p.status {
            Ok(status) if status.state != PlayState::Stop => Some((status, p.fetched_at)),
            _ => None,
        });
        let Some((status, fetched_at)) = playing else {
            let style = Style::new(9.0 * unit, palette::DIM);
            self.text.draw(
                frame,
                "nothing playing",
                w / 2.0,
                h / 2.0 + Text::cap_height(style.size) / 2.0,
                Align::Center,
                style,
            );
            return;
        };
        let left = w * 0.1;
        let width = w * 0.8;
        // Play or pause symbol.
        let icon = 6.0 * unit;
        let (ix, iy) = (left, h * 0.2);
        if status.state == PlayState::Play {
            polygon(
                frame,
                &[
                    (ix, iy),
                    (ix + icon * 0.9, iy + icon / 2.0),
                    (ix, iy + icon),
                ],
                palette::ACCENT,
            );
        } else {
            for x in [ix, ix + icon * 0.55] {
                rounded_rect(
                    frame,
                    (x, iy, icon * 0.32, icon),
                    icon * 0.08,
                    palette::ACCENT,
                );
            }
        }
        let title_style = Style::new(11.0 * unit, palette::INK).bold();
        let title = status.title.as_deref().unwrap_or("Unknown title");
        let title = self.text.ellipsize(title, title_style, width);
        self.text.draw(
            frame,
            &title,
            left,
            h * 0.2 + 22.0 * unit,
            Align::Left,
            title_style,
        );
        let artist_style = Style::new(6.5 * unit, palette::INK);
        if let Some(artist) = &status.artist {
            let artist = self.text.ellipsize(artist, artist_style, width);
            self.text.draw(
                frame,
                &artist,
                left,
                h * 0.2 + 34.0 * unit,
                Align::Left,
                artist_style,
            );
        }
        let album_style = Style::new(5.0 * unit, palette::DIM);
        if let Some(album) = &status.album {
            let album = self.text.ellipsize(album, album_style, width);
            self.text.draw(
                frame,
                &album,
                left,
                h * 0.2 + 43.0 * unit,
                Align::Left,
                album_style,
            );
        }
        let elapsed = shown_elapsed(status, fetched_at, context.now);
        let bar_y = h * 0.2 + 54.0 * unit;
        let bar_h = 1.6 * unit;
        rounded_rect(
            frame,
            (left, bar_y, width, bar_h),
            bar_h / 2.0,
            palette::FAINT,
        );
        if let (Some(e), Some(d)) = (elapsed, status.duration) {
            let done = (e / d).clamp(0.0, 1.0) as f32;
            rounded_rect(
                frame,
                (left, bar_y, width * done, bar_h),
                bar_h / 2.0,
                palette::ACCENT,
            );
        }
        let time_style = Style::new(4.5 * unit, palette::DIM);
        let below = bar_y + bar_h + 7.0 * unit;
        if let Some(e) = elapsed {
            self.text
                .draw(frame, &clock_text(e), left, below, Align::Left, time_style);
        }
        if let Some(d) = status.duration {
            self.text.draw(
                frame,
                &clock_text(d),
                left + width,
                below,
                Align::Right,
                time_style,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::RenderContext;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_refresher_feeds_the_app_and_a_dead_server_means_nothing_playing() {
        let (address, _server) = mpd::fake::serve(
            "OK MPD 0.23.5\n",
            "state: play\nelapsed: 10\nduration: 100\nOK\n",
            "Title: Hello\nArtist: World\nOK\n",
            1,
        );
        let settings = NowPlayingSettings {
            server: address,
            ..NowPlayingSettings::default()
        };
        let mut app = NowPlaying::new(settings.clone());
        let now = at("2024-05-14T10:00:00Z");
        let context = RenderContext::at(now);
        let mut nothing = Frame::new(320, 180);
        app.render(&context, &mut nothing);
        let mut refresher = app.refresher().expect("needs data");
        refresher.refresh(now);
        let playing = app.feed().get().expect("published");
        assert_eq!(
            playing.status.as_ref().map(|s| s.title.clone()),
            Ok(Some("Hello".into()))
        );
        let mut frame = Frame::new(320, 180);
        app.render(&context, &mut frame);
        assert_ne!(
            frame, nothing,
            "a song is drawn differently from nothing playing"
        );

        // The server is gone now (it served its one connection): back to nothing playing.
        refresher.refresh(now);
        let latest = app.feed().get().expect("published");
        assert!(latest.status.is_err(), "{:?}", latest.status);
        app.render(&context, &mut frame);
        assert_eq!(frame, nothing);
    }

    #[test]
    fn progress_is_extrapolated_while_playing_only() {
        let mut app = NowPlaying::new(NowPlayingSettings::default());
        let fetched = at("2024-05-14T10:00:00Z");
        let status = PlayerStatus {
            state: PlayState::Play,
            title: Some("t".into()),
            artist: None,
            album: None,
            elapsed: Some(0.0),
            duration: Some(100.0),
        };
        let render = |app: &mut NowPlaying, seconds: i64| {
            let mut frame = Frame::new(400, 225);
            let now = fetched + chrono::Duration::seconds(seconds);
            app.render(&RenderContext::at(now), &mut frame);
            // How far the bright bar reaches along its row.
            let y = (225.0 * 0.2 + 54.0 * 2.25 + 1.0) as i32;
            (0..400)
                .rev()
                .find(|&x| frame.pixel(x, y) == palette::ACCENT)
                .unwrap_or(0)
        };
        app.feed().set(Playing {
            status: Ok(status.clone()),
            fetched_at: fetched,
        });
        let early = render(&mut app, 10);
        let later = render(&mut app, 50);
        assert!(later > early + 100, "{early} → {later}");
        app.feed().set(Playing {
            status: Ok(PlayerStatus {
                state: PlayState::Pause,
                ..status
            }),
            fetched_at: fetched,
        });
        assert_eq!(render(&mut app, 10), render(&mut app, 50));
    }
}
