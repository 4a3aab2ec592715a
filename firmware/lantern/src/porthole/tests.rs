use std::convert::Infallible;

use super::*;

/// A frame buffer over a Vec, counting any write that falls outside it.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<Rgb888>,
    out_of_bounds: usize,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![Rgb888::new(1, 2, 3); (width * height) as usize],
            out_of_bounds: 0,
        }
    }

    fn at(&self, x: i32, y: i32) -> Rgb888 {
        self.pixels[(y as u32 * self.width + x as u32) as usize]
    }

    /// Pixels of `colour` within `reach` of (x, y).
    fn count_near(&self, (x, y): (f32, f32), reach: i32, colour: Rgb888) -> usize {
        let (x, y) = (x.floor() as i32, y.floor() as i32);
        let mut count = 0;
        for dy in -reach..=reach {
            for dx in -reach..=reach {
                let (px, py) = (x + dx, y + dy);
                if px >= 0
                    && py >= 0
                    && (px as u32) < self.width
                    && (py as u32) < self.height
                    && self.at(px, py) == colour
                {
                    count += 1;
                }
            }
        }
        count
    }
}

impl OriginDimensions for Canvas {
    fn size(&self) -> Size {
        Size::new(self.width, self.height)
    }
}

impl DrawTarget for Canvas {
    type Color = Rgb888;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Infallible>
    where
        I: IntoIterator<Item = Pixel<Rgb888>>,
    {
        for Pixel(point, colour) in pixels {
            if point.x >= 0
                && point.y >= 0
                && (point.x as u32) < self.width
                && (point.y as u32) < self.height
            {
                self.pixels[(point.y as u32 * self.width + point.x as u32) as usize] = colour;
            } else {
                self.out_of_bounds += 1;
            }
        }
        Ok(())
    }
}

const LONDON: sky::Observer = sky::Observer {
    latitude_deg: 51.5,
    longitude_deg: -0.1,
};

fn moment() -> f64 {
    sky::unix_seconds(2026, 11, 25, 21, 0, 0.0)
}

fn at(altitude_deg: f64, azimuth_deg: f64) -> sky::Horizontal {
    sky::Horizontal {
        altitude_deg,
        azimuth_deg,
    }
}

fn zenith_view(heading_deg: f64, field_of_view_deg: f64) -> View {
    view_from_gravity([0.0, 0.0, -1.0], heading_deg, field_of_view_deg)
}

/// A catalog whose stars stand at given places in London's sky at `moment()`.
fn catalog_at(stars: &[(u32, &str, f32, sky::Horizontal)], lines: &[(u32, u32)]) -> Catalog {
    let local = sky::LocalSky::new(LONDON, moment());
    let mut stars_csv = String::from("hip,name,magnitude,ra_deg,dec_deg,constellation\n");
    for &(hip, name, magnitude, place) in stars {
        let [x, y, z] = local.j2000(sky::east_north_up(place));
        let ra = y.atan2(x).to_degrees().rem_euclid(360.0);
        let dec = z.asin().to_degrees();
        stars_csv.push_str(&format!("{hip},{name},{magnitude},{ra:.9},{dec:.9},Ori\n"));
    }
    let mut lines_csv = String::from("constellation,from_hip,to_hip\n");
    for (from, to) in lines {
        lines_csv.push_str(&format!("Ori,{from},{to}\n"));
    }
    Catalog::parse(&stars_csv, &lines_csv, "test").expect("test catalog")
}

fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual}, expected {expected} ± {tolerance}"
    );
}

#[test]
fn a_lamp_facing_the_ceiling_looks_at_the_zenith_with_picture_up_at_the_heading() {
    for heading in [0.0, 37.0, 270.0] {
        let view = zenith_view(heading, 90.0);
        assert_close(view.pointing.altitude_deg, 90.0, 1e-9, "altitude");
        assert_close(view.roll_deg, heading, 1e-9, "roll");
        assert_eq!(view.field_of_view_deg, 90.0);
    }
    // The reading's length does not matter (raw counts, 1 g or not).
    let scaled = view_from_gravity([0.0, 0.0, -256.0], 10.0, 90.0);
    assert_close(scaled.pointing.altitude_deg, 90.0, 1e-9, "altitude");
}

