#!/usr/bin/env python3
"""Makes the comic robot's assets: empty comic grids and a library of art, all drawn by code
with a hand-drawn look (every line is a wobbly brush-pen stroke), plus the art's metadata.

Needs Python 3.11+ (tomllib) with Pillow and numpy (`pip install pillow numpy`); nothing is downloaded.

    python3 assets/comic/make_assets.py                 # (re)write grids/, art/, art/art.toml
    python3 assets/comic/make_assets.py --check         # check what is on disk (no writing)
    python3 assets/comic/make_assets.py --contact F.png # also write a contact sheet (not kept)

Everything is seeded (one seed per picture, from its name), so a run rewrites the same files
byte for byte with the same Pillow and zlib.

What it writes:
- grids/<name>.png: empty comic grids, 1200 px wide (100 mm at ~300 dpi), 8-bit grey, black
  frames on white, a blank footer band under the last row; grids/three-tiers.toml is an
  example of the optional panel override.
- art/<theme>/<name>.png: the art, 8-bit grey on white, bold outlines and flat grey fills.
- art/art.toml: one [[art]] entry per picture; `focal` is the box of the subject as drawn.

--check, per grid: thickens the ink by 3 px (as the firmware does), flood-fills the page from
its border and asserts that the enclosed blank regions at least 250x200 px are exactly the
panels intended, that no other enclosed blank region is bigger than a speck, that the grid
with a pen gap really leaks without the thickening, and that the footer band is blank; then
validates art/art.toml (every file exists and is listed once, focal inside [0, 1] and ordered,
sizes and anchors valid).
"""

import argparse
import contextlib
import math
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
GRIDS = HERE / "grids"
ART = HERE / "art"

INK = 20  # a scanned ink line is not quite 0
PAPER = 255
SS = 4  # drawings are made this many times larger, then reduced (anti-aliasing)
DPI = (300, 300)

# Greys for flat fills (ink coverage in %): the printer dithers them.
LIGHT = 205  # ~20 %
MID = 160  # ~37 %
DARK = 110  # ~57 %
DEEP = 75  # ~70 %

SEAL_PX = 3  # the firmware's gap sealing
MIN_PANEL = (250, 200)
FOOTER_MIN = 110
PX_PER_MM = 1200 / 100.0


def seed_of(name):
    return zlib.crc32(name.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Geometry helpers: every shape is an (n, 2) array of points in picture pixels.


def P(pts):
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def ellipse(cx, cy, rx, ry, rot=0.0, a0=0.0, a1=360.0, n=None):
    """Points on an ellipse (angles in degrees, clockwise on screen since y points down)."""
    if n is None:
        n = max(12, int(abs(a1 - a0) / 360 * (rx + ry) * 1.2))
    a = np.radians(np.linspace(a0, a1, n, endpoint=abs(a1 - a0) < 360))
    x, y = rx * np.cos(a), ry * np.sin(a)
    r = math.radians(rot)
    return np.stack([cx + x * math.cos(r) - y * math.sin(r), cy + x * math.sin(r) + y * math.cos(r)], 1)


def circle(cx, cy, r, **kw):
    return ellipse(cx, cy, r, r, **kw)


def rect(x0, y0, x1, y1):
    return P([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def rrect(x0, y0, x1, y1, r):
    """A rounded rectangle as one smooth outline."""
    r = min(r, (x1 - x0) / 2, (y1 - y0) / 2)
    parts = [
        ellipse(x1 - r, y0 + r, r, r, a0=-90, a1=0, n=10),
        ellipse(x1 - r, y1 - r, r, r, a0=0, a1=90, n=10),
        ellipse(x0 + r, y1 - r, r, r, a0=90, a1=180, n=10),
        ellipse(x0 + r, y0 + r, r, r, a0=180, a1=270, n=10),
    ]
    return np.concatenate(parts)


def bez(*ctrl, n=40):
    """A Bezier curve through control points (any degree)."""
    c = P(ctrl)
    t = np.linspace(0, 1, n)[:, None]
    k = len(c) - 1
    out = np.zeros((n, 2))
    for i, p in enumerate(c):
        out += math.comb(k, i) * (1 - t) ** (k - i) * t**i * p
    return out


def chain(*parts):
    return np.concatenate([P(p) for p in parts])


def rot(pts, deg, center):
    pts = P(pts)
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    d = pts - center
    return np.stack([center[0] + d[:, 0] * c - d[:, 1] * s, center[1] + d[:, 0] * s + d[:, 1] * c], 1)


def move(pts, dx, dy):
    return P(pts) + (dx, dy)


def mirror_x(pts, x):
    pts = P(pts).copy()
    pts[:, 0] = 2 * x - pts[:, 0]
    return pts


def star(cx, cy, ro, ri, n=5, rot_deg=-90):
    a = np.radians(rot_deg + np.arange(2 * n) * 180 / n)
    r = np.where(np.arange(2 * n) % 2 == 0, ro, ri)
    return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1)


def blob(cx, cy, rx, ry, rng, lobes=7, depth=0.12, n=90):
    """A lumpy closed curve (clouds, rocks, bushes)."""
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ph = rng.uniform(0, 2 * np.pi, 3)
    r = 1 + depth * (np.abs(np.sin(lobes * a / 2 + ph[0])) * 1.4 - 0.7) + 0.05 * np.sin(3 * a + ph[1])
    return np.stack([cx + rx * r * np.cos(a), cy + ry * r * np.sin(a)], 1)


def cloud(cx, cy, rx, ry, bumps=7, rot_deg=0.0):
    """A scalloped outline: arcs bulging outwards around an ellipse."""
    pts = []
    for i in range(bumps):
        a0 = 2 * np.pi * i / bumps + math.radians(rot_deg)
        a1 = 2 * np.pi * (i + 1) / bumps + math.radians(rot_deg)
        p0 = np.array([cx + rx * math.cos(a0), cy + ry * math.sin(a0)])
        p1 = np.array([cx + rx * math.cos(a1), cy + ry * math.sin(a1)])
        mid = (p0 + p1) / 2
        out = mid - (cx, cy)
        out = out / (np.hypot(*out) + 1e-9)
        bulge = 0.45 * np.hypot(*(p1 - p0))
        pts.append(bez(p0, mid + out * bulge * 1.3, p1, n=14)[:-1])
    return np.concatenate(pts)


def poly_clip(poly, a, b, c):
    """Keeps the part of a convex polygon where a*x + b*y <= c (Sutherland-Hodgman)."""
    out = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0) != (fq < 0) and fp != fq:
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


# ---------------------------------------------------------------------------------------------
# The pen.


def _resample(pts, step):
    pts = P(pts)
    keep = np.concatenate([[True], np.hypot(*np.diff(pts, axis=0).T) > 1e-6])
    pts = pts[keep]
    if len(pts) < 2:
        pts = np.vstack([pts, pts + 0.5])
    d = np.hypot(*np.diff(pts, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(d)])
    length = s[-1]
    n = max(3, int(math.ceil(length / step)) + 1)
    t = np.linspace(0, length, n)
    return np.stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])], 1), t, length


def _smoothstep(x):
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


class Canvas:
    """A sheet of paper drawn at SS times the final size, with a brush pen.

    Coordinates are final pixels. `lw` is the main line width; `amp` the wobble of a long line.
    """

    def __init__(self, width, height, seed, lw=None, amp=None, wave=None):
        self.W, self.H = width, height
        self.rng = np.random.default_rng(seed)
        self.img = Image.new("L", (width * SS, height * SS), PAPER)
        self.draw = ImageDraw.Draw(self.img)
        big = max(width, height)
        self.lw = lw if lw is not None else float(np.clip(0.0115 * big, 6.5, 11.0))
        self.amp = amp if amp is not None else 0.0022 * big + 0.6
        self.wave = wave if wave is not None else 0.22 * big + 60
        self.nib = math.radians(self.rng.uniform(25, 45))
        self._subject = None
        self.subject_box = None

    # -- noise ------------------------------------------------------------------------------
    def noise(self, t, amp, wave, octaves=((1.0, 1.0), (2.3, 0.45), (5.3, 0.16))):
        out = np.zeros_like(t)
        norm = sum(a for _, a in octaves)
        for f, a in octaves:
            lam = wave / f * self.rng.uniform(0.8, 1.25)
            out += a * np.sin(2 * np.pi * t / lam + self.rng.uniform(0, 2 * np.pi))
        return amp * out / norm

    def wobble(self, pts, amp=None, wave=None, closed=False, bow=True):
        """The path as a hand would draw it: resampled, with low-frequency sideways drift."""
        pts = P(pts)
        if closed:
            pts = np.vstack([pts, pts[:1]])
        size = np.ptp(pts, axis=0).max() if len(pts) > 1 else 1.0
        amp = self.amp if amp is None else amp
        amp = min(amp, 0.035 * size + 0.3)
        wave = self.wave if wave is None else wave
        q, t, length = _resample(pts, 1.6)
        tan = np.gradient(q, axis=0)
        tan /= np.hypot(tan[:, 0], tan[:, 1])[:, None] + 1e-9
        nrm = np.stack([-tan[:, 1], tan[:, 0]], 1)
        off = self.noise(t, amp, wave) + self.noise(t, amp * 0.12, 9.0, ((1.0, 1.0),))
        if bow and not closed:
            off += self.rng.uniform(-1, 1) * amp * 0.8 * np.sin(np.pi * t / max(length, 1))
        if closed:
            # Close the loop smoothly: the drift at the end returns to that at the start.
            off = off - (off[-1] - off[0]) * t / max(length, 1)
        self._mark(q)
        return q + nrm * off[:, None], t, length

    # -- subject box ------------------------------------------------------------------------
    @contextlib.contextmanager
    def subject(self):
        self._subject = [np.inf, np.inf, -np.inf, -np.inf]
        yield
        b = self._subject
        self._subject = None
        if self.subject_box is None:
            self.subject_box = b
        else:
            s = self.subject_box
            self.subject_box = [min(s[0], b[0]), min(s[1], b[1]), max(s[2], b[2]), max(s[3], b[3])]

    def _mark(self, q, pad=0.0):
        if self._subject is not None and len(q):
            b = self._subject
            b[0] = min(b[0], q[:, 0].min() - pad)
            b[1] = min(b[1], q[:, 1].min() - pad)
            b[2] = max(b[2], q[:, 0].max() + pad)
            b[3] = max(b[3], q[:, 1].max() + pad)

    # -- drawing ----------------------------------------------------------------------------
    def _ink_stroke(self, q, t, width, color=INK, taper=(0.45, 0.3), pressure=0.16):
        n = len(q)
        length = t[-1] if n else 0
        tan = np.gradient(q, axis=0)
        tan /= np.hypot(tan[:, 0], tan[:, 1])[:, None] + 1e-9
        nrm = np.stack([-tan[:, 1], tan[:, 0]], 1)
        w = width * (1 + self.noise(t, pressure, 140.0, ((1.0, 1.0), (2.7, 0.5))))
        # A brush pen held at an angle: strokes across the nib are fuller.
        w *= 0.86 + 0.24 * np.abs(tan[:, 0] * math.sin(self.nib) - tan[:, 1] * math.cos(self.nib))
        ramp_in = min(0.3 * length, 3.0 * width)
        ramp_out = min(0.35 * length, 5.0 * width)
        w *= taper[0] + (1 - taper[0]) * _smoothstep(t / max(ramp_in, 1e-6))
        w *= taper[1] + (1 - taper[1]) * _smoothstep((length - t) / max(ramp_out, 1e-6))
        w = np.maximum(w, 1.2)
        left = (q + nrm * (w / 2)[:, None]) * SS
        right = (q - nrm * (w / 2)[:, None]) * SS
        d = self.draw
        # Where the curve is tighter than the pen is wide, one side folds back on itself: draw
        # those segments one by one (the fill rule would leave holes); the rest as polygons.
        dl = np.einsum("ij,ij->i", np.diff(left, axis=0), tan[:-1] + tan[1:])
        dr = np.einsum("ij,ij->i", np.diff(right, axis=0), tan[:-1] + tan[1:])
        bad = (dl <= 0) | (dr <= 0)
        turn = np.abs(np.diff(np.unwrap(np.arctan2(tan[:, 1], tan[:, 0]))))
        joints = {0, n - 1}
        i = 0
        while i < n - 1:
            j = i
            while j < n - 1 and bad[j] == bad[i]:
                j += 1
            if bad[i]:
                for k in range(i, j):
                    d.polygon([tuple(left[k]), tuple(left[k + 1]), tuple(right[k + 1]), tuple(right[k])],
                              fill=color)
                    joints.update((k, k + 1))
            else:
                ring = np.vstack([left[i:j + 1], right[i:j + 1][::-1]])
                d.polygon([tuple(p) for p in ring], fill=color)
            i = j
        joints.update(int(k) + 1 for k in np.nonzero(turn > 0.35)[0])
        for i in sorted(joints):
            r = w[i] / 2 * SS
            x, y = q[i] * SS
            d.ellipse([x - r, y - r, x + r, y + r], fill=color)
        self._mark(q, pad=w.max() / 2)

    def line(self, pts, w=None, amp=None, wave=None, color=INK, taper=(0.45, 0.3), bow=True):
        """An open stroke along pts."""
        q, t, _ = self.wobble(pts, amp, wave, bow=bow)
        self._ink_stroke(q, t, self.lw if w is None else w, color, taper)
        return q

    def fill(self, pts, value):
        """A flat fill, no outline."""
        q = P(pts)
        self._mark(q)
        self.draw.polygon([tuple(p) for p in q * SS], fill=value)

    def shape(self, pts, fill=None, w=None, corners=False, amp=None, wave=None, color=INK,
              overshoot=None):
        """A closed shape: flat fill (optional; 255 hides what is behind) and a wobbly outline.

        corners=True: pts are the corners of a polygon, drawn edge by edge, each edge a stroke
        that runs a little past the corner. Otherwise one stroke that overlaps its own start.
        """
        w = self.lw if w is None else w
        pts = P(pts)
        if corners:
            outline = []
            edges = []
            n = len(pts)
            for i in range(n):
                a, b = pts[i], pts[(i + 1) % n]
                u = b - a
                L = np.hypot(*u)
                if L < 1e-6:
                    continue
                u /= L
                o0 = self.rng.uniform(0.2, 1.0) * (overshoot if overshoot is not None else w * 0.9)
                o1 = self.rng.uniform(0.3, 1.2) * (overshoot if overshoot is not None else w * 0.9)
                q, t, length = self.wobble([a - u * o0, b + u * o1], amp, wave)
                inner = (t >= o0) & (t <= length - o1)
                outline.append(q[inner])
                edges.append((q, t))
            if fill is not None and outline:
                self.draw.polygon([tuple(p) for p in np.concatenate(outline) * SS], fill=fill)
            if w > 0:
                for q, t in edges:
                    self._ink_stroke(q, t, w, color, taper=(0.6, 0.45))
            return np.concatenate(outline) if outline else pts
        q, t, length = self.wobble(pts, amp, wave, closed=True)
        if fill is not None:
            self.draw.polygon([tuple(p) for p in q * SS], fill=fill)
        if w > 0:
            # Start somewhere random and run on past the start, as a hand does.
            k = int(self.rng.integers(0, len(q) - 1))
            loop = np.vstack([q[k:-1], q[:-1], q[:1]])
            extra = overshoot if overshoot is not None else min(0.08 * length, 2.5 * w)
            qq, tt, _ = _resample(loop, 1.6)
            keep = tt <= length + extra
            qq, tt = qq[keep], tt[keep]
            # The overrun drifts a little off the line it covers.
            drift = np.clip((tt - length) / max(extra, 1e-6), 0, 1) * self.rng.uniform(-0.5, 0.5) * w
            tan = np.gradient(qq, axis=0)
            tan /= np.hypot(tan[:, 0], tan[:, 1])[:, None] + 1e-9
            qq = qq + np.stack([-tan[:, 1], tan[:, 0]], 1) * drift[:, None]
            self._ink_stroke(qq, tt, w, color)
        return q

    def dot(self, x, y, r, color=INK):
        self.shape(circle(x, y, r, n=16), fill=color, w=0)
        self.shape(circle(x, y, r, n=16), fill=None, w=max(1.5, r * 0.5), color=color, overshoot=0)

    def hatch(self, region, angle=45, spacing=None, w=None, color=INK):
        """Quick parallel strokes clipped to a region (shading)."""
        region = P(region)
        spacing = spacing or self.lw * 2.2
        w = w or self.lw * 0.45
        x0, y0 = region.min(0) - 2
        x1, y1 = region.max(0) + 2
        bw, bh = int((x1 - x0) * SS) + 2, int((y1 - y0) * SS) + 2
        layer = Canvas.__new__(Canvas)
        layer.__dict__.update(self.__dict__)
        layer.img = Image.new("L", (bw, bh), PAPER)
        layer.draw = ImageDraw.Draw(layer.img)
        layer._subject = None
        a = math.radians(angle)
        u = np.array([math.cos(a), math.sin(a)])
        v = np.array([-u[1], u[0]])
        c = np.array([(x1 - x0) / 2, (y1 - y0) / 2])
        half = np.hypot(x1 - x0, y1 - y0) / 2
        k = -half
        while k <= half:
            j = self.rng.uniform(-0.15, 0.15) * spacing
            p0 = c + v * (k + j) - u * half
            p1 = c + v * (k + j) + u * half
            q, t, _ = layer.wobble([p0, p1], amp=self.amp * 0.5)
            layer._ink_stroke(q, t, w, color, taper=(0.5, 0.2))
            k += spacing
        mask = Image.new("L", (bw, bh), 0)
        ImageDraw.Draw(mask).polygon([tuple(p) for p in (region - (x0, y0)) * SS], fill=255)
        box = (int(x0 * SS), int(y0 * SS))
        under = self.img.crop((box[0], box[1], box[0] + bw, box[1] + bh))
        dark = Image.fromarray(np.minimum(np.asarray(under), np.asarray(layer.img)))
        under.paste(dark, (0, 0), mask)
        self.img.paste(under, box)

    def text(self, s, x, y, h, w=None, spacing=0.25, slant=0.08):
        """Hand lettering (capitals and digits) with the left of the baseline at (x, y)."""
        w = w or self.lw * 0.8
        cx = x
        for ch in s:
            if ch == " ":
                cx += h * 0.55
                continue
            glyph = GLYPHS[ch]
            gw = glyph[0]
            for stroke in glyph[1]:
                pts = P(stroke) * (h * 0.62, -h)  # glyphs: x in [0, gw], y from 0 up to 1
                pts[:, 0] += -pts[:, 1] * slant
                self.line(pts + (cx, y), w=w, amp=h * 0.02, wave=h * 2)
            cx += (gw + spacing) * h * 0.62

    # -- result -----------------------------------------------------------------------------
    def image(self):
        img = self.img.reduce(SS)
        # Rounded to a few tones so the PNG stays small; the scan look survives.
        a = np.asarray(img).astype(np.int32)
        a = (np.round(a / 5) * 5).clip(0, 255)
        a[a >= 250] = PAPER
        return Image.fromarray(a.astype(np.uint8), "L")


