#!/usr/bin/env python3
"""FEBRL-shaped records at any size, for the scale benchmark on a file of another shape.

People are drawn from the value pools of FEBRL 3's and 4's original records (given names, surnames, streets,
localities, suburbs, postcodes, states; data/febrl, with its licence), with random birth
dates and social security numbers, so common names repeat as the file grows. A share of
them get one to three duplicates, each corrupted the way FEBRL corrupts its duplicates:
typing errors (a character inserted, deleted, replaced or two swapped), a value left blank,
a digit changed in a number, given name and surname swapped.

    python3 benches/febrl_scaled.py --records 1000000 --seed 1 \
        --out target/bench-data/febrl_1000000.csv --truth target/bench-data/febrl_1000000_truth.csv

Only Python's standard library is used; the same arguments give the same bytes.
"""

import argparse
import csv
import random
import string
from pathlib import Path

HERE = Path(__file__).resolve().parent
POOLS_FROM = ["dataset3.csv", "dataset4a.csv"]
COLUMNS = [
    "given_name", "surname", "street_number", "address_1", "address_2", "suburb",
    "postcode", "state", "date_of_birth", "soc_sec_id",
]
TEXT = ["given_name", "surname", "address_1", "address_2", "suburb"]
DIGITS = ["street_number", "postcode", "date_of_birth", "soc_sec_id"]


def pools():
    values = {c: set() for c in COLUMNS}
    for name in POOLS_FROM:
        with open(HERE / "data" / "febrl" / name, newline="") as f:
            for row in csv.DictReader(f, skipinitialspace=True):
                # Originals only: FEBRL's duplicates carry its own corruptions.
                if not (row.get("rec_id") or "").strip().endswith("-org"):
                    continue
                for c in ("given_name", "surname", "address_1", "address_2", "suburb", "state"):
                    v = (row.get(c) or "").strip()
                    if v:
                        values[c].add(v)
                pc = (row.get("postcode") or "").strip()
                if pc.isdigit():
                    values["postcode"].add(pc)
    return {c: sorted(v) for c, v in values.items() if v}


def typo(rng, value):
    if len(value) < 2:
        return value
    i = rng.randrange(len(value))
    kind = rng.randrange(4)
    letter = rng.choice(string.ascii_lowercase)
    if kind == 0:
        return value[:i] + letter + value[i:]
    if kind == 1:
        return value[:i] + value[i + 1:]
    if kind == 2:
        return value[:i] + letter + value[i + 1:]
    j = min(i + 1, len(value) - 1)
    chars = list(value)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def digit_change(rng, value):
    if not value:
        return value
    i = rng.randrange(len(value))
    return value[:i] + rng.choice(string.digits) + value[i + 1:]


def corrupt(rng, person):
    record = dict(person)
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.45:
            c = rng.choice(TEXT)
            record[c] = typo(rng, record[c])
        elif kind < 0.65:
            record[rng.choice(COLUMNS)] = ""
        elif kind < 0.9:
            c = rng.choice(DIGITS)
            record[c] = digit_change(rng, record[c])
        else:
            record["given_name"], record["surname"] = record["surname"], record["given_name"]
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    parser.add_argument("--truth", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    values = pools()
    rows = []
    person = 0
    while len(rows) < args.records:
        p = {
            "given_name": rng.choice(values["given_name"]),
            "surname": rng.choice(values["surname"]),
            "street_number": str(rng.randint(1, 200)),
            "address_1": rng.choice(values["address_1"]),
            "address_2": rng.choice(values["address_2"]) if rng.random() < 0.4 else "",
            "suburb": rng.choice(values["suburb"]),
            "postcode": rng.choice(values["postcode"]),
            "state": rng.choice(values["state"]),
            "date_of_birth": f"{rng.randint(1920, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
            "soc_sec_id": str(rng.randint(1_000_000, 9_999_999)),
        }
        rows.append((f"rec-{person}-org", person, p))
        duplicates = rng.choice([0, 0, 0, 1, 1, 2, 3])
        for d in range(duplicates):
            rows.append((f"rec-{person}-dup-{d}", person, corrupt(rng, p)))
        person += 1
    rows = rows[: args.records]
    rng.shuffle(rows)
    for path in (args.out, args.truth):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rec_id"] + COLUMNS)
        for rec_id, _, p in rows:
            w.writerow([rec_id] + [p[c] for c in COLUMNS])
    with open(args.truth, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["record_id", "cluster"])
        for rec_id, cluster, _ in rows:
            w.writerow([rec_id, cluster])


if __name__ == "__main__":
    main()
