//! `polargraph run`: the plotter as a machine that stays up. One thread plays jobs from a
//! bounded queue on the plotter (its own thread, real-time where permitted); another answers
//! requests on a Unix socket in the state folder, one JSON object a line, so `polargraph plot`,
//! `pause`, `resume`, `status` and `pair` go through the queue; the machine's page
//! ([`crate::page`]) asks the same [`Control`] in-process. The state is published for whoever
//! asks. After a restart the daemon comes up paused and never moves on
//! its own; with no job running or paused, the motors are released after the configured idle
//! time.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::job::Job;
use crate::journal::{JobState, Journal};
use crate::plotter::{Outcome, Progress};
use crate::session::{self, Session};

/// The control socket's name in the state folder.
pub const SOCKET: &str = "control.sock";

/// Jobs and commands waiting; more are refused rather than piled up.
pub const QUEUE_LIMIT: usize = 8;

/// How long a client may take to send its request line.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// A request to the daemon.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "command", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Request {
    /// Plot the job folder (made by `polargraph plot`).
    Plot {
        /// The folder.
        dir: PathBuf,
    },
    /// Go on with the job that was paused, or with `dir`.
    Resume {
        /// A job folder (default: the current job).
        dir: Option<PathBuf>,
    },
    /// Stop the running job safely, the pen up.
    Pause,
    /// The pen is on its home spot.
    SetHome,
    /// Travel home, the pen up.
    Home,
    /// What the daemon is doing.
    Status,
    /// A pairing code for the page, for the console (`polargraph pair`).
    Pair,
}

/// What the daemon is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activity {
    /// Nothing to do; the motors hold.
    Idle,
    /// Drawing a job.
    Plotting,
    /// A job waits for `resume` (also after a restart), the motors hold.
    Paused,
    /// Idle long enough that the motors were released; `set-home` comes first.
    Released,
}

/// How the last job ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ended {
    /// Drawn to the end.
    Finished,
    /// Stopped by a fault (`message` says which); resumable where its journal allows.
    Failed,
}

/// The daemon's state, as published.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Status {
    /// What it is doing.
    pub activity: Activity,
    /// The job running or paused.
    pub job: Option<PathBuf>,
    /// Strokes begun and in all, while plotting.
    pub stroke: usize,
    /// Strokes in the job.
    pub strokes: usize,
    /// Whether the pen is down.
    pub pen_down: bool,
    /// Whether the gondola's position is known.
    pub position_known: bool,
    /// The motors' step counters (left, right) as last reported, when known.
    pub steps: Option<[i64; 2]>,
    /// Requests waiting.
    pub queued: usize,
    /// Where the plotter's page is served, once it is.
    #[serde(default)]
    pub page: Option<String>,
    /// How the last job ended, until the next one starts (a paused job has not ended).
    #[serde(default)]
    pub ended: Option<Ended>,
    /// The last outcome or fault, in words.
    pub message: String,
}

/// The daemon's answer.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Reply {
    /// Whether the request was taken.
    pub ok: bool,
    /// What happened, or why not.
    pub message: String,
    /// The state after it.
    pub status: Status,
}

struct Shared {
    status: Mutex<Status>,
    /// Set to stop the running plot (pause, shutdown).
    stop: Arc<AtomicBool>,
    /// The page's gate, once the page is served: `pair` asks it for codes.
    gate: std::sync::OnceLock<Arc<atelier_web::Gate>>,
}

/// The daemon's controls, for its socket and its page: the state, and requests answered at
/// once (status, pause, pair) or queued for the plotter (the rest).
#[derive(Clone)]
pub struct Control {
    shared: Arc<Shared>,
    queue: SyncSender<Request>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control").finish_non_exhaustive()
    }
}

impl Control {
    /// What the daemon is doing now.
    pub fn status(&self) -> Status {
        self.shared.status()
    }

    /// The page's gate, so `pair` can hand out codes.
    pub fn attach_gate(&self, gate: Arc<atelier_web::Gate>) {
        let _ = self.shared.gate.set(gate);
    }

    /// Where the page is served, for `polargraph status`.
    pub fn page_served_at(&self, url: String) {
        self.shared.update(|s| s.page = Some(url));
    }

