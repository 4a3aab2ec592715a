//! The machine model: inverse and forward kinematics agree, and plans stay on the paper.

mod common;

use polargraph::input::Picture;
use polargraph::plan::StyleOptions;
use polargraph::{Machine, Point, Style};
use proptest::prelude::*;

#[test]
fn cords_and_position_round_trip_within_a_micrometre_over_the_paper() {
    let machine = Machine::from_config(&common::config()).expect("geometry");
    let paper = machine.paper;
    let mut worst: f64 = 0.0;
    for i in 0..=100 {
        for j in 0..=100 {
            let p = Point::new(
                paper.left + paper.width * f64::from(i) / 100.0,
                paper.top + paper.height * f64::from(j) / 100.0,
            );
            let (l, r) = machine.cords(p);
            worst = worst.max(machine.position(l, r).distance(p));
        }
    }
    assert!(worst < 1e-3, "worst round-trip error {worst} mm");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_planned_point_lies_on_the_paper(
        width in 3u32..24,
        height in 3u32..24,
        pixels in proptest::collection::vec(any::<u8>(), 576),
        style in 0usize..Style::ALL.len(),
        seed in any::<u64>(),
    ) {
        let picture = Picture { width, height, pixels: pixels[..(width * height) as usize].to_vec() };
        let style = Style::ALL[style];
        // Few stipple dots: where the points land is the question, not how many there are.
        let options = StyleOptions { dots: Some(150), ..StyleOptions::default() };
        let plan = common::plan_with(&common::config(), &picture, style, &options, seed);
        let paper = plan.machine.paper;
        for stroke in &plan.strokes {
            for p in &stroke.points {
                prop_assert!(paper.contains(*p, 1e-9), "{style}: {p:?} is off the paper {paper:?}");
            }
        }
    }
}
