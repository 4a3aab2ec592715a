//! The interpreter: bytes in, paper motion out. No notion of time.

use super::*;

/// What a complete set of parameters means.
#[derive(Clone, Copy, Debug)]
pub(super) enum Command {
    /// `ESC d n`: print, feed n lines.
    FeedLines,
    /// `ESC J n`: print, feed n dots.
    FeedDots,
    /// `ESC 3 n`.
    LineSpacing,
    /// `ESC * m nL nH` then column data.
    ColumnImage,
    /// `GS v 0 m xL xH yL yH` (the `0` is the first parameter) then raster data.
    RasterImage,
    /// `DC2 * r n` (Adafruit/CSN-A2 raster: r rows of n bytes).
    Dc2Raster,
    /// `GS ( fn pL pH`.
    GsParen,
    /// `GS 8 L p1 p2 p3 p4`.
    GsEightL,
    /// `GS V m`.
    Cut,
    /// `GS V m n` (functions B, C, D).
    CutAfterFeed,
    /// `GS k m` (barcode; data follows).
    Barcode,
    /// `GS * x y` (define downloaded bit image; x·y·8 bytes follow).
    DownloadImage,
    /// `DLE EOT n`: answered on arrival already.
    RealTimeStatus,
    /// One parameter, then that many bytes (the second stage of `GS k m` for m ≥ 65).
    CountedData,
    /// A known command whose parameters are skipped: styles, alignment, code pages, etc.
    Ignored,
    /// A known command the model does not carry out.
    Unsupported(&'static str),
}

pub(super) enum Parse {
    Ground,
    /// Got a prefix byte (ESC, GS, DLE, FS, DC2); waiting for the command byte.
    Prefix(u8),
    Params {
        command: Command,
        params: [u8; 8],
        have: usize,
        need: usize,
    },
    Raster(RasterData),
    Columns(ColumnData),
    Graphics(GraphicsData),
    Skip {
        remaining: u64,
    },
    SkipThroughNul {
        remaining: u32,
    },
}

pub(super) struct RasterData {
    pub(super) bytes_per_row: usize,
    pub(super) rows_left: u32,
    pub(super) scale_x: u32,
    pub(super) scale_y: u32,
    pub(super) print: bool,
    pub(super) row: Vec<u8>,
}

pub(super) struct ColumnData {
    pub(super) bytes_per_column: u32,
    pub(super) dot_width: u32,
    pub(super) dot_height: u32,
    pub(super) columns: u32,
    pub(super) column: u32,
    pub(super) byte_in_column: u32,
    x0: u32,
    pub(super) print: bool,
}

pub(super) struct GraphicsData {
    pub(super) command: &'static str,
    pub(super) start: u64,
    pub(super) remaining: u64,
    pub(super) header: [u8; 10],
    pub(super) have: usize,
    /// Set once the header says this is a store we accept.
    pub(super) store: Option<StoredGraphics>,
}

#[derive(Clone)]
pub(super) struct StoredGraphics {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) scale_x: u32,
    pub(super) scale_y: u32,
    pub(super) data: Vec<u8>,
}

pub(super) enum Stored {
    Nothing,
    /// The last store was refused and already reported; printing it prints nothing, quietly.
    Refused,
    Image(StoredGraphics),
}

pub(super) struct Interpreter {
    pub(super) width: u32,
    pub(super) default_line_spacing: u32,
    pub(super) line_spacing: u32,
    pub(super) parse: Parse,
    /// Bytes processed so far (positions in errors).
    pub(super) offset: u64,
    /// Offset of the command being parsed.
    pub(super) command_start: u64,
    pub(super) roll: Roll,
    pub(super) line_text: Vec<u8>,
    pub(super) line_image: Vec<u8>,
    pub(super) line_has_image: bool,
    pub(super) line_x: u32,
    pub(super) stored: Stored,
    pub(super) text_log: Vec<PrintedText>,
    pub(super) errors: Vec<PrintError>,
    pub(super) error_count: u64,
    pub(super) unknown_commands: u64,
}

