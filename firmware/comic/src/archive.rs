//! The archive: every comic as a high-resolution PNG, the printer's bytes, and a JSON sidecar
//! saying how it was made, numbered in order.
//!
//! Files are written under a temporary name and renamed into place, the sidecar last, so a comic
//! whose sidecar exists is whole, and a process killed mid-save leaves only a temporary file,
//! which numbering ignores — never a half-written comic that `reprint` would send.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::compose::{Comic, ComicRecord};

/// The sidecar: what made the comic, and its files (relative to the archive folder).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// Choices and footer.
    pub comic: ComicRecord,
    /// The PNG.
    pub png: String,
    /// Its resolution.
    pub dpi: u32,
    /// Rows of the PNG above the footer (the printer gets these as a picture).
    pub artwork_rows: u32,
    /// The footer's text.
    pub footer: String,
    /// The printer's byte stream, and the profile and binarisation it was made for.
    pub print: Option<PrintFile>,
}

/// The printer's stream, as saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintFile {
    /// The file.
    pub file: String,
    /// The printer profile's name.
    pub profile: String,
    /// The binarisation, as in the config.
    pub binarisation: String,
}

/// A problem with the archive, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A file could not be written or read.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// A sidecar that is not valid.
    #[error("{}: not a comic sidecar: {cause}", path.display())]
    Sidecar {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: serde_json::Error,
    },
    /// No comic of that number.
    #[error("no comic number {number} in {}; the archive holds {held}", dir.display())]
    Missing {
        /// The number asked for.
        number: u64,
        /// The archive folder.
        dir: PathBuf,
        /// What it holds ("comics 1–12" or "no comics").
        held: String,
    },
}

/// The folder of archived comics.
#[derive(Clone, Debug)]
pub struct Archive {
    dir: PathBuf,
}

/// Where a saved comic's files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// Its number.
    pub number: u64,
    /// The PNG.
    pub png: PathBuf,
    /// The sidecar.
    pub sidecar: PathBuf,
    /// The printer's stream, if one was saved.
    pub print: Option<PathBuf>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |cause| ArchiveError::Io {
        path: path.to_owned(),
        cause,
    }
}

impl Archive {
    /// The archive in `dir`, created if missing.
    pub fn open(dir: &Path) -> Result<Archive, ArchiveError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        Ok(Archive {
            dir: dir.to_owned(),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn stem(number: u64) -> String {
        format!("comic-{number:06}")
    }

    /// The numbers of the comics held, ascending.
    pub fn numbers(&self) -> Result<Vec<u64>, ArchiveError> {
        let mut numbers: Vec<u64> = fs::read_dir(&self.dir)
            .map_err(io(&self.dir))?
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_prefix("comic-")?
                    .strip_suffix(".json")?
                    .parse()
                    .ok()
            })
            .collect();
        numbers.sort_unstable();
        Ok(numbers)
    }

    /// The number the next comic gets: one more than the highest held (1 for an empty archive).
    pub fn next_number(&self) -> Result<u64, ArchiveError> {
        Ok(self.numbers()?.last().map_or(1, |n| n + 1))
    }

    /// Saves `comic` (its number must be free) with `print` bytes for the given profile.
    pub fn save(
        &self,
        comic: &Comic,
        dpi: u32,
        print: Option<(&[u8], &str, &str)>,
    ) -> Result<Saved, ArchiveError> {
        let number = comic.record.number;
        let stem = Self::stem(number);
        let png = self.dir.join(format!("{stem}.png"));
        let sidecar_path = self.dir.join(format!("{stem}.json"));
        let png_bytes = encode_png(comic, dpi).map_err(io(&png))?;
        write_atomically(&png, &png_bytes)?;
        let print_path = match print {
            Some((bytes, _, _)) => {
                let path = self.dir.join(format!("{stem}.escpos"));
                write_atomically(&path, bytes)?;
                Some(path)
            }
            None => None,
        };
        let sidecar = Sidecar {
            comic: comic.record.clone(),
            png: file_name(&png),
            dpi,
            artwork_rows: comic.artwork_rows,
            footer: comic.footer.clone(),
            print: print
                .zip(print_path.as_ref())
                .map(|((_, profile, binarisation), path)| PrintFile {
                    file: file_name(path),
                    profile: profile.to_owned(),
                    binarisation: binarisation.to_owned(),
                }),
        };
        let json = serde_json::to_vec_pretty(&sidecar).expect("a sidecar serialises");
        write_atomically(&sidecar_path, &json)?;
        Ok(Saved {
            number,
            png,
            sidecar: sidecar_path,
            print: print_path,
        })
    }