# Capital letters and digits as strokes in a box 1 tall (y up), width given first.
GLYPHS = {
    "A": (0.9, [[(0, 0), (0.45, 1), (0.9, 0)], [(0.18, 0.4), (0.72, 0.4)]]),
    "B": (0.75, [[(0, 0), (0, 1), (0.5, 1), (0.72, 0.86), (0.55, 0.55), (0, 0.55)],
                 [(0.55, 0.55), (0.78, 0.35), (0.6, 0.02), (0, 0)]]),
    "E": (0.7, [[(0.7, 1), (0, 1), (0, 0), (0.7, 0)], [(0, 0.52), (0.55, 0.52)]]),
    "J": (0.65, [[(0.1, 1), (0.65, 1)], [(0.45, 1), (0.45, 0.2), (0.3, 0), (0.05, 0.05), (0, 0.25)]]),
    "M": (1.0, [[(0, 0), (0.05, 1), (0.5, 0.35), (0.95, 1), (1.0, 0)]]),
    "O": (0.85, [ellipse(0.42, 0.5, 0.42, 0.5, n=40)[::-1].tolist() + [(0.84, 0.55)]]),
    "P": (0.7, [[(0, 0), (0, 1), (0.5, 1), (0.72, 0.82), (0.55, 0.5), (0, 0.5)]]),
    "R": (0.75, [[(0, 0), (0, 1), (0.5, 1), (0.72, 0.82), (0.55, 0.52), (0, 0.52)],
                 [(0.35, 0.52), (0.78, 0)]]),
    "S": (0.7, [[(0.68, 0.85), (0.45, 1), (0.12, 0.92), (0.08, 0.68), (0.62, 0.38), (0.68, 0.12),
                 (0.4, 0), (0.02, 0.12)]]),
    "T": (0.8, [[(0, 1), (0.8, 1)], [(0.4, 1), (0.4, 0)]]),
    "Z": (0.75, [[(0.02, 1), (0.75, 1), (0, 0), (0.78, 0)]]),
    "0": (0.7, [ellipse(0.35, 0.5, 0.35, 0.5, n=40).tolist() + [(0.7, 0.55)]]),
    "1": (0.45, [[(0.05, 0.75), (0.35, 1), (0.35, 0)]]),
    "2": (0.7, [[(0.05, 0.78), (0.3, 1), (0.6, 0.95), (0.65, 0.65), (0.0, 0), (0.72, 0)]]),
    "3": (0.7, [[(0.05, 0.9), (0.35, 1), (0.65, 0.85), (0.55, 0.58), (0.25, 0.52)],
                [(0.25, 0.52), (0.65, 0.42), (0.68, 0.15), (0.35, 0), (0.02, 0.1)]]),
    "4": (0.75, [[(0.55, 0), (0.55, 1), (0, 0.3), (0.78, 0.3)]]),
    "5": (0.7, [[(0.65, 1), (0.1, 1), (0.05, 0.55), (0.45, 0.6), (0.68, 0.35), (0.55, 0.05), (0.02, 0.05)]]),
    "-": (0.45, [[(0.02, 0.45), (0.42, 0.45)]]),
    "!": (0.2, [[(0.1, 1), (0.1, 0.3)], [(0.1, 0.06), (0.1, 0.0)]]),
    "?": (0.6, [[(0.02, 0.8), (0.25, 1), (0.55, 0.92), (0.55, 0.62), (0.3, 0.45), (0.3, 0.28)],
                [(0.3, 0.06), (0.3, 0.0)]]),
}


# ---------------------------------------------------------------------------------------------
# Grids. A page is cut into panels by straight cuts at any angle (a gutter of GUTTER px along
# each cut), like a person ruling a page by eye; circles and clouds are drawn on top.

GRID_W = 1200
MARGIN = 48
GUTTER = 40
FOOTER = 180  # from the last frame to the bottom of the page: the footer band and a margin
FRAME_LW = 7.5


def cut(poly, p0, p1, gutter=GUTTER):
    """Splits a convex polygon along the line p0-p1, leaving a gutter; (top, bottom) for a
    mostly horizontal line, (left, right) for a mostly vertical one."""
    (x0, y0), (x1, y1) = p0, p1
    L = math.hypot(x1 - x0, y1 - y0)
    a, b = -(y1 - y0) / L, (x1 - x0) / L
    c = a * x0 + b * y0
    one = poly_clip(list(map(tuple, poly)), a, b, c - gutter / 2)
    two = poly_clip(list(map(tuple, poly)), -a, -b, -(c + gutter / 2))
    one, two = P(one), P(two)
    axis = 1 if abs(x1 - x0) > abs(y1 - y0) else 0
    return (one, two) if one[:, axis].mean() < two[:, axis].mean() else (two, one)


def page(height):
    return rect(MARGIN, MARGIN, GRID_W - MARGIN, height - FOOTER)


def frame(c, corners, gap=None):
    """A panel frame, edge by edge. gap=(edge, fraction, px): the pen skipped there."""
    corners = P(corners)
    n = len(corners)
    for i in range(n):
        a, b = corners[i], corners[(i + 1) % n]
        u = (b - a) / np.hypot(*(b - a))
        o0, o1 = c.rng.uniform(2, 8, 2)
        a, b = a - u * o0, b + u * o1
        if gap is not None and gap[0] == i:
            m = a + (b - a) * gap[1]
            for p, q in ((a, m - u * gap[2] / 2), (m + u * gap[2] / 2, b)):
                qq, t, _ = c.wobble([p, q])
                c._ink_stroke(qq, t, FRAME_LW, taper=(0.55, 0.5), pressure=0.1)
            continue
        qq, t, _ = c.wobble([a, b])
        c._ink_stroke(qq, t, FRAME_LW, taper=(0.6, 0.5), pressure=0.1)


def grid_two_by_two(c):
    top, bot = cut(page(c.H), (0, 575), (1200, 583))
    tl, tr = cut(top, (598, 0), (603, 600))
    bl, br = cut(bot, (606, 600), (597, 1200))
    frame(c, tl, gap=(0, 0.62, 7.0))  # a real scan: the pen skipped on the top edge
    for p in (tr, bl, br):
        frame(c, p)


def grid_three_tiers(c):
    one, rest = cut(page(c.H), (0, 530), (1200, 524))
    two, three = cut(rest, (0, 1022), (1200, 1030))
    for p in (one, two, three):
        frame(c, p)


def grid_establishing(c):
    top, bot = cut(page(c.H), (0, 708), (1200, 702))
    a, rest = cut(bot, (455, 700), (450, 1400))
    b, d = cut(rest, (808, 700), (812, 1400))
    for p in (top, a, b, d):
        frame(c, p)


def grid_slanted(c):
    row1, rest = cut(page(c.H), (0, 560), (1200, 660))
    row2, row3 = cut(rest, (0, 1260), (1200, 1150))
    a, b = cut(row1, (720, 0), (480, 660))
    d, e = cut(row3, (500, 1150), (760, 1900))
    for p in (a, b, row2, d, e):
        frame(c, p)


def grid_round_inset(c):
    top, bot = cut(page(c.H), (0, 860), (1200, 868))
    bl, br = cut(bot, (601, 800), (598, 1700))
    for p in (top, bl, br):
        frame(c, p)
    # The inset: paper cleared around it, the notch closed by an arc, then the circle.
    cx, cy, r, halo = 600, 864, 180, 22
    c.fill(circle(cx, cy, r + halo + 1, n=120), PAPER)
    for p in (top, bl, br):
        x0, y0 = p.min(0)
        x1, y1 = p.max(0)
        a = np.linspace(0, 360, 721)
        ring = np.stack([cx + (r + halo) * np.cos(np.radians(a)), cy + (r + halo) * np.sin(np.radians(a))], 1)
        inside = (ring[:, 0] > x0) & (ring[:, 0] < x1) & (ring[:, 1] > y0) & (ring[:, 1] < y1)
        idx = np.nonzero(inside)[0]
        if len(idx):
            # The arc inside this panel: a contiguous run of angles (rotate so it does not wrap).
            shift = np.nonzero(~inside)[0][0]
            ring2, inside2 = np.roll(ring, -shift, 0), np.roll(inside, -shift)
            run = ring2[inside2]
            u0 = run[1] - run[0]
            u1 = run[-1] - run[-2]
            run = np.vstack([run[0] - u0 / np.hypot(*u0) * 6, run, run[-1] + u1 / np.hypot(*u1) * 6])
            qq, t, _ = c.wobble(run, amp=1.5)
            c._ink_stroke(qq, t, FRAME_LW, taper=(0.6, 0.5), pressure=0.1)
    c.shape(circle(cx, cy, r, n=160), w=FRAME_LW, amp=1.8, overshoot=30)


def grid_six(c):
    r1, rest = cut(page(c.H), (0, 742), (1200, 738))
    r2, r3 = cut(rest, (0, 1436), (1200, 1444))
    for row, x in ((r1, (742, 736)), (r2, (436, 444)), (r3, (603, 596))):
        a, b = cut(row, (x[0], 0), (x[1], 2400))
        frame(c, a)
        frame(c, b)


def grid_tall_stack(c):
    left, right = cut(page(c.H), (566, 0), (572, 1700))
    a, rest = cut(right, (560, 528), (1200, 522))
    b, d = cut(rest, (560, 1008), (1200, 1016))
    for p in (left, a, b, d):
        frame(c, p)


def grid_long_strip(c):
    r1, rest = cut(page(c.H), (0, 555), (1200, 548))
    r2, rest = cut(rest, (0, 1100), (1200, 1110))
    r3, r4 = cut(rest, (0, 1630), (1200, 1622))
    a, b = cut(r1, (640, 0), (636, 600))
    d, rest = cut(r3, (420, 1100), (416, 1700))
    e, f = cut(rest, (800, 1100), (806, 1700))
    for p in (a, b, d, e, f, r4):
        frame(c, p)
    # A dream panel: a scalloped cloud instead of a ruled frame.
    x0, y0 = r2.min(0)
    x1, y1 = r2.max(0)
    c.shape(cloud((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2 - 34, (y1 - y0) / 2 - 30, bumps=16),
            w=FRAME_LW, amp=1.5, overshoot=25)


# name: (drawing function, height, panels intended, has a deliberate pen gap, title)
GRID_SPECS = {
    "two-by-two": (grid_two_by_two, 1280, 4, True, "Two by two"),
    "three-tiers": (grid_three_tiers, 1700, 3, False, "Three tiers"),
    "establishing": (grid_establishing, 1560, 4, False, "Wide establishing shot and three"),
    "slanted": (grid_slanted, 2000, 5, False, "Slanted gutters"),
    "round-inset": (grid_round_inset, 1800, 4, False, "Round inset"),
    "six-panel": (grid_six, 2300, 6, False, "Six panels"),
    "tall-stack": (grid_tall_stack, 1640, 4, False, "Tall panel and a stack"),
    "long-strip": (grid_long_strip, 2360, 7, False, "Long strip with a dream cloud"),
}

OVERRIDE_EXAMPLE = "three-tiers"


def make_grid(name):
    fn, height, _, _, _ = GRID_SPECS[name]
    c = Canvas(GRID_W, height, seed_of("grid/" + name), lw=FRAME_LW, amp=2.2, wave=420)
    fn(c)
    return c.image()


# ---------------------------------------------------------------------------------------------
# Checking grids the way the firmware finds panels.


def sealed_ink(a, radius):
    ink = a < 128
    if radius <= 0:
        return ink
    h, w = ink.shape
    p = np.pad(ink, radius)
    rows = np.zeros((h + 2 * radius, w), bool)
    for d in range(2 * radius + 1):
        rows |= p[:, d:d + w]
    out = np.zeros((h, w), bool)
    for d in range(2 * radius + 1):
        out |= rows[d:d + h, :]
    return out


def blank_regions(blocked):
    """4-connected regions of unblocked pixels: list of (x0, y0, x1, y1, area, touches_edge).
    Run-length labelling with union-find (fast enough for a page)."""
    h, w = blocked.shape
    parent = []

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    runs = []  # (y, x0, x1 exclusive, label)
    prev = []
    for y in range(h):
        row = ~blocked[y]
        d = np.diff(np.concatenate([[0], row.view(np.int8), [0]]))
        starts, ends = np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]
        cur = []
        j = 0
        for s, e in zip(starts, ends):
            label = len(parent)
            parent.append(label)
            while j < len(prev) and prev[j][1] <= s:
                j += 1
            k = j
            while k < len(prev) and prev[k][0] < e:
                ra, rb = find(prev[k][2]), find(label)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
                k += 1
            cur.append((s, e, label))
            runs.append((y, s, e, label))
        prev = cur
    regions = {}
    for y, s, e, label in runs:
        r = find(label)
        g = regions.setdefault(r, [s, y, e - 1, y, 0, False])
        g[0], g[1], g[2], g[3] = min(g[0], s), min(g[1], y), max(g[2], e - 1), max(g[3], y)
        g[4] += e - s
        g[5] = g[5] or s == 0 or e == w or y == 0 or y == h - 1
    return [tuple(g) for g in regions.values()]


def find_panels(a, radius=SEAL_PX):
    """Enclosed blank regions with a bounding box of at least MIN_PANEL, as the firmware grows
    them back (x, y, width, height); and the largest other enclosed region's area."""
    h, w = a.shape
    panels, specks = [], [0]
    for x0, y0, x1, y1, area, edge in blank_regions(sealed_ink(a, radius)):
        if edge:
            continue
        if x1 - x0 + 1 >= MIN_PANEL[0] and y1 - y0 + 1 >= MIN_PANEL[1]:
            x0, y0 = max(0, x0 - radius), max(0, y0 - radius)
            x1, y1 = min(w - 1, x1 + radius), min(h - 1, y1 + radius)
            panels.append((int(x0), int(y0), int(x1 - x0 + 1), int(y1 - y0 + 1), int(area)))
        else:
            specks.append(area)
    panels.sort(key=lambda p: (p[1], p[0]))
    return panels, max(specks)


# ---------------------------------------------------------------------------------------------
# Art. Each piece is a function drawing on a Canvas; the registry holds its metadata.

ARTS = []
ANCHORS = ("center", "top", "bottom", "left", "right", "top-left", "top-right", "bottom-left",
           "bottom-right")


def art(path, title, size, min_mm, anchor="center", flip=True, themes=None):
    def register(fn):
        theme = path.split("/")[0]
        ARTS.append(dict(fn=fn, path=path + ".png", title=title, size=size, min_mm=min_mm,
                         anchor=anchor, flip=flip, themes=themes or [theme]))
        return fn
    return register


