//! `cargo bench -p polargraph`: planning a ~100 px portrait in every style, and the rate at
//! which the motion planner produces step events. Results: docs/BENCHMARKS.md.

use std::path::PathBuf;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::ItemsCount;
use polargraph::input::{self, Drawing};
use polargraph::plan::StyleOptions;
use polargraph::{Plan, PlotterConfig, Style};

fn main() {
    divan::main();
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

static CONFIG: LazyLock<PlotterConfig> = LazyLock::new(|| {
    PlotterConfig::load(&repo().join("hardware/polargraph.toml")).expect("config")
});

static PORTRAIT: LazyLock<Drawing> = LazyLock::new(|| {
    input::load(&repo().join("assets/plotter/portrait.png")).expect("sample portrait")
});

/// Image to optimised strokes (styles, fitting, merging, ordering, 2-opt).
#[divan::bench(args = Style::ALL)]
fn plan_portrait(style: Style) -> Plan {
    let drawing = style.needs_image().then_some(&*PORTRAIT);
    Plan::new(&CONFIG, drawing, Some(style), &StyleOptions::default(), 1).expect("plans")
}

/// Step events generated per second: the whole motion plan of the squiggle portrait (about
/// 5 million steps), counted.
#[divan::bench(sample_count = 10)]
fn step_events(bencher: Bencher<'_, '_>) {
    let plan = Plan::new(
        &CONFIG,
        Some(&PORTRAIT),
        Some(Style::Squiggle),
        &StyleOptions::default(),
        1,
    )
    .expect("plans");
    let events = plan.events().count();
    bencher
        .counter(ItemsCount::new(events))
        .bench(|| plan.events().count());
}
