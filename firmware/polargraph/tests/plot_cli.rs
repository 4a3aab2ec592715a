//! The real `polargraph` binary plotting on the simulated plotter, whose cords and paper live
//! in the state folder as a real plotter outlives its firmware: killed with SIGKILL at random
//! moments and at named points (a pen lift, between a journal's fsync and its rename), stopped
//! by SIGTERM, cut by a simulated power loss, and resumed; the paper must end as an
//! uninterrupted run leaves it.

mod common;

use std::path::PathBuf;
use std::process::{Child, Output, Stdio};
use std::time::Duration;

use polargraph::PlotterConfig;
use polargraph::Stroke;
use polargraph::simulated::{SimRig, Truth};
use rand::{RngExt as _, SeedableRng as _};

/// A child process that is killed however the test ends.
struct Running(Option<Child>);

impl Running {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("running")
    }

    /// Waits for it to exit by itself.
    fn output(mut self) -> Output {
        self.0
            .take()
            .expect("running")
            .wait_with_output()
            .expect("exits")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A machine of its own: config, state folder (with the simulated world), job folder.
struct Machine {
    _root: tempfile::TempDir,
    config: PathBuf,
    state: PathBuf,
    job: PathBuf,
}

const PICTURE: &str = "assets/plotter/portrait.png";

impl Machine {
    fn new() -> Machine {
        Machine::with_margin(120.0)
    }

    /// The shipped machine's A3 paper, with a margin of `margin` mm (the shipped 15 mm is a
    /// drawable area the size of the paper).
    fn with_margin(margin: f64) -> Machine {
        let root = tempfile::tempdir().expect("temp");
        let config = root.path().join("polargraph.toml");
        let shipped =
            std::fs::read_to_string(common::repo().join("hardware/polargraph.toml")).expect("read");
        // The shipped machine with a small drawable area, so a plot takes seconds.
        let mut small = shipped
            .replace("margin_mm = 15.0", &format!("margin_mm = {margin:.1}"))
            .replace("backend = \"rpi\"", "backend = \"sim\"");
        if margin > 100.0 {
            small = small.replace("paper_height_mm = 420.0", "paper_height_mm = 320.0");
        }
        std::fs::write(&config, small).expect("config");
        Machine {
            state: root.path().join("state"),
            job: root.path().join("job"),
            config,
            _root: root,
        }
    }

    fn command(&self, command: &mut std::process::Command, args: &[&str]) {
        command
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .env("ATELIER_STATE_DIR", &self.state)
            .env("RUST_LOG", "warn")
            .env_remove("ATELIER_FAILPOINT");
    }

    fn plot_args(&self) -> Vec<String> {
        [
            "plot",
            &common::repo().join(PICTURE).display().to_string(),
            "--style",
            "squiggle",
            "--cell",
            "4",
            "--seed",
            "3",
            "-o",
            &self.job.display().to_string(),
        ]
        .map(str::to_owned)
        .to_vec()
    }

    fn run(&self, args: &[&str], failpoint: Option<&str>) -> Output {
        atelier_cli::output_of_built(env!("CARGO_BIN_EXE_polargraph"), |command| {
            self.command(command, args);
            if let Some(failpoint) = failpoint {
                command.env("ATELIER_FAILPOINT", failpoint);
            }
            command
        })
        .expect("polargraph runs")
    }

    fn plot(&self, failpoint: Option<&str>) -> Output {
        let args = self.plot_args();
        self.run(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            failpoint,
        )
    }

    fn start_plot(&self) -> Running {
        let args = self.plot_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Running(Some(
            atelier_cli::spawn_built(env!("CARGO_BIN_EXE_polargraph"), |command| {
                self.command(command, &args);
                command.stdout(Stdio::piped()).stderr(Stdio::piped())
            })
            .expect("polargraph starts"),
        ))
    }

    fn resume(&self) -> Output {
        self.run(&["resume"], None)
    }

    fn journal(&self) -> String {
        std::fs::read_to_string(self.job.join("journal.json")).unwrap_or_default()
    }

    /// The ink on the simulated paper, read by the simulator.
    fn ink(&self) -> Vec<Stroke> {
        let config = PlotterConfig::load(&self.config).expect("config");
        let world = self.world();
        let truth = Truth::of_world(&config, &world).expect("truth");
        let rig = SimRig::build(&config, truth, Some(&world)).expect("world");
        rig.ink_strokes()
    }

    fn world(&self) -> PathBuf {
        self.state.join("polargraph/sim/world")
    }
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn succeeded(output: &Output) {
    assert!(output.status.success(), "{}", text(output));
}

/// An uninterrupted plot, made once: its paper, and how long it took on this machine.
struct Reference {
    ink: Vec<Stroke>,
    took: Duration,
}

fn reference() -> &'static Reference {
    static REFERENCE: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
    REFERENCE.get_or_init(|| {
        let machine = Machine::new();
        let started = std::time::Instant::now();
        let output = machine.plot(None);
        let took = started.elapsed();
        succeeded(&output);
        assert!(machine.journal().contains("\"done\""));
        assert!(machine.job.join("canvas.png").exists());
        Reference {
            ink: machine.ink(),
            took,
        }
    })
}

/// The paper holds the same lines as the reference, to 0.1 mm both ways.
fn same_drawing(machine: &Machine, what: &str) {
    let ink = machine.ink();
    let reference = &reference().ink;
    let extra = common::farthest(&ink, reference);
    assert!(
        extra.0 <= 0.1,
        "{what}: ink {:.3} mm away from the uninterrupted plot's, at {:?}",
        extra.0,
        extra.1
    );
    let missing = common::farthest(reference, &ink);
    assert!(
        missing.0 <= 0.1,
        "{what}: a line of the uninterrupted plot is missing ({:.3} mm from any ink at {:?})",
        missing.0,
        missing.1
    );
}

/// Under qemu every run is several times slower: fewer kills there (said in the docs).
fn under_emulation() -> bool {
    std::env::var_os("ATELIER_TEST_RUNNER").is_some_and(|r| !r.is_empty())
}

#[test]
fn killed_at_random_moments_then_resumed_the_paper_ends_as_an_uninterrupted_plot_leaves_it() {
    let took = reference().took;
    let kills = if under_emulation() { 4 } else { 20 };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    let mut mid_plot = 0;
    let mut attempts = 0;
    while mid_plot < kills {
        attempts += 1;
        assert!(attempts < kills * 3, "too few kills landed mid-plot");
        let machine = Machine::new();
        // The simulated plot runs as fast as it can (110 s of plotting in about a second):
        // killed anywhere inside the time an uninterrupted one took.
        let mut running = machine.start_plot();
        std::thread::sleep(took.mul_f64(rng.random_range(0.05..0.95)));
        let _ = running.child().kill();
        let _ = running.child().wait();
        if !machine.journal().contains("\"running\"") {
            continue; // it had not started, or had finished: not a kill mid-plot
        }
        mid_plot += 1;
        let output = machine.resume();
        succeeded(&output);
        assert!(machine.journal().contains("\"done\""), "{}", text(&output));
        same_drawing(&machine, &format!("kill {mid_plot}"));
    }
}

#[test]
fn killed_at_named_points_then_resumed_the_paper_ends_as_an_uninterrupted_plot_leaves_it() {
    let _ = reference();
    let points = [
        "executor:pen-up@5",
        "executor:pen-up@20",
        "atomic:journal.json:synced@4",
        "atomic:journal.json:renamed@9",
        "plot:event@1000",
        "plot:event@150000",
    ];
    // Under qemu, every other point (the runs are several times slower there).
    let step = if under_emulation() { 2 } else { 1 };
    for point in points.into_iter().step_by(step) {
        let machine = Machine::new();
        let output = machine.plot(Some(point));
        assert!(!output.status.success(), "{point}: {}", text(&output));
        let journal = machine.journal();
        assert!(
            journal.contains("\"running\""),
            "{point}: the journal is whole and says running: {journal}"
        );
        let output = machine.resume();
        succeeded(&output);
        same_drawing(&machine, point);
    }
}

#[test]
fn after_a_power_loss_resume_waits_for_set_home_then_finishes_the_drawing() {
    let _ = reference();
    let machine = Machine::new();
    let output = machine.plot(Some("plot:event@200000"));
    assert!(!output.status.success());
    // The power goes: the position file lived in the page cache; the journal was synced.
    std::fs::remove_file(machine.state.join("polargraph/position")).expect("position file");
    let refused = machine.resume();
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("set-home"),
        "the refusal says what to do: {}",
        text(&refused)
    );
    assert!(machine.journal().contains("\"running\""), "nothing moved");
    // The user puts the pen on its home spot and says so.
    succeeded(&machine.run(&["set-home"], None));
    let output = machine.resume();
    succeeded(&output);
    same_drawing(&machine, "after a power loss");
}

