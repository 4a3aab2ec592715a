//! Pen-up travel, for comparing the path optimiser with other tools (vpype) on the same strokes.
//!
//! ```text
//! cargo run --release -p polargraph --example travel -- raw IMAGE STYLE SEED OUT.svg
//! cargo run --release -p polargraph --example travel -- measure FILE.svg
//! cargo run --release -p polargraph --example travel -- optimise FILE.svg OUT.svg
//! ```
//! `raw` writes a style's strokes before any optimisation; `measure` prints the pen-up travel of
//! an SVG's paths in file order, starting from (0, 0); `optimise` runs this crate's optimiser from
//! (0, 0) and prints the travel and the time it took. See docs/BENCHMARKS.md.

use std::path::Path;
use std::time::Instant;

use polargraph::input::{self, Drawing};
use polargraph::kinematics::Machine;
use polargraph::styles::{self, Canvas, Style};
use polargraph::tone::ToneCurve;
use polargraph::{PlotterConfig, Point, Stroke, path};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["raw", image, style, seed, out] => raw(
            Path::new(image),
            style.parse().map_err(anyhow::Error::msg)?,
            seed.parse()?,
            Path::new(out),
        ),
        ["measure", file] => {
            let strokes = read(Path::new(file))?;
            println!(
                "{{\"strokes\": {}, \"pen_up_mm\": {:.1}}}",
                strokes.len(),
                path::travel(&strokes, Point::default())
            );
            Ok(())
        }
        ["optimise", file, out] => {
            let strokes = read(Path::new(file))?;
            let started = Instant::now();
            let optimised = path::optimise(strokes, Point::default());
            let millis = started.elapsed().as_secs_f64() * 1000.0;
            std::fs::write(out, svg(&optimised))?;
            println!(
                "{{\"strokes\": {}, \"pen_up_mm\": {:.1}, \"milliseconds\": {millis:.1}}}",
                optimised.len(),
                path::travel(&optimised, Point::default())
            );
            Ok(())
        }
        _ => anyhow::bail!(
            "usage: travel raw IMAGE STYLE SEED OUT.svg | measure FILE.svg | optimise FILE.svg OUT.svg"
        ),
    }
}

fn raw(image: &Path, style: Style, seed: u64, out: &Path) -> anyhow::Result<()> {
    let config = PlotterConfig::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../hardware/polargraph.toml"
    )))?;
    let machine = Machine::from_config(&config)?;
    let Drawing::Picture(picture) = input::load(image)? else {
        anyhow::bail!("{} is not an image", image.display());
    };
    let field =
        polargraph::field::DarknessField::fit(&picture, &ToneCurve::linear(), machine.drawable);
    let canvas = Canvas {
        machine: &machine,
        field: Some(&field),
        pen_width: config.pen.width_mm,
        cell_mm: None,
        dots: None,
    };
    // Into SVG space: the drawable area's corner at the origin.
    let origin = Point::new(machine.drawable.left, machine.drawable.top);
    let strokes: Vec<Stroke> = styles::draw(style, &canvas, seed)?
        .into_iter()
        .filter(|s| s.points.len() > 1)
        .map(|s| {
            Stroke::new(
                s.points
                    .iter()
                    .map(|p| Point::new(p.x - origin.x, p.y - origin.y))
                    .collect(),
            )
        })
        .collect();
    std::fs::write(out, svg(&strokes))?;
    println!(
        "{{\"strokes\": {}, \"pen_up_mm\": {:.1}}}",
        strokes.len(),
        path::travel(&strokes, Point::default())
    );
    Ok(())
}

fn read(file: &Path) -> anyhow::Result<Vec<Stroke>> {
    match input::load(file)? {
        Drawing::Paths(paths) => Ok(paths.into_iter().map(Stroke::new).collect()),
        Drawing::Picture(_) => anyhow::bail!("{} is not an SVG", file.display()),
    }
}

/// Strokes as an SVG in millimetres (1 user unit = 1 mm).
fn svg(strokes: &[Stroke]) -> String {
    let mut out = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400mm\" height=\"400mm\" viewBox=\"0 0 400 400\">\n",
    );
    for stroke in strokes {
        out.push_str("<path fill=\"none\" stroke=\"black\" d=\"");
        for (i, p) in stroke.points.iter().enumerate() {
            out.push_str(&format!(
                "{}{:.4} {:.4}",
                if i == 0 { "M" } else { " L" },
                p.x,
                p.y
            ));
        }
        out.push_str("\"/>\n");
    }
    out.push_str("</svg>\n");
    out
}
