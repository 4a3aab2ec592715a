//! Classifier throughput on a long synthetic trace: a lamp swept table → wall → ceiling and
//! back, with wobble and 4 mg of noise, sampled at 100 Hz.

use std::time::Duration;

use atelier_hal::Instant;
use atelier_sim::{AccelerationSource, OrientationScript, Wobble};
use divan::Bencher;
use divan::counter::ItemsCount;
use lantern::Acceleration;
use lantern::surface::{Classifier, Config};

const SAMPLES: usize = 1_000_000;
const PERIOD_NS: u64 = 10_000_000;

fn main() {
    divan::main();
}

/// One 30 s cycle of the sweep, repeated with continuous time until `SAMPLES` long.
fn trace() -> Vec<(Instant, Acceleration)> {
    let mut script = OrientationScript::fixed([0.0, 0.0, 1.0]).with_wobble(Wobble::SPRING_ARM);
    let ms = |ms: u64| Instant::from_nanos(ms * 1_000_000);
    script.move_to(ms(5_000), Duration::from_secs(2), [0.0, -1.0, 0.0]);
    script.move_to(ms(12_000), Duration::from_secs(2), [0.0, 0.0, -1.0]);
    script.move_to(ms(19_000), Duration::from_secs(2), [0.0, -1.0, 0.0]);
    script.move_to(ms(25_000), Duration::from_secs(2), [0.0, 0.0, 1.0]);
    let mut source = AccelerationSource::new(script, 0.004, 1);
    let cycle: Vec<Acceleration> = (0..3_000u64)
        .map(|i| {
            let [x, y, z] = source.sample(Instant::from_nanos(i * PERIOD_NS));
            Acceleration {
                x: x as f32,
                y: y as f32,
                z: z as f32,
            }
        })
        .collect();
    (0..SAMPLES)
        .map(|i| {
            (
                Instant::from_nanos(i as u64 * PERIOD_NS),
                cycle[i % cycle.len()],
            )
        })
        .collect()
}

#[divan::bench(sample_count = 20)]
fn classify(bencher: Bencher<'_, '_>) {
    let trace = trace();
    bencher
        .counter(ItemsCount::new(trace.len()))
        .bench_local(|| {
            let Ok(mut classifier) = Classifier::new(Config::default()) else {
                return 0;
            };
            let mut events = 0usize;
            for &(at, sample) in divan::black_box(&trace) {
                events += usize::from(classifier.update(at, sample).is_some());
            }
            events
        });
}
