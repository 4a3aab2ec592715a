//! Where the stars stand: catalog positions (J2000) precessed to the date, turned by the local
//! sidereal time into altitude and azimuth for an observer.
//!
//! Accuracy: precession is IAU 1976 (Lieske); nutation (≤ 17″), aberration (≤ 20″), the UT1−UTC
//! difference (< 1 s, ≤ 15″) and proper motion are left out, as is refraction — the lamp draws
//! the geometric sky. Together that is under 0.02°, far below a projected star's size; the tests
//! hold it to 0.2° against PyEphem.

use std::f64::consts::TAU;

/// Julian day of the Unix epoch.
const JD_UNIX_EPOCH: f64 = 2_440_587.5;
/// Julian day of J2000.0.
const JD_J2000: f64 = 2_451_545.0;

/// A direction on the celestial sphere, equinox J2000 unless said otherwise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Equatorial {
    /// Right ascension, degrees.
    pub ra_deg: f64,
    /// Declination, degrees.
    pub dec_deg: f64,
}

/// A direction in the observer's sky.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Horizontal {
    /// Above the horizon, degrees (negative: below it).
    pub altitude_deg: f64,
    /// From north through east, 0–360 degrees.
    pub azimuth_deg: f64,
}

impl Horizontal {
    /// Angle between two directions in the sky, degrees.
    pub fn separation_deg(&self, other: &Horizontal) -> f64 {
        let (a1, z1) = (
            self.altitude_deg.to_radians(),
            self.azimuth_deg.to_radians(),
        );
        let (a2, z2) = (
            other.altitude_deg.to_radians(),
            other.azimuth_deg.to_radians(),
        );
        let cos = a1.sin() * a2.sin() + a1.cos() * a2.cos() * (z1 - z2).cos();
        cos.clamp(-1.0, 1.0).acos().to_degrees()
    }
}

/// Where on Earth the lamp is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observer {
    /// North positive, degrees.
    pub latitude_deg: f64,
    /// East positive, degrees.
    pub longitude_deg: f64,
}

/// The Julian day for a Unix time in seconds (UTC, taken as UT1).
pub fn julian_day(unix_seconds: f64) -> f64 {
    unix_seconds / 86_400.0 + JD_UNIX_EPOCH
}

/// Seconds since the Unix epoch for a UTC calendar date and time (proleptic Gregorian).
pub fn unix_seconds(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: f64) -> f64 {
    // Days from 1970-01-01 to the date, by Howard Hinnant's days-from-civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    days as f64 * 86_400.0 + f64::from(hour) * 3_600.0 + f64::from(minute) * 60.0 + second
}

/// Greenwich mean sidereal time, degrees in 0–360 (IAU 1982).
pub fn gmst_deg(julian_day: f64) -> f64 {
    let d = julian_day - JD_J2000;
    let t = d / 36_525.0;
    (280.460_618_37 + 360.985_647_366_29 * d + 0.000_387_933 * t * t - t * t * t / 38_710_000.0)
        .rem_euclid(360.0)
}

/// A J2000 position carried to the mean equinox of `julian_day` (IAU 1976 precession).
pub fn precess_from_j2000(position: Equatorial, julian_day: f64) -> Equatorial {
    let t = (julian_day - JD_J2000) / 36_525.0;
    let arcsec = |x: f64| (x / 3_600.0).to_radians();
    let zeta = arcsec(2306.2181 * t + 0.30188 * t * t + 0.017998 * t * t * t);
    let z = arcsec(2306.2181 * t + 1.09468 * t * t + 0.018203 * t * t * t);
    let theta = arcsec(2004.3109 * t - 0.42665 * t * t - 0.041833 * t * t * t);
    let (ra, dec) = (position.ra_deg.to_radians(), position.dec_deg.to_radians());
    let a = dec.cos() * (ra + zeta).sin();
    let b = theta.cos() * dec.cos() * (ra + zeta).cos() - theta.sin() * dec.sin();
    let c = theta.sin() * dec.cos() * (ra + zeta).cos() + theta.cos() * dec.sin();
    Equatorial {
        ra_deg: (a.atan2(b) + z).rem_euclid(TAU).to_degrees(),
        dec_deg: c.clamp(-1.0, 1.0).asin().to_degrees(),
    }
}

