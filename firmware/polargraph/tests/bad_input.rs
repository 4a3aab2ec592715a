//! Corrupt, truncated, empty, huge and unsupported inputs each get their own clear error.

use std::path::Path;

use polargraph::input::{self, InputError};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn sample_png() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/plotter/portrait.png"
    ))
    .expect("sample")
}

/// A PNG whose header claims `width × height` pixels, followed by no real data.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn error_for(path: &Path) -> InputError {
    input::load(path).expect_err("must be rejected")
}

#[test]
fn each_bad_input_gets_its_own_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = sample_png();
    let cases = [
        (write(dir.path(), "empty.png", b""), "is empty"),
        (
            write(dir.path(), "truncated.png", &png[..png.len() / 2]),
            "is not a valid image file",
        ),
        (
            write(
                dir.path(),
                "corrupt.png",
                &[&png[..16], &[0xAB; 200][..]].concat(),
            ),
            "is not a valid image file",
        ),
        (
            write(dir.path(), "huge.png", &png_claiming(60_000, 60_000)),
            "is too large: images up to 10000 × 10000 pixels",
        ),
        (
            write(dir.path(), "notes.txt", b"not a picture"),
            "is not a PNG, JPEG or SVG file",
        ),
        (
            write(
                dir.path(),
                "broken.svg",
                b"<svg xmlns='http://www.w3.org/2000/svg'><path d='M0 0 L",
            ),
            "is not a valid SVG file",
        ),
        (
            write(
                dir.path(),
                "blank.svg",
                b"<svg xmlns='http://www.w3.org/2000/svg' width='10mm' height='10mm'/>",
            ),
            "has no paths to draw",
        ),
    ];
    for (path, expected) in cases {
        let message = error_for(&path).to_string();
        assert!(
            message.starts_with(&path.display().to_string())
                || message.contains(&path.display().to_string()),
            "{message}"
        );
        assert!(message.contains(expected), "{}: {message}", path.display());
    }
    let missing = dir.path().join("missing.png");
    assert!(error_for(&missing).to_string().starts_with("cannot read"));
}

#[test]
fn an_svg_larger_than_the_paper_is_fitted_never_drawn_off_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let svg = write(
        dir.path(),
        "big.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg' width='2000mm' height='1000mm' viewBox='0 0 2000 1000'>\
          <path d='M10 10 L1990 990 M10 990 C500 0 1500 0 1990 10' stroke='black' fill='none'/></svg>",
    );
    let drawing = input::load(&svg).expect("valid SVG");
    let config = polargraph::PlotterConfig::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../hardware/polargraph.toml"
    )))
    .expect("config");
    let plan = polargraph::Plan::new(&config, Some(&drawing), None, &Default::default(), 0)
        .expect("plans");
    assert!(plan.fitted);
    assert!(
        plan.strokes
            .iter()
            .flat_map(|s| &s.points)
            .all(|p| plan.machine.drawable.contains(*p, 1e-6))
    );
}

#[test]
fn a_gpio_given_twice_in_the_plotter_config_is_named_with_both_keys() {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hardware/polargraph.toml"),
    )
    .expect("shipped config");
    let twice = shipped.replace("enable = 26", "enable = 13");
    let error = polargraph::PlotterConfig::parse(&twice, "polargraph.toml")
        .expect_err("GPIO13 twice")
        .to_string();
    assert!(
        error.contains("key `pins.enable`: GPIO13 is already used by `pins.right_step`"),
        "{error}"
    );
}