impl Interpreter {
    pub(super) fn new(config: &ThermalPrinterConfig) -> Interpreter {
        let spacing = config.default_line_spacing_dots();
        let stride = PaperImage::stride_for(config.width_dots);
        Interpreter {
            width: config.width_dots,
            default_line_spacing: spacing,
            line_spacing: spacing,
            parse: Parse::Ground,
            offset: 0,
            command_start: 0,
            roll: Roll::new(config.width_dots, config.cutter_distance_dots),
            line_text: Vec::new(),
            line_image: vec![0; stride * COLUMN_BAND_DOTS as usize],
            line_has_image: false,
            line_x: 0,
            stored: Stored::Nothing,
            text_log: Vec::new(),
            errors: Vec::new(),
            error_count: 0,
            unknown_commands: 0,
        }
    }

    pub(super) fn error(&mut self, error: PrintError) {
        self.error_count += 1;
        if self.errors.len() < MAX_LOGGED_ERRORS {
            self.errors.push(error);
        }
    }

    pub(super) fn unknown(&mut self, bytes: Vec<u8>) {
        self.unknown_commands += 1;
        let at = self.command_start;
        self.error(PrintError::UnknownCommand { at, bytes });
    }

    /// Processes one byte; returns how many dot rows the paper moved.
    pub(super) fn feed(&mut self, byte: u8) -> u32 {
        let at = self.offset;
        self.offset += 1;
        let parse = std::mem::replace(&mut self.parse, Parse::Ground);
        match parse {
            Parse::Ground => {
                self.command_start = at;
                self.ground(byte)
            }
            Parse::Prefix(prefix) => self.command(prefix, byte),
            Parse::Params {
                command,
                mut params,
                have,
                need,
            } => {
                params[have] = byte;
                if have + 1 < need {
                    self.parse = Parse::Params {
                        command,
                        params,
                        have: have + 1,
                        need,
                    };
                    0
                } else {
                    self.execute(command, &params[..need])
                }
            }
            Parse::Raster(data) => self.raster_byte(data, byte),
            Parse::Columns(data) => {
                self.column_byte(data, byte);
                0
            }
            Parse::Graphics(data) => self.graphics_byte(data, byte),
            Parse::Skip { remaining } => {
                if remaining > 1 {
                    self.parse = Parse::Skip {
                        remaining: remaining - 1,
                    };
                }
                0
            }
            Parse::SkipThroughNul { remaining } => {
                if byte != NUL && remaining > 1 {
                    self.parse = Parse::SkipThroughNul {
                        remaining: remaining - 1,
                    };
                }
                0
            }
        }
    }

    pub(super) fn ground(&mut self, byte: u8) -> u32 {
        match byte {
            ESC | GS | DLE | FS | DC2 => {
                self.parse = Parse::Prefix(byte);
                0
            }
            LF => self.print_and_feed(self.line_spacing),
            // CR prints nothing when auto line feed is off (the default); the others are flow
            // control or page-mode bytes that do nothing in standard mode.
            NUL | CR | FF | CAN | XON | XOFF => 0,
            HT => self.text_byte(b' '),
            0x01..=0x1F | DEL => {
                self.unknown(vec![byte]);
                0
            }
            _ => self.text_byte(byte),
        }
    }

    pub(super) fn text_byte(&mut self, byte: u8) -> u32 {
        // A full line wraps: the printer prints it and continues on the next line.
        let per_line = (self.width / FONT_A_WIDTH_DOTS).max(1) as usize;
        let mut moved = 0;
        if self.line_text.len() >= per_line {
            moved = self.print_and_feed(self.line_spacing);
        }
        self.line_text.push(byte);
        moved
    }

    /// Prints the line buffer (text and `ESC *` images) at the print line, without moving.
    pub(super) fn print_line(&mut self) {
        if !self.line_text.is_empty() {
            let text = self.line_text.drain(..).map(char::from).collect();
            self.text_log.push(PrintedText {
                row: self.roll.print_y,
                text,
            });
        }
        if self.line_has_image {
            let stride = self.roll.stride;
            for dy in 0..COLUMN_BAND_DOTS {
                let start = dy as usize * stride;
                let row = self.line_image[start..start + stride].to_vec();
                self.roll
                    .burn_row(self.roll.print_y.saturating_add(dy), 0, &row, 1);
            }
            self.line_image.fill(0);
            self.line_has_image = false;
        }
        self.line_x = 0;
    }

    pub(super) fn print_and_feed(&mut self, rows: u32) -> u32 {
        self.print_line();
        self.roll.feed(rows)
    }