/// Where a star with J2000 position `star` stands for `observer` at `unix_seconds`.
pub fn horizontal(star: Equatorial, observer: Observer, unix_seconds: f64) -> Horizontal {
    let jd = julian_day(unix_seconds);
    let of_date = precess_from_j2000(star, jd);
    let local_sidereal = gmst_deg(jd) + observer.longitude_deg;
    let hour_angle = (local_sidereal - of_date.ra_deg).to_radians();
    let (lat, dec) = (
        observer.latitude_deg.to_radians(),
        of_date.dec_deg.to_radians(),
    );
    let altitude = (lat.sin() * dec.sin() + lat.cos() * dec.cos() * hour_angle.cos())
        .clamp(-1.0, 1.0)
        .asin();
    let azimuth = (-dec.cos() * hour_angle.sin())
        .atan2(dec.sin() * lat.cos() - dec.cos() * lat.sin() * hour_angle.cos());
    Horizontal {
        altitude_deg: altitude.to_degrees(),
        azimuth_deg: azimuth.rem_euclid(TAU).to_degrees(),
    }
}

/// The unit vector of an equatorial direction: x towards the equinox (RA 0°, Dec 0°), y towards
/// RA 90°, z towards the north celestial pole.
pub fn unit_vector(position: Equatorial) -> [f64; 3] {
    let (ra, dec) = (position.ra_deg.to_radians(), position.dec_deg.to_radians());
    [dec.cos() * ra.cos(), dec.cos() * ra.sin(), dec.sin()]
}

/// The unit vector of a direction in the observer's sky, as (east, north, up).
pub fn east_north_up(direction: Horizontal) -> [f64; 3] {
    let (altitude, azimuth) = (
        direction.altitude_deg.to_radians(),
        direction.azimuth_deg.to_radians(),
    );
    [
        altitude.cos() * azimuth.sin(),
        altitude.cos() * azimuth.cos(),
        altitude.sin(),
    ]
}

/// The direction of an (east, north, up) vector; it need not be of unit length, only non-zero.
pub fn from_east_north_up(vector: [f64; 3]) -> Horizontal {
    let [east, north, up] = vector;
    let horizontal_length = east.hypot(north);
    Horizontal {
        altitude_deg: up.atan2(horizontal_length).to_degrees(),
        azimuth_deg: east.atan2(north).rem_euclid(TAU).to_degrees(),
    }
}

/// The whole of [`horizontal`] for one observer and moment, folded into one rotation: from a
/// J2000 unit vector ([`unit_vector`]) to (east, north, up). Building it costs what one
/// [`horizontal`] call costs; after that a star costs nine multiplications and no trigonometry,
/// which is what lets the porthole redraw thousands of stars every frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalSky {
    /// Rows: east, north, up, each as a J2000 unit vector.
    rows: [[f64; 3]; 3],
}

impl LocalSky {
    /// The rotation for `observer` at `unix_seconds`, with the same precession and sidereal
    /// time as [`horizontal`].
    pub fn new(observer: Observer, unix_seconds: f64) -> LocalSky {
        let jd = julian_day(unix_seconds);
        // Precession as in `precess_from_j2000`, as a matrix: turn by ζ about the pole, tilt by
        // θ, turn by z.
        let t = (jd - JD_J2000) / 36_525.0;
        let arcsec = |x: f64| (x / 3_600.0).to_radians();
        let zeta = arcsec(2306.2181 * t + 0.30188 * t * t + 0.017998 * t * t * t);
        let z = arcsec(2306.2181 * t + 1.09468 * t * t + 0.018203 * t * t * t);
        let theta = arcsec(2004.3109 * t - 0.42665 * t * t - 0.041833 * t * t * t);
        let about_pole = |angle: f64| {
            let (sin, cos) = angle.sin_cos();
            [[cos, -sin, 0.0], [sin, cos, 0.0], [0.0, 0.0, 1.0]]
        };
        let (sin_theta, cos_theta) = theta.sin_cos();
        let tilt = [
            [cos_theta, 0.0, -sin_theta],
            [0.0, 1.0, 0.0],
            [sin_theta, 0.0, cos_theta],
        ];
        let precession = multiply(about_pole(z), multiply(tilt, about_pole(zeta)));
        // From the equator of date to the horizon: hour angle = local sidereal time − RA.
        let local_sidereal = (gmst_deg(jd) + observer.longitude_deg).to_radians();
        let (sin_lst, cos_lst) = local_sidereal.sin_cos();
        let (sin_lat, cos_lat) = observer.latitude_deg.to_radians().sin_cos();
        let to_horizon = [
            [-sin_lst, cos_lst, 0.0],
            [-sin_lat * cos_lst, -sin_lat * sin_lst, cos_lat],
            [cos_lat * cos_lst, cos_lat * sin_lst, sin_lat],
        ];
        LocalSky {
            rows: multiply(to_horizon, precession),
        }
    }

    /// A J2000 unit vector as (east, north, up).
    pub fn east_north_up(&self, j2000: [f64; 3]) -> [f64; 3] {
        self.rows
            .map(|row| row[0] * j2000[0] + row[1] * j2000[1] + row[2] * j2000[2])
    }

