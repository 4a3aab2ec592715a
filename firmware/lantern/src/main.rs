//! `lantern`: the lamp.
//!
//! - `lantern run`: sense, pick the surface's app, project it (Ctrl-C stops cleanly).
//! - `lantern render APP --at TIME --out x.png`: one frame of one app.
//! - `lantern agenda ICS [--day] [--days] [--timezone] [--json]`: what the calendar app will
//!   show from a calendar, with where each event's times come from.
//! - `lantern sky --lat --lon --time`: the stars above the horizon, as JSON.
//! - `lantern calibrate SURFACE`: point the lamp, save the direction in the config's edits.
//! - `lantern config`: where the lamp's files are, and the config in force.
//!
//! # Threads
//! Sensing and drawing run in one loop on one thread ([`lantern::lamp::Runner`]): the sensor is
//! read at its rate and frames are drawn at theirs, whichever is due next, on the board's clock.
//! That keeps a run deterministic on the simulator and testable as it ships, and each step is
//! short (a 6-byte I2C read; a frame in a few ms). Tokio runs what really is concurrent: the apps'
//! data refreshers (calendar, MPD) on blocking tasks at their own periods, and Ctrl-C.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, anyhow};
use atelier_board::{BackendKind, Board};
use atelier_config::Places;
use atelier_hal::Clock;
use atelier_sim::{OrientationScript, Pace, Projector};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use lantern::apps::{AppSettings, RenderContext, Zone};
use lantern::config::{LanternConfig, Output};
use lantern::lamp::{Lamp, Runner, WallTime};
use lantern::render::{Frame, FrameSink, PngSink, SimSink, save_png};
use lantern::sensor::{Range, probe};
use lantern::surface::Classifier;

#[derive(Debug, Parser)]
#[command(name = "lantern", version, about = "The Lantern projector lamp")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the lamp's files are.
#[derive(Debug, clap::Args)]
struct PlacesArgs {
    /// The lamp's config (default: /etc/atelier/lantern.toml, or hardware/lantern.toml when run
    /// from a source checkout). Calibration and the companion write their edits to the state
    /// folder, laid over this file, which is never rewritten.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The state folder (default: $ATELIER_STATE_DIR/lantern, $STATE_DIRECTORY/lantern under
    /// systemd, else $XDG_STATE_HOME/atelier/lantern or ~/.local/state/atelier/lantern).
    #[arg(long)]
    state: Option<PathBuf>,
}

