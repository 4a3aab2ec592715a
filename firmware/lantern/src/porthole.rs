//! The space porthole: a round window onto the sky in the direction the lamp's beam points.
//!
//! # Frames and conventions
//!
//! - **Sky**: directions as [`sky::Horizontal`] (altitude; azimuth from north through east), or
//!   as (east, north, up) vectors.
//! - **Sensor**: the accelerometer reports gravity in the lamp's frame, +Z along the beam, +Y
//!   towards the top of the projected picture (hardware/lantern.toml). In a right-handed frame
//!   that puts +X towards the picture's *left* as the audience sees it.
//! - **Picture**: what the audience sees looking along the beam at the lit surface, as a normal
//!   (front, not rear or "ceiling-mount") projector shows its frame buffer: frame-buffer x grows
//!   to the viewer's right, y downwards.
//!
//! # Handedness: the sky as seen from below
//!
//! The porthole is a true window: a star is drawn where the ray from the lamp towards that star
//! meets the surface. So the picture is the sky *as seen looking up*, not a map seen from above.
//! With the lamp pointing at the zenith and picture-up to the north, **east is on the picture's
//! left** and west on its right — exactly what a person lying on their back under the ceiling,
//! head to the north, sees (it is why star charts held overhead print east on the left). On a
//! wall facing south, east is on the left too, as when you face south outdoors.
//!
//! # Pointing and roll
//!
//! A [`View`]'s `roll_deg` is defined from the zenith so that it has no singularity where the
//! lamp is used most: pointing at the zenith, picture-up points at compass azimuth `roll_deg`;
//! for any other pointing, take that zenith picture and tilt it, along the vertical circle,
//! down to the pointing direction (the smallest rotation from the zenith to it). Only the nadir,
//! which shows the ground, is ambiguous (it is reached by tilting about the east–west axis).
//!
//! An accelerometer measures tilt but not heading, so [`view_from_gravity`] takes the heading
//! from config: **the compass azimuth of picture-up when the lamp points at the ceiling.** A
//! lamp that tilts from the ceiling down to a wall (about its X axis, as a lamp head on a hinge
//! does) then points at azimuth `heading + 180°` with the picture upright: the top of the picture
//! travels across the ceiling away from the wall it ends up facing. So a lamp whose hinge lets it
//! face a wall to the north has heading 180°.
//!
//! # Projection
//!
//! Stereographic, centred on the beam: it keeps constellation shapes undistorted at any field of
//! view, and near the centre it matches the projector's own (gnomonic) ray geometry. The window
//! is the largest circle centred in the target; `field_of_view_deg` is the angle across it.

use embedded_graphics::mono_font::{MonoFont, MonoTextStyle, iso_8859_1};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Circle, Line, PrimitiveStyle, Rectangle};
use embedded_graphics::text::{Alignment, Baseline, Text, TextStyleBuilder};

use crate::catalog::Catalog;
use crate::sky;

type Vec3 = [f64; 3];

/// Where the porthole looks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// The direction the beam points, in the observer's sky.
    pub pointing: sky::Horizontal,
    /// Rotation of picture-up about the beam: at the zenith, the compass azimuth of picture-up;
    /// elsewhere, that picture tilted down to `pointing` (see the module docs).
    pub roll_deg: f64,
    /// The angle across the porthole's circle, degrees (clamped to 1–300).
    pub field_of_view_deg: f64,
}