#[test]
fn a_lamp_facing_a_wall_looks_at_the_horizon_opposite_its_heading() {
    for (heading, azimuth) in [(0.0, 180.0), (90.0, 270.0), (200.0, 20.0)] {
        let view = view_from_gravity([0.0, -1.0, 0.0], heading, 60.0);
        assert_close(view.pointing.altitude_deg, 0.0, 1e-9, "altitude");
        assert_close(view.pointing.azimuth_deg, azimuth, 1e-9, "azimuth");
        // Upright: a star straight above the pointing is straight above the centre.
        let (x, y) = project(&view, at(20.0, azimuth), 640, 480).expect("in view");
        assert_close(f64::from(x), 320.0, 1e-3, "x");
        assert!(y < 240.0 - 50.0, "{y}");
    }
    // Half way from the ceiling to the wall.
    let half = view_from_gravity([0.0, -1.0, -1.0], 0.0, 60.0);
    assert_close(half.pointing.altitude_deg, 45.0, 1e-9, "altitude");
    assert_close(half.pointing.azimuth_deg, 180.0, 1e-9, "azimuth");
}

#[test]
fn tilting_sideways_and_down_and_a_dead_sensor_point_where_documented() {
    // Rolled onto its side so +X is up: the beam swings towards −X, west at heading 0.
    let side = view_from_gravity([-1.0, 0.0, 0.0], 0.0, 60.0);
    assert_close(side.pointing.altitude_deg, 0.0, 1e-9, "altitude");
    assert_close(side.pointing.azimuth_deg, 270.0, 1e-9, "azimuth");
    let table = view_from_gravity([0.0, 0.0, 1.0], 0.0, 60.0);
    assert_close(table.pointing.altitude_deg, -90.0, 1e-9, "altitude");
    for broken in [[0.0, 0.0, 0.0], [f32::NAN, 0.0, 1.0]] {
        let view = view_from_gravity(broken, 0.0, 60.0);
        assert_close(view.pointing.altitude_deg, 90.0, 1e-9, "altitude");
    }
}

#[test]
fn looking_up_with_north_at_the_top_east_is_on_the_left() {
    // Lying on your back under the porthole, head to the north: north is the top of what you
    // see, so east is on your left (and on the frame buffer's left).
    let view = zenith_view(0.0, 90.0);
    let (x, y) = project(&view, at(80.0, 90.0), 640, 480).expect("east, 10° from the zenith");
    assert!(x < 320.0 - 20.0, "east should be left of centre, x = {x}");
    assert_close(f64::from(y), 240.0, 1e-3, "y");
    let (x, y) = project(&view, at(80.0, 270.0), 640, 480).expect("west");
    assert!(x > 320.0 + 20.0, "west should be right of centre, x = {x}");
    assert_close(f64::from(y), 240.0, 1e-3, "y");
    let (x, y) = project(&view, at(80.0, 0.0), 640, 480).expect("north");
    assert!(y < 240.0 - 20.0, "north should be up, y = {y}");
    assert_close(f64::from(x), 320.0, 1e-3, "x");
    // Head to the east instead: east is now at the top, north on the right.
    let turned = zenith_view(90.0, 90.0);
    let (_, y) = project(&turned, at(80.0, 90.0), 640, 480).expect("east");
    assert!(y < 240.0 - 20.0, "{y}");
    let (x, _) = project(&turned, at(80.0, 0.0), 640, 480).expect("north");
    assert!(x > 320.0 + 20.0, "{x}");
}

#[test]
fn facing_a_south_wall_east_is_on_the_left_as_outdoors() {
    let view = view_from_gravity([0.0, -1.0, 0.0], 0.0, 60.0);
    let (x, _) = project(&view, at(10.0, 170.0), 640, 480).expect("south-east");
    assert!(x < 320.0 - 20.0, "{x}");
}

#[test]
fn the_pointing_direction_lands_in_the_centre_and_the_rim_at_half_the_field() {
    let view = View {
        pointing: at(35.0, 123.0),
        roll_deg: 40.0,
        field_of_view_deg: 70.0,
    };
    let (x, y) = project(&view, view.pointing, 800, 600).expect("centre");
    assert_close(f64::from(x), 400.0, 1e-3, "x");
    assert_close(f64::from(y), 300.0, 1e-3, "y");
    // 34.9° from the centre: just inside the circle of radius 300.
    let near_rim = at(35.0 + 34.9, 123.0);
    let (x, y) = project(&view, near_rim, 800, 600).expect("inside");
    let distance = f64::from(x - 400.0).hypot(f64::from(y - 300.0));
    assert!(distance > 295.0 && distance <= 300.0, "{distance}");
    assert_eq!(project(&view, at(35.0 + 35.5, 123.0), 800, 600), None);
}

#[test]
fn a_star_behind_the_beam_or_outside_the_circle_is_not_projected() {
    let view = zenith_view(0.0, 90.0);
    assert_eq!(project(&view, at(-90.0, 0.0), 640, 480), None, "behind");
    assert_eq!(project(&view, at(-10.0, 45.0), 640, 480), None, "below");
    assert_eq!(project(&view, at(30.0, 45.0), 640, 480), None, "60° out");
    assert!(
        project(&view, at(50.0, 45.0), 640, 480).is_some(),
        "40° out"
    );
}

