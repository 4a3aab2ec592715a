//! A whole portrait plot simulated in virtual time: the planned motion played by the real
//! executor and drivers onto the simulated board, every edge through the driver-chip models, the
//! wall plotter winding its cords and inking the paper, and the paper rendered at the end.
//! Goal: under 10 s of wall time.
//!
//! `cargo bench -p polargraph --bench simulated_plot`

use polargraph::parts::Parts;
use polargraph::plan::StyleOptions;
use polargraph::simulated::{SimRig, Truth, canvas};
use polargraph::{Plan, PlotterConfig, Style};

fn main() {
    divan::main();
}

fn setup(style: Style) -> (PlotterConfig, Plan) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config = PlotterConfig::load(&root.join("hardware/polargraph.toml")).expect("config");
    let drawing = polargraph::input::load(&root.join("assets/plotter/portrait.png"))
        .expect("sample portrait");
    let plan = Plan::new(
        &config,
        Some(&drawing),
        Some(style),
        &StyleOptions::default(),
        1,
    )
    .expect("plans");
    (config, plan)
}

/// Scribble is the longest of the portrait's plots (about 74 m of ink, 69 minutes of plotting),
/// squiggle a typical one (40 m, 22 minutes).
#[divan::bench(args = [Style::Scribble, Style::Squiggle], sample_count = 3, sample_size = 1)]
fn whole_portrait(bencher: divan::Bencher<'_, '_>, style: Style) {
    let (config, plan) = setup(style);
    bencher.bench_local(|| {
        let rig = SimRig::build(&config, Truth::as_configured(&config), None).expect("rig");
        let mut parts = Parts::open(&mut rig.board(), &config).expect("parts");
        parts.hold().expect("enable");
        let played = parts.executor.play(plan.events()).expect("plays");
        rig.settle();
        let paper = canvas(
            &rig.plotter.ink(),
            plan.machine.paper,
            config.pen.width_mm,
            4.0,
        );
        (played.events, paper.width())
    });
}