/// The view of a lamp from its accelerometer: `gravity` is the measured acceleration's direction
/// in the sensor frame (+Z along the beam, +Y picture-up; any length, normalised here), and
/// `heading_deg` the configured compass azimuth of picture-up when the lamp points at the
/// ceiling.
///
/// - `[0, 0, -1]` (ceiling): the zenith, picture-up at azimuth `heading_deg`.
/// - `[0, -1, 0]` (wall): altitude 0, azimuth `heading_deg + 180°`, picture upright.
/// - `[0, 0, 1]` (table): the nadir.
///
/// A zero or non-finite reading (free fall, a failed sensor) gives the zenith.
pub fn view_from_gravity(gravity: [f32; 3], heading_deg: f64, field_of_view_deg: f64) -> View {
    let gravity = gravity.map(f64::from);
    let length = dot(gravity, gravity).sqrt();
    // The beam in the frame of the lamp at its ceiling pose (X, Y, Z as the sensor's there):
    // the smallest tilt that brings "up" (−gravity) to +Z takes the beam (+Z) to
    // (gx, gy, −gz) — Rodrigues' formula with the tilt axis in the X–Y plane.
    let beam_in_ceiling_pose = if length.is_finite() && length > 1e-9 {
        [
            gravity[0] / length,
            gravity[1] / length,
            -gravity[2] / length,
        ]
    } else {
        [0.0, 0.0, 1.0]
    };
    // The ceiling pose itself: +Y towards azimuth `heading`, +Z up, +X = Y × Z.
    let (sin_heading, cos_heading) = heading_deg.to_radians().sin_cos();
    let [x, y, z] = beam_in_ceiling_pose;
    let beam = [
        x * cos_heading + y * sin_heading,
        -x * sin_heading + y * cos_heading,
        z,
    ];
    // The lamp's picture-up is its ceiling-pose picture-up carried by that same smallest tilt,
    // which is this module's definition of roll: so the roll is the heading itself.
    View {
        pointing: sky::from_east_north_up(beam),
        roll_deg: heading_deg.rem_euclid(360.0),
        field_of_view_deg,
    }
}

/// Where a sky direction lands in a `width` × `height` picture (pixel coordinates, origin top
/// left, y down; pixel (i, j) spans i..i+1, j..j+1), or `None` outside the porthole's circle.
pub fn project(view: &View, star: sky::Horizontal, width: u32, height: u32) -> Option<(f32, f32)> {
    let disc = Disc::centred(Point::zero(), width, height, view.field_of_view_deg);
    if disc.radius <= 0.0 {
        return None; // an empty picture has no window
    }
    let camera = Camera::new(view);
    let (x, y) = disc.pixel_of(camera.plane(sky::east_north_up(star))?);
    disc.contains(x, y, disc.radius)
        .then_some((x as f32, y as f32))
}

/// Sizes of the label text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelFont {
    /// 6 × 10 pixels.
    Small,
    /// 9 × 15 pixels: readable on a 720-line projection.
    Medium,
    /// 10 × 20 pixels.
    Large,
}

impl LabelFont {
    fn font(self) -> &'static MonoFont<'static> {
        // ISO 8859-1, for accented IAU names (Yunü).
        match self {
            LabelFont::Small => &iso_8859_1::FONT_6X10,
            LabelFont::Medium => &iso_8859_1::FONT_9X15,
            LabelFont::Large => &iso_8859_1::FONT_10X20,
        }
    }
}

/// How the porthole looks.
#[derive(Clone, Debug, PartialEq)]
pub struct Style {
    /// Outside the porthole (black: the projector adds no light there).
    pub background: Rgb888,
    /// The sky inside the porthole.
    pub sky: Rgb888,
    /// The porthole below the horizon.
    pub ground: Rgb888,
    /// The porthole's rim.
    pub rim: Rgb888,
    /// The rim's width, pixels (0: no rim).
    pub rim_width_px: u32,
    /// The horizon line, when in view.
    pub horizon: Rgb888,
    /// The letters N, E, S, W on the horizon.
    pub cardinal: Rgb888,
    /// Constellation stick figures, dim.
    pub constellation_line: Rgb888,
    /// The brightest stars; fainter ones are this colour dimmed towards `faintest_brightness`.
    pub star: Rgb888,
    /// Star names.
    pub label: Rgb888,
    /// Stars fainter than this (larger magnitude) are not drawn.
    pub magnitude_limit: f32,
    /// Disc radius of a magnitude −1.5 star (Sirius), pixels.
    pub brightest_radius_px: f32,
    /// Disc radius of a star at `magnitude_limit`, pixels.
    pub faintest_radius_px: f32,
    /// Brightness of a star at `magnitude_limit`, as a fraction of `star` (0–1).
    pub faintest_brightness: f32,
    /// Draw the horizon and the cardinal points.
    pub show_horizon: bool,
    /// Draw the constellation stick figures.
    pub show_lines: bool,
    /// Label the brightest named stars in view.
    pub show_labels: bool,
    /// How many to label.
    pub labels: usize,
    /// Label and cardinal-point text size.
    pub label_font: LabelFont,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            background: Rgb888::BLACK,
            sky: Rgb888::new(2, 4, 18),
            ground: Rgb888::new(14, 10, 6),
            rim: Rgb888::new(70, 80, 100),
            rim_width_px: 3,
            horizon: Rgb888::new(110, 80, 40),
            cardinal: Rgb888::new(220, 150, 60),
            constellation_line: Rgb888::new(40, 60, 105),
            star: Rgb888::new(255, 250, 235),
            label: Rgb888::new(150, 170, 210),
            magnitude_limit: 5.5,
            brightest_radius_px: 5.0,
            faintest_radius_px: 1.0,
            faintest_brightness: 0.35,
            show_horizon: true,
            show_lines: true,
            show_labels: true,
            labels: 12,
            label_font: LabelFont::Medium,
        }
    }
}

