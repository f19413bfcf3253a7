#!/usr/bin/env python3
"""Runs Splink 5.0 (DuckDB) on one CSV (de-duplication) or two (linking) for
the linkage benchmark (`refwatch-bench link`), and writes the pairs it finds
at the threshold as CSV: id_l, id_r, match_probability; it prints one JSON
line with the number of candidate pairs and how many of them are true
pairs (from the files' `truth` column, kept out of the comparisons).

    python splink_run.py --kind febrl|korean|sources --threshold 0.5 --out pairs.csv A.csv [B.csv]

Settings follow Splink's own FEBRL and name-linkage examples: its
comparison library (names by Jaro-Winkler with term frequencies, dates of
birth by date distance), u from random sampling, m by EM on two blocking
rules, the prior from deterministic rules.
"""
import argparse
import csv
import json

import duckdb
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def address_line(col, other):
    # Exact, Jaro-Winkler 0.9 and 0.7 (as JaroWinklerAtThresholds), then
    # the line written in the other line's place, either way round.
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col),
            cll.JaroWinklerLevel(col, 0.9),
            cll.JaroWinklerLevel(col, 0.7),
            cll.Or(cll.ColumnsReversedLevel(col, other), cll.ColumnsReversedLevel(other, col)),
            cll.ElseLevel(),
        ],
    )


def febrl(link_type):
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="rec_id",
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        comparisons=[
            # Names and address lines may be swapped between columns:
            # Splink's reversed-columns levels, as refwatch's `swapped`.
            cl.ForenameSurnameComparison("given_name", "surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.ExactMatch("street_number"),
            address_line("address_1", "address_2"),
            address_line("address_2", "address_1"),
            cl.JaroWinklerAtThresholds("suburb"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("state"),
            cl.ExactMatch("soc_sec_id"),
        ],
    ), [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], [
        block_on("date_of_birth"),
        block_on("surname"),
    ]


def korean(link_type):
    # Birth dates known only to their year are not dates: `birth_day` has
    # the whole dates (null otherwise), `birth_year` every year. The
    # training rules leave every field out once and are tight enough for
    # 100,000 people (one on the year alone would pair tens of millions).
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="rec_id",
        blocking_rules_to_generate_predictions=[
            block_on("name"),
            block_on("birth_day"),
            block_on("birth_year", "place", "sex"),
        ],
        comparisons=[
            cl.NameComparison("name"),
            cl.DateOfBirthComparison(
                "birth_day", input_is_string=True, datetime_format="%Y-%m-%d"
            ),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("sex").configure(term_frequency_adjustments=True),
            cl.ExactMatch("origin"),
            cl.ExactMatch("place"),
            cl.AbsoluteDateDifferenceAtThresholds(
                "detained",
                input_is_string=True,
                metrics=["day", "day"],
                thresholds=[1, 30],
                datetime_format="%Y-%m-%d",
            ),
        ],
    ), [block_on("birth_year", "place", "sex")], [
        block_on("birth_day"),
        block_on("birth_year", "place", "sex"),
    ]


def sources(link_type):
    # The five-source lists as Splink's own comparison library reads them:
    # names as written (Jaro-Winkler, term frequencies), a birth year from
    # the birth or from the date's year less the age, whole dates, places
    # and origins as written.
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="id",
        blocking_rules_to_generate_predictions=[
            block_on("name"),
            block_on("birth_year", "place"),
            block_on("birth_year", "day"),
        ],
        comparisons=[
            cl.NameComparison("name"),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("sex").configure(term_frequency_adjustments=True),
            cl.ExactMatch("origin"),
            cl.ExactMatch("place"),
            cl.AbsoluteDateDifferenceAtThresholds(
                "day",
                input_is_string=True,
                metrics=["day", "day"],
                thresholds=[1, 30],
                datetime_format="%Y-%m-%d",
            ),
        ],
    ), [block_on("name", "birth_year")], [
        block_on("birth_year", "place"),
        block_on("name"),
    ]


def historical(link_type):
    # Splink's documented example for this dataset ("Linking a dataset of
    # real historical persons", deduplicate_50k_synthetic), its settings
    # and training steps as published.
    rules = [
        block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode_fake", "first_name"),
        block_on("postcode_fake", "surname"),
        block_on("dob", "birth_place"),
        block_on("substr(postcode_fake,1,3)", "dob"),
        block_on("substr(postcode_fake,1,3)", "first_name"),
        block_on("substr(postcode_fake,1,3)", "surname"),
        block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
    ]
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.ForenameSurnameComparison(
                "first_name", "surname", forename_surname_concat_col_name="first_name_surname_concat"
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ],
    ), [
        block_on("first_name", "surname", "dob"),
        block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
        block_on("dob", "postcode_fake"),
    ], [block_on("first_name", "surname"), block_on("dob")]


def sources_columns(df):
    years = df["birth"].str.extract(r"((?:18|19|20)\d\d)")[0]
    event_year = df["date"].str.extract(r"((?:19|20)\d\d)")[0]
    from_age = pd.to_numeric(event_year, errors="coerce") - pd.to_numeric(df["age"], errors="coerce")
    df["birth_year"] = years.fillna(from_age.astype("Int64").astype(str).replace({"<NA>": None}))
    day = pd.to_datetime(df["date"], errors="coerce", format="mixed")
    whole = df["date"].str.count(r"\d+") >= 3
    df["day"] = day.dt.strftime("%Y-%m-%d").where(whole & day.notna(), None)
    return df


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["febrl", "korean", "sources", "historical"], required=True)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--out", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    # Held to 6 GB, so that the benchmark stays within 8 GiB on this
    # machine; a run that needs more fails and is reported.
    db_api = DuckDBAPI(connection=duckdb.connect(config={"memory_limit": "6GB"}))
    frames = []
    for path in args.files:
        df = pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": None})
        if args.kind == "korean":
            df["birth_year"] = df["birth_date"].str[:4]
            whole = df["birth_date"].str.len() == 10
            df["birth_day"] = df["birth_date"].where(whole, None)
        if args.kind == "sources":
            df = sources_columns(df)
        if args.kind == "historical":
            df["first_name_surname_concat"] = df["first_name"] + " " + df["surname"]
        frames.append(db_api.register(df))
    link_type = "link_only" if len(frames) == 2 else "dedupe_only"
    kinds = {"febrl": febrl, "korean": korean, "sources": sources, "historical": historical}
    settings, deterministic, training = kinds[args.kind](link_type)
    truth = "cluster" if args.kind == "historical" else "truth"
    settings.additional_columns_to_retain = [truth]
    linker = Linker(frames if len(frames) == 2 else frames[0], settings)
    # Names in different scripts never agree exactly, so the deterministic
    # rule for the Korean lists is loose and its recall set low.
    recall = {"febrl": 0.7, "korean": 0.05, "sources": 0.2, "historical": 0.6}[args.kind]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=1e7 if args.kind == "historical" else 1e6
    )
    for rule in training:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=args.kind == "historical"
        )
    predictions = linker.inference.predict()
    every = predictions.as_duckdbpyrelation()
    candidates = every.count("*").fetchall()[0][0]
    true_candidates = every.filter(f"{truth}_l = {truth}_r").count("*").fetchall()[0][0]
    found = every.filter(f"match_probability >= {args.threshold}").project(
        f"{settings.unique_id_column_name}_l, {settings.unique_id_column_name}_r, match_probability"
    )
    with open(args.out, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["id_l", "id_r", "match_probability"])
        for row in found.fetchall():
            w.writerow(row)
    print(json.dumps({"candidates": candidates, "true_candidates": true_candidates}))


if __name__ == "__main__":
    main()