#[test]
fn a_bright_star_is_a_lit_disc_at_its_projected_point_and_its_name_beside_it() {
    let place = at(70.0, 200.0);
    let catalog = catalog_at(&[(1, "Testar", -1.0, place)], &[]);
    let view = zenith_view(0.0, 100.0);
    let style = Style::default();
    let mut canvas = Canvas::new(320, 240);
    draw(&mut canvas, &catalog, LONDON, moment(), &view, &style).expect("infallible");
    let (x, y) = project(&view, place, 320, 240).expect("in view");
    let lit = canvas.at(x.floor() as i32, y.floor() as i32);
    assert!(lit.r() > 200 && lit.g() > 200, "{lit:?} at ({x}, {y})");
    // A disc, not a dot: the neighbours are lit too.
    assert!(canvas.count_near((x, y), 2, lit) >= 9);
    // The label sits to the right of the disc.
    let label_pixels = canvas.count_near((x + 25.0, y), 18, style.label);
    assert!(label_pixels > 20, "{label_pixels}");
    assert_eq!(canvas.at(5, 5), style.background);
}

#[test]
fn faint_stars_are_smaller_and_dimmer_and_past_the_limit_are_not_drawn() {
    let bright = at(60.0, 0.0);
    let faint = at(60.0, 120.0);
    let too_faint = at(60.0, 240.0);
    let catalog = catalog_at(
        &[
            (1, "", 0.0, bright),
            (2, "", 5.0, faint),
            (3, "", 6.5, too_faint),
        ],
        &[],
    );
    let view = zenith_view(0.0, 120.0);
    let style = Style::default();
    let mut canvas = Canvas::new(320, 240);
    draw(&mut canvas, &catalog, LONDON, moment(), &view, &style).expect("infallible");
    let lit = |place| {
        let point = project(&view, place, 320, 240).expect("in view");
        (
            canvas.at(point.0.floor() as i32, point.1.floor() as i32),
            point,
        )
    };
    let (bright_colour, bright_point) = lit(bright);
    let (faint_colour, faint_point) = lit(faint);
    let (sky_colour, _) = lit(too_faint);
    assert!(bright_colour.r() > faint_colour.r() && faint_colour.r() > style.sky.r());
    assert_eq!(sky_colour, style.sky);
    assert!(
        canvas.count_near(bright_point, 4, bright_colour)
            > canvas.count_near(faint_point, 4, faint_colour)
    );
}

#[test]
fn nothing_is_drawn_outside_the_circle() {
    // The whole bundled sky with names, looking at a wall, so the horizon, the ground, the
    // letters and many stars all reach the rim.
    let style = Style {
        labels: 50,
        magnitude_limit: 6.5,
        ..Style::default()
    };
    let (width, height) = (400, 300);
    for view in [
        view_from_gravity([0.0, -1.0, 0.0], 30.0, 120.0),
        zenith_view(0.0, 190.0),
    ] {
        let mut canvas = Canvas::new(width, height);
        draw(
            &mut canvas,
            Catalog::bundled(),
            LONDON,
            moment(),
            &view,
            &style,
        )
        .expect("infallible");
        assert_eq!(canvas.out_of_bounds, 0);
        let (centre_x, centre_y, radius) = (200.0, 150.0, 150.0);
        let mut inside_lit = 0;
        for y in 0..height as i32 {
            for x in 0..width as i32 {
                let distance = (f64::from(x) + 0.5 - centre_x).hypot(f64::from(y) + 0.5 - centre_y);
                let colour = canvas.at(x, y);
                if distance > radius {
                    assert_eq!(colour, style.background, "({x}, {y}) outside the circle");
                } else if distance < radius - 3.0 && ![style.sky, style.ground].contains(&colour) {
                    inside_lit += 1;
                }
            }
        }
        assert!(
            inside_lit > 200,
            "{inside_lit} pixels of stars, lines, labels"
        );
    }
}

#[test]
fn facing_a_wall_the_lower_half_is_ground_and_the_horizon_crosses_the_middle() {
    let view = view_from_gravity([0.0, -1.0, 0.0], 0.0, 90.0);
    let empty = catalog_at(&[], &[]);
    let style = Style::default();
    let mut canvas = Canvas::new(320, 240);
    draw(&mut canvas, &empty, LONDON, moment(), &view, &style).expect("infallible");
    assert_eq!(canvas.at(160, 60), style.sky);
    assert_eq!(canvas.at(160, 180), style.ground);
    assert_eq!(canvas.at(60, 125), style.ground, "the horizon is level");
    assert_eq!(canvas.at(60, 115), style.sky, "the horizon is level");
    // The horizon line is on the middle row, across the circle.
    let horizon_pixels = (0..320)
        .filter(|&x| canvas.at(x, 119) == style.horizon || canvas.at(x, 120) == style.horizon)
        .count();
    assert!(horizon_pixels > 150, "{horizon_pixels}");
    // "S" stands just above the horizon in the middle.
    let south = project(&view, at(3.0, 180.0), 320, 240).expect("south");
    assert!(canvas.count_near(south, 8, style.cardinal) > 5);
    // The rim.
    assert_eq!(canvas.at(160, 1), style.rim);
    assert_eq!(canvas.at(41, 120), style.rim);
}

