//! The Linux framebuffer (`/dev/fb0`): the projector on the Pi's HDMI port.
//!
//! # How the layout is found
//! Pixel format and row length are read from the device, never assumed: first through the
//! `FBIOGET_VSCREENINFO`/`FBIOGET_FSCREENINFO` ioctls (the `framebuffer` crate's two static
//! functions: bits per pixel, the red/green/blue offsets and lengths, line length), and when the
//! node does not answer those (a plain file in tests, an odd driver) from sysfs
//! (`/sys/class/graphics/fbN/{bits_per_pixel,stride,virtual_size}`), which has no colour offsets,
//! so there the kernel's usual layouts are taken: RGB565 at 16 bpp, B-G-R bytes at 24 and
//! X-R-G-B words at 32.
//!
//! # Why write(2) and not mmap
//! The crate's `Framebuffer::new` maps the device; we use only its ioctl helpers and write each
//! frame with `pwrite`. Under the Pi's KMS driver `/dev/fb0` is an emulation that goes away with
//! the HDMI link: touching a stale mapping then kills the process with SIGBUS, while a write
//! returns an error the lamp can log and retry. One 1280×720×4 write per frame costs about a
//! millisecond, well within a frame.

use super::Frame;

/// One colour channel inside a pixel word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Bit offset of the channel's least significant bit.
    pub offset: u32,
    /// Bits in the channel.
    pub length: u32,
}

/// How the framebuffer stores pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FbLayout {
    /// Visible width in pixels.
    pub width: u32,
    /// Visible height in pixels.
    pub height: u32,
    /// 16, 24 or 32.
    pub bits_per_pixel: u32,
    /// Bytes from one row to the next (at least `width × bytes per pixel`, often more).
    pub stride: usize,
    /// Red.
    pub red: Channel,
    /// Green.
    pub green: Channel,
    /// Blue.
    pub blue: Channel,
    /// Alpha or padding bits set to ones (length 0 when absent).
    pub transp: Channel,
    /// Byte offset of the visible page (panning).
    pub page_offset: u64,
}

impl FbLayout {
    /// The kernel's usual layout for `bits_per_pixel`, as sysfs leaves the offsets unsaid.
    pub fn conventional(
        width: u32,
        height: u32,
        bits_per_pixel: u32,
        stride: usize,
    ) -> Option<FbLayout> {
        let channel = |offset, length| Channel { offset, length };
        let (red, green, blue) = match bits_per_pixel {
            16 => (channel(11, 5), channel(5, 6), channel(0, 5)),
            24 | 32 => (channel(16, 8), channel(8, 8), channel(0, 8)),
            _ => return None,
        };
        Some(FbLayout {
            width,
            height,
            bits_per_pixel,
            stride,
            red,
            green,
            blue,
            transp: channel(0, 0),
            page_offset: 0,
        })
    }

    /// Bytes per pixel.
    pub fn bytes_per_pixel(&self) -> usize {
        (self.bits_per_pixel / 8) as usize
    }

    /// What is wrong with this layout for drawing, if anything.
    pub fn problem(&self) -> Option<String> {
        if !matches!(self.bits_per_pixel, 16 | 24 | 32) {
            return Some(format!(
                "{} bits per pixel is not supported (16, 24 or 32 are)",
                self.bits_per_pixel
            ));
        }
        if self.stride < self.width as usize * self.bytes_per_pixel() {
            return Some(format!(
                "a row of {} bytes cannot hold {} pixels of {} bits",
                self.stride, self.width, self.bits_per_pixel
            ));
        }
        let fits = |c: Channel| c.length <= 8 && c.offset + c.length <= self.bits_per_pixel;
        if ![self.red, self.green, self.blue, self.transp]
            .into_iter()
            .all(fits)
        {
            return Some("a colour channel lies outside the pixel".into());
        }
        None
    }