    pub(super) fn command(&mut self, prefix: u8, byte: u8) -> u32 {
        use Command::*;
        let params = |command, need| Some((command, need));
        let found = match (prefix, byte) {
            (ESC, b'@') => {
                self.initialise();
                return 0;
            }
            (ESC, b'2') => {
                self.line_spacing = self.default_line_spacing;
                return 0;
            }
            (ESC, b'i' | b'm') => return self.cut_here(),
            (ESC, b'd') => params(FeedLines, 1),
            (ESC, b'J') => params(FeedDots, 1),
            (ESC, b'3') => params(LineSpacing, 1),
            (ESC, b'*') => params(ColumnImage, 3),
            (ESC, b'D') => {
                self.parse = Parse::SkipThroughNul { remaining: 33 };
                return 0;
            }
            // Styles, alignment, code pages, margins, peripherals: they change how text looks,
            // which the model does not render.
            (
                ESC,
                b' ' | b'!' | b'%' | b'-' | b'=' | b'?' | b'E' | b'G' | b'M' | b'R' | b'T' | b'V'
                | b'a' | b'r' | b't' | b'u' | b'{' | b'c' | b'$' | b'\\' | b'8' | b'p' | b'7'
                | b'W',
            ) => {
                let need = match byte {
                    b'p' | b'7' => 3,
                    b'c' | b'$' | b'\\' | b'8' => 2,
                    b'W' => 8,
                    _ => 1,
                };
                params(Ignored, need)
            }
            (ESC, b'L' | b'S') => {
                self.error(PrintError::Unsupported {
                    command: "page mode (ESC L / ESC S)",
                    at: self.command_start,
                });
                return 0;
            }
            (ESC, b'K' | b'e') => params(Unsupported("reverse feed (ESC K / ESC e)"), 1),
            (GS, b'v') => params(RasterImage, 6),
            (GS, b'(') => params(GsParen, 3),
            (GS, b'8') => params(GsEightL, 5),
            (GS, b'V') => params(Cut, 1),
            (GS, b'k') => params(Barcode, 1),
            (GS, b'*') => params(DownloadImage, 2),
            (GS, b'/') => params(Unsupported("GS / (print downloaded bit image)"), 1),
            (
                GS,
                b'!' | b'B' | b'H' | b'I' | b'T' | b'a' | b'b' | b'f' | b'h' | b'r' | b'w' | b'L'
                | b'P' | b'W' | b'$' | b'\\' | b'^',
            ) => {
                let need = match byte {
                    b'L' | b'P' | b'W' | b'$' | b'\\' => 2,
                    b'^' => 3,
                    _ => 1,
                };
                params(Ignored, need)
            }
            (GS, b':') => return 0,
            (DLE, EOT) => params(RealTimeStatus, 1),
            (DLE, 0x05) => params(Ignored, 1),
            (DLE, 0x14) => params(Ignored, 3),
            (FS, b'.' | b'&') => return 0,
            (FS, b'!' | b'-' | b'C' | b'W') => params(Ignored, 1),
            (FS, b'S') => params(Ignored, 2),
            (FS, b'p') => params(Unsupported("FS p (print NV bit image)"), 2),
            (DC2, b'*') => params(Dc2Raster, 2),
            (DC2, b'#') => params(Ignored, 1),
            (DC2, b'T') => return 0,
            _ => None,
        };
        match found {
            Some((command, need)) => {
                self.parse = Parse::Params {
                    command,
                    params: [0; 8],
                    have: 0,
                    need,
                };
            }
            None => self.unknown(vec![prefix, byte]),
        }
        0
    }

    pub(super) fn initialise(&mut self) {
        self.line_text.clear();
        self.line_image.fill(0);
        self.line_has_image = false;
        self.line_x = 0;
        self.line_spacing = self.default_line_spacing;
        self.stored = Stored::Nothing;
    }

    pub(super) fn cut_here(&mut self) -> u32 {
        self.print_line();
        let row = self.roll.print_y.saturating_sub(self.roll.cutter_distance);
        self.roll.cut_at(row);
        0
    }