#[test]
fn a_wide_zenith_view_shows_all_four_cardinal_points_where_they_belong() {
    let view = zenith_view(0.0, 200.0);
    let empty = catalog_at(&[], &[]);
    let style = Style::default();
    let mut canvas = Canvas::new(400, 400);
    draw(&mut canvas, &empty, LONDON, moment(), &view, &style).expect("infallible");
    for azimuth in [0.0, 90.0, 180.0, 270.0] {
        let letter = project(&view, at(3.0, azimuth), 400, 400).expect("in view");
        assert!(
            canvas.count_near(letter, 8, style.cardinal) > 5,
            "no letter at azimuth {azimuth}, {letter:?}"
        );
    }
    let east = project(&view, at(3.0, 90.0), 400, 400).expect("east");
    assert!(east.0 < 100.0, "east is on the left: {east:?}");
    // Beyond the horizon, near the rim, is ground.
    assert_eq!(canvas.at(200, 395), style.ground);
}

#[test]
fn a_stick_figure_is_a_dim_line_between_its_stars() {
    let (a, b) = (at(75.0, 10.0), at(75.0, 100.0));
    let catalog = catalog_at(&[(1, "", 2.0, a), (2, "", 2.5, b)], &[(1, 2)]);
    let view = zenith_view(0.0, 90.0);
    let style = Style::default();
    let mut canvas = Canvas::new(320, 240);
    draw(&mut canvas, &catalog, LONDON, moment(), &view, &style).expect("infallible");
    let (ax, ay) = project(&view, a, 320, 240).expect("a");
    let (bx, by) = project(&view, b, 320, 240).expect("b");
    let middle = ((ax + bx) / 2.0, (ay + by) / 2.0);
    assert!(canvas.count_near(middle, 1, style.constellation_line) >= 1);
    let without = Style {
        show_lines: false,
        ..Style::default()
    };
    let mut canvas = Canvas::new(320, 240);
    draw(&mut canvas, &catalog, LONDON, moment(), &view, &without).expect("infallible");
    assert_eq!(canvas.count_near(middle, 1, style.constellation_line), 0);
}

#[test]
fn the_porthole_follows_the_target_size_and_fills_every_pixel() {
    let style = Style::default();
    let mut canvas = Canvas::new(90, 200);
    draw(
        &mut canvas,
        Catalog::bundled(),
        LONDON,
        moment(),
        &zenith_view(0.0, 90.0),
        &style,
    )
    .expect("infallible");
    // The initial colour is gone everywhere: background, rim, sky or something drawn.
    assert!(canvas.pixels.iter().all(|&p| p != Rgb888::new(1, 2, 3)));
    assert_eq!(
        canvas.at(45, 5),
        style.background,
        "a narrow target: circle 90 across"
    );
    assert_eq!(canvas.at(45, 56), style.rim);
}

#[test]
fn a_name_that_would_overlap_a_brighter_stars_name_is_left_out() {
    let view = zenith_view(0.0, 100.0);
    let style = Style::default();
    let label_pixels = |catalog: &Catalog| {
        let mut canvas = Canvas::new(320, 240);
        draw(&mut canvas, catalog, LONDON, moment(), &view, &style).expect("infallible");
        canvas.pixels.iter().filter(|&&p| p == style.label).count()
    };
    let (a, b) = (at(70.0, 200.0), at(70.5, 200.0));
    let one = label_pixels(&catalog_at(&[(1, "Wwwwww", 1.0, a)], &[]));
    let two = label_pixels(&catalog_at(
        &[(1, "Wwwwww", 1.0, a), (2, "Mmmmmm", 1.5, b)],
        &[],
    ));
    assert!(one > 50, "{one}");
    // The fainter star's disc may cover a few of the first label's pixels; nothing is added.
    assert!(two <= one, "{two} > {one}");
    // Apart, both are named.
    let apart = label_pixels(&catalog_at(
        &[(1, "Wwwwww", 1.0, a), (2, "Mmmmmm", 1.5, at(50.0, 20.0))],
        &[],
    ));
    assert!(apart > one + 50, "{apart} vs {one}");
}
