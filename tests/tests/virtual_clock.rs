//! Virtual time: hours of device time pass in moments of wall time.

use std::time::Duration;

use atelier_board::Board;
use atelier_hal::{Clock, Instant};
use atelier_sim::SimBoard;
use embedded_hal::digital::StatefulOutputPin;

#[test]
fn three_hours_of_blinking_take_well_under_a_second() {
    let sim = SimBoard::new();
    let mut board = Board::sim(sim.clone());
    let clock = board.clock();
    let mut light = board
        .output(atelier_board::Bcm::new(27).expect("valid"), "light")
        .expect("free");
    let three_hours = Instant::ZERO + Duration::from_secs(3 * 3600);

    let wall = std::time::Instant::now();
    let mut toggles = 0u64;
    // A firmware loop: a heartbeat light toggled every two seconds, sleeping on the board's clock.
    while clock.now() < three_hours {
        light.toggle().expect("sim pins do not fail");
        toggles += 1;
        clock.sleep(Duration::from_secs(2));
    }
    let elapsed = wall.elapsed();

    assert_eq!(clock.now(), three_hours);
    assert_eq!(toggles, 3 * 3600 / 2);
    let light = sim.trace().find("gpio27_light").expect("recorded");
    assert_eq!(sim.trace().changes_of(light).len() as u64, toggles + 1);
    // The bar is "well under a second"; this loop takes milliseconds even in a debug
    // build under qemu, so the bound only trips if time stops being virtual.
    assert!(
        elapsed < Duration::from_secs(1),
        "3 h of virtual time took {elapsed:?}"
    );
}