    pub(super) fn execute(&mut self, command: Command, p: &[u8]) -> u32 {
        let at = self.command_start;
        let word = |lo: u8, hi: u8| u32::from(lo) | u32::from(hi) << 8;
        match command {
            Command::FeedLines => self.print_and_feed(u32::from(p[0]) * self.line_spacing),
            Command::FeedDots => self.print_and_feed(u32::from(p[0])),
            Command::LineSpacing => {
                self.line_spacing = u32::from(p[0]);
                0
            }
            Command::ColumnImage => {
                self.start_columns(p[0], word(p[1], p[2]));
                0
            }
            Command::RasterImage => {
                if p[0] != b'0' {
                    self.unknown(vec![GS, b'v', p[0]]);
                    return 0;
                }
                let mode = p[1];
                let (scale_x, scale_y) = match mode {
                    0..=3 | 48..=51 => (1 + u32::from(mode & 1), 1 + u32::from(mode >> 1 & 1)),
                    _ => {
                        self.error(PrintError::BadParameter {
                            command: "GS v 0",
                            at,
                            parameter: "m",
                            value: u64::from(mode),
                        });
                        (1, 1)
                    }
                };
                let bytes_per_row = word(p[2], p[3]);
                let rows = word(p[4], p[5]);
                self.start_raster("GS v 0", bytes_per_row, rows, scale_x, scale_y)
            }
            Command::Dc2Raster => {
                self.start_raster("DC2 *", u32::from(p[1]), u32::from(p[0]), 1, 1)
            }
            Command::GsParen => {
                let length = u64::from(word(p[1], p[2]));
                if p[0] == b'L' {
                    self.start_graphics("GS ( L", length);
                } else {
                    if p[0] == b'k' {
                        self.error(PrintError::Unsupported {
                            command: "GS ( k (2D codes)",
                            at,
                        });
                    }
                    self.skip(length);
                }
                0
            }
            Command::GsEightL => {
                if p[0] != b'L' {
                    self.unknown(vec![GS, b'8', p[0]]);
                    return 0;
                }
                let length = u64::from(u32::from_le_bytes([p[1], p[2], p[3], p[4]]));
                self.start_graphics("GS 8 L", length);
                0
            }
            Command::Cut => match p[0] {
                0 | 1 | 48 | 49 => self.cut_here(),
                65 | 66 | 97 | 98 | 103 | 104 => {
                    self.parse = Parse::Params {
                        command: Command::CutAfterFeed,
                        params: [0; 8],
                        have: 0,
                        need: 1,
                    };
                    0
                }
                m => {
                    self.error(PrintError::BadParameter {
                        command: "GS V",
                        at,
                        parameter: "m",
                        value: u64::from(m),
                    });
                    0
                }
            },
            Command::CutAfterFeed => {
                // Feed until the print line is `n` dots past the cutter, then cut.
                let moved = self.print_and_feed(self.roll.cutter_distance + u32::from(p[0]));
                self.cut_here();
                moved
            }
            Command::Barcode => {
                match p[0] {
                    0..=6 => self.parse = Parse::SkipThroughNul { remaining: 256 },
                    _ => {
                        self.parse = Parse::Params {
                            command: Command::CountedData,
                            params: [0; 8],
                            have: 0,
                            need: 1,
                        }
                    }
                }
                self.error(PrintError::Unsupported {
                    command: "GS k (barcode)",
                    at,
                });
                0
            }
            Command::CountedData => {
                self.skip(u64::from(p[0]));
                0
            }
            Command::DownloadImage => {
                self.error(PrintError::Unsupported {
                    command: "GS * (define downloaded bit image)",
                    at,
                });
                self.skip(u64::from(p[0]) * u64::from(p[1]) * 8);
                0
            }
            Command::RealTimeStatus | Command::Ignored => 0,
            Command::Unsupported(name) => {
                self.error(PrintError::Unsupported { command: name, at });
                0
            }
        }
    }

    pub(super) fn skip(&mut self, bytes: u64) {
        if bytes > 0 {
            self.parse = Parse::Skip { remaining: bytes };
        }
    }

    // --- GS v 0 and DC2 * -------------------------------------------------------------------