/// Draws the porthole for `observer` at `unix_seconds` onto `target` (sized by its bounding
/// box): the background, the sky (and ground below the horizon) inside the circle, the rim, the
/// horizon with N/E/S/W, the stick figures, the stars as discs sized by magnitude, and the
/// brightest names. Nothing is drawn outside the circle except the background.
pub fn draw<D: DrawTarget<Color = Rgb888>>(
    target: &mut D,
    catalog: &Catalog,
    observer: sky::Observer,
    unix_seconds: f64,
    view: &View,
    style: &Style,
) -> Result<(), D::Error> {
    let bounds = target.bounding_box();
    let disc = Disc::centred(
        bounds.top_left,
        bounds.size.width,
        bounds.size.height,
        view.field_of_view_deg,
    );
    let camera = Camera::new(view);
    fill(target, bounds, &disc, &camera, style)?;

    // Everything else stays inside the rim.
    let inner_radius = disc.radius - style.rim_width_px as f64;
    let mut inside = CircleClip {
        target,
        disc: &disc,
        radius: inner_radius,
    };
    let local = sky::LocalSky::new(observer, unix_seconds);
    let positions = star_positions(catalog, &local, &camera, &disc);

    if style.show_lines {
        let line_style = PrimitiveStyle::with_stroke(style.constellation_line, 1);
        for &(from, to) in catalog.line_ends() {
            if let (Some(a), Some(b)) = (positions[from], positions[to]) {
                Line::new(pixel(a), pixel(b))
                    .into_styled(line_style)
                    .draw(&mut inside)?;
            }
        }
    }
    if style.show_horizon {
        draw_horizon(&mut inside, &disc, &camera, style)?;
    }

    let text_style = MonoTextStyle::new(style.label_font.font(), style.label);
    let left_middle = TextStyleBuilder::new()
        .alignment(Alignment::Left)
        .baseline(Baseline::Middle)
        .build();
    let mut labelled = 0;
    let mut labels_drawn: Vec<Rectangle> = Vec::new();
    let brightest = -1.5_f32;
    let span = (style.magnitude_limit - brightest).max(0.1);
    for (star, position) in catalog.stars().iter().zip(&positions) {
        if star.magnitude > style.magnitude_limit {
            break; // brightest first: the rest are fainter still
        }
        let Some(position) = *position else { continue };
        if !disc.contains(position.0, position.1, inner_radius) {
            continue;
        }
        let brightness = ((style.magnitude_limit - star.magnitude) / span).clamp(0.0, 1.0);
        let radius = style.faintest_radius_px
            + brightness * (style.brightest_radius_px - style.faintest_radius_px);
        let colour = scale(
            style.star,
            style.faintest_brightness + brightness * (1.0 - style.faintest_brightness),
        );
        let diameter = (2.0 * radius).round().max(1.0) as u32;
        Circle::with_center(pixel(position), diameter)
            .into_styled(PrimitiveStyle::with_fill(colour))
            .draw(&mut inside)?;
        if style.show_labels
            && labelled < style.labels
            && let Some(name) = &star.name
        {
            let at = pixel(position) + Point::new(diameter as i32 / 2 + 4, 0);
            let label = Text::with_text_style(name.as_str(), at, text_style, left_middle);
            // A name over another is unreadable (Orion's belt): the brighter star keeps its own.
            let area = label.bounding_box();
            if !labels_drawn
                .iter()
                .any(|other: &Rectangle| !other.intersection(&area).is_zero_sized())
            {
                label.draw(&mut inside)?;
                labels_drawn.push(area);
                labelled += 1;
            }
        }
    }
    Ok(())
}

