//! The stars the space porthole draws: a bright-star catalog and the constellation stick
//! figures, bundled from `assets/lantern/` (see its README for the source, licences and
//! columns), and [`sky_at`], the stars above the horizon for a place and time.
//!
//! The two files are plain CSV without quoting, so they are read here by hand: a mistake in
//! one names the file, the line, the field and what would be accepted.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;

use crate::sky;

/// `assets/lantern/stars.csv`, compiled in.
const BUNDLED_STARS: &str = include_str!("../../../assets/lantern/stars.csv");
/// `assets/lantern/constellations.csv`, compiled in.
const BUNDLED_LINES: &str = include_str!("../../../assets/lantern/constellations.csv");
/// Where the bundled files live in the repository, for error messages.
const BUNDLED_SOURCE: &str = "assets/lantern";

const STARS_HEADER: &str = "hip,name,magnitude,ra_deg,dec_deg,constellation";
const LINES_HEADER: &str = "constellation,from_hip,to_hip";
const STAR_FIELDS: [&str; 6] = [
    "hip",
    "name",
    "magnitude",
    "ra_deg",
    "dec_deg",
    "constellation",
];
const LINE_FIELDS: [&str; 3] = ["constellation", "from_hip", "to_hip"];

/// One star of the catalog.
#[derive(Clone, Debug, PartialEq)]
pub struct Star {
    /// Hipparcos catalogue number.
    pub hip: u32,
    /// IAU proper name, if it has one.
    pub name: Option<String>,
    /// Apparent visual magnitude (smaller is brighter).
    pub magnitude: f32,
    /// ICRS position at epoch J2000.0.
    pub position: sky::Equatorial,
    /// IAU three-letter abbreviation of its constellation, if known.
    pub constellation: Option<String>,
}

/// One segment of a constellation's stick figure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstellationLine {
    /// IAU three-letter abbreviation.
    pub constellation: String,
    /// The star at one end.
    pub from_hip: u32,
    /// The star at the other end.
    pub to_hip: u32,
}

/// Stars (brightest first), stick figures, and a HIP index; every line's stars are present.
#[derive(Clone, Debug)]
pub struct Catalog {
    stars: Vec<Star>,
    /// J2000 unit vectors of `stars`, same order: what the drawing loop uses, so it does no
    /// trigonometry per star.
    unit_vectors: Vec<[f64; 3]>,
    lines: Vec<ConstellationLine>,
    /// Each line's two stars as indices into `stars`.
    line_ends: Vec<(usize, usize)>,
    index: HashMap<u32, usize>,
}

/// Why a catalog could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file could not be read at all.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file was read but something in it is not accepted.
    #[error("{0}")]
    Invalid(Box<Invalid>),
}