    /// The framebuffer's bytes for `frame`: `stride × height`, the frame's top-left corner
    /// copied, anything outside it black.
    pub fn encode(&self, frame: &Frame, out: &mut Vec<u8>) {
        let bytes = self.bytes_per_pixel();
        out.clear();
        out.resize(self.stride * self.height as usize, 0);
        let pack = |c: Channel, value: u8| -> u32 {
            if c.length == 0 {
                0
            } else {
                (u32::from(value) >> (8 - c.length)) << c.offset
            }
        };
        let opaque = if self.transp.length == 0 {
            0
        } else {
            ((1u32 << self.transp.length) - 1) << self.transp.offset
        };
        let columns = frame.width().min(self.width) as usize;
        let rows = frame.height().min(self.height) as usize;
        let source = frame.rgba();
        let frame_row = frame.width() as usize * 4;
        let channel = |offset, length| Channel { offset, length };
        // The usual X-R-G-B word on a little-endian CPU is B, G, R, X in memory: copy bytes.
        let xrgb = bytes == 4
            && cfg!(target_endian = "little")
            && (self.red, self.green, self.blue) == (channel(16, 8), channel(8, 8), channel(0, 8));
        let padding = if self.transp == channel(24, 8) {
            255
        } else {
            0
        };
        for y in 0..rows {
            let from = &source[y * frame_row..y * frame_row + columns * 4];
            let to = &mut out[y * self.stride..y * self.stride + columns * bytes];
            if xrgb {
                for (pixel, target) in from.chunks_exact(4).zip(to.chunks_exact_mut(4)) {
                    target.copy_from_slice(&[pixel[2], pixel[1], pixel[0], padding]);
                }
                continue;
            }
            for (pixel, target) in from.chunks_exact(4).zip(to.chunks_exact_mut(bytes)) {
                let word = pack(self.red, pixel[0])
                    | pack(self.green, pixel[1])
                    | pack(self.blue, pixel[2])
                    | opaque;
                // Pixel words are in the CPU's byte order (little-endian on every Pi).
                target.copy_from_slice(&word.to_ne_bytes()[..bytes]);
            }
        }
    }
}

#[cfg(target_os = "linux")]
pub use device::FbSink;

#[cfg(target_os = "linux")]
mod device {
    use std::fs::{File, OpenOptions};
    use std::os::unix::fs::FileExt;
    use std::path::{Path, PathBuf};

    use atelier_hal::Instant;

    use super::{Channel, FbLayout};
    use crate::render::{Frame, FrameSink, SinkError};

    /// Frames to a Linux framebuffer device. Opens it on the first frame and again after any
    /// failure, so a projector switched on after the lamp is picked up.
    #[derive(Debug)]
    pub struct FbSink {
        device: PathBuf,
        sysfs: PathBuf,
        open: Option<(File, FbLayout)>,
        buffer: Vec<u8>,
    }

    impl FbSink {
        /// `device` such as `/dev/fb0`; `sys_dir` is `/sys` except in tests.
        pub fn new(device: impl Into<PathBuf>, sys_dir: &Path) -> FbSink {
            let device = device.into();
            let name = device
                .file_name()
                .map_or_else(|| "fb0".into(), |n| n.to_string_lossy().into_owned());
            FbSink {
                sysfs: sys_dir.join("class/graphics").join(name),
                device,
                open: None,
                buffer: Vec::new(),
            }
        }

        /// Forgets the open device; the next frame opens it again.
        pub fn close(&mut self) {
            self.open = None;
        }

        /// The layout in use, once open.
        pub fn layout(&self) -> Option<FbLayout> {
            self.open.as_ref().map(|(_, layout)| *layout)
        }

