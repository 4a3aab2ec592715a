//! `polargraph run` on the simulated plotter, as a maker uses it: jobs, pause and resume go
//! through its queue; killed with SIGKILL mid-plot and started again, it comes up paused and
//! does not move until asked; the drawing then finishes as planned; idle motors are released.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use polargraph::PlotterConfig;
use polargraph::daemon::{Activity, Reply, Request, SOCKET};
use polargraph::job::Job;
use polargraph::simulated::{SimRig, Truth};

/// A child process that is killed however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Machine {
    root: tempfile::TempDir,
    config: PathBuf,
}

impl Machine {
    fn new() -> Machine {
        let root = tempfile::tempdir().expect("temp");
        let config = root.path().join("polargraph.toml");
        let shipped =
            std::fs::read_to_string(common::repo().join("hardware/polargraph.toml")).expect("read");
        let small = shipped
            .replace("margin_mm = 15.0", "margin_mm = 120.0")
            .replace("paper_height_mm = 420.0", "paper_height_mm = 320.0")
            .replace("backend = \"rpi\"", "backend = \"sim\"")
            .replace("release_after_s = 300", "release_after_s = 2")
            // The page on loopback, on a free port: tests run side by side.
            .replace(
                "bind = \"0.0.0.0\"\nport = 8082",
                "bind = \"127.0.0.1\"\nport = 0",
            );
        assert!(
            small.contains("port = 0"),
            "the shipped [page] table changed"
        );
        std::fs::write(&config, small).expect("config");
        Machine { root, config }
    }

    fn state(&self) -> PathBuf {
        self.root.path().join("state")
    }

    fn job(&self) -> PathBuf {
        self.root.path().join("job")
    }

    fn command(&self, command: &mut std::process::Command, args: &[&str]) {
        command
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .env("ATELIER_STATE_DIR", self.state())
            .env("RUST_LOG", "warn");
    }

    fn run(&self, args: &[&str]) -> Output {
        atelier_cli::output_of_built(env!("CARGO_BIN_EXE_polargraph"), |command| {
            self.command(command, args);
            command
        })
        .expect("polargraph runs")
    }

    /// Starts the daemon and waits until it answers.
    fn start_daemon(&self) -> Running {
        let log = std::fs::File::create(self.root.path().join("daemon.log")).expect("log");
        let child = atelier_cli::spawn_built(env!("CARGO_BIN_EXE_polargraph"), |command| {
            self.command(command, &["run", "--board", "sim", "--speed", "100"]);
            command.stdout(Stdio::null()).stderr(log)
        })
        .expect("daemon starts");
        let daemon = Running(child);
        self.wait_for("the daemon to answer", |_| true);
        daemon
    }

    fn ask(&self, request: &Request) -> Option<Reply> {
        polargraph::daemon::ask(&self.state().join("polargraph"), request)?.ok()
    }

