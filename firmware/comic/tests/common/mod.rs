//! A small library written to a temp folder: grids with square frames, art with a disc.
#![allow(dead_code)] // each test binary uses its own part

use std::path::Path;

use comic::library::{Library, PageSize};

/// A 100 mm page at 120 dpi: 472 px wide. Small, so the tests are quick.
pub const PAGE: PageSize = PageSize {
    width_mm: 100.0,
    dpi: 120,
};

/// Draws a grid of `boxes` (x, y, w, h in a 600-px-wide drawing) with 5-px frames.
pub fn write_grid(path: &Path, height: u32, boxes: &[(u32, u32, u32, u32)]) {
    let mut image = image::GrayImage::from_pixel(600, height, image::Luma([255]));
    for &(bx, by, bw, bh) in boxes {
        for y in by..by + bh {
            for x in bx..bx + bw {
                let frame = x < bx + 5 || x >= bx + bw - 5 || y < by + 5 || y >= by + bh - 5;
                if frame {
                    image.put_pixel(x, y, image::Luma([0]));
                }
            }
        }
    }
    image.save(path).expect("write grid");
}

/// A picture with a distinct flat grey and a black disc where its subject is.
pub fn write_art(path: &Path, width: u32, height: u32, grey: u8) {
    let image = image::GrayImage::from_fn(width, height, |x, y| {
        let (dx, dy) = (
            x as f64 - width as f64 / 2.0,
            y as f64 - height as f64 / 2.0,
        );
        if dx.hypot(dy) < width.min(height) as f64 / 4.0 {
            image::Luma([0])
        } else {
            image::Luma([grey])
        }
    });
    image.save(path).expect("write art");
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// Two grids (4 small panels; 1 big + 2 small) and `pieces` pictures in themes a/b.
    pub fn new(pieces: usize, big_only: usize) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("grids")).expect("grids");
        std::fs::create_dir_all(root.join("art/pics")).expect("art");
        write_grid(
            &root.join("grids/four.png"),
            700,
            &[
                (20, 20, 270, 270),
                (310, 20, 270, 270),
                (20, 310, 270, 270),
                (310, 310, 270, 270),
            ],
        );
        write_grid(
            &root.join("grids/wide.png"),
            800,
            &[
                (20, 20, 560, 300),
                (20, 340, 270, 300),
                (310, 340, 270, 300),
            ],
        );
        let mut toml = String::new();
        for i in 0..pieces {
            let file = format!("pics/p{i:02}.png");
            write_art(
                &root.join("art").join(&file),
                200 + 13 * i as u32,
                160 + 7 * i as u32,
                40 + (i * 5) as u8,
            );
            let theme = if i % 2 == 0 { "a" } else { "b" };
            // The first `big_only` pieces need a panel wider than any small one (45 mm).
            let min = if i < big_only {
                "[80.0, 40.0]"
            } else {
                "[20.0, 20.0]"
            };
            toml += &format!(
                "[[art]]\nfile = \"{file}\"\nthemes = [\"{theme}\"]\nfocal = [0.25, 0.25, 0.75, 0.75]\n\
                 min_panel_mm = {min}\nanchor = \"center\"\nmay_flip = {}\n\n",
                i % 3 == 0
            );
        }
        std::fs::write(root.join("art/art.toml"), toml).expect("art.toml");
        Fixture { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn library(&self) -> Library {
        Library::load(self.root(), PAGE).expect("library loads")
    }
}