        fn open(&self) -> Result<(File, FbLayout), SinkError> {
            let missing = |reason: String| SinkError::Missing {
                device: self.device.display().to_string(),
                reason,
            };
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&self.device)
                .map_err(|e| {
                    let hint = if e.kind() == std::io::ErrorKind::PermissionDenied {
                        " (add the user to the `video` group)"
                    } else {
                        " (is the projector on and plugged into HDMI?)"
                    };
                    missing(format!("{e}{hint}"))
                })?;
            let layout = match from_ioctl(&file) {
                Some(layout) => layout,
                None => from_sysfs(&self.sysfs).map_err(|reason| {
                    missing(format!(
                        "the device answers no framebuffer ioctl and {reason}"
                    ))
                })?,
            };
            if let Some(problem) = layout.problem() {
                return Err(missing(problem));
            }
            tracing::info!(device = %self.device.display(), ?layout, "framebuffer open");
            Ok((file, layout))
        }
    }

    fn from_ioctl(file: &File) -> Option<FbLayout> {
        let var = framebuffer::Framebuffer::get_var_screeninfo(file).ok()?;
        let fix = framebuffer::Framebuffer::get_fix_screeninfo(file).ok()?;
        let channel = |b: &framebuffer::Bitfield| Channel {
            offset: b.offset,
            length: b.length,
        };
        let stride = fix.line_length as usize;
        Some(FbLayout {
            width: var.xres,
            height: var.yres,
            bits_per_pixel: var.bits_per_pixel,
            stride,
            red: channel(&var.red),
            green: channel(&var.green),
            blue: channel(&var.blue),
            transp: channel(&var.transp),
            page_offset: u64::from(var.yoffset) * stride as u64
                + u64::from(var.xoffset) * u64::from(var.bits_per_pixel / 8),
        })
    }

    fn from_sysfs(dir: &Path) -> Result<FbLayout, String> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map(|text| text.trim().to_owned())
                .map_err(|e| format!("{} cannot be read: {e}", dir.join(name).display()))
        };
        let number = |name: &str, text: &str| {
            text.parse::<u32>()
                .map_err(|_| format!("{} holds {text:?}, not a number", dir.join(name).display()))
        };
        let bits = number("bits_per_pixel", &read("bits_per_pixel")?)?;
        let stride = number("stride", &read("stride")?)?;
        let size = read("virtual_size")?;
        let (width, height) = size
            .split_once(',')
            .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)))
            .ok_or_else(|| format!("virtual_size holds {size:?}, expected WIDTH,HEIGHT"))?;
        FbLayout::conventional(width, height, bits, stride as usize)
            .ok_or_else(|| format!("{bits} bits per pixel is not supported (16, 24 or 32 are)"))
    }

    impl FrameSink for FbSink {
        fn show(&mut self, frame: &Frame, _at: Instant) -> Result<(), SinkError> {
            let (file, layout) = match self.open.take() {
                Some(open) => open,
                None => self.open()?,
            };
            layout.encode(frame, &mut self.buffer);
            match file.write_all_at(&self.buffer, layout.page_offset) {
                Ok(()) => {
                    self.open = Some((file, layout));
                    Ok(())
                }
                // Dropping the file here makes the next frame open the device afresh.
                Err(e) => Err(SinkError::Write {
                    device: self.device.display().to_string(),
                    reason: e.to_string(),
                }),
            }
        }

        fn describe(&self) -> String {
            format!("framebuffer {}", self.device.display())
        }
    }
}

#[cfg(test)]
mod tests {
    use embedded_graphics::pixelcolor::Rgb888;

    use super::*;

    fn sample() -> Frame {
        let mut frame = Frame::new(3, 2);
        frame.set_pixel(0, 0, Rgb888::new(255, 0, 0));
        frame.set_pixel(1, 0, Rgb888::new(0, 255, 0));
        frame.set_pixel(2, 1, Rgb888::new(0x12, 0x34, 0x56));
        frame
    }