#[test]
fn sigterm_stops_with_the_pen_up_and_a_valid_journal_and_resume_finishes() {
    let took = reference().took;
    // Signalled once its journal says it is running, not after a guessed time: on a loaded
    // machine a sleep can outlast the whole plot. A plot that still finished first is tried again.
    let mut attempts = 0;
    let (machine, output) = loop {
        attempts += 1;
        assert!(
            attempts <= 5,
            "every plot finished before SIGTERM reached it"
        );
        let machine = Machine::new();
        let mut running = machine.start_plot();
        let deadline = std::time::Instant::now() + took * 4 + Duration::from_secs(60);
        while !machine.journal().contains("\"running\"") {
            assert!(
                std::time::Instant::now() < deadline,
                "the plot never said it was running"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let pid = rustix::process::Pid::from_raw(running.child().id() as i32).expect("pid");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("signal");
        let output = running.output();
        succeeded(&output);
        if !text(&output).contains("plot finished") {
            break (machine, output);
        }
    };
    assert!(
        text(&output).contains("stopped as asked"),
        "{}",
        text(&output)
    );
    let journal = machine.journal();
    assert!(journal.contains("\"paused\""), "{journal}");
    let cords =
        std::fs::read_to_string(machine.state.join("polargraph/sim/world/cords")).expect("world");
    assert!(
        cords.split_whitespace().nth(2) == Some("0"),
        "the pen is off the paper: {cords}"
    );
    succeeded(&machine.resume());
    same_drawing(&machine, "after SIGTERM");
}

#[test]
fn a_corrupt_or_foreign_journal_is_refused_and_left_as_it_is() {
    let machine = Machine::new();
    let output = machine.plot(Some("plot:event@5000"));
    assert!(!output.status.success());
    let journal_path = machine.job.join("journal.json");

    std::fs::write(&journal_path, "{\"format\": 1, \"pla").expect("corrupt it");
    let refused = machine.resume();
    assert!(!refused.status.success());
    let message = text(&refused);
    assert!(
        message.contains("journal.json") && message.contains("corrupt"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(&journal_path).expect("kept"),
        "{\"format\": 1, \"pla"
    );

    // A journal of another plan: the job's options changed under it.
    let options = machine.job.join("job.toml");
    let text_before = std::fs::read_to_string(&options).expect("options");
    std::fs::write(&options, text_before.replace("seed = 3", "seed = 4")).expect("edit");
    std::fs::write(
        &journal_path,
        r#"{"format":1,"plan":"0000","state":"running","place":{"stroke":1,"point":0,"drawing":false,"steps":[1,2]}}"#,
    )
    .expect("foreign");
    let refused = machine.resume();
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("another plan"),
        "{}",
        text(&refused)
    );
}

#[test]
fn a_new_plot_will_not_overwrite_an_unfinished_one() {
    let machine = Machine::new();
    assert!(!machine.plot(Some("plot:event@5000")).status.success());
    let refused = machine.plot(None);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("resume"), "{}", text(&refused));
}

#[test]
fn a_plan_folder_plots_the_very_plan_previewed_and_refuses_options_that_would_change_it() {
    let machine = Machine::new();
    let planned = machine.job.with_file_name("planned");
    let planned_arg = planned.display().to_string();
    // The same picture and options as the reference plot, previewed first.
    let mut args = machine.plot_args();
    args[0] = "plan".to_owned();
    let out = args.iter().position(|a| a == "-o").expect("-o");
    args[out + 1] = planned_arg.clone();
    let output = machine.run(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    succeeded(&output);
    assert!(
        text(&output).contains("polargraph plot"),
        "{}",
        text(&output)
    );

    let refused = machine.run(&["plot", &planned_arg, "--seed", "4"], None);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("plan folder"), "{}", text(&refused));
    let folder = planned.parent().expect("the machine's folder");
    let not_a_plan = machine.run(&["plot", &folder.display().to_string()], None);
    assert!(!not_a_plan.status.success());
    assert!(
        text(&not_a_plan).contains("not a plan folder"),
        "{}",
        text(&not_a_plan)
    );

    let job = machine.job.display().to_string();
    succeeded(&machine.run(&["plot", &planned_arg, "-o", &job], None));
    assert!(machine.journal().contains("\"done\""));
    same_drawing(&machine, "the plan folder's plot");
}

#[test]
fn calibration_finds_a_frame_a_few_millimetres_off_its_config_to_half_a_millimetre() {
    // The crosses span the paper: the wider the pattern, the better the fit.
    let machine = Machine::with_margin(15.0);
    let config = PlotterConfig::load(&machine.config).expect("config");
    let truth = (
        config.geometry.motor_spacing_mm + 3.0,
        config.home.left_cord_mm + 2.0,
        config.home.right_cord_mm - 1.5,
    );
    std::fs::create_dir_all(machine.world()).expect("world");
    std::fs::write(
        machine.world().join("truth.toml"),
        format!(
            "motor_spacing_mm = {}\nleft_cord_mm = {}\nright_cord_mm = {}\n",
            truth.0, truth.1, truth.2
        ),
    )
    .expect("truth");
    succeeded(&machine.run(&["calibrate", "draw"], None));

    // A ruler on the simulated paper: each cross's centre is the middle of its two lines.
    let ink = machine.ink();
    assert_eq!(ink.len(), 18, "nine crosses of two lines each");
    let centres: Vec<polargraph::Point> = ink
        .chunks(2)
        .map(|cross| {
            let middle = |s: &Stroke| {
                let (a, b) = (s.points[0], *s.points.last().expect("points"));
                ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0)
            };
            let (h, v) = (middle(&cross[0]), middle(&cross[1]));
            polargraph::Point::new((h.0 + v.0) / 2.0, (h.1 + v.1) / 2.0)
        })
        .collect();
    let sheet_path = machine.state.join("polargraph/calibration.toml");
    let blank = std::fs::read_to_string(&sheet_path).expect("the sheet to fill in");
    let mut filled = 0;
    let sheet: Vec<String> = blank
        .lines()
        .map(|line| {
            let pair = line.strip_suffix(" = 0.0").and_then(|key| {
                let (a, b) = key.split_once('-')?;
                Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?))
            });
            match pair {
                Some((a, b)) => {
                    filled += 1;
                    let measured = centres[a - 1].distance(centres[b - 1]);
                    format!("{a}-{b} = {measured:.3}")
                }
                None => line.to_owned(),
            }
        })
        .collect();
    assert_eq!(filled, 10, "the sheet lists ten distances:\n{blank}");
    let sheet = sheet.join("\n");
    std::fs::write(&sheet_path, sheet).expect("filled in");
    let output = machine.run(&["calibrate", "fit"], None);
    succeeded(&output);

    let edits = std::fs::read_to_string(machine.state.join("polargraph/edits.toml"))
        .expect("the fit is saved in the edits overlay");
    let edits: toml::Table = toml::from_str(&edits).expect("toml");
    let value = |table: &str, key: &str| edits[table][key].as_float().expect("a number");
    let fitted = (
        value("geometry", "motor_spacing_mm"),
        value("home", "left_cord_mm"),
        value("home", "right_cord_mm"),
    );
    assert!(
        (fitted.0 - truth.0).abs() <= 0.5
            && (fitted.1 - truth.1).abs() <= 0.5
            && (fitted.2 - truth.2).abs() <= 0.5,
        "fitted {fitted:?}, truth {truth:?}\n{}",
        text(&output)
    );
}

#[test]
fn a_simulated_plot_streams_every_pin_edge_to_a_vcd_file_on_request() {
    let machine = Machine::new();
    let vcd = machine.job.with_extension("vcd");
    let mut args = machine.plot_args();
    args.extend(["--vcd".to_owned(), vcd.display().to_string()]);
    let output = machine.run(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    succeeded(&output);
    let text = std::fs::read_to_string(&vcd).expect("the VCD file");
    assert!(
        text.contains("gpio5_left_step"),
        "the STEP line is declared"
    );
    assert!(text.contains("pwm0_pen_servo_us"), "the servo is declared");
    // Far more edges than the in-memory window keeps: the whole plot is there.
    let edges = text
        .lines()
        .filter(|l| l.starts_with('0') || l.starts_with('1'))
        .count();
    assert!(
        edges > polargraph::simulated::RECORDING_WINDOW * 4,
        "{edges} value changes"
    );
}