/// Where in which file a catalog is wrong, and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The file, as given to [`Catalog::parse`] or [`Catalog::load`].
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// 1-based field number, when one field is at fault.
    pub field: Option<(usize, &'static str)>,
    /// What is wrong and what is accepted.
    pub problem: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, line {}", self.file, self.line)?;
        if let Some((number, name)) = self.field {
            write!(f, ", field {number} ({name})")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl Catalog {
    /// The catalog compiled into the firmware (`assets/lantern/`), parsed on first use.
    pub fn bundled() -> &'static Catalog {
        static BUNDLED: OnceLock<Catalog> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            // The files are checked by this crate's tests, so a failure here is a build that
            // shipped broken assets, not bad input.
            Catalog::parse(BUNDLED_STARS, BUNDLED_LINES, BUNDLED_SOURCE)
                .unwrap_or_else(|error| panic!("the bundled star catalog is broken: {error}"))
        })
    }

    /// Parses the two CSV texts; `source` names the folder they came from, so errors read
    /// `{source}/stars.csv, line 12, field 3 (magnitude): …`.
    pub fn parse(stars_csv: &str, lines_csv: &str, source: &str) -> Result<Catalog, CatalogError> {
        let source = source.trim_end_matches('/');
        Catalog::parse_files(
            stars_csv,
            &format!("{source}/stars.csv"),
            lines_csv,
            &format!("{source}/constellations.csv"),
        )
    }

    /// Reads and parses a stars file and a constellation-lines file.
    pub fn load(stars: &Path, lines: &Path) -> Result<Catalog, CatalogError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        Catalog::parse_files(
            &read(stars)?,
            &stars.display().to_string(),
            &read(lines)?,
            &lines.display().to_string(),
        )
    }

    fn parse_files(
        stars_csv: &str,
        stars_file: &str,
        lines_csv: &str,
        lines_file: &str,
    ) -> Result<Catalog, CatalogError> {
        let mut stars = Vec::new();
        let mut first_line_of = HashMap::new();
        for (line_number, fields) in records(stars_csv, stars_file, STARS_HEADER, &STAR_FIELDS)? {
            let at = Location {
                file: stars_file,
                line: line_number,
                names: &STAR_FIELDS,
            };
            let hip = at.hip(0, fields[0])?;
            if let Some(earlier) = first_line_of.insert(hip, line_number) {
                return Err(at.field_error(
                    0,
                    format!("HIP {hip} is listed twice (first on line {earlier}); each star once"),
                ));
            }
            let magnitude = at.number(2, fields[2], -30.0..=30.0, "a magnitude like 4.25")?;
            let ra_deg = at.number(3, fields[3], 0.0..=360.0, "degrees 0–360")?;
            let dec_deg = at.number(4, fields[4], -90.0..=90.0, "degrees −90–90")?;
            let constellation = match fields[5] {
                "" => None,
                code => Some(at.constellation(5, code)?),
            };
            stars.push(Star {
                hip,
                name: (!fields[1].is_empty()).then(|| fields[1].to_string()),
                magnitude: magnitude as f32,
                position: sky::Equatorial { ra_deg, dec_deg },
                constellation,
            });
        }
        // Brightest first, whatever the file's order: drawing and `sky_at` stop at a limit.
        stars.sort_by(|a, b| a.magnitude.total_cmp(&b.magnitude).then(a.hip.cmp(&b.hip)));
        let index: HashMap<u32, usize> = stars
            .iter()
            .enumerate()
            .map(|(position, star)| (star.hip, position))
            .collect();

        let mut lines = Vec::new();
        let mut line_ends = Vec::new();
        for (line_number, fields) in records(lines_csv, lines_file, LINES_HEADER, &LINE_FIELDS)? {
            let at = Location {
                file: lines_file,
                line: line_number,
                names: &LINE_FIELDS,
            };
            let constellation = at.constellation(0, fields[0])?;
            let end = |field: usize| -> Result<(u32, usize), CatalogError> {
                let hip = at.hip(field, fields[field])?;
                let position = index.get(&hip).copied().ok_or_else(|| {
                    at.field_error(
                        field,
                        format!("HIP {hip} is not in {stars_file}; a line joins two listed stars"),
                    )
                })?;
                Ok((hip, position))
            };
            let (from_hip, from) = end(1)?;
            let (to_hip, to) = end(2)?;
            lines.push(ConstellationLine {
                constellation,
                from_hip,
                to_hip,
            });
            line_ends.push((from, to));
        }

        let unit_vectors = stars
            .iter()
            .map(|star| sky::unit_vector(star.position))
            .collect();
        Ok(Catalog {
            stars,
            unit_vectors,
            lines,
            line_ends,
            index,
        })
    }

    /// All stars, brightest first.
    pub fn stars(&self) -> &[Star] {
        &self.stars
    }

    /// All stick-figure segments, in file order.
    pub fn lines(&self) -> &[ConstellationLine] {
        &self.lines
    }

    /// The star with this Hipparcos number.
    pub fn by_hip(&self, hip: u32) -> Option<&Star> {
        self.index.get(&hip).map(|&position| &self.stars[position])
    }

    /// J2000 unit vectors ([`sky::unit_vector`]), in the order of [`Catalog::stars`]: with a
    /// [`sky::LocalSky`] they place every star without trigonometry.
    pub fn unit_vectors(&self) -> &[[f64; 3]] {
        &self.unit_vectors
    }

    /// Each line's two stars as indices into [`Catalog::stars`], in the order of
    /// [`Catalog::lines`].
    pub fn line_ends(&self) -> &[(usize, usize)] {
        &self.line_ends
    }
}

