//! The button-and-light demo, end to end on the simulated board: the real config, the real shell
//! code, the real debounce driver; checked against the pin recording decoded from its VCD export.

use std::collections::HashMap;
use std::time::Duration;

use atelier_board::Board;
use atelier_desktop::demo::{self, DemoConfig};
use atelier_hal::Instant;
use atelier_sim::{Bounce, ButtonScript, SimBoard};
use atelier_tests::hardware;

fn at_ms(ms: u64) -> Instant {
    Instant::from_nanos(ms * 1_000_000)
}

/// Presses at 0.2 s, 0.9 s, 1.5 s and 2.4 s, each held 120 ms, each contact bouncing.
fn four_presses(seed: u64) -> (ButtonScript, Vec<Instant>) {
    let starts: Vec<_> = [200, 900, 1500, 2400].into_iter().map(at_ms).collect();
    let script = starts
        .iter()
        .fold(ButtonScript::active_low(seed), |script, &at| {
            script.press(at, Duration::from_millis(120), Bounce::TACTILE)
        });
    (script, starts)
}

struct Run {
    presses: u32,
    sim: SimBoard,
    config: DemoConfig,
    script: ButtonScript,
    starts: Vec<Instant>,
}

fn run_demo(seed: u64) -> Run {
    let config = DemoConfig::load(&hardware("demo.toml")).expect("the shipped config is valid");
    let sim = SimBoard::new();
    let (script, starts) = four_presses(seed);
    sim.input_line(config.pins.button.number(), true)
        .schedule_all(script.levels());
    let mut board = Board::sim(sim.clone());
    let presses = demo::run(&mut board, &config, at_ms(3_000)).expect("demo runs on the sim board");
    Run {
        presses,
        sim,
        config,
        script,
        starts,
    }
}

#[test]
fn each_bouncy_press_toggles_the_light_exactly_once() {
    for seed in 0..50 {
        let run = run_demo(seed);
        assert!(
            run.script.levels().len() > 8,
            "seed {seed}: the script must bounce for this test to mean anything"
        );
        assert_eq!(run.presses, 4, "seed {seed}");
        let trace = run.sim.trace();
        let light = trace.find("gpio27_light").expect("light recorded");
        let toggles: Vec<_> = trace
            .changes_of(light)
            .into_iter()
            .filter(|c| c.at > Instant::ZERO)
            .collect();
        assert_eq!(toggles.len(), 4, "seed {seed}: {toggles:?}");
    }
}

/// Parses a VCD file into, per signal name, its `(time, value)` changes.
fn decode_vcd(bytes: &[u8]) -> HashMap<String, Vec<(u64, char)>> {
    let mut parser = vcd::Parser::new(bytes);
    let header = parser.parse_header().expect("VCD header parses");
    let mut names = HashMap::new();
    for item in &header.items {
        if let vcd::ScopeItem::Scope(scope) = item {
            for child in &scope.items {
                if let vcd::ScopeItem::Var(var) = child {
                    names.insert(var.code, var.reference.clone());
                }
            }
        }
    }
    let mut changes: HashMap<String, Vec<(u64, char)>> = HashMap::new();
    let mut now = 0;
    for command in parser {
        match command.expect("VCD body parses") {
            vcd::Command::Timestamp(t) => now = t,
            vcd::Command::ChangeScalar(code, value) => {
                let level = match value {
                    vcd::Value::V0 => '0',
                    vcd::Value::V1 => '1',
                    vcd::Value::X => 'x',
                    vcd::Value::Z => 'z',
                };
                changes
                    .entry(names[&code].clone())
                    .or_default()
                    .push((now, level));
            }
            _ => {}
        }
    }
    changes
}

#[test]
fn the_vcd_export_parses_and_holds_the_expected_edges() {
    let run = run_demo(3);
    let mut vcd = Vec::new();
    run.sim.write_vcd(&mut vcd).expect("export");
    let signals = decode_vcd(&vcd);

    // The button line: every scripted level, bounce included, at its exact nanosecond.
    let button = &signals["gpio17_button"];
    let scripted: Vec<_> = std::iter::once((0, '1'))
        .chain(
            run.script
                .levels()
                .into_iter()
                .map(|(t, level)| (t.as_nanos(), if level { '1' } else { '0' })),
        )
        .collect();
    assert_eq!(button, &scripted);

    // The light: low from the start, then on/off/on/off, each toggle after its press began and
    // within the bounce plus settle time of it.
    let light = &signals["gpio27_light"];
    assert_eq!(light[0], (0, '0'));
    let settle = Duration::from_millis(run.config.button.settle_ms);
    let latest = (Bounce::TACTILE.duration + settle).as_nanos() as u64;
    assert_eq!(light.len(), 5, "{light:?}");
    for (i, (&(t, level), start)) in light[1..].iter().zip(&run.starts).enumerate() {
        assert_eq!(level, if i % 2 == 0 { '1' } else { '0' });
        let after = t - start.as_nanos();
        assert!(
            after >= settle.as_nanos() as u64 && after <= latest,
            "toggle {i} came {after} ns after its press"
        );
    }
}
