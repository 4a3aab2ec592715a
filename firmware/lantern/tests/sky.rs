//! Star positions against an independent reference: PyEphem (libastro), run by
//! tests/fixtures/make_sky_reference.py, for 16 bright stars, 4 places (both hemispheres, the
//! equator, the Arctic) and 4 dates from 2019 to 2031.

use lantern::sky::{self, Equatorial, Horizontal, Observer};

#[test]
fn star_positions_agree_with_pyephem_within_a_fifth_of_a_degree() {
    let csv = include_str!("fixtures/sky_reference.csv");
    let mut worst: f64 = 0.0;
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let number = |i: usize| -> f64 { f[i].parse().expect("number") };
        // 2026-11-25T21:00:00Z
        let stamp = f[5];
        let part = |a: usize, b: usize| -> u32 { stamp[a..b].parse().expect("date") };
        let unix = sky::unix_seconds(
            stamp[0..4].parse().expect("year"),
            part(5, 7),
            part(8, 10),
            part(11, 13),
            part(14, 16),
            f64::from(part(17, 19)),
        );
        let star = Equatorial {
            ra_deg: number(1),
            dec_deg: number(2),
        };
        let observer = Observer {
            latitude_deg: number(3),
            longitude_deg: number(4),
        };
        let ours = sky::horizontal(star, observer, unix);
        let reference = Horizontal {
            altitude_deg: number(6),
            azimuth_deg: number(7),
        };
        let error = ours.separation_deg(&reference);
        assert!(
            error < 0.2,
            "{}: ours {ours:?}, PyEphem {reference:?}, {error:.3}° apart",
            f[0]
        );
        worst = worst.max(error);
        rows += 1;
    }
    assert_eq!(rows, 256);
    eprintln!("worst separation from PyEphem: {worst:.4}°");
}