/// The porthole's circle in target pixels.
#[derive(Clone, Copy, Debug)]
struct Disc {
    centre_x: f64,
    centre_y: f64,
    radius: f64,
    /// Pixels per unit of the stereographic plane.
    scale: f64,
}

impl Disc {
    fn centred(top_left: Point, width: u32, height: u32, field_of_view_deg: f64) -> Disc {
        let radius = f64::from(width.min(height)) / 2.0;
        let half_field = field_of_view_deg.clamp(1.0, 300.0).to_radians() / 2.0;
        Disc {
            centre_x: f64::from(top_left.x) + f64::from(width) / 2.0,
            centre_y: f64::from(top_left.y) + f64::from(height) / 2.0,
            radius,
            // Stereographic: a direction θ from the centre lies 2·tan(θ/2) out on the plane.
            scale: radius / (2.0 * (half_field / 2.0).tan()),
        }
    }

    fn pixel_of(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            self.centre_x + x * self.scale,
            self.centre_y - y * self.scale,
        )
    }

    fn contains(&self, x: f64, y: f64, radius: f64) -> bool {
        let (dx, dy) = (x - self.centre_x, y - self.centre_y);
        dx * dx + dy * dy <= radius * radius
    }

    /// The pixel columns of row `row` whose centres lie within `radius`, inclusive.
    fn span(&self, row: i32, radius: f64) -> Option<(i32, i32)> {
        let dy = f64::from(row) + 0.5 - self.centre_y;
        if radius <= 0.0 || dy.abs() > radius {
            return None;
        }
        let half = (radius * radius - dy * dy).sqrt();
        let first = (self.centre_x - half - 0.5).ceil() as i32;
        let last = (self.centre_x + half - 0.5).floor() as i32;
        (first <= last).then_some((first, last))
    }
}

/// The picture's axes in the sky, as (east, north, up) unit vectors.
#[derive(Clone, Copy, Debug)]
struct Camera {
    /// Picture-right as the audience sees it.
    right: Vec3,
    /// Picture-up.
    up: Vec3,
    /// Along the beam.
    beam: Vec3,
}

impl Camera {
    fn new(view: &View) -> Camera {
        let beam = sky::east_north_up(view.pointing);
        let (sin_roll, cos_roll) = view.roll_deg.to_radians().sin_cos();
        let up_at_zenith = [sin_roll, cos_roll, 0.0];
        let up = tilt_from_zenith(beam, up_at_zenith);
        // Clean off rounding so the frame stays orthonormal.
        let up = normalize(sub(up, mul(beam, dot(up, beam))));
        // Looking along the beam with `up` up, the viewer's right is beam × up.
        Camera {
            right: cross(beam, up),
            up,
            beam,
        }
    }

    /// A direction's stereographic plane coordinates (x right, y up; 2·tan(θ/2) from the
    /// centre), or `None` for the direction straight behind the beam.
    fn plane(&self, direction: Vec3) -> Option<(f64, f64)> {
        let along = dot(direction, self.beam);
        (along > -0.999).then(|| {
            let factor = 2.0 / (1.0 + along);
            (
                dot(direction, self.right) * factor,
                dot(direction, self.up) * factor,
            )
        })
    }
}

/// `x` turned by the smallest rotation that takes the zenith (0, 0, 1) to `to` (unit vectors).
fn tilt_from_zenith(to: Vec3, x: Vec3) -> Vec3 {
    let cos = to[2];
    if cos < -1.0 + 1e-9 {
        // The nadir: any half-turn about a horizontal axis reaches it; take east–west.
        return [x[0], -x[1], -x[2]];
    }
    // Rodrigues: axis·sin = zenith × to = (−to_y, to_x, 0).
    let axis = [-to[1], to[0], 0.0];
    let turned = add(mul(x, cos), cross(axis, x));
    add(turned, mul(axis, dot(axis, x) / (1.0 + cos)))
}

