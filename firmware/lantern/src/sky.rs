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
}