def make_art(spec):
    w, h = spec["size"]
    c = Canvas(w, h, seed_of("art/" + spec["path"]))
    spec["fn"](c)
    img = c.image()
    a = np.asarray(img)
    if c.subject_box is not None:
        x0, y0, x1, y1 = c.subject_box
    else:
        ys, xs = np.nonzero(a < 250)
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    focal = [max(0.0, x0 / w), max(0.0, y0 / h), min(1.0, x1 / w), min(1.0, y1 / h)]
    return img, [round(v, 3) for v in focal]


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def art_toml(entries):
    out = [
        "# The comic robot's art library: one [[art]] per picture. Made by make_assets.py (the",
        "# focal boxes are the subjects as drawn); hand-edit or append entries for your own art.",
        "#",
        "# file          picture, relative to this file (PNG, white background)",
        "# title         what it shows",
        "# themes        one or more theme names",
        "# focal         x0, y0, x1, y1 as fractions of the picture: kept visible when cropped",
        "# min_panel_mm  smallest panel (width, height in mm on the 100 mm-wide print) where it reads",
        "# anchor        the part kept when cropping: center, top, bottom, left, right, top-left, ...",
        "# may_flip      false for lettering or a handed subject",
        "",
    ]
    for e in entries:
        out += [
            "[[art]]",
            f"file = {toml_str(e['path'])}",
            f"title = {toml_str(e['title'])}",
            "themes = [" + ", ".join(toml_str(t) for t in e["themes"]) + "]",
            "focal = [" + ", ".join(f"{v:.3f}" for v in e["focal"]) + "]",
            f"min_panel_mm = [{e['min_mm'][0]:.1f}, {e['min_mm'][1]:.1f}]",
            f"anchor = {toml_str(e['anchor'])}",
            f"may_flip = {'true' if e['flip'] else 'false'}",
            "",
        ]
    return "\n".join(out)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return repr(v)


def grid_toml(name, panels):
    title = GRID_SPECS[name][4]
    out = [
        "# Optional: overrides automatic panel detection for this grid.",
        "# Without this file the panels are found automatically (the enclosed blank areas);",
        "# these rects are what detection finds, written out as an example.",
        f"title = {toml_str(title)}",
        "",
    ]
    for x, y, w, h, _ in panels:
        out += ["[[panel]]", f"rect = [{x}, {y}, {w}, {h}]   # x, y, width, height in pixels", ""]
    return "\n".join(out)


def save_png(img, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=True, dpi=DPI)


def generate():
    for name in GRID_SPECS:
        img = make_grid(name)
        save_png(img, GRIDS / f"{name}.png")
        if name == OVERRIDE_EXAMPLE:
            panels, _ = find_panels(np.asarray(img))
            (GRIDS / f"{name}.toml").write_text(grid_toml(name, panels))
        print(f"grids/{name}.png")
    entries = []
    for spec in ARTS:
        img, focal = make_art(spec)
        save_png(img, ART / spec["path"])
        entries.append(dict(spec, focal=focal))
        print(f"art/{spec['path']}")
    text = art_toml(entries)
    # Entries someone added by hand for their own pictures are kept, after the drawn ones.
    toml_path = ART / "art.toml"
    if toml_path.exists():
        import tomllib

        drawn = {e["path"] for e in entries}
        kept = [e for e in tomllib.loads(toml_path.read_text()).get("art", []) if e.get("file") not in drawn]
        for e in kept:
            text += "\n[[art]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in e.items())
    toml_path.write_text(text)


# ---------------------------------------------------------------------------------------------
# Checks.


def check():
    import tomllib

    problems = []

    def expect(ok, msg):
        if not ok:
            problems.append(msg)
        return ok

    for name, (_, height, want, has_gap, _) in GRID_SPECS.items():
        path = GRIDS / f"{name}.png"
        if not expect(path.exists(), f"{path} missing"):
            continue
        img = Image.open(path)
        a = np.asarray(img)
        expect(img.mode == "L" and img.size == (GRID_W, height), f"{name}: {img.mode} {img.size}")
        panels, speck = find_panels(a)
        expect(len(panels) == want, f"{name}: {len(panels)} panels found, {want} intended")
        for x, y, w, h, _ in panels:
            expect(w >= MIN_PANEL[0] and h >= MIN_PANEL[1], f"{name}: small panel {w}x{h}")
        # Anything else enclosed must be a speck (the firmware ignores < 1 % of the page).
        expect(speck < 0.002 * a.size, f"{name}: an enclosed blank region of {speck} px")
        rows = np.nonzero((a < 128).any(axis=1))[0]
        band = a.shape[0] - 1 - rows.max()
        expect(band >= FOOTER_MIN + 30, f"{name}: footer band {band} px")
        # A pen gap is real (the panel leaks unsealed) but at most 4 px (sealed at 2 px).
        unsealed, _ = find_panels(a, 0)
        half, _ = find_panels(a, 2)
        expect(len(half) == want, f"{name}: a gap wider than 4 px")
        if has_gap:
            expect(len(unsealed) < want, f"{name}: the pen gap does not leak unsealed")
        print(f"grid {name}: {img.size[0]}x{img.size[1]}, {len(panels)} panels "
              f"(unsealed {len(unsealed)}), footer band {band} px")
        toml_path = GRIDS / f"{name}.toml"
        if toml_path.exists():
            doc = tomllib.loads(toml_path.read_text())
            rects = [tuple(p["rect"]) for p in doc.get("panel", [])]
            expect(rects == [p[:4] for p in panels], f"{toml_path.name}: rects differ from detection")
            for x, y, w, h in rects:
                expect(0 <= x and 0 <= y and x + w <= GRID_W and y + h <= height, f"{toml_path.name}: rect out")

    for path in sorted(GRIDS.glob("*.png")):
        if path.stem not in GRID_SPECS:
            a = np.asarray(Image.open(path).convert("L"))
            panels, _ = find_panels(a)
            print(f"grid {path.stem} (not drawn here): {a.shape[1]}x{a.shape[0]}, {len(panels)} panels "
                  + " ".join(f"[{x}, {y}, {w}, {h}]" for x, y, w, h, _ in panels))

    doc = tomllib.loads((ART / "art.toml").read_text())
    entries = doc.get("art", [])
    seen = set()
    themes = {}
    for e in entries:
        f = e.get("file", "")
        expect(f not in seen, f"art.toml: {f} listed twice")
        seen.add(f)
        p = ART / f
        if not expect(p.exists(), f"art.toml: {f} does not exist"):
            continue
        img = Image.open(p)
        expect(img.mode == "L", f"{f}: mode {img.mode}")
        a = np.asarray(img)
        ring = np.concatenate([a[:3].ravel(), a[-3:].ravel(), a[:, :3].ravel(), a[:, -3:].ravel()])
        expect((ring == PAPER).mean() >= 0.5 and (a == PAPER).mean() > 0.25, f"{f}: background is not white")
        fx = e.get("focal", [])
        expect(len(fx) == 4 and all(0 <= v <= 1 for v in fx) and fx[0] < fx[2] and fx[1] < fx[3],
               f"{f}: focal {fx}")
        mm = e.get("min_panel_mm", [])
        expect(len(mm) == 2 and all(v > 0 for v in mm), f"{f}: min_panel_mm {mm}")
        expect(e.get("anchor") in ANCHORS, f"{f}: anchor {e.get('anchor')}")
        expect(isinstance(e.get("may_flip"), bool), f"{f}: may_flip")
        expect(bool(e.get("themes")) and isinstance(e.get("title"), str), f"{f}: themes/title")
        for t in e.get("themes", []):
            themes[t] = themes.get(t, 0) + 1
    on_disk = {str(p.relative_to(ART)) for p in ART.rglob("*.png")}
    expect(on_disk == seen, f"art.toml and art/ differ: {sorted(on_disk ^ seen)}")
    print(f"art: {len(entries)} pieces; " + ", ".join(f"{t} {n}" for t, n in sorted(themes.items())))
    for msg in problems:
        print("FAIL:", msg)
    return not problems