/// Every star's pixel position, or `None` if it is below the horizon or too far from the beam
/// to matter. Line ends may lie outside the circle (the line is clipped), so the cut is wider
/// than the field.
fn star_positions(
    catalog: &Catalog,
    local: &sky::LocalSky,
    camera: &Camera,
    disc: &Disc,
) -> Vec<Option<(f64, f64)>> {
    // The camera axes and the zenith in J2000: then a star costs dot products only.
    let beam = local.j2000(camera.beam);
    let right = local.j2000(camera.right);
    let up = local.j2000(camera.up);
    let zenith = local.j2000([0.0, 0.0, 1.0]);
    let half_field = (disc.radius / disc.scale / 2.0).atan() * 2.0;
    let cull = (half_field + 25f64.to_radians())
        .min(170f64.to_radians())
        .cos();
    catalog
        .unit_vectors()
        .iter()
        .map(|&star| {
            let along = dot(star, beam);
            if along < cull || dot(star, zenith) <= 0.0 {
                return None;
            }
            let factor = 2.0 / (1.0 + along);
            Some(disc.pixel_of((dot(star, right) * factor, dot(star, up) * factor)))
        })
        .collect()
}

/// Background, rim and the porthole's inside, row by row as solid spans: the sky/ground edge in
/// a row is where a quadratic changes sign, so no pixel needs its own projection.
fn fill<D: DrawTarget<Color = Rgb888>>(
    target: &mut D,
    bounds: Rectangle,
    disc: &Disc,
    camera: &Camera,
    style: &Style,
) -> Result<(), D::Error> {
    let left = bounds.top_left.x;
    let right = left + bounds.size.width as i32 - 1;
    let inner_radius = disc.radius - style.rim_width_px as f64;
    // A plane point (x, y) is the direction (4x, 4y, 4 − x² − y²)/(4 + x² + y²) in (right, up,
    // beam); its height above the horizon has the sign of
    //   −b·x² + 4r·x + (4u·y + b·(4 − y²)),
    // r, u, b being the up-components of the picture's axes.
    let (r, u, b) = (camera.right[2], camera.up[2], camera.beam[2]);
    let span = |target: &mut D, row: i32, from: i32, to: i32, colour: Rgb888| {
        let (from, to) = (from.max(left), to.min(right));
        if from > to {
            return Ok(());
        }
        let size = Size::new((to - from + 1) as u32, 1);
        target.fill_solid(&Rectangle::new(Point::new(from, row), size), colour)
    };
    for row in bounds.rows() {
        let Some((outer_first, outer_last)) = disc.span(row, disc.radius) else {
            span(target, row, left, right, style.background)?;
            continue;
        };
        span(target, row, left, outer_first - 1, style.background)?;
        span(target, row, outer_last + 1, right, style.background)?;
        let Some((first, last)) = disc.span(row, inner_radius) else {
            span(target, row, outer_first, outer_last, style.rim)?;
            continue;
        };
        span(target, row, outer_first, first - 1, style.rim)?;
        span(target, row, last + 1, outer_last, style.rim)?;

        let y = -(f64::from(row) + 0.5 - disc.centre_y) / disc.scale;
        let height_sign = |x: f64| -b * x * x + 4.0 * r * x + (4.0 * u * y + b * (4.0 - y * y));
        let column_of = |x: f64| (disc.centre_x + x * disc.scale - 0.5).ceil() as i32;
        let x_of = |column: i32| (f64::from(column) + 0.5 - disc.centre_x) / disc.scale;
        // Where the horizon crosses this row: the quadratic's (or line's) roots.
        let mut breaks = Vec::with_capacity(2);
        if b.abs() > 1e-12 {
            let discriminant = 16.0 * r * r + 4.0 * b * (4.0 * u * y + b * (4.0 - y * y));
            if discriminant >= 0.0 {
                let root = discriminant.sqrt();
                breaks.push(column_of((-4.0 * r - root) / (-2.0 * b)));
                breaks.push(column_of((-4.0 * r + root) / (-2.0 * b)));
            }
        } else if r.abs() > 1e-12 {
            breaks.push(column_of(-(4.0 * u * y) / (4.0 * r)));
        }
        breaks.retain(|&column| column > first && column <= last);
        breaks.sort_unstable();
        let mut start = first;
        for end in breaks.into_iter().chain(std::iter::once(last + 1)) {
            if end > start {
                let middle = x_of((start + end - 1) / 2);
                let colour = if height_sign(middle) >= 0.0 {
                    style.sky
                } else {
                    style.ground
                };
                span(target, row, start, end - 1, colour)?;
            }
            start = end;
        }
    }
    Ok(())
}