/// A star above the horizon at one place and moment, for the shell and the web companion.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VisibleStar {
    /// Hipparcos catalogue number.
    pub hip: u32,
    /// IAU proper name, if it has one.
    pub name: Option<String>,
    /// Apparent visual magnitude.
    pub magnitude: f32,
    /// J2000 right ascension, degrees.
    pub ra_deg: f64,
    /// J2000 declination, degrees.
    pub dec_deg: f64,
    /// Above the horizon, degrees (geometric, no refraction).
    pub altitude_deg: f64,
    /// From north through east, degrees 0–360.
    pub azimuth_deg: f64,
    /// IAU three-letter abbreviation, if known.
    pub constellation: Option<String>,
}

/// The stars at least as bright as `magnitude_limit` (magnitude ≤ limit) that stand above the
/// horizon for `observer` at `unix_seconds`, brightest first. Positions as [`sky::horizontal`].
pub fn sky_at(
    catalog: &Catalog,
    observer: sky::Observer,
    unix_seconds: f64,
    magnitude_limit: f32,
) -> Vec<VisibleStar> {
    let local = sky::LocalSky::new(observer, unix_seconds);
    catalog
        .stars
        .iter()
        .zip(&catalog.unit_vectors)
        .take_while(|(star, _)| star.magnitude <= magnitude_limit)
        .filter_map(|(star, &unit)| {
            let east_north_up = local.east_north_up(unit);
            // Exactly on the horizon counts as below: half the disc would be under it.
            (east_north_up[2] > 0.0).then(|| {
                let here = sky::from_east_north_up(east_north_up);
                VisibleStar {
                    hip: star.hip,
                    name: star.name.clone(),
                    magnitude: star.magnitude,
                    ra_deg: star.position.ra_deg,
                    dec_deg: star.position.dec_deg,
                    altitude_deg: here.altitude_deg,
                    azimuth_deg: here.azimuth_deg,
                    constellation: star.constellation.clone(),
                }
            })
        })
        .collect()
}

/// The data lines of a CSV text after checking its header: (1-based line number, fields).
fn records<'a>(
    text: &'a str,
    file: &str,
    header: &str,
    names: &'static [&'static str],
) -> Result<Vec<(usize, Vec<&'a str>)>, CatalogError> {
    let invalid = |line: usize, problem: String| {
        CatalogError::Invalid(Box::new(Invalid {
            file: file.to_string(),
            line,
            field: None,
            problem,
        }))
    };
    let mut lines = text.lines().enumerate().map(|(index, line)| {
        // A byte-order mark from a spreadsheet export is not part of the header.
        let line = if index == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        (index + 1, line.trim_end_matches('\r'))
    });
    match lines.next() {
        Some((_, first)) if first.trim() == header => {}
        Some((_, first)) => {
            return Err(invalid(
                1,
                format!("the header is `{first}`; expected `{header}`"),
            ));
        }
        None => {
            return Err(invalid(
                1,
                format!("the file is empty; expected `{header}`"),
            ));
        }
    }
    let mut records = Vec::new();
    for (line_number, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != names.len() {
            return Err(invalid(
                line_number,
                format!(
                    "{} fields; expected {} ({}), without quoting",
                    fields.len(),
                    names.len(),
                    names.join(",")
                ),
            ));
        }
        records.push((line_number, fields));
    }
    Ok(records)
}