    /// Takes `request`: status, pause and pair at once, the rest through the queue (refused
    /// when it is full).
    pub fn ask(&self, request: Request) -> Reply {
        let shared = &self.shared;
        let (ok, message) = match request {
            Request::Status => (true, "status".to_owned()),
            Request::Pause => {
                if shared.status().activity == Activity::Plotting {
                    shared.stop.store(true, Ordering::SeqCst);
                    (
                        true,
                        "pausing: the pen lifts after the current step".to_owned(),
                    )
                } else {
                    (false, "nothing is plotting".to_owned())
                }
            }
            Request::Pair => match shared.gate.get() {
                None => (
                    false,
                    "the page is switched off ([page] enabled = false)".to_owned(),
                ),
                Some(gate) => {
                    let code = gate.pairing().new_code(Instant::now());
                    let lifetime = gate.pairing().code_lifetime();
                    match code {
                        Ok(code) => (
                            true,
                            format!(
                                "pairing code {code}: type it on the plotter's page within {}                                  minutes",
                                lifetime.as_secs().div_ceil(60)
                            ),
                        ),
                        Err(e) => (false, e.to_string()),
                    }
                }
            },
            request => {
                // Counted before it is sent: the plotter may take it at once.
                shared.update(|s| s.queued += 1);
                let sent = self.queue.try_send(request);
                if sent.is_err() {
                    shared.update(|s| s.queued = s.queued.saturating_sub(1));
                }
                match sent {
                    Ok(()) => (true, "queued".to_owned()),
                    Err(TrySendError::Full(_)) => (
                        false,
                        format!("{QUEUE_LIMIT} requests are already waiting: try again later"),
                    ),
                    Err(TrySendError::Disconnected(_)) => {
                        (false, "the daemon is stopping".to_owned())
                    }
                }
            }
        };
        Reply {
            ok,
            message,
            status: shared.status(),
        }
    }
}