/// The horizon as a polyline every 2° of azimuth, and the cardinal letters just above it.
fn draw_horizon<D: DrawTarget<Color = Rgb888>>(
    target: &mut D,
    disc: &Disc,
    camera: &Camera,
    style: &Style,
) -> Result<(), D::Error> {
    let line_style = PrimitiveStyle::with_stroke(style.horizon, 1);
    // Points far outside the circle would make long lines that are clipped pixel by pixel.
    let near = |(x, y): (f64, f64)| disc.contains(x, y, disc.radius * 1.5);
    let mut previous: Option<(f64, f64)> = None;
    for step in 0..=180 {
        let azimuth = f64::from(step * 2);
        let point = camera
            .plane(sky::east_north_up(sky::Horizontal {
                altitude_deg: 0.0,
                azimuth_deg: azimuth,
            }))
            .map(|plane| disc.pixel_of(plane))
            .filter(|&point| near(point));
        if let (Some(a), Some(b)) = (previous, point) {
            Line::new(pixel(a), pixel(b))
                .into_styled(line_style)
                .draw(target)?;
        }
        previous = point;
    }
    let letter_style = MonoTextStyle::new(style.label_font.font(), style.cardinal);
    let centred = TextStyleBuilder::new()
        .alignment(Alignment::Center)
        .baseline(Baseline::Middle)
        .build();
    for (azimuth_deg, letter) in [(0.0, "N"), (90.0, "E"), (180.0, "S"), (270.0, "W")] {
        let on_horizon = sky::Horizontal {
            altitude_deg: 0.0,
            azimuth_deg,
        };
        let Some(plane) = camera.plane(sky::east_north_up(on_horizon)) else {
            continue;
        };
        let (x, y) = disc.pixel_of(plane);
        if !disc.contains(x, y, disc.radius) {
            continue;
        }
        // Set the letter a little above the horizon, towards the sky.
        let above = sky::Horizontal {
            altitude_deg: 3.0,
            azimuth_deg,
        };
        let at = camera
            .plane(sky::east_north_up(above))
            .map(|plane| disc.pixel_of(plane))
            .unwrap_or((x, y));
        Text::with_text_style(letter, pixel(at), letter_style, centred).draw(target)?;
    }
    Ok(())
}

/// A target that drops every pixel outside a circle: stars and lines near the rim stay inside.
struct CircleClip<'a, D> {
    target: &'a mut D,
    disc: &'a Disc,
    radius: f64,
}

impl<D: DrawTarget<Color = Rgb888>> Dimensions for CircleClip<'_, D> {
    fn bounding_box(&self) -> Rectangle {
        self.target.bounding_box()
    }
}

impl<D: DrawTarget<Color = Rgb888>> DrawTarget for CircleClip<'_, D> {
    type Color = Rgb888;
    type Error = D::Error;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        let (disc, radius) = (self.disc, self.radius);
        self.target
            .draw_iter(pixels.into_iter().filter(|Pixel(point, _)| {
                disc.contains(f64::from(point.x) + 0.5, f64::from(point.y) + 0.5, radius)
            }))
    }
}

/// The pixel that holds a continuous position.
fn pixel((x, y): (f64, f64)) -> Point {
    Point::new(x.floor() as i32, y.floor() as i32)
}

fn scale(colour: Rgb888, factor: f32) -> Rgb888 {
    let channel = |value: u8| (f32::from(value) * factor.clamp(0.0, 1.0)).round() as u8;
    Rgb888::new(
        channel(colour.r()),
        channel(colour.g()),
        channel(colour.b()),
    )
}

fn dot(a: Vec3, b: Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: Vec3, b: Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn add(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

fn sub(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn mul(a: Vec3, factor: f64) -> Vec3 {
    a.map(|x| x * factor)
}

fn normalize(a: Vec3) -> Vec3 {
    mul(a, 1.0 / dot(a, a).sqrt())
}

#[cfg(test)]
mod tests;