    /// An (east, north, up) vector back as a J2000 vector (the rotation's transpose).
    pub fn j2000(&self, east_north_up: [f64; 3]) -> [f64; 3] {
        let r = &self.rows;
        [0, 1, 2].map(|i| {
            r[0][i] * east_north_up[0] + r[1][i] * east_north_up[1] + r[2][i] * east_north_up[2]
        })
    }

    /// Where a J2000 position stands in this sky; agrees with [`horizontal`].
    pub fn horizontal(&self, star: Equatorial) -> Horizontal {
        from_east_north_up(self.east_north_up(unit_vector(star)))
    }
}

fn multiply(a: [[f64; 3]; 3], b: [[f64; 3]; 3]) -> [[f64; 3]; 3] {
    [0, 1, 2].map(|i| [0, 1, 2].map(|j| a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates_turn_into_unix_seconds() {
        assert_eq!(unix_seconds(1970, 1, 1, 0, 0, 0.0), 0.0);
        assert_eq!(unix_seconds(2000, 1, 1, 12, 0, 0.0), 946_728_000.0);
        assert_eq!(unix_seconds(2024, 2, 29, 0, 0, 0.0), 1_709_164_800.0);
        assert_eq!(julian_day(946_728_000.0), JD_J2000);
    }

    #[test]
    fn sidereal_time_at_j2000_is_the_iau_value() {
        // 2000-01-01 12:00 UT: GMST = 18h 41m 50.55s = 280.46061837°.
        assert!((gmst_deg(JD_J2000) - 280.460_618_37).abs() < 1e-9);
    }

    #[test]
    fn precession_over_a_century_moves_the_equinox_about_1_4_degrees() {
        let vernal = Equatorial {
            ra_deg: 0.0,
            dec_deg: 0.0,
        };
        let later = precess_from_j2000(vernal, JD_J2000 + 36_525.0);
        // ζ + z ≈ 4612″ ≈ 1.28° in right ascension; θ ≈ 2004″ ≈ 0.557° in declination.
        assert!((later.ra_deg - 1.281).abs() < 0.01, "{later:?}");
        assert!((later.dec_deg - 0.557).abs() < 0.01, "{later:?}");
    }

    #[test]
    fn the_folded_rotation_agrees_with_the_step_by_step_formulas() {
        let places = [(51.5, -0.1), (-33.9, 151.2), (0.0, 0.0), (78.2, 15.6)];
        let moments = [
            unix_seconds(2000, 1, 1, 12, 0, 0.0),
            unix_seconds(2026, 11, 25, 21, 30, 0.0),
            unix_seconds(2050, 6, 1, 3, 0, 0.0),
        ];
        let stars = [
            (0.0, 0.0),
            (101.287, -16.716),
            (37.954, 89.264),
            (279.23, 38.78),
        ];
        for (latitude_deg, longitude_deg) in places {
            let observer = Observer {
                latitude_deg,
                longitude_deg,
            };
            for moment in moments {
                let sky = LocalSky::new(observer, moment);
                for (ra_deg, dec_deg) in stars {
                    let star = Equatorial { ra_deg, dec_deg };
                    let folded = sky.horizontal(star);
                    let reference = horizontal(star, observer, moment);
                    // Angle by angle: `separation_deg` goes through acos, blind below ~1e-6°.
                    let altitude_gap = folded.altitude_deg - reference.altitude_deg;
                    let azimuth_gap = (folded.azimuth_deg - reference.azimuth_deg + 180.0)
                        .rem_euclid(360.0)
                        - 180.0;
                    let gap = altitude_gap
                        .abs()
                        .max(azimuth_gap.abs() * folded.altitude_deg.to_radians().cos());
                    assert!(gap < 1e-8, "{folded:?} vs {reference:?}");
                    let back = sky.j2000(sky.east_north_up(unit_vector(star)));
                    let original = unit_vector(star);
                    assert!((0..3).all(|i| (back[i] - original[i]).abs() < 1e-12));
                }
            }
        }
    }

    #[test]
    fn east_north_up_round_trips_and_points_where_the_names_say() {
        assert_eq!(
            east_north_up(Horizontal {
                altitude_deg: 0.0,
                azimuth_deg: 90.0
            })
            .map(|x| x.round()),
            [1.0, 0.0, 0.0]
        );
        let direction = Horizontal {
            altitude_deg: 31.0,
            azimuth_deg: 247.0,
        };
        let back = from_east_north_up(east_north_up(direction));
        assert!((back.altitude_deg - 31.0).abs() < 1e-12, "{back:?}");
        assert!((back.azimuth_deg - 247.0).abs() < 1e-12, "{back:?}");
    }
}
