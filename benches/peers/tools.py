"""Each peer's configuration: read a bench file, resolve it, write `record_id,entity_id`.

Run by peers.py in a child process, one tool and one file per process, so that wall time
and peak memory are the tool's own:

    python tools.py TOOL INPUT.csv ENTITIES.csv

TOOL is one of splink, goldenmatch_zero, goldenmatch, recordlinkage. The file's kind
(FEBRL, Splink's fake_1000, or the generator's retail records) is read from its header,
and each kind has its own column mapping below. Nothing here looks at a truth file, and
the truth column that fake_1000 carries (`cluster`) is dropped before any tool sees it.
"""

from __future__ import annotations

import re
import sys
import time
from datetime import date

import pandas as pd

# --------------------------------------------------------------------------------------
# Reading and light cleaning (what a user of any of these tools would do first)
# --------------------------------------------------------------------------------------

FEBRL = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]
FAKE = ["first_name", "surname", "dob", "city", "email"]
SYNTH = [
    "name",
    "phone",
    "email",
    "address",
    "birth_date",
    "gender",
    "id_number",
    "member_no",
    "device_id",
]
# Columns that carry the answer, never a feature.
TRUTH_COLUMNS = {"cluster"}


def read_raw(path: str) -> pd.DataFrame:
    """Every cell as text, trimmed (FEBRL puts a space after each comma); blanks are ''."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    df.columns = [c.strip() for c in df.columns]
    for c in df.columns:
        df[c] = df[c].str.strip()
    return df.drop(columns=[c for c in df.columns if c in TRUTH_COLUMNS])


def kind_of(df: pd.DataFrame) -> str:
    cols = set(df.columns)
    if set(FEBRL) <= cols:
        return "febrl"
    if set(FAKE) <= cols:
        return "fake"
    if set(SYNTH) <= cols:
        return "synth"
    raise SystemExit(f"unknown file layout: columns {sorted(cols)}")


def _none_if_blank(s: pd.Series) -> pd.Series:
    return s.where(s != "", None)


def _lower(s: pd.Series) -> pd.Series:
    return _none_if_blank(s.str.lower().str.replace(r"\s+", " ", regex=True).str.strip())


def _phone(value: str) -> str | None:
    """Digits only, the last ten (drops +86 / 0086 / +1 prefixes); masked numbers are blank."""
    if not value or "*" in value:
        return None
    digits = re.sub(r"\D", "", value)
    return digits[-10:] if len(digits) >= 7 else None


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def _iso_date(value: str) -> str | None:
    """The common birth-date spellings to YYYY-MM-DD; anything else is blank."""
    v = value.strip().lower()
    if not v:
        return None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", v)
    if m:
        y, mo, d = m.groups()
    elif re.fullmatch(r"\d{8}", v):
        y, mo, d = v[:4], v[4:6], v[6:]
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v):
        a, b, y = m.groups()
        mo, d = (a, b) if int(a) <= 12 else (b, a)  # month first unless it cannot be
    elif m := re.fullmatch(r"([a-z]{3})[a-z]* (\d{1,2}),? (\d{4})", v):
        mon, d, y = m.groups()
        if mon not in _MONTHS:
            return None
        mo = str(_MONTHS[mon])
    else:
        return None
    try:
        return date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


_GENDER = {"m": "m", "male": "m", "男": "m", "1": "m", "f": "f", "female": "f", "女": "f", "2": "f"}


def clean(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """`unique_id` plus the kind's fields: lower-case, trimmed, blanks as nulls;
    phones as digits, dates as ISO strings, gender codes as m/f."""
    out = pd.DataFrame({"unique_id": df.iloc[:, 0]})
    if kind == "febrl":
        for c in FEBRL:
            out[c] = _lower(df[c])
        out = out.rename(columns={"date_of_birth": "dob"})
    elif kind == "fake":
        for c in FAKE:
            out[c] = _lower(df[c])
    else:
        for c in ["name", "email", "address", "member_no", "device_id"]:
            out[c] = _lower(df[c])
        out["address"] = out["address"].str.replace(" ", "", regex=False)
        out["id_number"] = _none_if_blank(df["id_number"].str.upper())
        out["phone"] = df["phone"].map(_phone)
        out["birth_date"] = df["birth_date"].map(_iso_date)
        out["gender"] = df["gender"].str.strip().str.lower().map(_GENDER)
    return out.astype(object).where(out.notna(), None)


class Stages:
    """Prints each stage's seconds to stderr (the run's log), for seeing where time goes."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        print(f"stage {name}: {now - self.last:.2f} s", file=sys.stderr, flush=True)
        self.last = now