    /// The sidecar of comic `number`.
    pub fn sidecar(&self, number: u64) -> Result<Sidecar, ArchiveError> {
        let path = self.dir.join(format!("{}.json", Self::stem(number)));
        let text = match fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let numbers = self.numbers()?;
                let held = match (numbers.first(), numbers.last()) {
                    (Some(first), Some(last)) => format!("comics {first}–{last}"),
                    _ => "no comics".to_owned(),
                };
                return Err(ArchiveError::Missing {
                    number,
                    dir: self.dir.clone(),
                    held,
                });
            }
            Err(cause) => return Err(ArchiveError::Io { path, cause }),
        };
        serde_json::from_slice(&text).map_err(|cause| ArchiveError::Sidecar { path, cause })
    }

    /// A file of the archive, by the name a sidecar gives it.
    pub fn path_of(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes `bytes` to `path` through a synced temporary file and a rename (the one atomic writer
/// every machine uses, [`atelier_config::write_atomically`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ArchiveError> {
    atelier_config::write_atomically(path, bytes).map_err(io(path))
}

/// The page as an 8-bit grayscale PNG with its resolution recorded (pHYs), so printing it at
/// 100 % gives the configured size.
fn encode_png(comic: &Comic, dpi: u32) -> std::io::Result<Vec<u8>> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut bytes = Vec::new();
    let encoder =
        PngEncoder::new_with_quality(&mut bytes, CompressionType::Default, FilterType::Adaptive);
    encoder
        .write_image(
            comic.page.pixels(),
            comic.page.width(),
            comic.page.height(),
            image::ExtendedColorType::L8,
        )
        .map_err(std::io::Error::other)?;
    Ok(with_resolution(bytes, dpi))
}

/// Inserts a pHYs chunk (pixels per metre) after IHDR.
fn with_resolution(png: Vec<u8>, dpi: u32) -> Vec<u8> {
    // Signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 CRC).
    const AFTER_IHDR: usize = 8 + 25;
    if png.len() < AFTER_IHDR || &png[12..16] != b"IHDR" {
        return png;
    }
    let per_metre = (f64::from(dpi) / 0.0254).round() as u32;
    let mut data = Vec::with_capacity(9);
    data.extend_from_slice(&per_metre.to_be_bytes());
    data.extend_from_slice(&per_metre.to_be_bytes());
    data.push(1); // unit: metre
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    chunk.extend_from_slice(b"pHYs");
    chunk.extend_from_slice(&data);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    let mut out = png;
    out.splice(AFTER_IHDR..AFTER_IHDR, chunk);
    out
}

/// PNG's CRC-32 (IEEE), bitwise: 21 bytes once per comic does not need a table.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::compose::{Comic, ComicRecord};
    use crate::raster::GrayImage;

    #[test]
    fn the_crc_matches_the_png_specifications_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    fn comic(number: u64) -> Comic {
        Comic {
            page: GrayImage::from_fn(30, 20, |x, y| ((x * 7 + y * 3) % 256) as u8).expect("small"),
            artwork_rows: 15,
            footer: format!("No. {number}"),
            record: ComicRecord {
                number,
                seed: 99,
                theme: None,
                date: "2026-11-25".into(),
                event: "Test".into(),
                grid: "g".into(),
                panels: Vec::new(),
            },
        }
    }

    #[test]
    fn a_saved_comic_reads_back_with_its_resolution_and_numbers_follow_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let archive = Archive::open(&dir.path().join("comics")).expect("created");
        assert_eq!(archive.next_number().expect("empty"), 1);
        let saved = archive
            .save(&comic(1), 300, Some((b"bytes", "csn-a2-ttl", "atkinson")))
            .expect("saved");
        assert_eq!(archive.next_number().expect("one"), 2);

        let png = std::fs::read(&saved.png).expect("png");
        let decoded = image::load_from_memory(&png)
            .expect("a valid PNG")
            .to_luma8();
        assert_eq!(decoded.as_raw(), comic(1).page.pixels(), "pixels exactly");
        // pHYs right after IHDR: 11 811 pixels per metre each way is 300 dpi.
        assert_eq!(&png[37..41], b"pHYs");
        assert_eq!(
            u32::from_be_bytes([png[41], png[42], png[43], png[44]]),
            11_811
        );

        let sidecar = archive.sidecar(1).expect("sidecar");
        assert_eq!(
            (sidecar.comic.seed, sidecar.artwork_rows, sidecar.dpi),
            (99, 15, 300)
        );
        let print = sidecar.print.expect("print file");
        assert_eq!(
            std::fs::read(archive.path_of(&print.file)).expect("bytes"),
            b"bytes"
        );
    }

    #[test]
    fn a_save_killed_before_its_sidecar_leaves_no_comic_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let archive = Archive::open(dir.path()).expect("opened");
        archive.save(&comic(1), 300, None).expect("saved");
        // What a kill between the PNG and the sidecar leaves: a PNG and a partial sidecar.
        std::fs::write(dir.path().join("comic-000002.png"), b"png").expect("png");
        std::fs::write(dir.path().join("comic-000002.json.partial"), b"{").expect("partial");
        assert_eq!(archive.numbers().expect("listed"), vec![1]);
        assert_eq!(
            archive.next_number().expect("next"),
            2,
            "the number is reused"
        );
        archive
            .save(&comic(2), 300, None)
            .expect("saved over the litter");
        assert_eq!(archive.sidecar(2).expect("whole").comic.number, 2);
        let error = archive.sidecar(7).expect_err("missing").to_string();
        assert!(
            error.contains("no comic number 7") && error.contains("comics 1–2"),
            "{error}"
        );
    }
}