impl Shared {
    fn status(&self) -> Status {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn update(&self, change: impl FnOnce(&mut Status)) {
        change(&mut self.status.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// Sends `request` to the daemon whose state folder is `state`; `None` when no daemon answers
/// there.
pub fn ask(state: &Path, request: &Request) -> Option<std::io::Result<Reply>> {
    let stream = UnixStream::connect(state.join(SOCKET)).ok()?;
    Some((|| {
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_write_timeout(Some(CLIENT_TIMEOUT))?;
        let mut writer = &stream;
        let mut line = serde_json::to_string(request)?;
        line.push('\n');
        writer.write_all(line.as_bytes())?;
        let mut answer = String::new();
        BufReader::new(&stream).read_line(&mut answer)?;
        Ok(serde_json::from_str(&answer)?)
    })())
}

/// Runs the daemon on `session` until `shutdown` is set (SIGTERM, SIGINT): a running job is
/// then paused safely first. Serves the page as `page` says.
pub fn run(
    session: Session,
    release_after: Duration,
    stop: Arc<AtomicBool>,
    shutdown: Arc<AtomicBool>,
    page: Option<crate::page::PageSite>,
) -> anyhow::Result<()> {
    Daemon::new(session, release_after, stop, shutdown).run(page)
}

/// The daemon before it runs: its plotter, its state, and the [`Control`] its socket and page
/// use (a test can build the page on it without starting the plotter's loop).
pub struct Daemon {
    session: Session,
    release_after: Duration,
    stop: Arc<AtomicBool>,
    shutdown: Arc<AtomicBool>,
    queue: Receiver<Request>,
    control: Control,
}

impl std::fmt::Debug for Daemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Daemon").finish_non_exhaustive()
    }
}

impl Daemon {
    /// The daemon of `session`: paused on an unfinished job (nothing moves on its own after a
    /// restart), idle otherwise.
    pub fn new(
        session: Session,
        release_after: Duration,
        stop: Arc<AtomicBool>,
        shutdown: Arc<AtomicBool>,
    ) -> Daemon {
        let unfinished = session::current_job(&session.state)
            .ok()
            .filter(|dir| is_unfinished(dir));
        let shared = Arc::new(Shared {
            status: Mutex::new(Status {
                activity: if unfinished.is_some() {
                    Activity::Paused
                } else {
                    Activity::Idle
                },
                job: unfinished.clone(),
                stroke: 0,
                strokes: 0,
                pen_down: false,
                position_known: session.plotter.steps().is_some(),
                steps: session.plotter.steps(),
                queued: 0,
                page: None,
                ended: None,
                message: match &unfinished {
                    Some(dir) => format!(
                        "{} was not finished: paused until `polargraph resume`",
                        dir.display()
                    ),
                    None => "ready".to_owned(),
                },
            }),
            stop: Arc::clone(&stop),
            gate: std::sync::OnceLock::new(),
        });
        let (sender, queue) = std::sync::mpsc::sync_channel::<Request>(QUEUE_LIMIT);
        Daemon {
            session,
            release_after,
            stop,
            shutdown,
            queue,
            control: Control {
                shared,
                queue: sender,
            },
        }
    }

    /// Its controls.
    pub fn control(&self) -> Control {
        self.control.clone()
    }

    /// Its plotter.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Claims the plotter, answers on the socket (and the page), and plays requests until
    /// shutdown.
    pub fn run(self, page: Option<crate::page::PageSite>) -> anyhow::Result<()> {
        let Daemon {
            mut session,
            release_after,
            stop,
            shutdown,
            queue,
            control,
        } = self;
        let state = session.state.clone();
        // One driver of the plotter at a time: standalone commands refuse while it runs.
        let _claim = session::PlottingClaim::take(&state)?;
        let socket_path = state.join(SOCKET);
        // A socket left by a killed daemon: nothing answers it.
        if UnixStream::connect(&socket_path).is_ok() {
            anyhow::bail!(
                "another `polargraph run` answers on {}",
                socket_path.display()
            );
        }
        let _ = std::fs::remove_file(&socket_path);
        let listener = UnixListener::bind(&socket_path)
            .map_err(|e| anyhow::anyhow!("listening on {}: {e}", socket_path.display()))?;
        listener.set_nonblocking(true)?;
        let served = match page {
            Some(site) => crate::page::serve(&site, &control, &session)?,
            None => None,
        };
        let listening = {
            let control = control.clone();
            let shutdown = Arc::clone(&shutdown);
            std::thread::spawn(move || listen(&listener, &control, &shutdown))
        };
        tracing::info!(socket = %socket_path.display(), "polargraph daemon running");
        let worked = work(
            &mut session,
            &queue,
            &control.shared,
            release_after,
            &stop,
            &shutdown,
        );
        shutdown.store(true, Ordering::SeqCst);
        let _ = listening.join();
        drop(served);
        let _ = std::fs::remove_file(&socket_path);
        worked
    }
}

fn is_unfinished(dir: &Path) -> bool {
    Job::open(dir)
        .ok()
        .and_then(|job| Journal::of(dir).read(&job.id).ok())
        .is_some_and(|checkpoint| checkpoint.state != JobState::Done)
}

/// Answers requests until shutdown (see [`Control::ask`]).
fn listen(listener: &UnixListener, control: &Control, shutdown: &AtomicBool) {
    while !shutdown.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Err(e) = answer(&stream, control) {
                    tracing::warn!(error = %e, "a control request failed");
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => {
                tracing::warn!(error = %e, "control socket");
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
}

fn answer(stream: &UnixStream, control: &Control) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT))?;
    let mut line = String::new();
    // A request is one short line: a client may not make the daemon read more.
    BufReader::new(std::io::Read::take(stream, 64 * 1024)).read_line(&mut line)?;
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(request) => control.ask(request),
        Err(e) => Reply {
            ok: false,
            message: format!(
                "not a request ({e}): send one JSON object a line, such as {{\"command\":\"status\"}}"
            ),
            status: control.status(),
        },
    };
    let mut text = serde_json::to_string(&reply)?;
    text.push('\n');
    let mut writer = stream;
    writer.write_all(text.as_bytes())
}