    pub(super) fn start_raster(
        &mut self,
        command: &'static str,
        bytes_per_row: u32,
        rows: u32,
        scale_x: u32,
        scale_y: u32,
    ) -> u32 {
        // A raster image starts on a fresh line: whatever is pending prints first.
        let moved = if self.line_text.is_empty() && !self.line_has_image {
            0
        } else {
            self.print_and_feed(self.line_spacing)
        };
        let width_dots = u64::from(bytes_per_row) * 8 * u64::from(scale_x);
        let print = width_dots <= u64::from(self.width);
        if !print {
            self.error(PrintError::TooWide {
                command,
                at: self.command_start,
                width_dots,
                paper_dots: self.width,
            });
        }
        if bytes_per_row > 0 && rows > 0 {
            self.parse = Parse::Raster(RasterData {
                bytes_per_row: bytes_per_row as usize,
                rows_left: rows,
                scale_x,
                scale_y,
                print,
                row: Vec::with_capacity(bytes_per_row as usize),
            });
        }
        moved
    }

    pub(super) fn raster_byte(&mut self, mut data: RasterData, byte: u8) -> u32 {
        data.row.push(byte);
        let mut moved = 0;
        if data.row.len() == data.bytes_per_row {
            if data.print {
                for _ in 0..data.scale_y {
                    self.roll
                        .burn_row(self.roll.print_y, 0, &data.row, data.scale_x);
                    moved += self.roll.feed(1);
                }
            }
            data.row.clear();
            data.rows_left -= 1;
        }
        if data.rows_left > 0 {
            self.parse = Parse::Raster(data);
        }
        moved
    }

    // --- ESC * ------------------------------------------------------------------------------

    pub(super) fn start_columns(&mut self, mode: u8, columns: u32) {
        let (bytes_per_column, dot_width, dot_height) = match mode {
            0 => (1, 2, 3),
            1 => (1, 1, 3),
            32 => (3, 2, 1),
            33 => (3, 1, 1),
            _ => {
                // Without a valid mode the data length is unknown: the data will be read as text.
                self.error(PrintError::BadParameter {
                    command: "ESC *",
                    at: self.command_start,
                    parameter: "m",
                    value: u64::from(mode),
                });
                return;
            }
        };
        let width_dots = u64::from(self.line_x) + u64::from(columns) * u64::from(dot_width);
        let print = width_dots <= u64::from(self.width);
        if !print {
            self.error(PrintError::TooWide {
                command: "ESC *",
                at: self.command_start,
                width_dots,
                paper_dots: self.width,
            });
        }
        if columns > 0 {
            self.parse = Parse::Columns(ColumnData {
                bytes_per_column,
                dot_width,
                dot_height,
                columns,
                column: 0,
                byte_in_column: 0,
                x0: self.line_x,
                print,
            });
        }
    }

    pub(super) fn column_byte(&mut self, mut data: ColumnData, byte: u8) {
        if data.print && byte != 0 {
            let stride = self.roll.stride;
            let x = data.x0 + data.column * data.dot_width;
            for bit in 0..8 {
                if byte & (0x80 >> bit) == 0 {
                    continue;
                }
                let top = (data.byte_in_column * 8 + bit) * data.dot_height;
                for y in top..top + data.dot_height {
                    for dx in x..x + data.dot_width {
                        if dx < self.width {
                            self.line_image[y as usize * stride + (dx / 8) as usize] |=
                                0x80 >> (dx % 8);
                        }
                    }
                }
            }
        }
        data.byte_in_column += 1;
        if data.byte_in_column == data.bytes_per_column {
            data.byte_in_column = 0;
            data.column += 1;
        }
        if data.column < data.columns {
            self.parse = Parse::Columns(data);
        } else if data.print {
            self.line_has_image = true;
            self.line_x = data.x0 + data.columns * data.dot_width;
        }
    }

    // --- GS ( L and GS 8 L --------------------------------------------------------------------

    pub(super) fn start_graphics(&mut self, command: &'static str, length: u64) {
        if length < 2 {
            self.error(PrintError::BadParameter {
                command,
                at: self.command_start,
                parameter: "p (length)",
                value: length,
            });
            self.skip(length);
            return;
        }
        self.parse = Parse::Graphics(GraphicsData {
            command,
            start: self.command_start,
            remaining: length,
            header: [0; 10],
            have: 0,
            store: None,
        });
    }