def write_entities(ids: pd.Series, labels, path: str) -> None:
    pd.DataFrame({"record_id": ids.values, "entity_id": labels}).to_csv(path, index=False)


def components(n: int, pairs) -> list[int]:
    """Connected components over row positions: each row's smallest member."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


# --------------------------------------------------------------------------------------
# Splink 5, DuckDB backend
# --------------------------------------------------------------------------------------


def splink_settings(kind: str):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    if kind == "febrl":
        comparisons = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y%m%d"),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("address_2", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.LevenshteinAtThresholds("postcode", [1, 2]),
            cl.ExactMatch("state"),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
        ]
        blocking = [
            block_on("soc_sec_id"),
            block_on("given_name", "surname"),
            block_on("dob"),
            block_on("surname", "postcode"),
            block_on("given_name", "postcode"),
            block_on("address_1", "street_number"),
        ]
        deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "dob")]
        em = [block_on("given_name", "surname"), block_on("dob"), block_on("postcode")]
    elif kind == "fake":
        comparisons = [
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ]
        blocking = [
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("email"),
            block_on("city", "first_name"),
        ]
        deterministic = [block_on("first_name", "surname", "dob"), block_on("email")]
        em = [block_on("first_name", "surname"), block_on("dob")]
    else:
        comparisons = [
            cl.NameComparison("name").configure(term_frequency_adjustments=True),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.JaroWinklerAtThresholds("address", [0.95, 0.88]),
            cl.DateOfBirthComparison("birth_date", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.ExactMatch("gender"),
            cl.ExactMatch("id_number"),
            cl.ExactMatch("member_no"),
            cl.ExactMatch("device_id"),
        ]
        blocking = [
            block_on("phone"),
            block_on("email"),
            block_on("id_number"),
            block_on("member_no"),
            block_on("device_id"),
            block_on("name", "birth_date"),
            block_on("name", "address"),
        ]
        deterministic = [
            block_on("id_number"),
            block_on("name", "phone"),
            block_on("name", "birth_date"),
        ]
        em = [block_on("phone"), block_on("name", "birth_date")]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    return settings, deterministic, em


def run_splink(df: pd.DataFrame, kind: str, out: str) -> None:
    import logging

    from splink import DuckDBAPI, Linker

    stage = Stages()
    data = clean(df, kind)
    settings, deterministic, em = splink_settings(kind)
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(data), settings, log_level=logging.WARNING)
    stage("clean")
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    stage("prior")
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    stage("u")
    for rule in em:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=5e6
        )
    stage("em")
    pairs = linker.inference.predict(threshold_match_probability=0.5)
    stage("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pairs, threshold_match_probability=0.5
    ).as_pandas_dataframe()
    stage("cluster")
    entity = dict(zip(clusters["unique_id"].astype(str), clusters["cluster_id"].astype(str)))
    ids = data["unique_id"].astype(str)
    write_entities(ids, [entity.get(i, i) for i in ids], out)


# --------------------------------------------------------------------------------------
# GoldenMatch
# --------------------------------------------------------------------------------------


def _goldenmatch_entities(result, ids: pd.Series, out: str) -> None:
    """`result.clusters` holds row positions (input order); rows in none stay alone."""
    labels = [f"s{i}" for i in range(len(ids))]
    for cid, info in result.clusters.items():
        for row in info["members"]:
            labels[int(row)] = f"c{cid}"
    write_entities(ids, labels, out)


def run_goldenmatch_zero(df: pd.DataFrame, kind: str, out: str) -> None:
    """Zero-config: the raw columns as read (no cleaning), the record id excluded."""
    import goldenmatch as gm
    import pyarrow as pa

    id_col = df.columns[0]
    table = pa.Table.from_pandas(df, preserve_index=False)
    result = gm.dedupe_df(table, exclude_columns=[id_col])
    _goldenmatch_entities(result, df[id_col], out)


def goldenmatch_config(kind: str):
    """A probabilistic (Fellegi-Sunter, EM-trained) matchkey over the chosen fields and
    multi-pass blocking, one pass per identifier: the shape GoldenMatch's own auto-config
    picks, with the fields and passes chosen as for Splink."""
    from goldenmatch import (
        BlockingConfig,
        BlockingKeyConfig,
        GoldenMatchConfig,
        MatchkeyConfig,
        MatchkeyField,
    )

    def jw(col):
        return MatchkeyField(field=col, scorer="jaro_winkler", levels=3, partial_threshold=0.85)

    def exact(col):
        return MatchkeyField(field=col, scorer="exact", levels=2)

    def lev(col):
        return MatchkeyField(field=col, scorer="levenshtein", levels=3, partial_threshold=0.8)

    if kind == "febrl":
        fields = [
            jw("given_name"), jw("surname"), lev("dob"), exact("street_number"),
            jw("address_1"), jw("address_2"), jw("suburb"), lev("postcode"), exact("state"),
            lev("soc_sec_id"),
        ]
        passes = [["soc_sec_id"], ["given_name", "surname"], ["dob"], ["surname", "postcode"],
                  ["given_name", "postcode"], ["address_1", "street_number"]]
    elif kind == "fake":
        fields = [jw("first_name"), jw("surname"), lev("dob"), exact("city"), lev("email")]
        passes = [["first_name", "surname"], ["surname", "dob"], ["first_name", "dob"],
                  ["email"], ["city", "first_name"]]
    else:
        fields = [
            jw("name"), exact("phone"), lev("email"), jw("address"), lev("birth_date"),
            exact("gender"), exact("id_number"), exact("member_no"), exact("device_id"),
        ]
        passes = [["phone"], ["email"], ["id_number"], ["member_no"], ["device_id"],
                  ["name", "birth_date"], ["name", "address"]]
    keys = [BlockingKeyConfig(fields=p) for p in passes]
    return GoldenMatchConfig(
        matchkeys=[MatchkeyConfig(name="fs", type="probabilistic", fields=fields)],
        blocking=BlockingConfig(strategy="multi_pass", keys=keys[:1], passes=keys),
    )


def run_goldenmatch(df: pd.DataFrame, kind: str, out: str) -> None:
    """Configured: the cleaned columns, the fields, scorers and blocking chosen above."""
    import goldenmatch as gm
    import pyarrow as pa

    data = clean(df, kind)
    table = pa.Table.from_pandas(data, preserve_index=False)
    result = gm.dedupe_df(table, config=goldenmatch_config(kind), exclude_columns=["unique_id"])
    _goldenmatch_entities(result, data["unique_id"], out)


# --------------------------------------------------------------------------------------
# recordlinkage (Python Record Linkage Toolkit)
# --------------------------------------------------------------------------------------


def run_recordlinkage(df: pd.DataFrame, kind: str, out: str) -> None:
    """Blocking index on each identifier, binary comparisons, the unsupervised ECM
    classifier, then connected components."""
    import recordlinkage as rl

    data = clean(df, kind).reset_index(drop=True)
    if kind == "febrl":
        blocks = [["soc_sec_id"], ["given_name", "surname"], ["dob"], ["surname", "postcode"],
                  ["given_name", "postcode"], ["address_1", "street_number"]]
        strings = ["given_name", "surname", "address_1", "address_2", "suburb"]
        exacts = ["dob", "street_number", "postcode", "state", "soc_sec_id"]
    elif kind == "fake":
        blocks = [["first_name", "surname"], ["surname", "dob"], ["first_name", "dob"],
                  ["email"], ["city", "first_name"]]
        strings = ["first_name", "surname", "email"]
        exacts = ["dob", "city"]
    else:
        blocks = [["phone"], ["email"], ["id_number"], ["member_no"], ["device_id"],
                  ["name", "birth_date"], ["name", "address"]]
        strings = ["name", "address", "email"]
        exacts = ["phone", "birth_date", "gender", "id_number", "member_no", "device_id"]
    indexer = rl.Index()
    for b in blocks:
        indexer.block(b if len(b) > 1 else b[0])
    pairs = indexer.index(data)
    compare = rl.Compare()
    for c in strings:
        compare.string(c, c, method="jarowinkler", threshold=0.85, label=c)
    for c in exacts:
        compare.exact(c, c, label=c)
    features = compare.compute(pairs, data)
    matches = rl.ECMClassifier().fit_predict(features) if len(features) else []
    roots = components(len(data), list(matches))
    write_entities(data["unique_id"], roots, out)


TOOLS = {
    "splink": run_splink,
    "goldenmatch_zero": run_goldenmatch_zero,
    "goldenmatch": run_goldenmatch,
    "recordlinkage": run_recordlinkage,
}


def main() -> None:
    if len(sys.argv) != 4 or sys.argv[1] not in TOOLS:
        raise SystemExit(f"usage: tools.py {{{','.join(TOOLS)}}} INPUT.csv ENTITIES.csv")
    tool, path, out = sys.argv[1:]
    df = read_raw(path)
    TOOLS[tool](df, kind_of(df), out)


if __name__ == "__main__":
    main()
