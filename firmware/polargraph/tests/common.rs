//! Shared by the planner's integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use polargraph::input::Picture;
use polargraph::plan::StyleOptions;
use polargraph::{Plan, PlotterConfig, Style};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn config() -> PlotterConfig {
    PlotterConfig::load(&repo().join("hardware/polargraph.toml")).expect("shipped config")
}

/// A picture whose brightness falls from white on the left to black on the right.
pub fn ramp(width: u32, height: u32) -> Picture {
    let pixels = (0..height)
        .flat_map(|_| {
            (0..width)
                .map(move |x| (255.0 * (1.0 - f64::from(x) / f64::from(width - 1))).round() as u8)
        })
        .collect();
    Picture {
        width,
        height,
        pixels,
    }
}

pub fn plan(picture: &Picture, style: Style, seed: u64) -> Plan {
    plan_on(&config(), picture, style, seed)
}

/// The shipped machine with wide margins: a drawable area of about 50 × 80 mm, so tests that
/// walk every motor step stay quick.
pub fn small_config() -> PlotterConfig {
    let mut config = config();
    config.geometry.margin_mm = 120.0;
    config.geometry.paper_height_mm = 320.0;
    config
}

pub fn plan_on(config: &PlotterConfig, picture: &Picture, style: Style, seed: u64) -> Plan {
    plan_with(config, picture, style, &StyleOptions::default(), seed)
}

pub fn plan_with(
    config: &PlotterConfig,
    picture: &Picture,
    style: Style,
    options: &StyleOptions,
    seed: u64,
) -> Plan {
    let drawing = polargraph::input::Drawing::Picture(picture.clone());
    Plan::new(config, Some(&drawing), Some(style), options, seed).expect("plans")
}

/// Every image style.
pub fn image_styles() -> impl Iterator<Item = Style> {
    Style::ALL.into_iter().filter(|s| s.needs_image())
}