impl PlacesArgs {
    fn places(&self) -> Places {
        let places = Places::find("lantern", self.config.as_deref());
        match &self.state {
            Some(state) => places.with_state(state),
            None => places,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the lamp.
    Run {
        #[command(flatten)]
        places: PlacesArgs,
        /// Override the config's board: rpi, cdev, or sim (a scripted lamp on any machine).
        #[arg(long)]
        board: Option<BackendKind>,
    },
    /// Draw one frame of one app to a PNG.
    Render {
        /// clock, calendar, now-playing, lamp, message, info or blank.
        app: String,
        /// The time, RFC 3339 (`2024-05-14T10:41:00Z`).
        #[arg(long)]
        at: DateTime<chrono::FixedOffset>,
        /// The app's settings as TOML, e.g. 'style = "digital"'.
        #[arg(long, default_value = "")]
        settings: String,
        /// WIDTHxHEIGHT.
        #[arg(long, default_value = "1280x720")]
        size: String,
        /// The lamp's time zone.
        #[arg(long, default_value = "UTC")]
        timezone: Zone,
        /// The PNG to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// What the calendar app will show from a calendar: each day's events in the lamp's zone
    /// (and in UTC), and where each event's times come from. Check a feed with it before
    /// pointing the lamp at the wall.
    Agenda {
        /// An ICS file, or an http://, https:// or webcal:// URL.
        source: String,
        /// The first day (YYYY-MM-DD; default: today in --timezone).
        #[arg(long)]
        day: Option<chrono::NaiveDate>,
        /// How many days, 1–31.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=31))]
        days: u32,
        /// The lamp's time zone (IANA name or offset).
        #[arg(long, default_value = "UTC")]
        timezone: Zone,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The stars above the horizon at a place and time, brightest first, as JSON.
    Sky {
        /// Latitude, degrees north.
        #[arg(long, allow_negative_numbers = true)]
        lat: f64,
        /// Longitude, degrees east.
        #[arg(long, allow_negative_numbers = true)]
        lon: f64,
        /// The time, RFC 3339.
        #[arg(long)]
        time: DateTime<chrono::FixedOffset>,
        /// Faintest magnitude listed.
        #[arg(long, default_value_t = 4.5, allow_negative_numbers = true)]
        magnitude_limit: f32,
    },
    /// Where the lamp's files are, and its config in force: the defaults with the edits that
    /// calibration and the companion made.
    Config {
        #[command(flatten)]
        places: PlacesArgs,
    },
    /// Point the lamp at a surface, then run this: about a second of samples is averaged and the
    /// direction saved in the config's edits in the state folder (comments kept).
    Calibrate {
        /// The surface's name (a new name adds a surface).
        surface: String,
        #[command(flatten)]
        places: PlacesArgs,
        /// Override the config's board.
        #[arg(long)]
        board: Option<BackendKind>,
    },
}

fn main() -> ExitCode {
    atelier_cli::init_logging();
    atelier_cli::run(|| match Cli::parse().command {
        Command::Run { places, board } => run(&places.places(), board),
        Command::Render {
            app,
            at,
            settings,
            size,
            timezone,
            out,
        } => render(
            &app,
            at.with_timezone(&Utc),
            &settings,
            &size,
            timezone,
            &out,
        ),
        Command::Agenda {
            source,
            day,
            days,
            timezone,
            json,
        } => agenda(&source, day, days, timezone, json),
        Command::Sky {
            lat,
            lon,
            time,
            magnitude_limit,
        } => sky(lat, lon, time.with_timezone(&Utc), magnitude_limit),
        Command::Calibrate {
            surface,
            places,
            board,
        } => calibrate(&surface, &places.places(), board),
        Command::Config { places } => {
            atelier_cli::print_stdout(places.places().report::<LanternConfig>()?.trim_end())?;
            Ok(())
        }
    })
}

fn load(places: &Places, board: Option<BackendKind>) -> anyhow::Result<LanternConfig> {
    let mut config: LanternConfig = places.load()?;
    if let Some(backend) = board {
        config.board.backend = backend;
    }
    Ok(config)
}

/// The lamp's address on the network, found by asking the routing table (a UDP "connect" sends
/// nothing).
fn local_address() -> Option<String> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    Some(socket.local_addr().ok()?.ip().to_string())
}

fn sink_for(config: &LanternConfig, sim: bool) -> anyhow::Result<Box<dyn FrameSink + Send>> {
    Ok(match &config.display.output {
        Output::Png(dir) => Box::new(PngSink::new(dir, Duration::from_secs(1))),
        Output::Sim => Box::new(SimSink::new(Projector::new(1))),
        Output::Framebuffer(_) if sim => {
            tracing::info!(
                "--board sim: frames go to the simulated projector, not the framebuffer"
            );
            Box::new(SimSink::new(Projector::new(1)))
        }
        #[cfg(target_os = "linux")]
        Output::Framebuffer(device) => {
            Box::new(lantern::render::FbSink::new(device, &config.board.sys_dir))
        }
        #[cfg(not(target_os = "linux"))]
        Output::Framebuffer(device) => {
            anyhow::bail!("{}: the framebuffer exists only on Linux", device.display())
        }
    })
}

fn run(places: &Places, board: Option<BackendKind>) -> anyhow::Result<()> {
    let config = load(places, board)?;
    tracing::info!(config = %places.defaults.display(), "starting");
    let sim = config.board.backend == BackendKind::Sim;
    let mut board = if sim {
        let lamp = lantern::simulated::SimLamp::new(
            &config,
            lantern::simulated::tour(),
            Pace::RealTime { speed: 1.0 },
        );
        Board::sim(lamp.board)
    } else {
        Board::open(&config.board)?
    };
    let bus = board.i2c(config.sensor.i2c_bus)?;
    let clock = board.clock();
    let sink = sink_for(&config, sim)?;
    let mut lamp = Lamp::new(&config).map_err(|e| anyhow!("{e}"))?;
    lamp.status.address = local_address();
    let refreshers = lamp.refreshers();
    let mut runner = Runner::new(lamp, &config, bus, sink, clock, WallTime::System);
    let handle = runner.connect();

    let stop = Arc::new(AtomicBool::new(false));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut spawn_refreshers =
        lantern::refreshing::on_runtime(runtime.handle().clone(), Arc::clone(&stop));
    spawn_refreshers(refreshers);
    runner.on_new_refreshers(spawn_refreshers);
    runtime.block_on(async {
        let (stop_serving, serving_stopped) = tokio::sync::oneshot::channel::<()>();
        let companion = if config.companion.enabled {
            Some(tokio::spawn(serve_companion(
                places.clone(),
                config.companion.clone(),
                handle.clone(),
                async {
                    let _ = serving_stopped.await;
                },
            )?))
        } else {
            None
        };
        let loop_stop = Arc::clone(&stop);
        let mut lamp_loop = tokio::task::spawn_blocking(move || runner.run(&loop_stop));
        let result = tokio::select! {
            signal = tokio::signal::ctrl_c() => {
                if let Err(error) = signal {
                    tracing::error!("cannot listen for Ctrl-C: {error}");
                }
                tracing::info!("stopping");
                stop.store(true, Ordering::Relaxed);
                lamp_loop.await.context("the lamp loop")
            }
            result = &mut lamp_loop => result.context("the lamp loop"),
        };
        let _ = stop_serving.send(());
        if let Some(server) = companion {
            match tokio::time::timeout(Duration::from_secs(2), server).await {
                Ok(Ok(Err(error))) => tracing::warn!("companion page: {error}"),
                Ok(_) => {}
                Err(_) => tracing::warn!("companion page: open requests cut at shutdown"),
            }
        }
        result
    })?;
    runtime.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

/// Binds the companion page's port (now, so a port in use is an error at start) and returns
/// the server to run.
fn serve_companion(
    places: Places,
    settings: lantern::config::Companion,
    lamp: lantern::lamp::LampHandle,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<impl std::future::Future<Output = std::io::Result<()>>> {
    let address = std::net::SocketAddr::new(
        settings
            .bind
            .parse()
            .with_context(|| format!("[companion] bind = {:?}", settings.bind))?,
        settings.port,
    );
    let listener = std::net::TcpListener::bind(address).with_context(|| {
        format!(
            "the companion page cannot listen on {address}; set [companion] port to a free port \
             (or enabled = false)"
        )
    })?;
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    // Found as `_http._tcp` on the LAN; a page bound to loopback has nobody to be found by.
    let announcer = (!address.ip().is_loopback()).then(|| {
        let lamp_name = lamp.state().borrow().name.clone();
        atelier_web::discovery::announce(
            &atelier_web::discovery::Announcement {
                instance: lamp_name,
                hostname: settings.hostname.clone(),
                port: settings.port,
            },
            &atelier_web::discovery::Avahi::default(),
        )
    });
    let gate = lantern::companion::gate(&places, &settings, lamp.clone())?;
    let companion = lantern::companion::Companion::new(places, lamp);
    let (router, _) = lantern::companion::router(companion, gate);
    let shown = local_address().unwrap_or_else(|| "127.0.0.1".to_owned());
    tracing::info!(
        "companion page: http://{shown}:{} (or http://{}.local:{})",
        settings.port,
        settings.hostname,
        settings.port
    );
    Ok(async move {
        let served = atelier_web::serve(listener, router, shutdown).await;
        // Withdrawn once the page stops answering.
        drop(announcer);
        served
    })
}

fn render(
    app: &str,
    at: DateTime<Utc>,
    settings: &str,
    size: &str,
    zone: Zone,
    out: &Path,
) -> anyhow::Result<()> {
    let settings = AppSettings::parse(app, settings).map_err(|e| anyhow!(e))?;
    let (width, height) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .filter(|&(w, h)| (16..=7680).contains(&w) && (16..=4320).contains(&h))
        .ok_or_else(|| anyhow!("--size {size:?}: expected WIDTHxHEIGHT such as 1280x720"))?;
    let mut app = settings.build_in(zone);
    if let Some(mut refresher) = app.refresher() {
        refresher.refresh(at);
    }
    let mut frame = Frame::new(width, height);
    let context = RenderContext {
        zone,
        address: None,
        ..RenderContext::at(at)
    };
    app.render(&context, &mut frame);
    save_png(&frame, out).map_err(|e| anyhow!(e))?;
    println!("{}", out.display());
    Ok(())
}

fn agenda(
    source: &str,
    day: Option<chrono::NaiveDate>,
    days: u32,
    zone: Zone,
    json: bool,
) -> anyhow::Result<()> {
    use lantern::apps::calendar::ics;
    let text = lantern::apps::calendar::read_source(source).map_err(|e| anyhow!(e))?;
    let data = ics::parse(&text).map_err(|e| anyhow!("{source}: {e}"))?;
    let first = day.unwrap_or_else(|| zone.local(Utc::now()).date());
    let local = |t: DateTime<Utc>| zone.local(t).format("%Y-%m-%dT%H:%M:%S").to_string();
    let mut listing = Vec::new();
    for offset in 0..i64::from(days) {
        let Some(day) = first.checked_add_signed(chrono::Duration::days(offset)) else {
            break;
        };
        let occurrences = data.occurrences(day, zone);
        listing.push((day, occurrences));
    }
    if json {
        let days: Vec<_> = listing
            .iter()
            .map(|(day, occurrences)| {
                serde_json::json!({
                    "day": day.to_string(),
                    "timezone": zone.to_string(),
                    "occurrences": occurrences.iter().map(|o| serde_json::json!({
                        "title": o.title,
                        "all_day": o.all_day,
                        "start": local(o.start),
                        "end": local(o.end),
                        "start_utc": o.start.to_rfc3339(),
                        "end_utc": o.end.to_rfc3339(),
                        "zone_rule": o.zone_rule,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let out = serde_json::json!({ "days": days, "skipped": data.skipped });
        atelier_cli::print_stdout(&serde_json::to_string_pretty(&out)?)?;
        return Ok(());
    }
    let mut out = String::new();
    for (day, occurrences) in &listing {
        out.push_str(&format!("{day} ({zone})\n"));
        if occurrences.is_empty() {
            out.push_str("  nothing\n");
        }
        for o in occurrences {
            let when = if o.all_day {
                "all day".to_owned()
            } else {
                format!(
                    "{}–{}",
                    zone.local(o.start).format("%H:%M"),
                    zone.local(o.end).format("%H:%M")
                )
            };
            out.push_str(&format!("  {when:<12} {}  [{}]\n", o.title, o.zone_rule));
        }
    }
    for skipped in &data.skipped {
        out.push_str(&format!("skipped: {skipped}\n"));
    }
    atelier_cli::print_stdout(out.trim_end())?;
    Ok(())
}

fn sky(lat: f64, lon: f64, time: DateTime<Utc>, magnitude_limit: f32) -> anyhow::Result<()> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        anyhow::bail!("--lat {lat} --lon {lon}: expected −90–90 and −180–180 degrees");
    }
    let observer = lantern::sky::Observer {
        latitude_deg: lat,
        longitude_deg: lon,
    };
    let seconds = time.timestamp() as f64 + f64::from(time.timestamp_subsec_nanos()) / 1e9;
    let stars = lantern::catalog::sky_at(
        lantern::catalog::Catalog::bundled(),
        observer,
        seconds,
        magnitude_limit,
    );
    atelier_cli::print_stdout(&serde_json::to_string_pretty(&stars)?)?;
    Ok(())
}

fn calibrate(surface: &str, places: &Places, board: Option<BackendKind>) -> anyhow::Result<()> {
    let config = load(places, board)?;
    let mut board = if config.board.backend == BackendKind::Sim {
        // A lamp tilted 10° off the wall, to see the calibration move the direction.
        let tilt = 10f64.to_radians();
        let script = OrientationScript::fixed([tilt.sin(), -tilt.cos(), 0.0]);
        Board::sim(lantern::simulated::SimLamp::new(&config, script, Pace::AsFastAsPossible).board)
    } else {
        Board::open(&config.board)?
    };
    let clock = board.clock();
    let mut sensor = probe(board.i2c(config.sensor.i2c_bus)?)?;
    sensor.configure(Range::G2)?;
    let mut classifier = Classifier::new(config.surfaces.clone()).map_err(|e| anyhow!("{e}"))?;
    let period = Duration::from_secs(1) / config.sensor.rate_hz.max(1);
    let end = clock.now() + Duration::from_millis(1200);
    while clock.now() < end {
        let sample = lantern::sensor::retry(&clock, Default::default(), || sensor.read())?;
        classifier.update(clock.now(), sample);
        clock.sleep(period);
    }
    classifier.calibrate(surface)?;
    let direction = classifier
        .config()
        .surfaces
        .iter()
        .find(|s| s.name == surface)
        .map(|s| s.direction)
        .ok_or_else(|| anyhow!("calibration did not record {surface:?}"))?;
    // Checked before it is saved: a config the lamp cannot read would be worse than none.
    places.edit::<LanternConfig>(|edits, defaults| {
        lantern::config::calibrate_surface(edits, defaults, surface, direction)
    })?;
    println!(
        "{surface}: gravity along [{:.3}, {:.3}, {:.3}] saved in {}",
        direction[0],
        direction[1],
        direction[2],
        places.edits.display()
    );
    Ok(())
}
