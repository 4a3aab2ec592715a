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

/// A 1000 × 1000 stand-in for a photo: smooth shading with a few dark shapes.
fn photo() -> Drawing {
    let (width, height) = (1000u32, 1000u32);
    let pixels = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .map(|(x, y)| {
            let (fx, fy) = (f64::from(x) / 1000.0, f64::from(y) / 1000.0);
            let shade = 60.0 + 150.0 * fx * (1.0 - fy) + 40.0 * (12.0 * fy).sin();
            let face = ((fx - 0.5).powi(2) + (fy - 0.45).powi(2)).sqrt() < 0.3;
            (if face { shade * 0.6 } else { shade }).clamp(0.0, 255.0) as u8
        })
        .collect();
    Drawing::Picture(input::Picture {
        width,
        height,
        pixels,
    })
}

static PHOTO: LazyLock<Drawing> = LazyLock::new(photo);

/// Stipple end to end on a 1000 × 1000 photo with 20 000 dots: relaxation, tour, 2-opt.
/// Target: under 5 s.
#[divan::bench(sample_count = 3)]
fn stipple_photo_20k_dots() -> Plan {
    let options = StyleOptions {
        dots: Some(20_000),
        ..StyleOptions::default()
    };
    Plan::new(&CONFIG, Some(&PHOTO), Some(Style::Stipple), &options, 1).expect("plans")
}