    #[test]
    fn rgb565_and_xrgb8888_with_padded_rows() {
        let mut out = Vec::new();
        let layout = FbLayout::conventional(3, 2, 16, 8).expect("16 bpp");
        layout.encode(&sample(), &mut out);
        assert_eq!(out.len(), 16);
        assert_eq!(&out[0..2], &0xF800u16.to_ne_bytes());
        assert_eq!(&out[2..4], &0x07E0u16.to_ne_bytes());
        // Row 1 starts at the stride, not at 3 × 2 bytes.
        let packed = (0x12u16 >> 3) << 11 | (0x34u16 >> 2) << 5 | (0x56u16 >> 3);
        assert_eq!(&out[8 + 4..8 + 6], &packed.to_ne_bytes());
        assert_eq!(&out[6..8], &[0, 0], "padding untouched");

        let layout = FbLayout::conventional(3, 2, 32, 16).expect("32 bpp");
        layout.encode(&sample(), &mut out);
        assert_eq!(out.len(), 32);
        assert_eq!(&out[16 + 8..16 + 12], &0x0012_3456u32.to_ne_bytes());
        let bgr = FbLayout {
            red: Channel {
                offset: 0,
                length: 8,
            },
            blue: Channel {
                offset: 16,
                length: 8,
            },
            transp: Channel {
                offset: 24,
                length: 8,
            },
            ..layout
        };
        bgr.encode(&sample(), &mut out);
        assert_eq!(
            &out[0..4],
            &0xFF00_00FFu32.to_ne_bytes(),
            "offsets from the device are used"
        );
        assert!(FbLayout::conventional(3, 2, 8, 3).is_none());
        let narrow = FbLayout {
            stride: 8,
            ..layout
        };
        assert!(narrow.problem().is_some_and(|p| p.contains("cannot hold")));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_fake_framebuffer_file_with_sysfs_values_gets_the_pixels() {
        use atelier_hal::Instant;

        use crate::render::FrameSink;

        for (bits, stride) in [(16u32, 10usize), (32, 20)] {
            let dir = tempfile::tempdir().expect("temp dir");
            let device = dir.path().join("dev/fb1");
            let sysfs = dir.path().join("sys/class/graphics/fb1");
            std::fs::create_dir_all(device.parent().expect("parent")).expect("dev");
            std::fs::create_dir_all(&sysfs).expect("sysfs");
            std::fs::write(&device, vec![0xAAu8; stride * 2]).expect("fake fb");
            std::fs::write(sysfs.join("bits_per_pixel"), format!("{bits}\n")).expect("bpp");
            std::fs::write(sysfs.join("stride"), format!("{stride}\n")).expect("stride");
            std::fs::write(sysfs.join("virtual_size"), "3,2\n").expect("size");
            let mut sink = FbSink::new(&device, &dir.path().join("sys"));
            sink.show(&sample(), Instant::ZERO).expect("written");
            let bytes = std::fs::read(&device).expect("read back");
            let per = (bits / 8) as usize;
            let at = |x: usize, y: usize| &bytes[y * stride + x * per..y * stride + (x + 1) * per];
            if bits == 16 {
                assert_eq!(at(0, 0), 0xF800u16.to_ne_bytes());
                assert_eq!(at(1, 0), 0x07E0u16.to_ne_bytes());
            } else {
                assert_eq!(at(0, 0), 0x00FF_0000u32.to_ne_bytes());
                assert_eq!(at(2, 1), 0x0012_3456u32.to_ne_bytes());
            }
            assert_eq!(bytes.len(), stride * 2);
            assert_eq!(sink.layout().map(|l| l.stride), Some(stride));
            // The device vanishing: an error, then a fresh open on the next frame.
            std::fs::remove_file(&device).expect("unplug");
            let error = sink.show(&sample(), Instant::ZERO);
            assert!(error.is_ok(), "the open file still takes the write");
            std::fs::remove_dir_all(dir.path().join("dev")).expect("gone");
            sink.close();
            assert!(matches!(
                sink.show(&sample(), Instant::ZERO),
                Err(crate::render::SinkError::Missing { .. })
            ));
        }
    }
}
