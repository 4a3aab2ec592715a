//! What the companion's tests share: a config for a simulated lamp, a running lamp on its own
//! thread, and a code display that notes each code for the test to type in.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier_config::Places;
use atelier_sim::{OrientationScript, Pace, Projector};
use atelier_web::{CodeDisplay, Gate};
use lantern::config::LanternConfig;
use lantern::lamp::{Lamp, LampHandle, Runner, WallTime};
use lantern::render::SimSink;
use lantern::simulated::SimLamp;

/// The shipped config with the simulated board and projector, a `width`×`height` picture, and
/// each line of `replace` (`from`, `to`) applied.
pub fn defaults(dir: &Path, width: u32, height: u32, replace: &[(&str, &str)]) -> PathBuf {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hardware/lantern.toml"),
    )
    .expect("shipped");
    let mut text = shipped
        .replace("backend = \"rpi\"", "backend = \"sim\"")
        .replace("output = \"fb:/dev/fb0\"", "output = \"sim\"")
        .replace("width = 1280", &format!("width = {width}"))
        .replace("height = 720", &format!("height = {height}"))
        .replace(
            "path = \"/var/lib/atelier/lantern/calendar.ics\"",
            "path = \"/nonexistent/calendar.ics\"",
        );
    for (from, to) in replace {
        assert!(text.contains(from), "the shipped config has no {from:?}");
        text = text.replace(from, to);
    }
    let path = dir.join("lantern.toml");
    std::fs::write(&path, text).expect("defaults");
    path
}

/// The real lamp loop on its own thread, in real time; stopped when dropped.
pub struct LampThread {
    pub sim: SimLamp,
    pub handle: LampHandle,
    /// What the lamp projects.
    pub projector: Projector,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LampThread {
    pub fn start(config: &LanternConfig, facing: [f64; 3]) -> LampThread {
        let sim = SimLamp::new(
            config,
            OrientationScript::fixed(facing),
            Pace::RealTime { speed: 1.0 },
        );
        let projector = Projector::new(4);
        let mut runner = Runner::new(
            Lamp::new(config).expect("lamp"),
            config,
            sim.board.i2c(config.sensor.i2c_bus),
            SimSink::new(projector.clone()),
            sim.board.clock(),
            WallTime::System,
        );
        let handle = runner.connect();
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let thread = std::thread::spawn(move || runner.run(&thread_stop));
        LampThread {
            sim,
            handle,
            projector,
            stop,
            thread: Some(thread),
        }
    }

    pub fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for LampThread {
    fn drop(&mut self) {
        self.halt();
    }
}

/// [`defaults`] with the shipped `[[apps]]` replaced by `apps`.
pub fn defaults_with_apps(dir: &Path, width: u32, height: u32, apps: &str) -> PathBuf {
    let path = defaults(dir, width, height, &[]);
    let text = std::fs::read_to_string(&path).expect("defaults");
    let start = text
        .find("\n[[apps]]")
        .expect("the shipped config has apps");
    std::fs::write(&path, format!("{}\n{apps}", &text[..start])).expect("defaults");
    path
}

/// The lamp's own code display, and a note of each code for the test to type in.
pub struct Recording {
    pub lamp: lantern::companion::ProjectedCode,
    pub codes: Arc<Mutex<Vec<String>>>,
}

impl CodeDisplay for Recording {
    fn show(&self, code: &str, lifetime: Duration) {
        self.codes.lock().expect("codes").push(code.to_owned());
        self.lamp.show(code, lifetime);
    }

    fn paired(&self, device: &atelier_web::Device) {
        self.lamp.paired(device);
    }
}

/// The lamp's gate with pairings in its state folder and codes noted in `codes`.
pub fn gate(
    places: &Places,
    config: &LanternConfig,
    lamp: &LampHandle,
    codes: &Arc<Mutex<Vec<String>>>,
) -> Arc<Gate> {
    let pairing = atelier_web::Pairing::persistent(
        atelier_web::PairingPolicy::default(),
        &places.in_state(Path::new("pairings.json")),
    )
    .expect("pairings");
    Gate::new(
        atelier_web::GateConfig::for_machine(&config.companion.hostname),
        pairing,
        Recording {
            lamp: lantern::companion::ProjectedCode(lamp.clone()),
            codes: Arc::clone(codes),
        },
    )
}
