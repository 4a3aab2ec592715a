//! The step stream, integrated back through the forward kinematics, retraces the intended
//! straight lines; the plan is deterministic for a seed.

mod common;

use std::hash::{DefaultHasher, Hash, Hasher};

use polargraph::{Event, Motor, Style};

#[test]
fn integrating_the_steps_retraces_the_planned_lines_within_a_tenth_of_a_millimetre() {
    for style in [Style::Crosshatch, Style::Squarewave, Style::Scribble] {
        let plan = common::plan_on(&common::small_config(), &common::ramp(12, 12), style, 5);
        let machine = &plan.machine;
        // The intended path: home, then every stroke, travels included (travels are straight too).
        let mut path = vec![machine.home_position()];
        for stroke in &plan.strokes {
            path.extend(stroke.points.iter().copied());
        }
        let mut stream = plan.events();
        let (mut left, mut right) = stream.steps();
        let mut cursor = 0;
        let mut worst: f64 = 0.0;
        let mut steps = 0u64;
        for event in stream.by_ref() {
            let Event::Step(step) = event else { continue };
            let delta = if step.lengthen { 1 } else { -1 };
            match step.motor {
                Motor::Left => left += delta,
                Motor::Right => right += delta,
            }
            steps += 1;
            let at = machine.position(
                left as f64 * machine.mm_per_step,
                right as f64 * machine.mm_per_step,
            );
            // The pen passes through every planned vertex (within the step quantisation, about
            // 0.01 mm): move on to the next segment each time it reaches the current one's end.
            while cursor + 2 < path.len() && at.distance(path[cursor + 1]) < 0.05 {
                cursor += 1;
            }
            let distance = common::distance_to_segment(at, path[cursor], path[cursor + 1]).min(
                cursor.checked_sub(1).map_or(f64::INFINITY, |k| {
                    common::distance_to_segment(at, path[k], path[k + 1])
                }),
            );
            worst = worst.max(distance);
        }
        assert!(steps > 10_000, "{style}: only {steps} steps");
        assert!(
            worst < 0.1,
            "{style}: the pen strayed {worst:.4} mm from the planned lines"
        );
        // Integer step accounting: the stream's own count agrees with the integration.
        assert_eq!(stream.steps(), (left, right));
    }
}

/// A hash of every stroke coordinate, bit for bit, and optionally of every event.
fn fingerprint(plan: &polargraph::Plan, with_events: bool) -> u64 {
    let mut hasher = DefaultHasher::new();
    for point in plan.strokes.iter().flat_map(|s| &s.points) {
        (point.x.to_bits(), point.y.to_bits()).hash(&mut hasher);
    }
    if with_events {
        for event in plan.events() {
            match event {
                Event::Step(step) => {
                    (step.at.as_nanos(), step.motor == Motor::Left, step.lengthen).hash(&mut hasher)
                }
                Event::Pen { at, down } => (at.as_nanos(), down).hash(&mut hasher),
            }
        }
    }
    hasher.finish()
}

#[test]
fn the_same_seed_gives_the_same_plan_and_another_seed_another() {
    let picture = common::ramp(20, 16);
    let config = common::small_config();
    for style in Style::ALL {
        // The event stream is a function of the strokes; hash it in full for one style.
        let events = style == Style::Scribble;
        let a = fingerprint(&common::plan_on(&config, &picture, style, 42), events);
        let b = fingerprint(&common::plan_on(&config, &picture, style, 42), events);
        let c = fingerprint(&common::plan_on(&config, &picture, style, 43), events);
        assert_eq!(a, b, "{style}: same seed, different plan");
        assert_ne!(a, c, "{style}: different seed, same plan");
    }
}

#[test]
fn events_come_in_time_order_and_the_estimate_is_above_the_physical_bound() {
    let plan = common::plan_on(
        &common::small_config(),
        &common::ramp(16, 16),
        Style::Squiggle,
        1,
    );
    let mut last = 0;
    for event in plan.events() {
        assert!(event.at().as_nanos() >= last);
        last = event.at().as_nanos();
    }
    let summary = plan.summary(None, |_| {});
    assert!(
        summary.plot_time_s >= summary.lower_bound_s * 0.999,
        "{summary:?}"
    );
    assert!(
        summary.plot_time_s < summary.lower_bound_s * 3.0,
        "{summary:?}"
    );
    // The plot ends after the last event: the final pen lift still has to settle.
    assert!(summary.plot_time_s * 1e9 > last as f64, "{summary:?}");
}

#[test]
fn no_motor_is_asked_to_step_back_sooner_than_it_steps_at_its_top_speed() {
    // A cord whose length turns at a corner of the path near a step boundary would step and
    // step back microseconds apart; the motor cannot follow that. Every style has corners.
    let config = common::small_config();
    let picture = common::ramp(14, 12);
    for style in Style::ALL {
        let plan = common::plan_on(&config, &picture, style, 3);
        let step_time_ns = plan.machine.mm_per_step / config.motion.max_cord_speed_mm_s * 1e9;
        let mut last: [Option<(u64, bool)>; 2] = [None, None];
        let mut reversals = 0;
        for event in plan.events() {
            let Event::Step(step) = event else { continue };
            let slot = &mut last[usize::from(step.motor == Motor::Right)];
            let at = step.at.as_nanos();
            if let Some((before, lengthened)) = *slot
                && lengthened != step.lengthen
            {
                reversals += 1;
                assert!(
                    (at - before) as f64 >= step_time_ns,
                    "{style}: {:?} steps back {} ns after its step (at least {step_time_ns:.0})",
                    step.motor,
                    at - before
                );
            }
            *slot = Some((at, step.lengthen));
        }
        assert!(reversals > 0, "{style}: no cord ever turned");
    }
}