/// A line of a file, for checking its fields and naming them in errors.
struct Location<'a> {
    file: &'a str,
    line: usize,
    names: &'static [&'static str],
}

impl Location<'_> {
    fn field_error(&self, field: usize, problem: String) -> CatalogError {
        CatalogError::Invalid(Box::new(Invalid {
            file: self.file.to_string(),
            line: self.line,
            field: Some((field + 1, self.names[field])),
            problem,
        }))
    }

    fn hip(&self, field: usize, text: &str) -> Result<u32, CatalogError> {
        match text.parse::<u32>() {
            Ok(hip) if hip > 0 => Ok(hip),
            _ => Err(self.field_error(
                field,
                format!("`{text}` is not a Hipparcos number; expected a whole number from 1"),
            )),
        }
    }

    fn number(
        &self,
        field: usize,
        text: &str,
        accepted: std::ops::RangeInclusive<f64>,
        what: &str,
    ) -> Result<f64, CatalogError> {
        match text.parse::<f64>() {
            Ok(value) if accepted.contains(&value) => Ok(value),
            _ => Err(self.field_error(field, format!("`{text}` is not accepted; expected {what}"))),
        }
    }

    fn constellation(&self, field: usize, text: &str) -> Result<String, CatalogError> {
        if text.len() == 3 && text.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(text.to_string())
        } else {
            Err(self.field_error(
                field,
                format!(
                    "`{text}` is not accepted; expected an IAU three-letter abbreviation like CMa"
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "hip,name,magnitude,ra_deg,dec_deg,constellation\n";

    fn invalid(result: Result<Catalog, CatalogError>) -> Invalid {
        match result {
            Err(CatalogError::Invalid(invalid)) => *invalid,
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    #[test]
    fn the_bundled_catalog_has_the_bright_sky() {
        let catalog = Catalog::bundled();
        assert!(catalog.stars().len() >= 4_000, "{}", catalog.stars().len());
        let sirius = catalog.by_hip(32_349).expect("Sirius");
        assert_eq!(sirius.name.as_deref(), Some("Sirius"));
        assert_eq!(sirius.constellation.as_deref(), Some("CMa"));
        // Hipparcos V is −1.44; the textbook value is −1.46.
        assert!(
            (sirius.magnitude + 1.46).abs() < 0.05,
            "{}",
            sirius.magnitude
        );
        assert_eq!(catalog.stars()[0].hip, 32_349, "Sirius is the brightest");
        assert!((sirius.position.ra_deg - 101.287).abs() < 0.01);
        assert!((sirius.position.dec_deg + 16.716).abs() < 0.01);
        assert!(
            catalog
                .stars()
                .windows(2)
                .all(|pair| pair[0].magnitude <= pair[1].magnitude)
        );
        let named_among_brightest = catalog.stars()[..100]
            .iter()
            .filter(|star| star.name.is_some())
            .count();
        assert!(named_among_brightest >= 90, "{named_among_brightest}");
    }

    #[test]
    fn every_stick_figure_joins_two_catalog_stars_in_all_88_constellations() {
        let catalog = Catalog::bundled();
        assert!(catalog.lines().len() > 600);
        for line in catalog.lines() {
            assert!(catalog.by_hip(line.from_hip).is_some(), "{line:?}");
            assert!(catalog.by_hip(line.to_hip).is_some(), "{line:?}");
        }
        let constellations: std::collections::BTreeSet<&str> = catalog
            .lines()
            .iter()
            .map(|line| line.constellation.as_str())
            .collect();
        assert_eq!(constellations.len(), 88);
        let orion_has_betelgeuse = catalog.lines().iter().any(|line| {
            line.constellation == "Ori" && (line.from_hip == 27_989 || line.to_hip == 27_989)
        });
        assert!(orion_has_betelgeuse);
    }

    #[test]
    fn a_bad_magnitude_is_named_by_file_line_and_field() {
        let stars = format!("{HEADER}32349,Sirius,-1.44,101.2871,-16.7161,CMa\n1,,bright,0,0,\n");
        let error = invalid(Catalog::parse(&stars, LINES_HEADER, "here"));
        assert_eq!(error.file, "here/stars.csv");
        assert_eq!(error.line, 3);
        assert_eq!(error.field, Some((3, "magnitude")));
        let message = CatalogError::Invalid(Box::new(error)).to_string();
        assert!(
            message.starts_with("here/stars.csv, line 3, field 3 (magnitude): `bright`"),
            "{message}"
        );
        assert!(message.contains("expected a magnitude"), "{message}");
    }

    #[test]
    fn out_of_range_positions_missing_fields_and_wrong_headers_are_refused() {
        let ra = invalid(Catalog::parse(
            &format!("{HEADER}7,,3.0,361,0,\n"),
            LINES_HEADER,
            "x",
        ));
        assert_eq!((ra.line, ra.field), (2, Some((4, "ra_deg"))));
        let dec = invalid(Catalog::parse(
            &format!("{HEADER}7,,3.0,10,-91,\n"),
            LINES_HEADER,
            "x",
        ));
        assert_eq!(dec.field, Some((5, "dec_deg")));
        let short = invalid(Catalog::parse(
            &format!("{HEADER}7,,3.0,10\n"),
            LINES_HEADER,
            "x",
        ));
        assert_eq!((short.line, short.field), (2, None));
        assert!(short.problem.contains("4 fields; expected 6"), "{short}");
        let header = invalid(Catalog::parse("hip,mag\n", LINES_HEADER, "x"));
        assert_eq!((header.file.as_str(), header.line), ("x/stars.csv", 1));
        assert!(header.problem.contains(STARS_HEADER));
        let twice = invalid(Catalog::parse(
            &format!("{HEADER}7,,3.0,10,0,\n7,,4.0,11,0,\n"),
            LINES_HEADER,
            "x",
        ));
        assert!(twice.problem.contains("first on line 2"), "{twice}");
    }

    #[test]
    fn a_line_to_an_unlisted_star_names_the_lines_file() {
        let stars = format!("{HEADER}7,,3.0,10,0,Ori\n8,,3.5,11,1,Ori\n");
        let lines = format!("{LINES_HEADER}\nOri,7,8\nOri,8,9\n");
        let error = invalid(Catalog::parse(&stars, &lines, "x"));
        assert_eq!(error.file, "x/constellations.csv");
        assert_eq!((error.line, error.field), (3, Some((3, "to_hip"))));
        assert!(
            error.problem.contains("HIP 9 is not in x/stars.csv"),
            "{error}"
        );
        let bad_code = invalid(Catalog::parse(
            &stars,
            &format!("{LINES_HEADER}\nOrion,7,8\n"),
            "x",
        ));
        assert_eq!(bad_code.field, Some((1, "constellation")));
    }

    #[test]
    fn a_small_catalog_parses_sorted_with_blank_and_crlf_lines() {
        let stars = format!("{HEADER}8,,3.5,11,1,\r\n\r\n7,Seven,-0.5,10,0,Ori\r\n");
        let catalog = Catalog::parse(&stars, &format!("{LINES_HEADER}\nOri,8,7\n"), "x")
            .expect("valid catalog");
        let order: Vec<u32> = catalog.stars().iter().map(|star| star.hip).collect();
        assert_eq!(order, [7, 8]);
        assert_eq!(
            catalog.by_hip(7).and_then(|s| s.name.as_deref()),
            Some("Seven")
        );
        assert_eq!(
            catalog.by_hip(8).and_then(|s| s.constellation.clone()),
            None
        );
        assert_eq!(catalog.line_ends(), &[(1, 0)]);
    }

    #[test]
    fn load_names_a_missing_file() {
        let error = Catalog::load(
            Path::new("/nonexistent/stars.csv"),
            Path::new("/nonexistent/constellations.csv"),
        )
        .expect_err("no such file");
        assert!(
            error.to_string().contains("/nonexistent/stars.csv"),
            "{error}"
        );
    }

    #[test]
    fn load_reads_the_repository_files() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/lantern");
        let catalog = Catalog::load(
            &folder.join("stars.csv"),
            &folder.join("constellations.csv"),
        )
        .expect("the asset files");
        assert_eq!(catalog.stars().len(), Catalog::bundled().stars().len());
    }

    #[test]
    fn polaris_stands_at_the_observers_latitude() {
        let catalog = Catalog::bundled();
        let moment = sky::unix_seconds(2026, 11, 25, 21, 0, 0.0);
        for latitude_deg in [51.5, 10.0, 70.0] {
            let observer = sky::Observer {
                latitude_deg,
                longitude_deg: -0.1,
            };
            let visible = sky_at(catalog, observer, moment, 2.5);
            let polaris = visible
                .iter()
                .find(|star| star.name.as_deref() == Some("Polaris"))
                .expect("Polaris is up north of the equator");
            assert!(
                (polaris.altitude_deg - latitude_deg).abs() < 1.0,
                "{latitude_deg}: {polaris:?}"
            );
        }
    }

    #[test]
    fn sky_at_agrees_with_the_step_by_step_formulas_and_keeps_only_what_is_up() {
        let catalog = Catalog::bundled();
        let observer = sky::Observer {
            latitude_deg: -33.9,
            longitude_deg: 151.2,
        };
        let moment = sky::unix_seconds(2027, 3, 1, 10, 0, 0.0);
        let visible = sky_at(catalog, observer, moment, 4.0);
        let up_by_formula = catalog
            .stars()
            .iter()
            .filter(|star| star.magnitude <= 4.0)
            .filter(|star| sky::horizontal(star.position, observer, moment).altitude_deg > 0.0)
            .count();
        assert_eq!(visible.len(), up_by_formula);
        assert!(visible.len() > 100, "{}", visible.len());
        assert!(visible.windows(2).all(|w| w[0].magnitude <= w[1].magnitude));
        for star in &visible {
            let star_position = sky::Equatorial {
                ra_deg: star.ra_deg,
                dec_deg: star.dec_deg,
            };
            let reference = sky::horizontal(star_position, observer, moment);
            // Compared angle by angle: `separation_deg` goes through acos, blind below ~1e-6°.
            assert!(
                (star.altitude_deg - reference.altitude_deg).abs() < 1e-8,
                "{star:?} vs {reference:?}"
            );
            let azimuth_gap =
                (star.azimuth_deg - reference.azimuth_deg + 180.0).rem_euclid(360.0) - 180.0;
            let across = azimuth_gap.abs() * star.altitude_deg.to_radians().cos();
            assert!(across < 1e-8, "{star:?} vs {reference:?}");
            assert!(star.magnitude <= 4.0 && star.altitude_deg > 0.0);
        }
    }

    #[test]
    fn a_visible_star_serialises_with_its_field_names() {
        let observer = sky::Observer {
            latitude_deg: 51.5,
            longitude_deg: -0.1,
        };
        let moment = sky::unix_seconds(2027, 1, 15, 22, 0, 0.0);
        let visible = sky_at(Catalog::bundled(), observer, moment, 0.0);
        let sirius = visible
            .iter()
            .find(|star| star.hip == 32_349)
            .expect("Sirius is up on a January night in London");
        let json = serde_json::to_value(sirius).expect("serialisable");
        assert_eq!(json["name"], "Sirius");
        assert_eq!(json["constellation"], "CMa");
        assert_eq!(json["altitude_deg"], sirius.altitude_deg);
        let fields: Vec<&str> = json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(fields.len(), 8, "{fields:?}");
    }
}