def contact_sheet(path):
    """All grids and art on one sheet, to look at."""
    items = [(f"grids/{n}", Image.open(GRIDS / f"{n}.png")) for n in GRID_SPECS]
    items += [(s["path"], Image.open(ART / s["path"])) for s in ARTS]
    cell = 300
    cols = 8
    rows = (len(items) + cols - 1) // cols
    sheet = Image.new("L", (cols * cell, rows * (cell + 18)), 235)
    d = ImageDraw.Draw(sheet)
    for i, (label, img) in enumerate(items):
        img = img.copy()
        img.thumbnail((cell - 12, cell - 12), Image.LANCZOS)
        x, y = (i % cols) * cell, (i // cols) * (cell + 18)
        sheet.paste(img, (x + (cell - img.width) // 2, y + 6))
        d.text((x + 6, y + cell + 2), label[-40:], fill=0)
    sheet.save(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="check the files on disk, write nothing")
    ap.add_argument("--contact", metavar="PNG", help="also write a contact sheet here")
    args = ap.parse_args()
    if args.check:
        ok = check()
        print("check passed" if ok else "check FAILED")
        sys.exit(0 if ok else 1)
    generate()
    if args.contact:
        contact_sheet(args.contact)



# ---------------------------------------------------------------------------------------------
# Drawing helpers shared by the art.


def eye(c, x, y, r, look=(0.2, 0.1), pupil=0.5, w=None):
    c.shape(circle(x, y, r), fill=PAPER, w=w or c.lw * 0.8)
    px, py = x + look[0] * r * 0.55, y + look[1] * r * 0.55
    c.shape(circle(px, py, r * pupil), fill=INK, w=0)
    c.fill(circle(px - r * pupil * 0.35, py - r * pupil * 0.35, r * pupil * 0.3), PAPER)


def shadow(c, cx, cy, rx, ry, value=LIGHT):
    c.fill(ellipse(cx, cy, rx, ry), value)


def tube(c, pts, width, fill=MID):
    """A limb or pipe: an outlined thick stroke."""
    q, t, _ = c.wobble(pts)
    c._ink_stroke(q, t, width, INK, taper=(1, 1), pressure=0.04)
    c._ink_stroke(q, t, max(2, width - 2 * c.lw), fill, taper=(1, 1), pressure=0.04)


def speed(c, x, y, length, angle=0, n=3, gap=None, w=None):
    """Motion lines."""
    gap = gap or c.lw * 3
    a = math.radians(angle)
    u, v = np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])
    for i in range(n):
        k = (i - (n - 1) / 2) * gap
        L = length * (1 - 0.25 * abs(i - (n - 1) / 2))
        p = np.array([x, y]) + v * k
        c.line([p, p + u * L], w=w or c.lw * 0.6, taper=(0.9, 0.1))


def sparkle(c, x, y, r, w=None):
    w = w or c.lw * 0.6
    c.line([(x - r, y), (x + r, y)], w=w, taper=(0.2, 0.2))
    c.line([(x, y - r), (x, y + r)], w=w, taper=(0.2, 0.2))


def bolt(c, x, y, r):
    c.shape(circle(x, y, r), fill=LIGHT, w=c.lw * 0.5)
    c.line([(x - r * 0.5, y - r * 0.5), (x + r * 0.5, y + r * 0.5)], w=c.lw * 0.4)


def ground(c, y, x0=None, x1=None, tufts=4):
    x0 = 0.04 * c.W if x0 is None else x0
    x1 = 0.96 * c.W if x1 is None else x1
    c.line([(x0, y), ((x0 + x1) / 2, y + c.rng.uniform(-4, 4)), (x1, y)], w=c.lw * 0.8)
    for i in range(tufts):
        gx = x0 + (x1 - x0) * (i + 0.5) / tufts + c.rng.uniform(-30, 30)
        c.line([(gx, y + 18), (gx + 16, y + 14)], w=c.lw * 0.5)


def waves(c, y, x0, x1, amp=14, period=90, w=None, fill=None, depth=None):
    """A row of scalloped waves (optionally filled down by depth)."""
    xs = np.linspace(x0, x1, int((x1 - x0) / 3))
    ph = c.rng.uniform(0, 2 * np.pi)
    ys = y - amp * np.abs(np.sin(np.pi * (xs - x0) / period + ph))
    pts = np.stack([xs, ys], 1)
    if fill is not None:
        c.fill(np.vstack([pts, [(x1, y + depth), (x0, y + depth)]]), fill)
    c.line(pts, w=w or c.lw * 0.8)


def bubbles(c, pts):
    for x, y, r in pts:
        c.shape(circle(x, y, r), fill=PAPER, w=max(2.5, c.lw * 0.5))
        c.fill(circle(x - r * 0.35, y - r * 0.35, r * 0.22), MID)


# ---------------------------------------------------------------------------------------------
# Robots.


def robot_head(c, x0, y0, x1, y1, fill=LIGHT, eyes=True, mouth="grill"):
    c.shape(rrect(x0, y0, x1, y1, 0.12 * (x1 - x0)), fill=fill)
    cx, w, h = (x0 + x1) / 2, x1 - x0, y1 - y0
    if eyes:
        r = 0.15 * w
        eye(c, cx - 0.22 * w, y0 + 0.4 * h, r)
        eye(c, cx + 0.22 * w, y0 + 0.4 * h, r)
    if mouth == "grill":
        c.shape(rrect(cx - 0.25 * w, y0 + 0.68 * h, cx + 0.25 * w, y0 + 0.86 * h, 6), fill=PAPER, w=c.lw * 0.7)
        for k in (-1, 0, 1):
            xx = cx + k * 0.1 * w
            c.line([(xx, y0 + 0.7 * h), (xx, y0 + 0.84 * h)], w=c.lw * 0.45)
    elif mouth == "smile":
        c.line(ellipse(cx, y0 + 0.62 * h, 0.2 * w, 0.14 * h, a0=20, a1=160), w=c.lw * 0.8)


def antenna(c, x, y, length, r, tilt=0):
    tip = (x + length * math.sin(math.radians(tilt)), y - length * math.cos(math.radians(tilt)))
    c.line([(x, y), ((x + tip[0]) / 2 + 6, (y + tip[1]) / 2), tip], w=c.lw * 0.8)
    c.shape(circle(tip[0], tip[1], r), fill=DARK)
    c.fill(circle(tip[0] - r * 0.3, tip[1] - r * 0.3, r * 0.3), PAPER)


def claw(c, x, y, r, angle=0):
    """An open pincer at (x, y) pointing along angle."""
    a = math.radians(angle)
    for s in (-1, 1):
        b = a + s * 0.55
        p1 = (x + r * math.cos(b), y + r * math.sin(b))
        p2 = (x + r * 1.6 * math.cos(a + s * 0.15), y + r * 1.6 * math.sin(a + s * 0.15))
        c.line(bez((x, y), p1, p2, n=20), w=c.lw * 0.9)


@art("robots/waving-robot", "Waving robot", (560, 860), (24, 34), anchor="bottom")
def _(c):
    shadow(c, 280, 800, 170, 26)
    with c.subject():
        tube(c, [(230, 600), (220, 700), (215, 785)], 40)
        tube(c, [(330, 600), (345, 700), (352, 785)], 40)
        c.shape(rrect(150, 770, 240, 810, 16), fill=DARK)
        c.shape(rrect(320, 770, 410, 810, 16), fill=DARK)
        tube(c, [(160, 430), (110, 520), (120, 610)], 36)
        claw(c, 120, 615, 24, 95)
        tube(c, [(400, 420), (470, 360), (480, 250)], 36)
        # The waving hand: an open palm with fingers.
        c.shape(ellipse(482, 215, 34, 40), fill=LIGHT)
        for ang in (-60, -85, -110):
            a = math.radians(ang)
            c.line([(482 + 30 * math.cos(a), 215 + 36 * math.sin(a)),
                    (482 + 62 * math.cos(a), 215 + 66 * math.sin(a))], w=c.lw * 1.1)
        c.shape(rrect(140, 370, 420, 630, 30), fill=MID)
        c.shape(rrect(200, 430, 360, 540, 14), fill=PAPER, w=c.lw * 0.8)
        for i, xx in enumerate((232, 280, 328)):
            c.shape(circle(xx, 470, 13), fill=(INK, DARK, LIGHT)[i], w=c.lw * 0.5)
        c.line([(220, 512), (340, 512)], w=c.lw * 0.5)
        bolt(c, 165, 395, 9)
        bolt(c, 395, 395, 9)
        tube(c, [(280, 330), (280, 372)], 34, fill=DARK)
        robot_head(c, 170, 150, 390, 335, mouth="smile")
        antenna(c, 280, 150, 80, 16, tilt=12)
        c.line(ellipse(490, 210, 95, 95, a0=-150, a1=-110), w=c.lw * 0.6)
        c.line(ellipse(490, 210, 120, 120, a0=-150, a1=-115), w=c.lw * 0.6)


@art("robots/robot-head", "Robot head, close up", (500, 500), (17, 16))
def _(c):
    with c.subject():
        c.line([(250, 110), (240, 60), (300, 40)], w=c.lw)
        c.shape(circle(305, 36, 20), fill=DARK)
        c.shape(rrect(40, 200, 90, 330, 16), fill=DARK)
        c.shape(rrect(410, 200, 460, 330, 16), fill=DARK)
        c.shape(rrect(70, 105, 430, 450, 50), fill=LIGHT)
        c.hatch(rrect(70, 380, 430, 450, 40), angle=60)
        c.shape(rrect(70, 105, 430, 450, 50), fill=None)
        eye(c, 175, 230, 62, look=(0.3, -0.2), pupil=0.45)
        eye(c, 325, 230, 62, look=(0.3, -0.2), pupil=0.45)
        c.shape(rrect(160, 330, 340, 390, 18), fill=INK, w=c.lw * 0.8)
        c.line(bez((175, 362), (215, 335), (255, 385), (325, 355), n=40), color=PAPER, w=c.lw * 0.7)
        for x, y in ((100, 135), (400, 135), (100, 420), (400, 420)):
            bolt(c, x, y, 10)
        c.line([(120, 160), (150, 140)], w=c.lw * 0.5)


@art("robots/robot-dog", "Robot dog wagging its tail", (900, 560), (30, 20), anchor="bottom")
def _(c):
    shadow(c, 450, 500, 330, 28)
    with c.subject():
        for x0, x1 in ((300, 280), (360, 372), (600, 590), (660, 676)):
            tube(c, [(x0, 360), (x1 + 6, 430), (x1, 488)], 34, fill=DARK if x0 in (360, 660) else MID)
            c.shape(rrect(x1 - 28, 478, x1 + 30, 504, 10), fill=INK, w=c.lw * 0.6)
        # The tail: a spring, wagging.
        q = [(720 + 8 * math.sin(t * 1.6) + t * 6, 300 - t * 9 + 12 * math.cos(t * 1.6)) for t in np.linspace(0, 14, 90)]
        c.line(q, w=c.lw * 0.8)
        c.shape(circle(q[-1][0], q[-1][1], 14), fill=INK)
        c.line(ellipse(780, 160, 70, 70, a0=-160, a1=-110), w=c.lw * 0.6)
        c.line(ellipse(780, 160, 70, 70, a0=-60, a1=-15), w=c.lw * 0.6)
        c.shape(rrect(250, 260, 740, 390, 50), fill=LIGHT)
        c.hatch(rrect(250, 340, 740, 390, 40), angle=70)
        c.shape(rrect(250, 260, 740, 390, 50), fill=None)
        for x in (420, 480, 540):
            c.line([(x, 282), (x, 365)], w=c.lw * 0.5)
        tube(c, [(250, 270), (200, 225)], 44, fill=MID)
        c.shape(rrect(60, 100, 250, 250, 36), fill=LIGHT)
        c.shape(rrect(20, 180, 120, 250, 20), fill=MID)
        c.shape(ellipse(36, 196, 16, 12), fill=INK, w=0)
        c.line([(60, 232), (100, 232)], w=c.lw * 0.6)
        c.shape(P([(150, 105), (215, 50), (238, 130)]), fill=DARK, corners=True)
        eye(c, 120, 160, 28, look=(-0.4, 0.2))
        bolt(c, 215, 220, 8)


@art("robots/tread-bot", "Little tread robot with a flower", (540, 540), (18, 17), anchor="bottom")
def _(c):
    shadow(c, 270, 500, 200, 20)
    with c.subject():
        c.shape(rrect(90, 380, 450, 490, 55), fill=DARK)
        for x in (145, 215, 285, 355, 405):
            c.shape(circle(x if x < 400 else 395, 435, 28), fill=LIGHT, w=c.lw * 0.7)
            c.dot(x if x < 400 else 395, 435, 6)
        c.shape(rrect(140, 250, 400, 385, 20), fill=MID)
        c.line([(160, 365), (380, 365)], w=c.lw * 0.5)
        c.shape(ellipse(270, 250, 115, 110, a0=180, a1=360, n=50).tolist() + [(385, 252), (155, 252)], fill=LIGHT)
        c.shape(ellipse(270, 195, 50, 38), fill=PAPER, w=c.lw * 0.8)
        c.shape(circle(285, 195, 22), fill=INK, w=0)
        c.fill(circle(278, 187, 7), PAPER)
        # Holding up a flower.
        tube(c, [(390, 300), (450, 270), (460, 200)], 26)
        c.line(bez((460, 205), (470, 140), (440, 90), n=30), w=c.lw * 0.8)
        fx, fy = 440, 78
        for k in range(6):
            a = k * 60 + 15
            c.shape(ellipse(fx + 26 * math.cos(math.radians(a)), fy + 26 * math.sin(math.radians(a)), 22, 13, rot=a), fill=PAPER, w=c.lw * 0.6)
        c.shape(circle(fx, fy, 14), fill=DARK, w=c.lw * 0.6)
        claw(c, 460, 215, 18, -80)
        tube(c, [(150, 300), (100, 340), (95, 390)], 26)


@art("robots/juggling-robot", "Robot juggling three balls", (600, 900), (24, 38), anchor="bottom")
def _(c):
    shadow(c, 300, 850, 150, 22)
    with c.subject():
        c.line(ellipse(300, 200, 210, 150, a0=200, a1=340), w=c.lw * 0.5)
        for (x, y), pat in zip(((110, 250), (300, 60), (490, 250)), range(3)):
            c.shape(circle(x, y, 42), fill=(PAPER, LIGHT, MID)[pat])
            if pat == 0:
                c.line([(x - 40, y + 5), (x + 40, y - 5)], w=c.lw * 0.7)
                c.line([(x - 36, y + 22), (x + 36, y + 12)], w=c.lw * 0.7)
            elif pat == 1:
                for dx, dy in ((-14, -10), (12, 8), (-6, 20), (16, -18)):
                    c.dot(x + dx, y + dy, 6)
            else:
                c.line(ellipse(x, y, 42, 14, rot=-30, a0=0, a1=180), w=c.lw * 0.6)
        tube(c, [(275, 640), (262, 740), (255, 820)], 34)
        tube(c, [(325, 640), (340, 740), (348, 820)], 34)
        c.shape(ellipse(240, 830, 55, 22), fill=INK)
        c.shape(ellipse(360, 830, 55, 22), fill=INK)
        tube(c, [(220, 470), (150, 400), (120, 310)], 30)
        tube(c, [(380, 470), (450, 400), (480, 310)], 30)
        claw(c, 120, 305, 18, -100)
        claw(c, 480, 305, 18, -80)
        c.shape(ellipse(300, 545, 100, 130), fill=MID)
        c.shape(circle(300, 530, 34), fill=PAPER, w=c.lw * 0.7)
        c.line(star(300, 530, 22, 10), w=c.lw * 0.5)
        tube(c, [(300, 400), (300, 420)], 30, fill=DARK)
        c.shape(circle(300, 345, 70), fill=LIGHT)
        eye(c, 272, 330, 20, look=(0, -1))
        eye(c, 328, 330, 20, look=(0, -1))
        c.line(ellipse(300, 365, 26, 16, a0=10, a1=170), w=c.lw * 0.7)
        c.line([(300, 275), (300, 245)], w=c.lw * 0.7)
        c.dot(300, 240, 9)


@art("robots/broken-robot", "Broken robot sitting in a heap", (820, 600), (30, 22), anchor="bottom")
def _(c):
    ground(c, 540, 30, 790, tufts=5)
    with c.subject():
        # Smoke.
        for (x, y, r), v in zip(((470, 110, 48), (420, 60, 36), (520, 50, 30)), (LIGHT, PAPER, LIGHT)):
            c.shape(blob(x, y, r, r * 0.8, c.rng, lobes=6, depth=0.2), fill=v, w=c.lw * 0.6)
        # Legs stuck out in front.
        tube(c, [(330, 470), (220, 500), (120, 505)], 40)
        tube(c, [(430, 480), (540, 510), (640, 505)], 40, fill=DARK)
        c.shape(rrect(80, 470, 130, 540, 12), fill=INK)
        c.shape(rrect(630, 470, 680, 540, 12), fill=INK)
        c.shape(rrect(270, 300, 500, 500, 26), fill=MID)
        c.shape(rrect(320, 340, 450, 420, 10), fill=PAPER, w=c.lw * 0.7)
        c.line([(330, 400), (360, 360), (385, 395), (410, 350), (440, 390)], w=c.lw * 0.5)
        c.line([(440, 340), (455, 320), (470, 345)], w=c.lw * 0.5)
        tube(c, [(280, 330), (220, 420), (210, 480)], 30)
        # The loose arm: hanging by a spring.
        q = [(505 + t * 6, 330 + 10 * math.sin(t * 2.2)) for t in np.linspace(0, 10, 80)]
        c.line(q, w=c.lw * 0.6)
        tube(c, [(565, 330), (620, 380), (650, 440)], 28)
        claw(c, 652, 445, 16, 70)
        # The head, tilted, with crossed-out eyes.
        hx, hy = 380, 220
        c.shape(rot(rrect(hx - 95, hy - 75, hx + 95, hy + 75, 20), 14, (hx, hy)), fill=LIGHT)
        for ex in (-40, 40):
            e = rot(P([(hx + ex - 16, hy - 26), (hx + ex + 16, hy + 2)]), 14, (hx, hy))
            c.line(e, w=c.lw * 0.9)
            e = rot(P([(hx + ex + 16, hy - 26), (hx + ex - 16, hy + 2)]), 14, (hx, hy))
            c.line(e, w=c.lw * 0.9)
        c.line(rot(bez((hx - 30, hy + 45), (hx, hy + 30), (hx + 30, hy + 45)), 14, (hx, hy)), w=c.lw * 0.7)
        c.line(bez((400, 145), (420, 90), (380, 80), (400, 40)), w=c.lw * 0.7)
        # A screw on the ground.
        c.shape(rect(700, 500, 740, 512), fill=DARK, corners=True, w=c.lw * 0.5)
        c.line([(740, 506), (770, 506)], w=c.lw * 0.7)


@art("robots/r42", "Robot R-42 showing its number", (560, 720), (22, 28), anchor="bottom", flip=False)
def _(c):
    shadow(c, 280, 680, 180, 22)
    with c.subject():
        tube(c, [(210, 560), (205, 660)], 48, fill=DARK)
        tube(c, [(350, 560), (355, 660)], 48, fill=DARK)
        c.shape(rrect(150, 645, 260, 690, 14), fill=INK)
        c.shape(rrect(300, 645, 410, 690, 14), fill=INK)
        tube(c, [(130, 330), (80, 420), (110, 480)], 34)
        tube(c, [(430, 330), (480, 420), (450, 480)], 34)
        c.shape(circle(115, 490, 26), fill=LIGHT)
        c.shape(circle(445, 490, 26), fill=LIGHT)
        c.shape(rect(110, 290, 450, 580), fill=MID, corners=True)
        c.shape(rrect(150, 340, 410, 470, 14), fill=PAPER, w=c.lw * 0.8)
        c.text("R-42", 172, 445, 80, w=c.lw * 1.1)
        for x in (170, 210, 250):
            c.line([(x, 510), (x, 560)], w=c.lw * 0.5)
        c.shape(circle(370, 530, 22), fill=DARK, w=c.lw * 0.6)
        robot_head(c, 170, 100, 390, 280, fill=LIGHT, mouth="grill")
        c.line([(190, 100), (170, 45)], w=c.lw * 0.7)
        c.line([(370, 100), (390, 45)], w=c.lw * 0.7)
        c.dot(170, 42, 10)
        c.dot(390, 42, 10)


@art("robots/giant-robot-city", "Giant robot striding over a city", (1000, 620), (62, 40), anchor="bottom")
def _(c):
    c.shape(cloud(150, 90, 90, 34, bumps=6), fill=PAPER, w=c.lw * 0.6)
    c.shape(cloud(850, 130, 70, 28, bumps=5), fill=PAPER, w=c.lw * 0.6)
    with c.subject():
        # The robot behind the skyline.
        tube(c, [(440, 380), (400, 480), (390, 580)], 70)
        tube(c, [(580, 380), (640, 470), (660, 560)], 70)
        c.shape(rrect(410, 190, 610, 400, 30), fill=DARK)
        c.shape(rrect(460, 240, 560, 320, 12), fill=LIGHT, w=c.lw * 0.7)
        tube(c, [(420, 230), (340, 300), (320, 390)], 50)
        tube(c, [(600, 230), (690, 180), (760, 130)], 50)
        claw(c, 765, 125, 26, -40)
        c.shape(rrect(450, 80, 570, 190, 18), fill=LIGHT)
        c.shape(rrect(465, 115, 555, 150, 10), fill=INK, w=c.lw * 0.6)
        c.fill(rrect(475, 122, 520, 140, 6), PAPER)
        antenna(c, 510, 80, 45, 11)
    base = 590
    xs = [20, 120, 200, 290, 700, 780, 880]
    hs = [210, 150, 260, 180, 230, 170, 250]
    ws = [95, 75, 85, 90, 75, 95, 100]
    for x, h, w, v in zip(xs, hs, ws, (MID, LIGHT, DARK, LIGHT, MID, DARK, LIGHT)):
        c.shape(rect(x, base - h, x + w, base), fill=v, corners=True, w=c.lw * 0.8)
        for wy in range(base - h + 25, base - 30, 38):
            for wx in range(x + 15, x + w - 20, 28):
                c.shape(rect(wx, wy, wx + 13, wy + 18), fill=PAPER if v != LIGHT else INK, corners=True, w=0)
    c.line([(0, base), (1000, base)], w=c.lw)
    speed(c, 250, 470, -60, angle=0, n=2)


@art("robots/robot-arm", "Factory robot arm holding a wrench", (700, 720), (24, 24), anchor="bottom")
def _(c):
    c.line([(40, 670), (660, 670)], w=c.lw * 0.8)
    c.hatch(rect(40, 672, 660, 700), angle=45)
    with c.subject():
        c.shape(rrect(160, 590, 360, 670, 14), fill=DARK)
        c.shape(ellipse(260, 590, 80, 30), fill=MID)
        tube(c, [(260, 580), (240, 420), (270, 300)], 80, fill=LIGHT)
        c.shape(circle(270, 300, 56), fill=MID)
        c.shape(circle(270, 300, 20), fill=PAPER, w=c.lw * 0.6)
        tube(c, [(270, 300), (420, 210), (520, 200)], 64, fill=LIGHT)
        c.shape(circle(520, 200, 42), fill=MID)
        c.dot(520, 200, 10)
        tube(c, [(520, 200), (570, 260), (580, 300)], 40, fill=DARK)
        claw(c, 582, 310, 28, 90)
        # The wrench, held in the claw, hanging down.
        c.shape(rrect(568, 330, 598, 520, 12), fill=MID)
        head = P(circle(583, 548, 42, n=48))
        c.shape(head, fill=MID)
        c.shape(rect(568, 548, 598, 600), fill=PAPER, corners=True, w=c.lw * 0.6)
        c.fill(rect(566, 575, 600, 600), PAPER)
        c.line([(583, 360), (583, 500)], w=c.lw * 0.4)
        c.line([(300, 520), (320, 560)], w=c.lw * 0.4)
        c.line([(240, 380), (210, 330), (225, 260), (255, 250)], w=c.lw * 0.5)


@art("robots/running-robot", "Robot running in a hurry", (820, 660), (28, 24), anchor="bottom")
def _(c):
    shadow(c, 420, 620, 200, 20)
    for x, y in ((150, 590), (110, 560)):
        c.shape(blob(x, y, 40, 24, c.rng, lobes=5, depth=0.3), fill=PAPER, w=c.lw * 0.6)
    speed(c, 230, 320, -130, n=4, gap=34)
    with c.subject():
        tube(c, [(420, 420), (330, 480), (270, 560)], 38, fill=DARK)
        c.shape(rot(rrect(210, 545, 300, 585, 14), 30, (255, 565)), fill=INK)
        tube(c, [(470, 420), (560, 500), (610, 600)], 38)
        c.shape(rrect(575, 590, 690, 625, 14), fill=INK)
        tube(c, [(390, 260), (320, 330), (250, 300)], 30, fill=DARK)
        c.shape(rot(rrect(320, 200, 540, 440, 30), 12, (430, 320)), fill=MID)
        c.shape(rot(rect(370, 250, 480, 320), 12, (430, 320)), fill=PAPER, corners=True, w=c.lw * 0.7)
        c.shape(circle(425, 285, 18), fill=INK, w=0)
        tube(c, [(520, 270), (590, 320), (650, 280)], 30)
        c.shape(circle(660, 272, 24), fill=LIGHT)
        hx, hy = 480, 140
        c.shape(rot(rrect(hx - 90, hy - 70, hx + 90, hy + 70, 24), 12, (hx, hy)), fill=LIGHT)
        eye(c, 470, 130, 24, look=(1, 0))
        eye(c, 535, 142, 24, look=(1, 0))
        c.shape(ellipse(505, 188, 22, 14), fill=INK, w=c.lw * 0.6)
        # Sweat drops.
        for x, y in ((370, 80), (350, 120)):
            c.shape(P([(x, y - 20)] + ellipse(x, y, 10, 10, a0=-30, a1=210, n=16).tolist()), fill=PAPER, w=c.lw * 0.5)


@art("robots/sleeping-robot", "Robot asleep on a bench, zzz", (820, 540), (30, 20), anchor="bottom", flip=False)
def _(c):
    c.text("Z", 250, 220, 60)
    c.text("Z", 320, 150, 46)
    c.text("Z", 380, 95, 34)
    with c.subject():
        c.shape(rect(60, 400, 760, 440), fill=MID, corners=True)
        for x in (100, 720):
            c.shape(rect(x - 14, 440, x + 14, 510), fill=DARK, corners=True, w=c.lw * 0.8)
        c.shape(rrect(250, 300, 560, 400, 30), fill=LIGHT)
        c.line([(300, 330), (300, 380)], w=c.lw * 0.5)
        c.line([(500, 330), (500, 380)], w=c.lw * 0.5)
        tube(c, [(555, 340), (650, 350), (700, 330)], 36)
        c.shape(rrect(690, 305, 750, 395, 14), fill=INK)
        tube(c, [(330, 310), (360, 270), (420, 270)], 28, fill=DARK)
        c.shape(rrect(80, 260, 250, 395, 26), fill=LIGHT)
        for x in (125, 195):
            c.line(ellipse(x, 300, 22, 14, a0=10, a1=170), w=c.lw * 0.8)
        c.shape(circle(160, 350, 14), fill=PAPER, w=c.lw * 0.6)
        antenna(c, 120, 262, 50, 10, tilt=-50)
        c.shape(ellipse(165, 395, 110, 12), fill=PAPER, w=0)


@art("robots/watering-robot", "Robot watering a potted plant", (560, 760), (22, 30), anchor="bottom")
def _(c):
    shadow(c, 260, 720, 230, 22)
    with c.subject():
        # The plant.
        c.shape(P([(360, 600), (500, 600), (480, 710), (380, 710)]), fill=DARK, corners=True)
        c.shape(rect(350, 580, 510, 605), fill=MID, corners=True)
        c.line(bez((430, 580), (425, 540), (445, 500), n=30), w=c.lw * 0.8)
        for (x, y, a) in ((430, 555, -30), (440, 525, 35), (445, 500, -40)):
            c.shape(ellipse(x + 34 * math.cos(math.radians(a + 180 * (a < 0))) * 0.9, y, 34, 14, rot=a), fill=LIGHT, w=c.lw * 0.6)
        # Water.
        for x, y in ((425, 440), (440, 470), (418, 478)):
            c.shape(P([(x, y - 14)] + ellipse(x, y, 6, 7, a0=-30, a1=210, n=12).tolist()), fill=PAPER, w=c.lw * 0.4)
        tube(c, [(150, 560), (140, 640), (130, 700)], 34)
        tube(c, [(230, 560), (250, 640), (255, 700)], 34)
        c.shape(rrect(90, 690, 170, 720, 12), fill=INK)
        c.shape(rrect(230, 690, 310, 720, 12), fill=INK)
        c.shape(rot(rrect(100, 330, 280, 580, 26), 10, (190, 455)), fill=MID)
        tube(c, [(250, 400), (290, 420), (330, 400)], 28)
        # Watering can, tipped towards the plant.
        ck = (350, 380)
        c.line(rot(ellipse(350, 345, 34, 30, a0=180, a1=360), 30, ck), w=c.lw * 0.9)
        c.shape(rot(P([(395, 400), (470, 360), (478, 372), (395, 415)]), 30, ck), fill=LIGHT, corners=True, w=c.lw * 0.7)
        c.shape(rot(rrect(300, 345, 400, 425, 12), 30, ck), fill=LIGHT)
        c.line(rot(P([(300, 370), (400, 370)]), 30, ck), w=c.lw * 0.4)
        c.shape(rot(rrect(120, 150, 300, 310, 30), 18, (210, 230)), fill=LIGHT)
        eye(c, 205, 215, 24, look=(1, 1))
        eye(c, 265, 235, 24, look=(1, 1))
        c.line(ellipse(220, 272, 20, 10, rot=18, a0=10, a1=170), w=c.lw * 0.7)
        antenna(c, 180, 160, 55, 11, tilt=-20)


# ---------------------------------------------------------------------------------------------
# The sea.


def fish(c, x, y, L, fill=LIGHT, facing=1, stripes=True):
    """A small side-on fish centred at (x, y), length L."""
    f = facing
    c.shape(P([(x - f * L * 0.35, y), (x - f * L * 0.6, y - L * 0.22), (x - f * L * 0.6, y + L * 0.22)]),
            fill=MID, corners=True, w=c.lw * 0.6)
    c.shape(ellipse(x, y, L * 0.4, L * 0.22), fill=fill, w=c.lw * 0.7)
    if stripes:
        c.line(ellipse(x, y, L * 0.12, L * 0.2, a0=-70, a1=70) if f > 0 else ellipse(x, y, L * 0.12, L * 0.2, a0=110, a1=250), w=c.lw * 0.45)
    c.dot(x + f * L * 0.22, y - L * 0.05, max(2.5, L * 0.04))


@art("sea/big-fish", "Big fish, close up", (820, 560), (20, 15))
def _(c):
    bubbles(c, [(700, 120, 22), (740, 60, 14), (680, 40, 10)])
    with c.subject():
        c.shape(P([(150, 280), (40, 130), (70, 280), (40, 430)]), fill=MID, corners=True)
        for k in (-1, 0, 1):
            c.line([(70, 280 + k * 70), (130, 280 + k * 20)], w=c.lw * 0.5)
        c.shape(P([(330, 130), (420, 40), (560, 120)]), fill=DARK, corners=True)
        c.shape(ellipse(400, 290, 300, 190), fill=LIGHT, w=0)
        c.fill(chain(bez((150, 380), (400, 330), (660, 370), n=30), bez((660, 370), (420, 520), (150, 380), n=30)), PAPER)
        c.line(bez((180, 380), (400, 340), (640, 372), n=30), w=c.lw * 0.5)
        c.shape(ellipse(400, 290, 300, 190), fill=None)
        # Scales.
        for row, yy in enumerate((200, 260, 320)):
            for xx in range(190 + row * 25, 520, 60):
                c.line(ellipse(xx, yy, 28, 28, a0=-70, a1=70), w=c.lw * 0.45)
        c.line(ellipse(560, 300, 70, 150, a0=120, a1=240), w=c.lw * 0.9)
        eye(c, 610, 245, 46, look=(0.5, 0), pupil=0.55)
        c.line(bez((690, 350), (660, 375), (630, 360)), w=c.lw)
        c.shape(P([(460, 420), (520, 480), (400, 450)]), fill=DARK, corners=True, w=c.lw * 0.8)


@art("sea/octopus", "Octopus waving all eight arms", (720, 720), (22, 22))
def _(c):
    with c.subject():
        for k in range(8):
            a = math.radians(200 - k * 31)
            pts = []
            for t in np.linspace(0, 1, 40):
                r = 60 + 230 * t
                aa = a + 0.9 * math.sin(t * 4 + k) * t
                pts.append((360 + r * math.cos(aa) * 1.05, 430 + r * 0.75 * math.sin(aa) + 160 * t))
            pts = np.array(pts)
            pts[:, 1] = np.minimum(pts[:, 1], 700)
            tube(c, pts, 44 - 0 * k, fill=MID if k % 2 else DARK)
            for t in (12, 20, 28):
                c.shape(circle(pts[t][0], pts[t][1], 6), fill=PAPER, w=2.5)
        c.shape(ellipse(360, 280, 190, 210), fill=MID)
        c.fill(ellipse(300, 170, 50, 70, rot=-30), LIGHT)
        eye(c, 290, 340, 40, look=(-0.2, 0.3))
        eye(c, 430, 340, 40, look=(0.2, 0.3))
        c.line(ellipse(360, 400, 40, 22, a0=20, a1=160), w=c.lw * 0.8)
        c.line(bez((240, 150), (260, 110), (300, 100)), w=c.lw * 0.5)


@art("sea/lighthouse", "Lighthouse on the rocks", (560, 960), (24, 44), anchor="bottom")
def _(c):
    for a in (-15, -5, 190, 200):
        r = math.radians(a)
        c.line([(280 + 80 * math.cos(r), 170 + 80 * math.sin(r)), (280 + 260 * math.cos(r), 170 + 260 * math.sin(r))], w=c.lw * 0.6)
    for x, y in ((90, 330), (140, 370)):
        c.line([(x - 22, y), (x, y - 12), (x + 22, y)], w=c.lw * 0.5)
    waves(c, 900, 0, 560, amp=18, period=70, fill=LIGHT, depth=60)
    with c.subject():
        c.shape(blob(280, 860, 250, 80, c.rng, lobes=6, depth=0.18), fill=DARK)
        c.shape(blob(120, 880, 90, 50, c.rng, lobes=5, depth=0.2), fill=MID)
        tower = P([(200, 790), (235, 250), (325, 250), (360, 790)])
        c.shape(tower, fill=PAPER, corners=True)
        for y0, y1 in ((330, 430), (530, 630)):
            t0, t1 = (790 - y0) / 540, (790 - y1) / 540
            x0a, x1a = 200 + 35 * t0, 360 - 35 * t0
            x0b, x1b = 200 + 35 * t1, 360 - 35 * t1
            c.shape(P([(x0a, y0), (x1a, y0), (x1b, y1), (x0b, y1)]), fill=DARK, corners=True, w=c.lw * 0.6)
        c.shape(rrect(258, 700, 302, 790, 20), fill=INK, w=c.lw * 0.6)
        c.shape(rect(205, 235, 355, 255), fill=MID, corners=True)
        c.shape(rect(232, 160, 328, 235), fill=LIGHT, corners=True)
        c.line([(265, 160), (265, 235)], w=c.lw * 0.5)
        c.line([(295, 160), (295, 235)], w=c.lw * 0.5)
        c.shape(P([(220, 162), (280, 100), (340, 162)]), fill=DARK, corners=True)
        c.dot(280, 92, 9)


@art("sea/sailboat", "Sailboat on choppy waves", (960, 600), (36, 22), anchor="bottom")
def _(c):
    c.shape(circle(820, 110, 55), fill=PAPER, w=c.lw * 0.8)
    for k in range(8):
        a = math.radians(k * 45)
        c.line([(820 + 70 * math.cos(a), 110 + 70 * math.sin(a)), (820 + 95 * math.cos(a), 110 + 95 * math.sin(a))], w=c.lw * 0.5)
    with c.subject():
        c.shape(P([(460, 80), (460, 420), (220, 420)]), fill=PAPER, corners=True)
        c.shape(P([(490, 120), (490, 420), (680, 420)]), fill=LIGHT, corners=True)
        c.line([(475, 60), (475, 440)], w=c.lw * 1.1)
        c.shape(P([(470, 60), (530, 75), (470, 90)]), fill=DARK, corners=True, w=c.lw * 0.6)
        c.shape(P([(190, 440), (760, 440), (690, 520), (260, 520)]), fill=DARK, corners=True)
        c.line([(220, 462), (735, 462)], w=c.lw * 0.5)
        for x in (330, 400, 550):
            c.shape(circle(x, 490, 11), fill=PAPER, w=c.lw * 0.5)
    waves(c, 540, 0, 960, amp=24, period=110, fill=LIGHT, depth=60)
    waves(c, 575, 0, 960, amp=16, period=80)


@art("sea/whale", "Whale blowing a fountain", (1000, 540), (46, 24), anchor="bottom")
def _(c):
    with c.subject():
        # Spout.
        for s in (-1, 1):
            c.line(bez((420, 150), (420 + s * 30, 40), (420 + s * 110, 40), (420 + s * 140, 110)), w=c.lw * 0.8)
        c.line([(420, 160), (420, 60)], w=c.lw * 0.8)
        for x, y in ((290, 120), (550, 120), (330, 60), (510, 70)):
            c.shape(P([(x, y - 16)] + ellipse(x, y, 8, 9, a0=-30, a1=210, n=12).tolist()), fill=PAPER, w=c.lw * 0.4)
        body = chain(bez((120, 400), (150, 150), (500, 140), (700, 300), n=50),
                     bez((700, 300), (780, 330), (840, 250), n=20),
                     bez((840, 250), (900, 230), (880, 330), (820, 350), n=20),
                     bez((820, 350), (760, 380), (720, 430), n=20),
                     bez((720, 430), (400, 480), (120, 400), n=40))
        c.shape(body, fill=DARK)
        c.fill(chain(bez((160, 400), (400, 460), (680, 420), n=30), bez((680, 420), (420, 420), (160, 400), n=20)), LIGHT)
        c.line(bez((150, 360), (300, 390), (460, 380)), w=c.lw * 0.7)
        c.shape(ellipse(250, 300, 22, 20), fill=PAPER, w=c.lw * 0.6)
        c.dot(255, 302, 9)
        c.shape(ellipse(380, 420, 70, 26, rot=25), fill=MID, w=c.lw * 0.8)
    waves(c, 460, 0, 1000, amp=22, period=120, fill=LIGHT, depth=80)
    waves(c, 500, 0, 1000, amp=14, period=90)


@art("sea/crab", "Crab with its claws up", (780, 540), (22, 16), anchor="bottom")
def _(c):
    c.fill(rect(0, 470, 780, 540), LIGHT)
    c.line([(0, 470), (780, 470)], w=c.lw * 0.8)
    for x in range(30, 780, 80):
        c.dot(x + c.rng.uniform(-20, 20), 505 + c.rng.uniform(-15, 15), 4)
    with c.subject():
        for s in (-1, 1):
            for k in range(3):
                tube(c, [(390 + s * 110, 370 + k * 20), (390 + s * (200 + 30 * k), 360 + k * 30), (390 + s * (230 + 30 * k), 455)], 24, fill=DARK)
            tube(c, [(390 + s * 120, 320), (390 + s * 220, 250), (390 + s * 240, 180)], 30, fill=DARK)
            cx = 390 + s * 250
            c.shape(ellipse(cx, 130, 70, 55, rot=s * 20), fill=MID)
            c.shape(P([(cx + s * 10, 80), (cx + s * 70, 40), (cx + s * 40, 120)]), fill=PAPER, corners=True, w=c.lw * 0.8)
            c.line([(390 + s * 40, 270), (390 + s * 60, 200)], w=c.lw * 0.8)
            eye(c, 390 + s * 62, 185, 24, look=(0, -0.4))
        c.shape(ellipse(390, 350, 170, 100), fill=MID)
        c.line(ellipse(390, 370, 60, 30, a0=20, a1=160), w=c.lw * 0.8)
        for x in (300, 480):
            c.line([(x, 300), (x + 20, 290)], w=c.lw * 0.5)


@art("sea/jellyfish", "Jellyfish drifting", (480, 900), (17, 32), anchor="top")
def _(c):
    bubbles(c, [(80, 120, 16), (60, 200, 10), (420, 400, 12)])
    with c.subject():
        for k in range(6):
            x = 150 + k * 36
            pts = [(x + 22 * math.sin(t / 60 + k), t) for t in np.linspace(300, 620 + 40 * (k % 3), 60)]
            c.line(pts, w=c.lw * 0.6)
        for k in range(3):
            x = 200 + k * 40
            pts = [(x + 40 * math.sin(t / 90 + k * 2), t) for t in np.linspace(290, 840 - 40 * k, 80)]
            tube(c, pts, 26, fill=LIGHT)
        c.shape(chain(ellipse(240, 280, 170, 190, a0=180, a1=360, n=50),
                      [(410, 300)], bez((410, 300), (370, 330), (330, 300), (290, 330), (240, 300), n=20),
                      bez((240, 300), (190, 330), (150, 300), (110, 330), (70, 300), n=20)), fill=LIGHT)
        c.fill(ellipse(170, 170, 40, 60, rot=30), PAPER)
        for x in (180, 300):
            c.line(ellipse(x, 240, 20, 12, a0=190, a1=350), w=c.lw * 0.8)
        c.line(ellipse(240, 265, 20, 12, a0=20, a1=160), w=c.lw * 0.7)


@art("sea/kelp-forest", "Kelp forest with small fish", (620, 940), (24, 40), anchor="bottom")
def _(c):
    with c.subject():
        for k, (x, h) in enumerate(((90, 700), (230, 850), (380, 620), (520, 780))):
            pts = np.array([(x + 30 * math.sin(t / 80 + k), t) for t in np.linspace(900, 900 - h, 60)])
            c.line(pts, w=c.lw * 1.1)
            for j in range(6, 60, 9):
                px, py = pts[j]
                s = 1 if j % 18 < 9 else -1
                c.shape(ellipse(px + s * 35, py - 10, 36, 13, rot=-s * 30), fill=(LIGHT, MID)[k % 2], w=c.lw * 0.6)
        fish(c, 320, 300, 120, fill=LIGHT, facing=1)
        fish(c, 470, 460, 90, fill=PAPER, facing=-1)
        fish(c, 150, 520, 80, fill=MID, facing=1, stripes=False)
    bubbles(c, [(330 + 70, 270, 10), (420, 230, 14), (440, 170, 9)])
    c.fill(chain(bez((0, 880), (300, 850), (620, 890), n=30), [(620, 940), (0, 940)]), LIGHT)
    c.line(bez((0, 880), (300, 850), (620, 890), n=30), w=c.lw * 0.8)
    c.shape(ellipse(470, 905, 40, 18), fill=MID, w=c.lw * 0.6)


@art("sea/anchor", "Anchor with a coiled rope", (480, 640), (15, 20))
def _(c):
    with c.subject():
        c.shape(circle(240, 90, 40), fill=PAPER, w=c.lw * 1.6)
        c.shape(rrect(222, 125, 258, 520, 14), fill=DARK)
        c.shape(rrect(130, 180, 350, 215, 14), fill=DARK)
        c.shape(circle(130, 197, 22), fill=DARK)
        c.shape(circle(350, 197, 22), fill=DARK)
        arc = ellipse(240, 420, 170, 150, a0=20, a1=160, n=60)
        tube(c, arc, 40, fill=DARK)
        for s in (-1, 1):
            tx, ty = arc[0] if s > 0 else arc[-1]
            c.shape(P([(tx - s * 30, ty + 10), (tx + s * 30, ty - 70), (tx + s * 34, ty + 30)]), fill=DARK, corners=True)
        # A rope through the ring, hanging in a loop.
        rope = chain(bez((255, 60), (340, 40), (400, 160), (330, 260), n=40),
                     bez((330, 260), (280, 330), (300, 420), (380, 440), n=40))
        tube(c, rope, 26, fill=LIGHT)
        for i in range(4, len(rope) - 2, 6):
            (x0, y0), (x1, y1) = rope[i - 1], rope[i + 1]
            d = np.array([x1 - x0, y1 - y0]) / (math.hypot(x1 - x0, y1 - y0) + 1e-9)
            n = np.array([-d[1], d[0]])
            p = rope[i]
            c.line([p - n * 9 - d * 5, p + n * 9 + d * 5], w=c.lw * 0.4)


@art("sea/submarine", "Yellow submarine with a periscope", (960, 560), (34, 20))
def _(c):
    bubbles(c, [(90, 320, 18), (50, 260, 12), (80, 210, 9), (130, 360, 10)])
    with c.subject():
        c.shape(P([(140, 300), (90, 230), (110, 300), (90, 370)]), fill=MID, corners=True)
        c.shape(ellipse(170, 300, 25, 60), fill=DARK, w=c.lw * 0.8)
        c.shape(rrect(470, 90, 500, 220, 10), fill=MID)
        c.shape(rrect(470, 80, 570, 112, 12), fill=MID)
        c.shape(rrect(400, 180, 640, 250, 20), fill=DARK)
        c.shape(ellipse(490, 330, 330, 120), fill=LIGHT)
        c.line(ellipse(490, 330, 330, 120, a0=20, a1=160), color=INK, w=c.lw * 0.5)
        for x in (360, 490, 620):
            c.shape(circle(x, 320, 34), fill=PAPER)
            c.line(ellipse(x, 320, 20, 20, a0=200, a1=260), w=c.lw * 0.5)
        for x in (250, 730):
            bolt(c, x, 300, 8)
        c.line(ellipse(900, 420, 60, 40, a0=150, a1=210), w=c.lw * 0.5)


@art("sea/starfish-shell", "Starfish and shell on the sand", (640, 460), (16, 13))
def _(c):
    for x in range(40, 640, 70):
        c.dot(x + c.rng.uniform(-25, 25), 400 + c.rng.uniform(-30, 40), 4)
    with c.subject():
        st = star(220, 220, 170, 70, n=5, rot_deg=-100)
        c.shape(rot(st, 0, (220, 220)), fill=MID)
        for k in range(5):
            a = math.radians(-100 + k * 72)
            for r in (55, 90, 125):
                c.dot(220 + r * math.cos(a), 220 + r * math.sin(a), 5)
        c.line(ellipse(220, 235, 26, 16, a0=20, a1=160), w=c.lw * 0.7)
        c.dot(195, 200, 7)
        c.dot(245, 200, 7)
        # Scallop shell.
        sx, sy = 480, 300
        fan = chain(ellipse(sx, sy, 120, 120, a0=200, a1=340, n=60), [(sx + 30, sy + 70), (sx - 30, sy + 70)])
        c.shape(fan, fill=LIGHT)
        for k in range(-3, 4):
            a = math.radians(270 + k * 17)
            c.line([(sx, sy + 60), (sx + 110 * math.cos(a), sy + 110 * math.sin(a) + 8)], w=c.lw * 0.5)
        c.shape(P([(sx - 50, sy + 60), (sx + 50, sy + 60), (sx + 40, sy + 90), (sx - 40, sy + 90)]), fill=MID, corners=True, w=c.lw * 0.7)


@art("sea/desert-island", "Desert island with a palm tree", (1000, 660), (60, 40), anchor="bottom")
def _(c):
    c.shape(cloud(200, 110, 110, 40, bumps=7), fill=PAPER, w=c.lw * 0.7)
    for x, y in ((760, 100), (820, 140)):
        c.line([(x - 26, y), (x, y - 14), (x + 26, y)], w=c.lw * 0.5)
    waves(c, 560, 0, 1000, amp=20, period=100, fill=LIGHT, depth=100)
    with c.subject():
        c.shape(chain(bez((300, 560), (380, 430), (640, 420), (720, 560), n=50)), fill=MID)
        trunk = bez((520, 470), (540, 330), (500, 220), (560, 150), n=40)
        tube(c, trunk, 34, fill=DARK)
        for k in range(1, 8):
            x, y = trunk[k * 5]
            c.line([(x - 14, y), (x + 14, y + 4)], w=c.lw * 0.5)
        top = trunk[-1]
        for a, L in ((-170, 190), (-140, 160), (-60, 170), (-20, 200), (20, 160), (160, 150)):
            r = math.radians(a)
            tip = top + np.array([L * math.cos(r), L * math.sin(r) + 60])
            mid = top + np.array([L * 0.5 * math.cos(r), L * 0.5 * math.sin(r) - 30])
            leaf = chain(bez(top, mid + (0, -20), tip, n=20), bez(tip, mid + (0, 20), top, n=20))
            c.shape(leaf, fill=LIGHT, w=c.lw * 0.8)
        for dx in (-18, 14):
            c.shape(circle(top[0] + dx, top[1] + 22, 16), fill=DARK, w=c.lw * 0.6)
        # A message in a bottle.
        c.shape(rot(rrect(780, 560, 860, 590, 14), -15, (820, 575)), fill=PAPER)
        c.shape(rot(rect(855, 567, 885, 583), -15, (820, 575)), fill=DARK, corners=True, w=c.lw * 0.5)


# ---------------------------------------------------------------------------------------------
# Space.


def stars(c, pts):
    for x, y, r in pts:
        if r > 10:
            c.shape(star(x, y, r, r * 0.42, n=5), fill=PAPER, w=c.lw * 0.5)
        else:
            sparkle(c, x, y, r * 1.6)


@art("space/rocket-launch", "Rocket lifting off", (560, 980), (22, 42))
def _(c):
    stars(c, [(80, 120, 18), (470, 80, 8), (430, 300, 14), (100, 420, 8)])
    with c.subject():
        # Smoke and flame.
        for x, y, r in ((150, 900, 80), (410, 900, 80), (280, 920, 90), (200, 830, 60), (360, 830, 60)):
            c.shape(blob(x, y, r, r * 0.75, c.rng, lobes=7, depth=0.22), fill=PAPER, w=c.lw * 0.8)
        flame = chain(bez((215, 640), (190, 720), (240, 780), (280, 860), n=30), bez((280, 860), (320, 780), (370, 720), (345, 640), n=30))
        c.shape(flame, fill=LIGHT)
        c.shape(chain(bez((245, 640), (240, 700), (280, 770), n=20), bez((280, 770), (320, 700), (315, 640), n=20)), fill=PAPER, w=c.lw * 0.6)
        for s in (-1, 1):
            c.shape(P([(280 + s * 90, 470), (280 + s * 170, 620), (280 + s * 160, 670), (280 + s * 90, 610)]), fill=DARK, corners=True)
        body = chain(bez((190, 640), (170, 350), (230, 200), (280, 120), n=40), bez((280, 120), (330, 200), (390, 350), (370, 640), n=40))
        c.shape(body, fill=PAPER)
        c.fill(chain(bez((215, 250), (250, 180), (280, 120), n=20), bez((280, 120), (310, 180), (345, 250), n=20)), MID)
        c.line([(212, 252), (348, 252)], w=c.lw * 0.7)
        c.shape(body, fill=None)
        c.shape(circle(280, 360, 54), fill=MID)
        c.shape(circle(280, 360, 36), fill=LIGHT, w=c.lw * 0.6)
        c.fill(ellipse(268, 348, 12, 8, rot=-30), PAPER)
        c.shape(rect(190, 600, 370, 650), fill=DARK, corners=True)
        c.line([(280, 470), (280, 600)], w=c.lw * 0.4)
        speed(c, 120, 560, 0, angle=90, n=1)
        for x in (120, 440):
            c.line([(x, 480), (x, 600)], w=c.lw * 0.6, taper=(0.9, 0.1))


@art("space/ringed-planet", "Ringed planet and two moons", (760, 620), (18, 15))
def _(c):
    stars(c, [(80, 80, 20), (690, 530, 16), (640, 90, 7), (120, 520, 8), (400, 40, 6)])
    with c.subject():
        cx, cy = 380, 310
        c.shape(ellipse(cx, cy, 330, 90, rot=-14), fill=LIGHT)
        c.fill(ellipse(cx, cy, 250, 56, rot=-14), PAPER)
        c.line(ellipse(cx, cy, 250, 56, rot=-14, a0=180, a1=360), w=c.lw * 0.6)
        planet = circle(cx, cy, 180)
        c.shape(planet, fill=MID)
        c.hatch(chain(ellipse(cx, cy, 180, 180, a0=-60, a1=120, n=40), ellipse(cx, cy, 120, 180, a0=120, a1=-60, n=40)), angle=-30)
        for k in (-90, 40):
            c.line(ellipse(cx, cy + k - 20, 160 - abs(k) * 0.4, 18, a0=10, a1=170), w=c.lw * 0.6)
        c.shape(planet, fill=None)
        front = ellipse(cx, cy, 330, 90, rot=-14, a0=0, a1=180, n=80)
        inner = ellipse(cx, cy, 250, 56, rot=-14, a0=180, a1=0, n=60)
        c.shape(chain(front, inner), fill=LIGHT, w=0)
        c.line(front, w=c.lw)
        c.line(ellipse(cx, cy, 250, 56, rot=-14, a0=0, a1=180, n=60), w=c.lw * 0.6)
        c.shape(circle(650, 200, 34), fill=DARK)
        c.shape(circle(110, 230, 22), fill=PAPER)


@art("space/astronaut", "Astronaut floating on a tether", (680, 780), (24, 28))
def _(c):
    stars(c, [(600, 80, 18), (80, 680, 14), (620, 650, 7), (100, 100, 7)])
    tether = bez((680, 470), (560, 700), (420, 520), (440, 470), n=60)
    c.line(tether, w=c.lw * 0.7)
    with c.subject():
        c.shape(rot(rrect(220, 240, 420, 470, 30), -15, (320, 360)), fill=DARK)
        tube(c, [(210, 450), (150, 560), (200, 650)], 66, fill=PAPER)
        tube(c, [(330, 470), (360, 590), (300, 680)], 66, fill=PAPER)
        c.shape(rot(rrect(150, 640, 250, 700, 20), 10, (200, 670)), fill=MID)
        c.shape(rot(rrect(250, 660, 350, 720, 20), -10, (300, 690)), fill=MID)
        c.shape(rot(rrect(170, 270, 370, 500, 50), -15, (270, 385)), fill=PAPER)
        c.shape(rot(rect(220, 330, 310, 400), -15, (265, 365)), fill=LIGHT, corners=True, w=c.lw * 0.6)
        for k, v in enumerate((INK, MID)):
            c.shape(circle(245 + k * 35, 360 - k * 9, 9), fill=v, w=c.lw * 0.4)
        tube(c, [(200, 320), (110, 300), (70, 220)], 60, fill=PAPER)
        c.shape(circle(66, 200, 32), fill=MID)
        tube(c, [(350, 300), (430, 360), (440, 460)], 60, fill=PAPER)
        c.shape(circle(442, 478, 32), fill=MID)
        # The helmet.
        c.shape(circle(310, 180, 120), fill=PAPER)
        visor = rot(rrect(225, 115, 405, 240, 55), -15, (315, 178))
        c.shape(visor, fill=DARK)
        c.fill(rot(ellipse(290, 150, 35, 16), -30, (290, 150)), PAPER)
        c.fill(rot(ellipse(345, 140, 10, 6), -30, (345, 140)), PAPER)
        c.line(ellipse(310, 180, 132, 132, a0=110, a1=170), w=c.lw * 0.6)


@art("space/ufo-cow", "Flying saucer beaming up a cow", (740, 920), (28, 36))
def _(c):
    stars(c, [(80, 90, 16), (660, 60, 8), (640, 420, 12)])
    with c.subject():
        c.fill(P([(300, 250), (440, 250), (640, 820), (100, 820)]), 232)
        c.line([(300, 250), (100, 820)], w=c.lw * 0.5)
        c.line([(440, 250), (640, 820)], w=c.lw * 0.5)
        c.shape(ellipse(370, 130, 110, 100, a0=180, a1=360, n=40).tolist() + [(480, 150), (260, 150)], fill=PAPER)
        c.fill(ellipse(330, 100, 25, 35, rot=30), LIGHT)
        c.shape(ellipse(370, 190, 300, 75), fill=MID)
        c.shape(ellipse(370, 215, 170, 32), fill=DARK, w=c.lw * 0.7)
        for x in (140, 250, 370, 490, 600):
            c.shape(circle(x, 185 + abs(x - 370) * 0.05, 14), fill=PAPER, w=c.lw * 0.5)
        # The cow, upside down and surprised.
        cx, cy = 370, 560
        legs = [(-90, 1), (-50, 1), (60, 1), (100, 1)]
        for dx, _ in legs:
            tube(c, [(cx + dx, cy - 40), (cx + dx + 5, cy - 120)], 26, fill=PAPER)
            c.shape(rrect(cx + dx - 14, cy - 140, cx + dx + 18, cy - 112, 8), fill=INK, w=c.lw * 0.5)
        c.shape(ellipse(cx, cy, 150, 85), fill=PAPER)
        c.fill(blob(cx - 50, cy - 10, 45, 32, c.rng, lobes=5, depth=0.25), INK)
        c.fill(blob(cx + 70, cy + 20, 35, 28, c.rng, lobes=5, depth=0.25), INK)
        c.shape(ellipse(cx, cy, 150, 85), fill=None)
        c.line(bez((cx - 150, cy + 10), (cx - 200, cy - 30), (cx - 190, cy - 90)), w=c.lw * 0.7)
        hx, hy = cx + 170, cy + 50
        c.shape(P([(hx - 30, hy - 55), (hx - 20, hy - 95), (hx, hy - 60)]), fill=PAPER, corners=True, w=c.lw * 0.7)
        c.shape(ellipse(hx, hy, 58, 70, rot=-20), fill=PAPER)
        c.shape(ellipse(hx + 15, hy + 45, 45, 30, rot=-20), fill=LIGHT)
        c.dot(hx + 2, hy + 45, 5)
        c.dot(hx + 28, hy + 38, 5)
        eye(c, hx - 16, hy - 10, 15, look=(0, -1))
        eye(c, hx + 22, hy - 20, 15, look=(0, -1))
        speed(c, cx - 220, cy + 60, -70, angle=-90, n=3, gap=30)


@art("space/moonscape", "On the moon, Earth rising", (1000, 620), (62, 38), anchor="bottom")
def _(c):
    stars(c, [(90, 70, 18), (420, 120, 8), (560, 50, 14), (940, 240, 8), (300, 220, 7)])
    with c.subject():
        c.shape(circle(800, 130, 85), fill=LIGHT)
        for b in (blob(770, 110, 35, 24, c.rng, lobes=4), blob(830, 170, 26, 18, c.rng, lobes=4)):
            c.shape(b, fill=MID, w=c.lw * 0.5)
    horizon = bez((0, 380), (250, 340), (600, 400), (1000, 350), n=60)
    c.fill(chain(horizon, [(1000, 620), (0, 620)]), LIGHT)
    c.line(horizon, w=c.lw)
    for x, y, r in ((180, 470, 90), (520, 540, 60), (760, 450, 110), (380, 420, 40), (900, 570, 40)):
        c.shape(ellipse(x, y, r, r * 0.28), fill=MID, w=c.lw * 0.8)
        c.fill(ellipse(x, y + r * 0.06, r * 0.8, r * 0.2), DARK)
    with c.subject():
        c.line([(600, 420), (610, 250)], w=c.lw)
        c.shape(P([(610, 255), (700, 265), (695, 315), (607, 305)]), fill=PAPER, corners=True, w=c.lw * 0.8)
        c.shape(star(652, 286, 16, 7), fill=INK, w=0)
    for k in range(6):
        x, y = 300 + k * 45, 600 - k * 28
        c.shape(ellipse(x + (k % 2) * 20, y, 13, 7), fill=DARK, w=c.lw * 0.4)


@art("space/alien-face", "Three-eyed alien, close up", (560, 560), (16, 16))
def _(c):
    with c.subject():
        for s in (-1, 1):
            c.line(bez((280 + s * 60, 140), (280 + s * 90, 80), (280 + s * 160, 60)), w=c.lw)
            c.shape(circle(280 + s * 170, 56, 24), fill=DARK)
        c.shape(chain(bez((80, 300), (80, 100), (480, 100), (480, 300), n=40),
                      bez((480, 300), (480, 450), (350, 530), (280, 530), n=30),
                      bez((280, 530), (210, 530), (80, 450), (80, 300), n=30)), fill=LIGHT)
        c.fill(ellipse(170, 190, 40, 24, rot=-30), PAPER)
        for x, y, r in ((180, 290, 46), (380, 290, 46), (280, 210, 38)):
            eye(c, x, y, r, look=(0.2, 0.3), pupil=0.55)
        c.shape(chain(ellipse(280, 390, 110, 70, a0=10, a1=170, n=40)), fill=INK, w=c.lw * 0.8)
        for x in (220, 260, 300, 340):
            c.shape(P([(x, 398), (x + 30, 398), (x + 15, 420)]), fill=PAPER, corners=True, w=c.lw * 0.4)
        c.line(ellipse(130, 400, 14, 10, a0=0, a1=360), w=c.lw * 0.4)
        c.line(ellipse(430, 400, 14, 10, a0=0, a1=360), w=c.lw * 0.4)


@art("space/comet", "Comet streaking past", (920, 480), (34, 16), anchor="right")
def _(c):
    stars(c, [(120, 400, 16), (400, 420, 8), (300, 60, 10), (850, 420, 14), (620, 60, 7)])
    with c.subject():
        for k, (dy, L) in enumerate(((-40, 620), (-10, 700), (25, 650), (50, 560))):
            c.line(bez((760, 230 + dy * 0.4), (520, 210 + dy), (300, 180 + dy * 1.6), (760 - L, 150 + dy * 2.2), n=50), w=c.lw * (0.9 - 0.1 * k), taper=(0.9, 0.05))
        tail = chain(bez((760, 180), (520, 140), (300, 120), (150, 110), n=40), bez((150, 110), (380, 200), (560, 270), (760, 290), n=40))
        c.shape(tail, fill=LIGHT, w=0)
        c.shape(blob(780, 235, 62, 58, c.rng, lobes=6, depth=0.15), fill=MID)
        c.fill(circle(765, 218, 16), PAPER)
        for a in (0, 60, 120, -60, -120):
            r = math.radians(a)
            c.line([(780 + 80 * math.cos(r), 235 + 80 * math.sin(r)), (780 + 105 * math.cos(r), 235 + 105 * math.sin(r))], w=c.lw * 0.5)


@art("space/satellite", "Satellite with solar panels", (780, 560), (26, 18))
def _(c):
    stars(c, [(60, 60, 14), (720, 500, 16), (380, 40, 7), (90, 480, 7)])
    with c.subject():
        for s in (-1, 1):
            x0 = 390 + s * 110
            x1 = 390 + s * 360
            c.line([(390 + s * 70, 290), (x0, 290)], w=c.lw)
            pnl = P([(min(x0, x1), 210), (max(x0, x1), 230), (max(x0, x1), 370), (min(x0, x1), 350)])
            c.shape(pnl, fill=MID, corners=True)
            for k in range(1, 5):
                x = min(x0, x1) + k * 50
                c.line([(x, 212 + k * 4), (x, 352 + k * 4)], w=c.lw * 0.45)
            c.line([(min(x0, x1), 282), (max(x0, x1), 302)], w=c.lw * 0.45)
        c.shape(rect(310, 200, 470, 380), fill=LIGHT, corners=True)
        c.hatch(rect(430, 205, 468, 378), angle=80)
        c.shape(rect(310, 200, 470, 380), fill=None, corners=True)
        c.line([(390, 200), (390, 140)], w=c.lw * 0.8)
        c.shape(chain(ellipse(390, 110, 80, 40, a0=0, a1=180, n=40)), fill=PAPER)
        c.line([(390, 110), (390, 60)], w=c.lw * 0.6)
        c.dot(390, 56, 9)
        c.shape(circle(350, 250, 16), fill=PAPER, w=c.lw * 0.6)
        for r in (40, 60):
            c.line(ellipse(390, 56, r, r, a0=-150, a1=-110), w=c.lw * 0.5)
            c.line(ellipse(390, 56, r, r, a0=-70, a1=-30), w=c.lw * 0.5)


@art("space/moon-rover", "Rover crossing a rocky plain", (920, 560), (34, 20), anchor="bottom",
     themes=["space", "robots"])
def _(c):
    stars(c, [(100, 70, 14), (800, 80, 8), (500, 40, 7)])
    ground_line = bez((0, 470), (300, 450), (600, 490), (920, 460), n=50)
    c.fill(chain(ground_line, [(920, 560), (0, 560)]), LIGHT)
    c.line(ground_line, w=c.lw)
    for x in range(40, 300, 40):
        c.shape(rect(x, 505 + (x % 3) * 8, x + 18, 512 + (x % 3) * 8), fill=DARK, corners=True, w=0)
    with c.subject():
        for x, y, r in ((150, 450, 50), (820, 440, 60)):
            c.shape(blob(x, y, r, r * 0.7, c.rng, lobes=5, depth=0.2), fill=MID)
        c.shape(rrect(330, 280, 700, 390, 20), fill=MID)
        c.shape(rect(360, 300, 460, 360), fill=PAPER, corners=True, w=c.lw * 0.6)
        c.shape(rect(480, 300, 680, 360), fill=DARK, corners=True, w=c.lw * 0.6)
        for x in range(505, 680, 40):
            c.line([(x, 302), (x, 358)], w=c.lw * 0.35, color=PAPER)
        c.line([(430, 280), (420, 200)], w=c.lw)
        c.shape(rot(chain(ellipse(420, 180, 60, 28, a0=180, a1=360, n=30)), -20, (420, 180)), fill=PAPER)
        c.line([(620, 280), (640, 160)], w=c.lw * 0.7)
        c.shape(rrect(620, 130, 700, 170, 12), fill=LIGHT, w=c.lw * 0.7)
        eye(c, 648, 150, 14, look=(1, 0))
        eye(c, 680, 150, 14, look=(1, 0))
        for x in (370, 510, 650):
            c.line([(x, 390), (x, 420)], w=c.lw)
            c.shape(circle(x, 440, 42), fill=DARK)
            c.shape(circle(x, 440, 16), fill=LIGHT, w=c.lw * 0.6)
    for k in range(5):
        c.line([(290 - k * 55, 485), (255 - k * 55, 488)], w=c.lw * 0.5)


@art("space/countdown", "Launch countdown board 3 2 1", (640, 720), (22, 24), flip=False)
def _(c):
    with c.subject():
        c.shape(rect(60, 60, 580, 400), fill=DARK, corners=True)
        c.shape(rect(95, 95, 545, 365), fill=PAPER, corners=True, w=c.lw * 0.8)
        c.text("3 2 1", 128, 300, 145, w=c.lw * 1.6)
        c.shape(rect(70, 440, 570, 660), fill=MID, corners=True)
        c.shape(circle(200, 550, 70), fill=DARK)
        c.shape(circle(200, 540, 52), fill=LIGHT)
        c.fill(ellipse(185, 522, 18, 10, rot=-20), PAPER)
        for k in range(3):
            y = 490 + k * 55
            c.shape(rrect(330, y, 530, y + 28, 12), fill=PAPER, w=c.lw * 0.6)
            c.shape(rrect(360 + k * 60, y - 8, 384 + k * 60, y + 36, 8), fill=INK, w=c.lw * 0.4)
        for x in (120, 520):
            c.line([(x, 660), (x - 10, 710)], w=c.lw)


@art("space/helmet", "Astronaut's helmet, close up", (580, 640), (17, 19))
def _(c):
    with c.subject():
        c.shape(rrect(110, 470, 470, 640, 40), fill=PAPER)
        c.shape(rrect(150, 450, 430, 500, 20), fill=MID)
        c.shape(circle(290, 280, 230), fill=PAPER)
        visor = chain(ellipse(290, 290, 180, 160, n=80))
        c.shape(visor, fill=MID)
        # The face inside, surprised.
        c.fill(ellipse(290, 310, 110, 120), LIGHT)
        c.line(ellipse(290, 310, 110, 120, a0=20, a1=340), w=c.lw * 0.5, color=INK)
        eye(c, 250, 290, 26, look=(0, 0))
        eye(c, 330, 290, 26, look=(0, 0))
        c.shape(ellipse(290, 370, 16, 20), fill=INK, w=c.lw * 0.5)
        c.line(ellipse(250, 250, 22, 10, a0=200, a1=340), w=c.lw * 0.6)
        c.line(ellipse(330, 250, 22, 10, a0=200, a1=340), w=c.lw * 0.6)
        # A reflection across the glass.
        c.fill(chain(ellipse(290, 290, 160, 140, a0=200, a1=250, n=20), ellipse(290, 290, 120, 110, a0=250, a1=200, n=20)), PAPER)
        c.shape(star(390, 200, 18, 7), fill=PAPER, w=c.lw * 0.4)
        c.shape(visor, fill=None)
        c.shape(circle(70, 280, 34), fill=DARK)
        c.shape(circle(510, 280, 34), fill=DARK)
        c.line([(510, 246), (540, 140)], w=c.lw * 0.8)
        c.dot(542, 132, 10)


@art("space/alien-pet", "Little alien walking its blob pet", (820, 600), (28, 22), anchor="bottom")
def _(c):
    stars(c, [(90, 90, 16), (720, 70, 8), (420, 60, 12)])
    c.line(bez((0, 540), (400, 520), (820, 545), n=40), w=c.lw * 0.8)
    for x in (120, 330, 600, 760):
        c.shape(ellipse(x, 560, 26, 7), fill=MID, w=c.lw * 0.5)
    with c.subject():
        shadow(c, 250, 535, 110, 14)
        tube(c, [(225, 420), (210, 525)], 30, fill=MID)
        tube(c, [(280, 420), (295, 525)], 30, fill=MID)
        c.shape(ellipse(250, 360, 80, 90), fill=LIGHT)
        tube(c, [(320, 350), (390, 370), (430, 380)], 26, fill=LIGHT)
        tube(c, [(180, 350), (140, 400), (150, 450)], 26, fill=LIGHT)
        c.shape(circle(250, 200, 90), fill=LIGHT)
        eye(c, 250, 200, 48, look=(1, 0.3), pupil=0.5)
        c.line(ellipse(250, 250, 26, 12, a0=10, a1=170), w=c.lw * 0.7)
        for s in (-1, 1):
            c.line(bez((250 + s * 40, 115), (250 + s * 55, 60), (250 + s * 90, 50)), w=c.lw * 0.8)
            c.dot(250 + s * 94, 50, 11)
        # The leash and the pet.
        c.line(bez((432, 380), (500, 450), (560, 400), (600, 420)), w=c.lw * 0.5)
        shadow(c, 650, 535, 90, 12)
        c.shape(chain(bez((560, 530), (550, 420), (620, 380), (680, 400), n=30), bez((680, 400), (760, 420), (760, 520), (740, 530), n=30)), fill=MID)
        eye(c, 650, 445, 18, look=(1, 0))
        eye(c, 700, 450, 18, look=(1, 0))
        c.line(ellipse(690, 490, 18, 10, a0=10, a1=170), w=c.lw * 0.6)
        c.shape(circle(605, 420, 10), fill=DARK, w=c.lw * 0.4)


# ---------------------------------------------------------------------------------------------
# The kitchen.


def steam(c, x, y, h, n=3, gap=40):
    for k in range(n):
        xx = x + (k - (n - 1) / 2) * gap
        c.line([(xx + 14 * math.sin(t / 25 + k), y - t) for t in np.linspace(0, h * (1 - 0.2 * (k % 2)), 30)],
               w=c.lw * 0.6, taper=(0.3, 0.1))


@art("kitchen/teapot", "Teapot letting off steam", (740, 580), (20, 16), anchor="bottom")
def _(c):
    steam(c, 600, 130, 110, n=2, gap=36)
    shadow(c, 360, 545, 240, 22)
    with c.subject():
        c.shape(chain(bez((130, 280), (60, 260), (40, 360), (140, 440), n=30),
                      bez((140, 440), (80, 360), (90, 300), (140, 320), n=30)), fill=MID, w=c.lw * 0.9)
        c.shape(chain(bez((540, 380), (600, 360), (610, 250), (650, 190), n=30), [(680, 200)],
                      bez((680, 200), (640, 280), (640, 400), (560, 460), n=30)), fill=MID)
        body = chain(bez((170, 520), (80, 430), (150, 220), (360, 210), n=40),
                     bez((360, 210), (570, 220), (640, 430), (550, 520), n=40))
        c.shape(body, fill=LIGHT)
        c.fill(chain(bez((128, 380), (360, 420), (592, 380), n=30), bez((600, 430), (360, 480), (120, 430), n=30)), MID)
        c.line(bez((128, 380), (360, 420), (592, 380), n=30), w=c.lw * 0.6)
        c.line(bez((120, 430), (360, 480), (600, 430), n=30), w=c.lw * 0.6)
        for x in (230, 330, 430, 520):
            c.dot(x, 410 + (x - 360) ** 2 / 4000, 9, color=PAPER)
        c.shape(body, fill=None)
        c.shape(ellipse(360, 215, 150, 30), fill=MID)
        c.shape(chain(ellipse(360, 200, 90, 60, a0=180, a1=360, n=30)), fill=LIGHT)
        c.shape(circle(360, 130, 22), fill=DARK)
        c.fill(ellipse(220, 290, 40, 20, rot=-40), PAPER)


@art("kitchen/fried-eggs", "Two eggs sizzling in a pan", (920, 520), (28, 16))
def _(c):
    with c.subject():
        tube(c, [(640, 260), (780, 250), (900, 240)], 50, fill=DARK)
        c.shape(circle(895, 240, 12), fill=PAPER, w=c.lw * 0.5)
        c.shape(ellipse(360, 270, 330, 200), fill=DARK)
        c.shape(ellipse(360, 260, 290, 170), fill=MID, w=c.lw * 0.8)
        for x, y in ((250, 250), (470, 280)):
            c.shape(blob(x, y, 120, 90, c.rng, lobes=5, depth=0.18), fill=PAPER)
            c.shape(circle(x + 10, y - 5, 42), fill=LIGHT)
            c.fill(ellipse(x - 2, y - 20, 14, 8, rot=-30), PAPER)
        for x, y in ((150, 60), (360, 30), (560, 60)):
            c.line([(x + 12 * math.sin(t / 12), y + t) for t in np.linspace(0, 50, 20)], w=c.lw * 0.5)


@art("kitchen/toaster", "Toast popping out of the toaster", (660, 740), (20, 24), anchor="bottom")
def _(c):
    shadow(c, 330, 700, 240, 22)
    speed(c, 180, 140, 60, angle=-90, n=2, gap=30)
    speed(c, 480, 110, 60, angle=-90, n=2, gap=30)
    with c.subject():
        for x, y, a in ((250, 170, -12), (410, 140, 10)):
            t = rot(chain(bez((x - 80, y + 200), (x - 80, y + 40), n=10),
                          bez((x - 80, y + 40), (x - 110, y - 60), (x, y - 70), (x + 110, y - 60), (x + 80, y + 40), n=40),
                          bez((x + 80, y + 40), (x + 80, y + 200), n=10)), a, (x, y))
            c.shape(t, fill=LIGHT)
            c.line(rot(chain(bez((x - 60, y + 200), (x - 60, y + 45), n=10),
                             bez((x - 60, y + 45), (x - 80, y - 40), (x, y - 48), (x + 80, y - 40), (x + 60, y + 45), n=40)), a, (x, y)), w=c.lw * 0.4)
            c.fill(rot(blob(x, y + 60, 30, 22, c.rng, lobes=4), a, (x, y)), MID)
        body = rrect(90, 330, 570, 690, 80)
        c.shape(body, fill=MID)
        c.fill(rrect(120, 350, 540, 400, 25), LIGHT)
        c.line([(150, 335), (510, 335)], w=c.lw * 0.7)
        c.shape(rrect(570, 420, 620, 470, 10), fill=DARK)
        c.shape(circle(470, 560, 34), fill=LIGHT, w=c.lw * 0.7)
        c.line([(470, 560), (490, 540)], w=c.lw * 0.6)
        for k in range(4):
            c.line([(160, 480 + k * 40), (360, 480 + k * 40)], w=c.lw * 0.4)
        c.shape(rrect(130, 680, 190, 710, 8), fill=INK, w=c.lw * 0.5)
        c.shape(rrect(470, 680, 530, 710, 8), fill=INK, w=c.lw * 0.5)


@art("kitchen/cupcake", "Cupcake with a cherry", (480, 620), (15, 19), anchor="bottom")
def _(c):
    with c.subject():
        wrap = P([(100, 360), (380, 360), (340, 590), (140, 590)])
        c.shape(wrap, fill=MID, corners=True)
        for k in range(1, 7):
            x0 = 100 + k * 40
            x1 = 140 + k * 200 / 7
            c.line([(x0, 362), (x1, 588)], w=c.lw * 0.5)
        for i, (rx, ry, y) in enumerate(((170, 70, 330), (135, 60, 260), (90, 50, 200))):
            c.shape(cloud(240, y, rx, ry, bumps=9 - i, rot_deg=i * 13), fill=(PAPER, LIGHT, PAPER)[i])
        for x, y, a in ((170, 300, 30), (300, 320, -40), (230, 240, 70), (320, 250, 10), (150, 250, -20)):
            c.shape(rot(rrect(x - 12, y - 4, x + 12, y + 4, 4), a, (x, y)), fill=INK, w=0)
        c.line(bez((240, 150), (250, 100), (290, 60)), w=c.lw * 0.8)
        c.shape(circle(240, 150, 36), fill=DARK)
        c.fill(ellipse(228, 138, 10, 7, rot=-30), PAPER)


@art("kitchen/coffee-mug", "Coffee mug out for a walk", (580, 780), (20, 28), anchor="bottom")
def _(c):
    steam(c, 290, 170, 130, n=3, gap=44)
    shadow(c, 290, 740, 180, 20)
    with c.subject():
        tube(c, [(240, 580), (215, 650), (180, 710)], 28, fill=DARK)
        tube(c, [(340, 580), (370, 650), (400, 700)], 28, fill=DARK)
        c.shape(ellipse(160, 716, 44, 20), fill=INK)
        c.shape(ellipse(420, 708, 44, 20), fill=INK)
        c.shape(chain(ellipse(460, 380, 70, 90, a0=-90, a1=90, n=30)), fill=None, w=c.lw * 1.2)
        c.shape(chain(ellipse(460, 380, 40, 55, a0=-90, a1=90, n=30)), fill=None, w=c.lw * 0.8)
        tube(c, [(140, 380), (80, 430), (60, 360)], 26, fill=DARK)
        body = chain(bez((110, 230), (110, 450), (120, 560), (180, 600), n=30), [(400, 600)],
                     bez((400, 600), (460, 560), (470, 450), (470, 230), n=30))
        c.shape(body, fill=LIGHT)
        c.shape(ellipse(290, 230, 180, 40), fill=DARK)
        c.fill(ellipse(290, 238, 150, 26), MID)
        c.fill(ellipse(250, 232, 30, 8), LIGHT)
        eye(c, 240, 370, 26, look=(0.3, 0))
        eye(c, 330, 370, 26, look=(0.3, 0))
        c.line(ellipse(290, 440, 40, 25, a0=20, a1=160), w=c.lw * 0.8)
        c.shape(star(400, 510, 24, 10), fill=PAPER, w=c.lw * 0.5)


@art("kitchen/chopping-carrots", "Chopping carrots on a board", (940, 540), (30, 16))
def _(c):
    with c.subject():
        c.shape(rrect(60, 230, 820, 480, 40), fill=LIGHT)
        c.shape(circle(780, 280, 18), fill=PAPER, w=c.lw * 0.6)
        for y in (300, 360, 420):
            c.line(bez((110, y), (400, y + 10), (700, y - 8)), w=c.lw * 0.35)
        # The carrot, its top already cut off and lying aside.
        c.shape(chain(bez((120, 330), (300, 290), (440, 295), n=20), bez((440, 295), (450, 335), (440, 375), n=8),
                      bez((440, 375), (300, 375), (120, 330), n=20)), fill=MID)
        for x in (220, 300, 380):
            c.line([(x, 312 + (x - 220) * -0.05), (x + 10, 340)], w=c.lw * 0.5)
        c.shape(ellipse(180, 425, 26, 22), fill=MID, w=c.lw * 0.7)
        for a in (-40, -15, 10):
            r = math.radians(180 + a)
            c.shape(ellipse(160 + 50 * math.cos(r), 425 + 50 * math.sin(r), 48, 14, rot=a), fill=DARK, w=c.lw * 0.5)
        for k, x in enumerate((500, 560, 620)):
            c.shape(ellipse(x, 360 + 20 * (k % 2), 30, 24), fill=MID, w=c.lw * 0.7)
            c.shape(circle(x, 360 + 20 * (k % 2), 9), fill=LIGHT, w=c.lw * 0.4)
        # The knife, above the board.
        blade = P([(470, 120), (840, 70), (880, 100), (860, 140), (470, 170)])
        c.shape(rot(blade, 8, (670, 120)), fill=PAPER, corners=True)
        c.shape(rot(rrect(300, 118, 480, 172, 20), 8, (670, 120)), fill=DARK)
        for x in (340, 420):
            c.dot(*rot(P([(x, 145)]), 8, (670, 120))[0], 7, color=PAPER)
        speed(c, 700, 190, 40, angle=90, n=3, gap=30)


@art("kitchen/pancakes", "Stack of pancakes with syrup", (640, 720), (20, 23), anchor="bottom")
def _(c):
    with c.subject():
        c.shape(ellipse(320, 640, 290, 60), fill=PAPER)
        c.line(ellipse(320, 630, 220, 38, a0=0, a1=180), w=c.lw * 0.5)
        for k in range(6):
            y = 610 - k * 58
            dx = c.rng.uniform(-14, 14)
            c.shape(rrect(108 + dx, y - 56, 532 + dx, y, 26), fill=LIGHT if k % 2 else MID, w=c.lw * 0.8)
        top = 610 - 5 * 58 - 56
        c.shape(ellipse(320, top, 205, 40), fill=LIGHT)
        # Syrup running down.
        syrup = chain(ellipse(320, top, 170, 30, a0=180, a1=360, n=30),
                      bez((490, top), (500, top + 90), (470, top + 100), (460, top + 40), n=16),
                      bez((460, top + 40), (400, top + 50), n=8),
                      bez((400, top + 50), (395, top + 160), (370, top + 160), (360, top + 50), n=16),
                      bez((360, top + 50), (250, top + 45), n=8),
                      bez((250, top + 45), (240, top + 110), (215, top + 110), (210, top + 40), n=16),
                      bez((210, top + 40), (150, top), n=8))
        c.shape(syrup, fill=DARK)
        c.shape(rot(rrect(285, top - 40, 365, top + 4, 8), -6, (325, top - 18)), fill=PAPER)
        c.line([(305, top - 30), (340, top - 12)], w=c.lw * 0.4)


@art("kitchen/open-fridge", "Open fridge, light on", (620, 980), (24, 45))
def _(c):
    with c.subject():
        c.shape(rrect(60, 60, 440, 930, 30), fill=LIGHT)
        c.shape(rect(90, 90, 410, 900), fill=PAPER, corners=True)
        for y in (300, 500, 700):
            c.line([(90, y), (410, y)], w=c.lw * 0.8)
        # The door, swung open towards us.
        c.shape(P([(440, 70), (590, 20), (590, 980), (440, 920)]), fill=MID, corners=True)
        c.shape(P([(460, 250), (570, 220), (570, 300), (460, 320)]), fill=PAPER, corners=True, w=c.lw * 0.6)
        c.shape(P([(460, 560), (570, 560), (570, 640), (460, 630)]), fill=PAPER, corners=True, w=c.lw * 0.6)
        c.line([(470, 120), (470, 200)], w=c.lw * 1.4)
        for x in (480, 520):
            c.shape(rrect(x, 180, x + 26, 250, 8), fill=DARK, w=c.lw * 0.5)
        # Inside: a bottle, cheese, eggs, a jelly.
        c.shape(rrect(120, 160, 180, 300, 16), fill=DARK)
        c.shape(rect(137, 120, 163, 165), fill=DARK, corners=True, w=c.lw * 0.6)
        c.shape(P([(220, 300), (360, 300), (360, 240), (220, 280)]), fill=LIGHT, corners=True)
        for x, y in ((260, 285), (320, 270)):
            c.shape(circle(x, y, 7), fill=PAPER, w=c.lw * 0.3)
        for x in (130, 180, 230):
            c.shape(ellipse(x, 465, 22, 32), fill=PAPER, w=c.lw * 0.7)
        c.shape(chain(bez((280, 500), (270, 400), (380, 400), (370, 500), n=30)), fill=MID)
        c.shape(rrect(110, 600, 390, 700, 20), fill=MID)
        c.line([(250, 600), (250, 700)], w=c.lw * 0.5)
        c.line([(250, 50), (250, 10)], w=c.lw * 0.5)
        for a in (-160, -120, -60, -20):
            r = math.radians(a)
            c.line([(250 + 40 * math.cos(r), 200 + 40 * math.sin(r) - 150), (250 + 70 * math.cos(r), 200 + 70 * math.sin(r) - 150)], w=c.lw * 0.5)
        c.shape(rect(110, 760, 390, 880), fill=LIGHT, corners=True, w=c.lw * 0.7)


@art("kitchen/kitchen-counter", "Kitchen counter under the window", (1000, 640), (60, 40), anchor="bottom")
def _(c):
    with c.subject():
        # Window.
        c.shape(rect(360, 40, 640, 250), fill=PAPER, corners=True)
        c.line([(500, 40), (500, 250)], w=c.lw * 0.7)
        c.line([(360, 145), (640, 145)], w=c.lw * 0.7)
        c.shape(circle(570, 95, 30), fill=PAPER, w=c.lw * 0.6)
        c.line(bez((370, 230), (430, 190), (480, 230)), w=c.lw * 0.5)
        for x in (330, 670):
            c.shape(P([(x - 30, 30), (x + 30, 30), (x + 20, 270), (x - 20, 270)]), fill=LIGHT, corners=True, w=c.lw * 0.7)
        # Pans hanging on a rail.
        c.line([(40, 70), (280, 70)], w=c.lw)
        for x, r in ((90, 45), (200, 60)):
            c.line([(x, 70), (x, 100)], w=c.lw * 0.6)
            c.shape(rrect(x - 10, 100, x + 10, 170, 8), fill=DARK, w=c.lw * 0.6)
            c.shape(circle(x, 170 + r, r), fill=MID)
        # Counter and cupboards.
        c.shape(rect(20, 380, 980, 420), fill=DARK, corners=True)
        c.shape(rect(40, 420, 960, 620), fill=LIGHT, corners=True)
        for x in (280, 520, 760):
            c.line([(x, 420), (x, 620)], w=c.lw * 0.8)
        for x in (250, 310, 490, 550, 730, 790):
            c.shape(rrect(x - 6, 470, x + 6, 530, 5), fill=INK, w=0)
        # Tap, a pot and a vase of flowers on the counter.
        c.line(bez((470, 380), (470, 300), (530, 290), (540, 330)), w=c.lw * 1.4)
        c.shape(rect(400, 372, 600, 392), fill=MID, corners=True, w=c.lw * 0.6)
        c.shape(rect(660, 300, 800, 380), fill=MID, corners=True)
        c.shape(ellipse(730, 300, 75, 13), fill=LIGHT, w=c.lw * 0.8)
        c.dot(730, 282, 10)
        for x in (640, 820):
            c.line([(x + (20 if x < 730 else -20), 318), (x, 318)], w=c.lw * 1.2)
        steam(c, 730, 255, 80, n=2, gap=40)
        c.shape(P([(860, 380), (880, 300), (930, 300), (950, 380)]), fill=PAPER, corners=True)
        for tip in ((870, 230), (905, 210), (940, 235)):
            c.line([(905, 300), tip], w=c.lw * 0.6)
            c.shape(circle(*tip, 13), fill=DARK, w=c.lw * 0.4)


@art("kitchen/jam-jar", "Jar of jam with a spoon", (460, 620), (15, 20), anchor="bottom", flip=False)
def _(c):
    shadow(c, 220, 590, 170, 18)
    with c.subject():
        c.shape(rrect(70, 160, 370, 590, 40), fill=DARK)
        c.fill(rrect(90, 180, 130, 560, 16), MID)
        c.shape(rect(110, 300, 330, 450), fill=PAPER, corners=True)
        c.text("JAM", 140, 410, 80, w=c.lw * 1.1)
        c.shape(chain(bez((50, 180), (40, 120), (120, 90), (220, 95), n=20),
                      bez((220, 95), (320, 90), (400, 120), (390, 180), n=20),
                      bez((390, 180), (300, 170), (220, 200), (140, 170), (50, 180), n=30)), fill=LIGHT)
        for x in range(90, 380, 50):
            c.dot(x, 130, 7)
        c.line(bez((70, 165), (220, 195), (370, 165)), w=c.lw * 0.9)
        c.shape(rot(rrect(340, 40, 370, 300, 12), 20, (355, 170)), fill=MID)
        c.shape(rot(ellipse(355, 300, 40, 55), 20, (355, 170)), fill=MID)


@art("kitchen/boiling-pot", "Pot boiling over", (720, 720), (22, 24), anchor="bottom")
def _(c):
    with c.subject():
        steam(c, 360, 140, 120, n=3, gap=70)
        # Flames and burner.
        for x in range(200, 540, 55):
            c.shape(chain(bez((x - 20, 640), (x - 30, 600), (x, 570), n=10), bez((x, 570), (x + 30, 600), (x + 20, 640), n=10)), fill=PAPER, w=c.lw * 0.6)
        c.shape(rect(120, 640, 600, 680), fill=DARK, corners=True)
        tube(c, [(150, 380), (60, 390)], 32, fill=DARK)
        tube(c, [(570, 380), (660, 390)], 32, fill=DARK)
        c.shape(chain([(140, 300)], bez((140, 300), (140, 600), (170, 620), n=10), [(550, 620)],
                      bez((550, 620), (580, 600), (580, 300), n=10)), fill=MID)
        c.fill(rect(155, 420, 565, 470), LIGHT)
        c.line([(150, 420), (570, 420)], w=c.lw * 0.5)
        c.line([(150, 470), (570, 470)], w=c.lw * 0.5)
        # Froth over the rim, the lid lifted.
        c.shape(cloud(360, 300, 230, 40, bumps=11), fill=PAPER)
        for x, y in ((210, 330), (520, 340)):
            c.shape(chain(ellipse(x, y, 20, 40, a0=0, a1=180, n=16)), fill=PAPER, w=c.lw * 0.6)
        lid = rot(chain(ellipse(380, 220, 230, 40, a0=180, a1=360, n=40)), -10, (380, 220))
        c.shape(lid, fill=LIGHT)
        c.shape(rot(rrect(350, 150, 410, 180, 10), -10, (380, 220)), fill=DARK)
        speed(c, 110, 190, 40, angle=-150, n=2, gap=30)
        speed(c, 630, 140, 40, angle=-30, n=2, gap=30)


@art("kitchen/whisk-bowl", "Whisking batter in a bowl", (720, 600), (22, 18), anchor="bottom")
def _(c):
    shadow(c, 340, 570, 260, 20)
    with c.subject():
        c.shape(blob(560, 120, 90, 60, c.rng, lobes=6, depth=0.2), fill=PAPER, w=c.lw * 0.5)
        for x, y in ((520, 110), (600, 140), (560, 90)):
            c.dot(x, y, 4)
        c.shape(chain(bez((60, 300), (80, 540), (600, 540), (620, 300), n=40)), fill=MID)
        c.shape(ellipse(340, 300, 280, 60), fill=PAPER)
        c.fill(ellipse(340, 310, 250, 45), LIGHT)
        c.line(bez((200, 310), (300, 290), (380, 330), (470, 300)), w=c.lw * 0.5)
        # The whisk, handle up.
        c.shape(rot(rrect(410, 20, 450, 160, 16), 28, (420, 230)), fill=DARK)
        for k in range(-2, 3):
            loop = rot(ellipse(430, 230, 14 + abs(k) * 12, 75, n=30), 28, (420, 230))
            c.line(loop[:22], w=c.lw * 0.5)
        # An eggshell beside it.
        c.shape(chain(ellipse(650, 520, 45, 40, a0=0, a1=180, n=20), [(605, 520), (620, 500), (635, 515), (650, 495), (665, 515), (680, 500), (695, 520)]), fill=PAPER, w=c.lw * 0.7)


if __name__ == "__main__":
    main()
