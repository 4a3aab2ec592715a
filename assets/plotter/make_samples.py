#!/usr/bin/env python3
"""Makes the plotter's sample images with the standard library only (no downloads):

- ramp.png: a horizontal grey ramp, 96 x 32, white to black (tone and style tests).
- portrait.png: a synthetic 100 x 130 "portrait": a shaded head, eyes, mouth and a
  gradient background (a stand-in for a photo, free of rights).
"""
import math
import struct
import zlib
from pathlib import Path


def write_png(path, width, height, pixels):
    rows = b"".join(b"\x00" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    Path(path).write_bytes(png)


def ramp(width=96, height=32):
    return [round(255 * (1 - x / (width - 1))) for y in range(height) for x in range(width)]


def portrait(width=100, height=130):
    pixels = []
    for y in range(height):
        for x in range(width):
            v = 200 + 40 * y / height  # background, lighter towards the bottom
            dx, dy = (x - 50) / 32, (y - 60) / 42
            if dx * dx + dy * dy < 1:  # head, lit from the upper left
                light = 0.5 + 0.5 * max(0.0, -(dx * 0.6 + dy * 0.6) + 0.3)
                v = 90 + 120 * light
            for ex in (38, 62):  # eyes
                if (x - ex) ** 2 + ((y - 52) * 1.6) ** 2 < 30:
                    v = 25
            if abs(y - 82 - 0.02 * (x - 50) ** 2) < 2 and abs(x - 50) < 14:  # mouth
                v = 40
            if y > 100 and abs(x - 50) < 30 + (y - 100):  # shoulders
                v = 60
            pixels.append(max(0, min(255, round(v))))
    return pixels


here = Path(__file__).parent
write_png(here / "ramp.png", 96, 32, ramp())
write_png(here / "portrait.png", 100, 130, portrait())