    /// Polls the status until `ready` holds (or fails after five minutes: under qemu every plan is slow).
    fn wait_for(&self, what: &str, ready: impl Fn(&Reply) -> bool) -> Reply {
        let started = Instant::now();
        let mut last = None;
        loop {
            if let Some(reply) = self.ask(&Request::Status) {
                if ready(&reply) {
                    return reply;
                }
                last = Some(reply);
            }
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "waited for {what}; last status {last:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn world(&self) -> PathBuf {
        self.state().join("polargraph/sim/world")
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn plot_args(job: &Path) -> Vec<String> {
    [
        "plot",
        &common::repo()
            .join("assets/plotter/portrait.png")
            .display()
            .to_string(),
        "--style",
        "squiggle",
        "--cell",
        "4",
        "--seed",
        "3",
        "-o",
        &job.display().to_string(),
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn the_daemon_plots_pauses_survives_a_kill_comes_back_paused_and_finishes_the_drawing() {
    let machine = Machine::new();
    let daemon = machine.start_daemon();

    let args = plot_args(&machine.job());
    let queued = machine.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(queued.status.success(), "{}", text(&queued));
    assert!(text(&queued).contains("queued"), "{}", text(&queued));
    machine.wait_for("plotting", |r| {
        r.status.activity == Activity::Plotting && r.status.stroke >= 3
    });

    // A queue that is full says so instead of growing.
    let mut refused = 0;
    for _ in 0..polargraph::daemon::QUEUE_LIMIT + 2 {
        let reply = machine.ask(&Request::Home).expect("answers");
        refused += usize::from(!reply.ok);
    }
    assert!(refused >= 1, "a full queue refuses");

    let paused = machine.run(&["pause"]);
    assert!(paused.status.success(), "{}", text(&paused));
    machine.wait_for("paused", |r| r.status.activity == Activity::Paused);
    assert!(machine.run(&["resume"]).status.success());
    machine.wait_for("plotting again", |r| {
        r.status.activity == Activity::Plotting && r.status.stroke >= 10
    });

    // The process dies mid-plot.
    drop(daemon);
    let daemon = machine.start_daemon();
    let reply = machine.wait_for("the restarted daemon", |_| true);
    assert_eq!(reply.status.activity, Activity::Paused, "{reply:?}");
    let cords = || std::fs::read_to_string(machine.world().join("cords")).expect("world");
    let before = cords();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(cords(), before, "nothing moves on its own after a restart");

    assert!(machine.run(&["resume"]).status.success());
    let done = machine.wait_for("the end of the plot", |r| {
        r.status.activity != Activity::Plotting
            && r.status.queued == 0
            && r.status.message.contains("finished")
    });
    assert_eq!(done.status.activity, Activity::Idle, "{done:?}");

    // The paper holds the plan's lines, and nothing else.
    let job = Job::open(&machine.job()).expect("job");
    let plan = job.plan().expect("plan");
    let config = PlotterConfig::load(&machine.config).expect("config");
    drop(daemon);
    let rig = SimRig::build(
        &config,
        Truth::as_configured(&config),
        Some(&machine.world()),
    )
    .expect("world");
    let ink = rig.ink_strokes();
    common::assert_same_lines(&ink, &plan.strokes, 0.1, "the paper after the daemon");
}

#[test]
fn idle_motors_are_released_and_a_bad_request_is_refused_with_a_message() {
    let machine = Machine::new();
    let _daemon = machine.start_daemon();
    // release_after_s = 2 in this config.
    let released = machine.wait_for("the idle release", |r| {
        r.status.activity == Activity::Released
    });
    assert!(!released.status.position_known);
    let args = plot_args(&machine.job());
    let queued = machine.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(queued.status.success(), "{}", text(&queued));
    // The refusal itself: the idle release's message names set-home too, and while the queued
    // plot is looked at the plotter shows as plotting.
    let refused = machine.wait_for("the refusal", |r| {
        r.status.message.contains("position is not known")
    });
    assert!(refused.status.message.contains("set-home"), "{refused:?}");
    assert_ne!(refused.status.activity, Activity::Plotting);
    assert!(machine.run(&["set-home"]).status.success());
    machine.wait_for("home set", |r| {
        r.status.activity == Activity::Idle && r.status.position_known
    });

    // One driver at a time: a standalone command that would move the motors refuses.
    let refused = machine.run(&["pen", "down"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("driving the plotter"),
        "{}",
        text(&refused)
    );

    let mut stream =
        std::os::unix::net::UnixStream::connect(machine.state().join("polargraph").join(SOCKET))
            .expect("connects");
    stream
        .write_all(b"{\"command\": \"fly\"}\n")
        .expect("sends");
    let mut answer = String::new();
    BufReader::new(&stream)
        .read_line(&mut answer)
        .expect("answers");
    let reply: Reply = serde_json::from_str(&answer).expect("a reply");
    assert!(!reply.ok);
    assert!(reply.message.contains("not a request"), "{}", reply.message);
}

/// One HTTP/1.1 request to the plotter's page, with a bearer token if given: status and body.
fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let authorization = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{authorization}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("sends");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("reads");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header");
    let status = String::from_utf8_lossy(&answer[..split])
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer[split + 4..].to_vec())
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap_or(serde_json::Value::Null)
}

#[test]
fn a_phone_pairs_with_the_console_s_code_then_plots_from_the_page_and_sees_the_paper() {
    let machine = Machine::new();
    let _daemon = machine.start_daemon();
    let served = machine.wait_for("the page", |reply| reply.status.page.is_some());
    let url = served.status.page.expect("the page's address");
    let address: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("an address");

    // Unpaired: the page answers, the plotter does not.
    let (status, page) = http(address, "GET", "/", None, "");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("Polargraph"));
    assert_eq!(http(address, "GET", "/api/state", None, "").0, 401);
    let plot = r#"{"sample":"ramp.png","style":"squiggle","seed":3}"#;
    assert_eq!(http(address, "POST", "/api/plot", None, plot).0, 401);

    // The code comes from the console.
    let paired = machine.run(&["pair"]);
    assert!(paired.status.success(), "{}", text(&paired));
    let said = text(&paired);
    let code: String = said
        .split_whitespace()
        .find(|word| {
            let word = word.trim_end_matches(':');
            word.len() == 6 && word.bytes().all(|b| b.is_ascii_digit())
        })
        .expect("a six-digit code")
        .trim_end_matches(':')
        .to_owned();
    let (status, body) = http(
        address,
        "POST",
        "/api/pair",
        None,
        &format!(r#"{{"code":"{code}","name":"test phone"}}"#),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let token = json(&body)["token"].as_str().expect("a token").to_owned();
    let token = Some(token.as_str());

    let pictures = json(&http(address, "GET", "/api/pictures", token, "").1);
    assert!(
        pictures["pictures"].to_string().contains("ramp.png"),
        "{pictures}"
    );
    let (status, body) = http(
        address,
        "POST",
        "/api/plot",
        token,
        r#"{"sample":"nope.png","style":"squiggle"}"#,
    );
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    assert!(
        String::from_utf8_lossy(&body).contains("ramp.png"),
        "the refusal lists the pictures"
    );

    let (status, body) = http(address, "POST", "/api/plot", token, plot);
    assert_eq!(status, 202, "{}", String::from_utf8_lossy(&body));
    machine.wait_for("the page's plot to finish", |reply| {
        reply.status.activity == Activity::Idle && reply.status.message.starts_with("finished")
    });
    let state = json(&http(address, "GET", "/api/state", token, "").1);
    assert_eq!(state["simulated"], true, "{state}");
    assert!(state["pen_mm"].is_array(), "{state}");

    // The simulated paper, inked darker on the ramp's dark side.
    let (status, png) = http(address, "GET", "/api/canvas.png", token, "");
    assert_eq!(status, 200);
    let paper = image::load_from_memory(&png).expect("a PNG").to_luma8();
    let ink_in = |from: u32, to: u32| {
        (from..to)
            .flat_map(|x| (0..paper.height()).map(move |y| (x, y)))
            .filter(|&(x, y)| paper.get_pixel(x, y).0[0] < 128)
            .count()
    };
    let (w, half) = (paper.width(), paper.width() / 2);
    assert!(ink_in(half, w) > 0, "no ink on the paper");
    assert!(
        ink_in(half, w) > 2 * ink_in(0, half),
        "the ramp is dark on its right: {} vs {}",
        ink_in(half, w),
        ink_in(0, half)
    );
}
