#!/usr/bin/env python3
"""Derives the paper's phase-diagram points that grokscope ships (crates/sweep/data/paper-phase.csv)
from the published sweep tables of "The Clock and the Pizza" (Zhong et al. 2023, MIT licence):

    scripts/paper-phase-points.py ../shared/reference/clock-pizza/phase > crates/sweep/data/paper-phase.csv

It keeps the rows the paper's figures keep (one layer, no separate operand vocabularies, no `=`
token, circularity at least 0.995) and their attention rate, width and three measures.
crates/sweep/tests/paper.rs checks that the shipped file is what this prints.
"""
import csv
import sys
from pathlib import Path

SWEEPS = [("fixed_width", "1l_fixedwidth.csv"), ("varying_width", "1l_varywidth.csv")]
MIN_CIRCULARITY = 0.995
COLUMNS = ["sweep", "attn_coeff", "d_model", "gradient_sim", "distance_irrelevance", "circularity"]


def main(folder: Path) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    for sweep, name in SWEEPS:
        with open(folder / name, newline="") as f:
            for row in csv.DictReader(f):
                if row["n_layers"] != "1" or row["diff_vocab"] != "0" or row["eqn_sign"] != "0":
                    continue
                if not row["circularity"] or float(row["circularity"]) < MIN_CIRCULARITY:
                    continue
                out.writerow([sweep] + [row[c] for c in COLUMNS[1:]])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} FOLDER_WITH_THE_PUBLISHED_CSVS")
    main(Path(sys.argv[1]))