/// The plotter's loop: one request at a time; motors released after the idle time.
fn work(
    session: &mut Session,
    queue: &Receiver<Request>,
    shared: &Shared,
    release_after: Duration,
    stop: &AtomicBool,
    shutdown: &AtomicBool,
) -> anyhow::Result<()> {
    let mut idle_since = Instant::now();
    while !shutdown.load(Ordering::SeqCst) {
        let request = match queue.recv_timeout(Duration::from_millis(100)) {
            Ok(request) => request,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let status = shared.status();
                if status.activity == Activity::Idle
                    && session.plotter.holding()
                    && idle_since.elapsed() >= release_after
                {
                    session.plotter.release_motors()?;
                    tracing::info!("idle: motors released");
                    shared.update(|s| {
                        s.activity = Activity::Released;
                        s.position_known = false;
                        s.steps = None;
                        s.message = "motors released after the idle time: `polargraph set-home` \
                                     before the next plot"
                            .to_owned();
                    });
                }
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let before = shared.status().activity;
        // A plot or a resume shows as plotting from the moment it leaves the queue, so a pause
        // asked for while its plan is rebuilt is not lost; a stop left from before is cleared
        // first.
        let starts = matches!(request, Request::Plot { .. } | Request::Resume { .. });
        if starts {
            stop.store(false, Ordering::SeqCst);
        }
        shared.update(|s| {
            s.queued = s.queued.saturating_sub(1);
            if starts {
                s.activity = Activity::Plotting;
            }
        });
        let result = perform(session, &request, shared, before);
        if starts {
            // Refused before it began to draw: back to what it was.
            shared.update(|s| {
                if s.activity == Activity::Plotting {
                    s.activity = before;
                }
            });
        }
        stop.store(false, Ordering::SeqCst);
        let message = match result {
            Ok(message) => message,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), ?request, "request failed");
                format!("{e:#}")
            }
        };
        let steps = session.plotter.steps();
        shared.update(|s| {
            s.message = message;
            s.position_known = steps.is_some();
            s.steps = steps;
        });
        idle_since = Instant::now();
    }
    Ok(())
}

/// Carries out `request`; `before` is what the daemon was doing when it was taken.
fn perform(
    session: &mut Session,
    request: &Request,
    shared: &Shared,
    before: Activity,
) -> anyhow::Result<String> {
    let paused_job = || {
        (before == Activity::Paused)
            .then(|| shared.status().job)
            .flatten()
    };
    match request {
        Request::SetHome => {
            session.move_gondola_home_by_hand()?;
            session.plotter.set_home()?;
            shared.update(|s| {
                if s.activity == Activity::Released {
                    s.activity = Activity::Idle;
                }
            });
            Ok("home set".to_owned())
        }
        Request::Home => {
            session.plotter.go_home()?;
            Ok("at home".to_owned())
        }
        Request::Plot { dir } => {
            if let Some(job) = paused_job() {
                anyhow::bail!(
                    "{} is paused: resume it first (or it stays where it is)",
                    job.display()
                );
            }
            let job = Job::open(dir)?;
            session::remember_job(&session.state, dir)?;
            session.new_sheet()?;
            play(session, &job, shared, false)
        }
        Request::Resume { dir } => {
            let dir = match dir.clone().or_else(paused_job) {
                Some(dir) => dir,
                None => session::current_job(&session.state)?,
            };
            let job = Job::open(&dir)?;
            session::remember_job(&session.state, &dir)?;
            play(session, &job, shared, true)
        }
        Request::Pause | Request::Status | Request::Pair => Ok(String::new()),
    }
}

fn play(session: &mut Session, job: &Job, shared: &Shared, resume: bool) -> anyhow::Result<String> {
    shared.update(|s| {
        s.activity = Activity::Plotting;
        s.ended = None;
        s.job = Some(job.dir.clone());
        s.message = format!("plotting {}", job.dir.display());
    });
    let mut report = |progress: Progress| {
        shared.update(|s| {
            s.stroke = progress.stroke;
            s.strokes = progress.strokes;
            s.pen_down = progress.pen_down;
        });
    };
    let outcome = if resume {
        session.plotter.resume(job, &mut report)
    } else {
        session.plotter.plot(job, &mut report)
    };
    if session.rig.is_some() {
        session.save_canvas(&job.config, &job.dir.join("canvas.png"))?;
    }
    match outcome {
        Ok(Outcome::Done(played)) => {
            shared.update(|s| {
                s.activity = Activity::Idle;
                s.pen_down = false;
                s.ended = Some(Ended::Finished);
            });
            Ok(format!(
                "finished {}: {} events, lateness p99 {:.3} ms",
                job.dir.display(),
                played.events,
                played.lateness.quantile(0.99).as_secs_f64() * 1000.0
            ))
        }
        Ok(Outcome::Paused { place, reason }) => {
            shared.update(|s| {
                s.activity = Activity::Paused;
                s.pen_down = false;
            });
            Ok(format!("paused at stroke {} ({reason})", place.stroke))
        }
        Err(e) => {
            // The job stays resumable where its journal says; nothing moves until asked.
            let resumable = is_unfinished(&job.dir);
            shared.update(|s| {
                s.activity = if resumable {
                    Activity::Paused
                } else {
                    Activity::Idle
                };
                s.pen_down = false;
                s.ended = Some(Ended::Failed);
            });
            Err(e.into())
        }
    }
}
