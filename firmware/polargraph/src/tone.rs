//! The pen's tone curve: what brightness to draw for each image brightness, so shades look right
//! on paper (a pen's ink spreads, and density does not darken linearly).

use crate::config::Pen;

/// A lookup table from image brightness to the brightness to draw (0 black … 255 white).
#[derive(Clone, Debug, PartialEq)]
pub struct ToneCurve {
    table: [u8; 256],
}

impl ToneCurve {
    /// The identity.
    pub fn linear() -> ToneCurve {
        ToneCurve {
            table: std::array::from_fn(|i| i as u8),
        }
    }

    /// The curve a pen's config asks for: measured points when given (linear between them and
    /// flat beyond the ends), otherwise the gamma.
    pub fn from_pen(pen: &Pen) -> ToneCurve {
        if pen.tone.is_empty() {
            return ToneCurve::gamma(pen.gamma);
        }
        let points = &pen.tone;
        ToneCurve {
            table: std::array::from_fn(|i| {
                let x = i as f64;
                let y = match points.iter().position(|[input, _]| *input >= x) {
                    None => points[points.len() - 1][1],
                    Some(0) => points[0][1],
                    Some(k) => {
                        let ([x0, y0], [x1, y1]) = (points[k - 1], points[k]);
                        y0 + (y1 - y0) * (x - x0) / (x1 - x0)
                    }
                };
                y.round().clamp(0.0, 255.0) as u8
            }),
        }
    }

    /// `255 · (b/255)^gamma`: above 1 darkens mid-tones, below 1 lightens them.
    pub fn gamma(gamma: f64) -> ToneCurve {
        ToneCurve {
            table: std::array::from_fn(|i| (255.0 * (i as f64 / 255.0).powf(gamma)).round() as u8),
        }
    }

    /// The brightness to draw for image brightness `b`.
    pub fn apply(&self, b: u8) -> u8 {
        self.table[usize::from(b)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pen_with(tone: Vec<[f64; 2]>, gamma: f64) -> Pen {
        Pen {
            width_mm: 0.8,
            gamma,
            tone,
            servo_pwm_channel: Some(0),
            servo_gpio: None,
            up_angle: 90.0,
            down_angle: 40.0,
            up_ms: 250,
            down_ms: 150,
        }
    }

    #[test]
    fn measured_points_are_interpolated_and_held_beyond_the_ends() {
        let curve = ToneCurve::from_pen(&pen_with(
            vec![[20.0, 0.0], [120.0, 100.0], [220.0, 255.0]],
            1.0,
        ));
        assert_eq!(curve.apply(0), 0);
        assert_eq!(curve.apply(70), 50);
        assert_eq!(curve.apply(120), 100);
        assert_eq!(curve.apply(255), 255);
    }

    #[test]
    fn gamma_one_is_the_identity_and_gamma_above_one_darkens() {
        assert_eq!(
            ToneCurve::from_pen(&pen_with(vec![], 1.0)),
            ToneCurve::linear()
        );
        let dark = ToneCurve::gamma(2.0);
        assert!(dark.apply(128) < 128);
        assert_eq!((dark.apply(0), dark.apply(255)), (0, 255));
    }
}
