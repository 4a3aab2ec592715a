//! Dither and encode a four-panel comic strip (384 × 1536, a 58 mm printer's width) with each
//! binarisation: the work between "button pressed" and "bytes ready" on the Pi.
//!
//! Run with `cargo bench -p comic`.

use comic::escpos::{Job, encode};
use comic::profile::PrinterProfile;
use comic::raster::{Binarisation, GrayImage, blue_noise_mask, prepare};

fn main() {
    divan::main();
}

/// Gray ramps under line art: the mix a comic has.
fn strip() -> GrayImage {
    GrayImage::from_fn(384, 1536, |x, y| {
        let panel_border = y % 384 < 3 || !(3..381).contains(&x);
        let hatching = (x + y) % 17 == 0 && y % 384 > 200;
        if panel_border || hatching {
            0
        } else {
            ((x + y / 6) % 256) as u8
        }
    })
    .expect("a 384 × 1536 image is within limits")
}

#[divan::bench(args = Binarisation::ALL)]
fn dither_and_encode_384x1536(bencher: divan::Bencher<'_, '_>, method: Binarisation) {
    let profile =
        PrinterProfile::builtin_named("generic-58mm-usb").expect("the profile is built in");
    let image = strip();
    // The blue-noise mask is computed once per process; keep that out of the samples.
    blue_noise_mask();
    bencher.bench_local(|| {
        let bitmap =
            prepare(divan::black_box(&image), profile.width_dots, method).expect("the strip fits");
        encode(&profile, &Job::new(&bitmap)).expect("the strip encodes")
    });
}
