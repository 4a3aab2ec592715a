#!/usr/bin/env bash
# Rebuilds the fonts Lantern draws text with: DejaVu Sans and DejaVu Sans Bold (Debian package
# fonts-dejavu-core), cut down to Latin, Greek, Cyrillic, punctuation and a few symbols so the
# binary embeds ~150 kB instead of 1.5 MB. Needs fonttools (`pip install fonttools`).
set -euo pipefail
cd "$(dirname "$0")"
source=/usr/share/fonts/truetype/dejavu
unicodes="U+0020-007E,U+00A0-024F,U+0370-03FF,U+0400-04FF,U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-215F,U+2190-21FF,U+2200-22FF,U+25A0-25FF,U+2600-266F"
for face in DejaVuSans DejaVuSans-Bold; do
    pyftsubset "$source/$face.ttf" --unicodes="$unicodes" --layout-features='kern,liga' \
        --no-hinting --output-file="$face.ttf"
done
cp /usr/share/doc/fonts-dejavu-core/copyright LICENSE-DejaVu.txt
