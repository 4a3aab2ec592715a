//! How faithfully a style reproduces a photo's tones: the plan's ink, rendered at the pen's
//! width and blurred at the picture's pixel scale, against the picture's darkness, in ten tone
//! bands.
//!
//! `cargo run --release -p polargraph --example tone_bands -- [STYLE…]` (default: every image
//! style), on `assets/plotter/chelsea.png` scaled to 100 px wide on the shipped A3 machine.

use polargraph::field::DarknessField;
use polargraph::input::{Drawing, Picture};
use polargraph::plan::StyleOptions;
use polargraph::tone::ToneCurve;
use polargraph::{Plan, PlotterConfig, Style};

fn main() {
    atelier_cli::init_logging();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config = PlotterConfig::load(&root.join("hardware/polargraph.toml")).expect("config");
    let photo = image::open(root.join("assets/plotter/chelsea.png"))
        .expect("chelsea")
        .to_luma8();
    let small = image::imageops::resize(&photo, 100, 67, image::imageops::FilterType::Triangle);
    let picture = Picture {
        width: small.width(),
        height: small.height(),
        pixels: small.into_raw(),
    };
    let styles: Vec<Style> = std::env::args()
        .skip(1)
        .map(|s| s.parse().expect("a style"))
        .collect();
    let styles = if styles.is_empty() {
        Style::ALL.into_iter().filter(|s| s.needs_image()).collect()
    } else {
        styles
    };
    for style in styles {
        let drawing = Drawing::Picture(picture.clone());
        let started = std::time::Instant::now();
        let plan = Plan::new(
            &config,
            Some(&drawing),
            Some(style),
            &StyleOptions::default(),
            1,
        )
        .expect("plans");
        let field = DarknessField::fit(
            &picture,
            &ToneCurve::from_pen(&config.pen),
            plan.machine.drawable,
        );
        let bands = polargraph::fidelity::bands(
            &field,
            &plan.strokes,
            plan.machine.paper,
            config.pen.width_mm,
        );
        println!(
            "{style}: planned in {:.2} s",
            started.elapsed().as_secs_f64()
        );
        for band in bands {
            println!(
                "  source {:.2}  ink {:.2}  ({} px)",
                band.source, band.ink, band.pixels
            );
        }
    }
}