    pub(super) fn graphics_byte(&mut self, mut data: GraphicsData, byte: u8) -> u32 {
        data.remaining -= 1;
        let mut moved = 0;
        if let Some(store) = data.store.as_mut() {
            store.data.push(byte);
        } else if data.have < data.header.len() {
            data.header[data.have] = byte;
            data.have += 1;
            let function = data.header[1];
            if data.have == 2 && matches!(function, 2 | 50) {
                // Print the stored graphics: `m fn` and nothing else.
                if data.remaining == 0 {
                    moved = self.print_stored(data.command, data.start);
                } else {
                    self.error(PrintError::BadParameter {
                        command: data.command,
                        at: data.start,
                        parameter: "p (length)",
                        value: data.remaining + 2,
                    });
                    self.skip(data.remaining);
                    return 0;
                }
            } else if data.have == 2 && function != 112 {
                self.error(PrintError::Unsupported {
                    command: "GS ( L / GS 8 L function other than 2, 50, 112",
                    at: data.start,
                });
                self.skip(data.remaining);
                return 0;
            } else if data.have == data.header.len() {
                match self.begin_store(&data) {
                    Some(store) => data.store = Some(store),
                    None => {
                        self.stored = Stored::Refused;
                        self.skip(data.remaining);
                        return 0;
                    }
                }
            }
        }
        if data.remaining > 0 {
            self.parse = Parse::Graphics(data);
        } else if let Some(store) = data.store.take() {
            self.stored = Stored::Image(store);
        } else if data.have < data.header.len() && !matches!(data.header[1], 2 | 50) {
            // The length ran out inside the store's header.
            self.error(PrintError::BadParameter {
                command: data.command,
                at: data.start,
                parameter: "p (length)",
                value: data.have as u64,
            });
        }
        moved
    }

    /// Checks a `fn 112` header (`m fn a bx by c xL xH yL yH`); `None` refuses the store.
    pub(super) fn begin_store(&mut self, data: &GraphicsData) -> Option<StoredGraphics> {
        let [_, _, tone, bx, by, colour, xl, xh, yl, yh] = data.header;
        let command = data.command;
        let at = data.start;
        let bad = |parameter, value: u8| PrintError::BadParameter {
            command,
            at,
            parameter,
            value: u64::from(value),
        };
        if tone != 48 {
            self.error(bad("a (tone; only 48, monochrome)", tone));
            return None;
        }
        if !matches!(bx, 1 | 2) {
            self.error(bad("bx", bx));
            return None;
        }
        if !matches!(by, 1 | 2) {
            self.error(bad("by", by));
            return None;
        }
        if colour != 49 {
            self.error(bad("c (colour; only 49 on a one-colour head)", colour));
            return None;
        }
        let width = u32::from(xl) | u32::from(xh) << 8;
        let height = u32::from(yl) | u32::from(yh) << 8;
        let expected = u64::from(width.div_ceil(8)) * u64::from(height);
        if data.remaining != expected {
            self.error(PrintError::GraphicsLength {
                command,
                at,
                declared: data.remaining,
                expected,
            });
            return None;
        }
        if expected > MAX_STORED_GRAPHICS_BYTES {
            self.error(PrintError::BadParameter {
                command,
                at,
                parameter: "image size in bytes",
                value: expected,
            });
            return None;
        }
        let width_dots = u64::from(width) * u64::from(bx);
        if width_dots > u64::from(self.width) {
            self.error(PrintError::TooWide {
                command,
                at,
                width_dots,
                paper_dots: self.width,
            });
            return None;
        }
        Some(StoredGraphics {
            width,
            height,
            scale_x: u32::from(bx),
            scale_y: u32::from(by),
            data: Vec::with_capacity(expected as usize),
        })
    }

    pub(super) fn print_stored(&mut self, command: &'static str, at: u64) -> u32 {
        let image = match &self.stored {
            Stored::Image(image) => image.clone(),
            Stored::Refused => return 0,
            Stored::Nothing => {
                self.error(PrintError::NothingStored { command, at });
                return 0;
            }
        };
        let mut moved = if self.line_text.is_empty() && !self.line_has_image {
            0
        } else {
            self.print_and_feed(self.line_spacing)
        };
        let stride = image.width.div_ceil(8) as usize;
        for row in image
            .data
            .chunks_exact(stride.max(1))
            .take(image.height as usize)
        {
            for _ in 0..image.scale_y {
                self.roll.burn_row(self.roll.print_y, 0, row, image.scale_x);
                moved += self.roll.feed(1);
            }
        }
        moved
    }
}
