"""Each peer's configuration: read a bench file, resolve it, write `record_id,entity_id`.

Run by peers.py in a child process, one tool and one file per process, so that wall time
and peak memory are the tool's own:

    python tools.py TOOL INPUT.csv ENTITIES.csv

TOOL is one of splink, goldenmatch_zero, goldenmatch, recordlinkage. The file's kind
(FEBRL, Splink's fake_1000, the generator's retail records, pseudopeople, Splink's
historical persons, the Senzing truth set, the second generator's Chinese retail
records or the third generator's US retail records) is read from its header, and each
kind has its own column mapping below. Nothing here looks at a truth file, and the truth
column that fake_1000 carries (`cluster`) is dropped before any tool sees it.
"""

from __future__ import annotations

import re
import sys
import time
import unicodedata
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
PSEUDO = [
    "first_name",
    "middle_initial",
    "last_name",
    "dob",
    "street_number",
    "street_name",
    "unit_number",
    "city",
    "state",
    "zipcode",
    "ssn",
    "sex",
]
HISTORICAL = [
    "first_name",
    "surname",
    "dob",
    "birth_place",
    "postcode_fake",
    "gender",
    "occupation",
]
SENZING = ["RECORD_ID", "PRIMARY_NAME_LAST", "PRIMARY_NAME_FIRST", "PRIMARY_NAME_FULL"]
RETAIL = ["channel", "name", "mobile", "email", "member_id", "id_card", "birthday", "city"]
RETAIL_US = ["first_name", "last_name", "full_name", "phone", "phone2", "address1", "zip",
             "loyalty_id"]
# Columns that carry the answer, never a feature.
TRUTH_COLUMNS = {"cluster"}
# The record id where it is not the first column (the Senzing file starts with DATA_SOURCE).
ID_COLUMN = {"senzing": "RECORD_ID"}
# Placeholders a look at pseudopeople's value counts shows: one city and one zipcode on
# 20,000 of 36,882 rows, shared by unrelated people; read as blanks.
PLACEHOLDERS = {"city": {"anytown"}, "zipcode": {"00000"}}
# The same on the Chinese retail file (benches/data/retail): the WeChat placeholder name
# (132 rows), e-mails and birth dates that stand out of the value counts (16 to 38 rows
# each, the next values 6 or fewer), a city given as "municipal districts".
RETAIL_PLACEHOLDERS = {
    "name": {"微信用户"},
    "email": {"a@a.com", "test@test.com", "123@qq.com", "xx@xx.com", "noemail@163.com",
              "1@1.com", "none@none.com"},
    "birthday": {"1900-01-01", "1970-01-01", "1990-01-01", "2000-01-01"},
    "city": {"市辖区"},
}
# The same on the US retail file (benches/data/retail_us): whole names (14 to 42 rows each,
# the next a surname alone on 13), five dummy phones (12 to 34 rows) and two numbers on 112
# and 161 rows (an 800 number; a 555 number that differs only by its extension), the next
# on 11 rows or fewer; seven e-mails (24 to 36 rows, the next 6 or fewer).
RETAIL_US_PLACEHOLDERS = {
    "name": {"walk in customer", "walk-in customer", "walkin", "cash customer",
             "store customer", "customer", "no name", "guest", "guest guest"},
    "phone": {"2065550142", "8005550199", "0000000000", "1234567890", "9999999999",
              "5555555555", "1111111111"},
    "email": {"no@email.com", "noemail@store.com", "declined@store.com", "none@none.com",
              "x@x.com", "na@na.com", "noemail@noemail.com"},
}
US_STATES = dict(pair.rsplit(" ", 1) for pair in """alabama al,alaska ak,arizona az,
arkansas ar,california ca,colorado co,connecticut ct,delaware de,district of columbia dc,
florida fl,georgia ga,hawaii hi,idaho id,illinois il,indiana in,iowa ia,kansas ks,
kentucky ky,louisiana la,maine me,maryland md,massachusetts ma,michigan mi,minnesota mn,
mississippi ms,missouri mo,montana mt,nebraska ne,nevada nv,new hampshire nh,new jersey nj,
new mexico nm,new york ny,north carolina nc,north dakota nd,ohio oh,oklahoma ok,oregon or,
pennsylvania pa,rhode island ri,south carolina sc,south dakota sd,tennessee tn,texas tx,
utah ut,vermont vt,virginia va,washington wa,west virginia wv,wisconsin wi,
wyoming wy""".replace("\n", "").split(","))


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
    if set(PSEUDO) <= cols:
        return "pseudopeople"
    if set(HISTORICAL) <= cols:
        return "historical"
    if set(SENZING) <= cols:
        return "senzing"
    if set(RETAIL) <= cols:
        return "retail"
    if set(RETAIL_US) <= cols:
        return "retail_us"
    raise SystemExit(f"unknown file layout: columns {sorted(cols)}")


def id_column(df: pd.DataFrame, kind: str) -> str:
    return ID_COLUMN.get(kind, df.columns[0])


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


def _mobile(value: str) -> str | None:
    """`_phone` after folding full-width digits (NFKC); dummy numbers (the last eight
    digits one digit repeated: 13800000000, 18888888888) are blank."""
    phone = _phone(unicodedata.normalize("NFKC", value))
    return None if phone and re.fullmatch(r"(\d)\1{7}", phone[-8:]) else phone


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def _full_year(yy: str) -> int:
    """A two-digit birth year: this century unless that is in the future."""
    y = 2000 + int(yy)
    return y - 100 if y > date.today().year else y


def _iso_date(value: str, *, more: bool = False) -> str | None:
    """The common birth-date spellings to YYYY-MM-DD; anything else is blank.

    `more` (pseudopeople, Senzing) also reads MMDDYYYY where YYYYMMDD cannot be a birth
    date, two-digit years (M/D/YY, D-Mon-YY) and D-Mon-YYYY; the other kinds keep the
    spellings they were first measured with."""
    v = value.strip().lower()
    if not v:
        return None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", v)
    if m:
        y, mo, d = m.groups()
    elif re.fullmatch(r"\d{8}", v):
        y, mo, d = v[:4], v[4:6], v[6:]
        if more and not 1800 <= int(y) <= date.today().year:
            mo, d, y = v[:2], v[2:4], v[4:]  # MMDDYYYY
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v):
        a, b, y = m.groups()
        mo, d = (a, b) if int(a) <= 12 else (b, a)  # month first unless it cannot be
    elif more and (m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2})", v)):
        a, b, yy = m.groups()
        mo, d = (a, b) if int(a) <= 12 else (b, a)
        y = str(_full_year(yy))
    elif m := re.fullmatch(r"([a-z]{3})[a-z]* (\d{1,2}),? (\d{4})", v):
        mon, d, y = m.groups()
        if mon not in _MONTHS:
            return None
        mo = str(_MONTHS[mon])
    elif more and (m := re.fullmatch(r"(\d{1,2})[- ]([a-z]{3})[a-z]*[- ](\d{2}|\d{4})", v)):
        d, mon, y = m.groups()
        if mon not in _MONTHS:
            return None
        mo = str(_MONTHS[mon])
        y = str(_full_year(y)) if len(y) == 2 else y
    else:
        return None
    try:
        return date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


_GENDER = {"m": "m", "male": "m", "男": "m", "1": "m", "f": "f", "female": "f", "女": "f", "2": "f"}


def _email(value: str) -> str | None:
    """The address alone, lower-case: `Maria Sentosa<msentosa@fmail.com>` is
    `msentosa@fmail.com`."""
    m = re.search(r"[^\s<>\"]+@[^\s<>\"]+", value)
    return m.group(0).lower() if m else None


def _alnum(s: pd.Series) -> pd.Series:
    """Identifiers: letters and digits only (`842-69-8475` is `842698475`), upper-case."""
    return _none_if_blank(s.str.upper().str.replace(r"[^0-9A-Z]", "", regex=True))


def _senzing_names(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """First and last names from their columns; a record with only PRIMARY_NAME_FULL gets
    them from it, `Last, First` or else the first and last words."""
    first, last = _lower(df["PRIMARY_NAME_FIRST"]), _lower(df["PRIMARY_NAME_LAST"])
    full = _lower(df["PRIMARY_NAME_FULL"])
    only_full = first.isna() & last.isna() & full.notna()
    for i in full.index[only_full]:
        name = full[i]
        if "," in name:
            surname, given = (p.strip() for p in name.split(",", 1))
        else:
            words = name.split()
            given, surname = words[0], (words[-1] if len(words) > 1 else None)
        first[i], last[i] = given or None, surname or None
    return first, last


_TITLES = r"\b(?:mr|mrs|ms|miss|dr|jr|sr|ii|iii|iv)\b"


def _retail_us_names(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """First and last names, periods, titles and suffixes dropped; a record with only
    `full_name` gets them from it: `Last, First` and `LAST/FIRST MR` are last then first,
    else the first and last words. The first name is its first word (`Michelle E` is
    `michelle`); a last name loses a trailing initial (`Arias B.` is `arias`)."""

    def strip(s: pd.Series) -> pd.Series:
        s = s.str.lower().str.replace(".", " ", regex=False)
        return _lower(s.str.replace(_TITLES, " ", regex=True).str.strip(" ,"))

    first, last, full = strip(df["first_name"]), strip(df["last_name"]), strip(df["full_name"])
    only_full = first.isna() & last.isna() & full.notna()
    for i in full.index[only_full]:
        name = full[i]
        if "/" in name or "," in name:
            surname, given = (p.strip(" ,") for p in re.split(r"[/,]", name, maxsplit=1))
        else:
            words = name.split()
            rest = [w for w in words[1:] if len(w) > 1]  # initials are not last names
            given, surname = words[0], (rest[-1] if rest else None)
        first[i], last[i] = given or None, surname or None
    first = _none_if_blank(first.str.split().str[0].fillna(""))
    last = last.str.replace(r"(?<=\w\w) \w$", "", regex=True)
    # placeholders are whole names (`Walk In Customer` in first_name, or across both)
    whole = _lower(df["full_name"].where(df["full_name"] != "",
                                         df["first_name"] + " " + df["last_name"]))
    placeholder = whole.isin(RETAIL_US_PLACEHOLDERS["name"])
    return first.where(~placeholder, None), last.where(~placeholder, None)


def _us_phone(value: str) -> str | None:
    """`_phone` without the extension (`+1 206-555-0142 ext. 32272`)."""
    return _phone(re.sub(r"(?i)\s*(?:ext\.?|x)\s*\d+$", "", value))


def _zip5(value: str) -> str | None:
    """The first five digits (ZIP+4 cut); New England ZIPs that lost their leading zero
    (`1103`) padded back."""
    digits = re.sub(r"\D", "", value.split("-")[0])
    return digits[:5].zfill(5) if digits else None


def clean(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """`unique_id` plus the kind's fields: lower-case, trimmed, blanks as nulls;
    phones as digits, dates as ISO strings, gender codes as m/f."""
    out = pd.DataFrame({"unique_id": df[id_column(df, kind)]})
    if kind == "pseudopeople":
        for c in ["first_name", "last_name", "street_number", "street_name", "unit_number",
                  "city", "state", "zipcode"]:
            out[c] = _lower(df[c])
        for c, values in PLACEHOLDERS.items():
            out[c] = out[c].where(~out[c].isin(values), None)
        # SSA's records hold the whole middle name in middle_initial
        out["middle_initial"] = _lower(df["middle_initial"].str[:1])
        out["dob"] = df["dob"].map(lambda v: _iso_date(v, more=True))
        out["ssn"] = _alnum(df["ssn"])
        out["sex"] = df["sex"].str.lower().map(_GENDER)
        # one address, as in Splink's pseudopeople tutorial: number, street and unit
        # (its parts are one fact, not three independent ones); null without both
        parts = out[["street_number", "street_name", "unit_number"]].fillna("")
        out["address"] = (parts["street_number"] + " " + parts["street_name"] + " "
                          + parts["unit_number"]).str.strip()
        out["address"] = out["address"].where(
            out["street_number"].notna() & out["street_name"].notna(), None)
    elif kind == "historical":
        for c in HISTORICAL:
            out[c] = _lower(df[c])
        out["dob"] = df["dob"].map(_iso_date)
        # Splink's tutorial compares first name and surname together on this column
        out["first_name_surname_concat"] = out["first_name"] + " " + out["surname"]
    elif kind == "senzing":
        out["first_name"], out["last_name"] = _senzing_names(df)
        out["org_name"] = _lower(df["PRIMARY_NAME_ORG"])
        out["dob"] = df["DATE_OF_BIRTH"].map(lambda v: _iso_date(v, more=True))
        out["gender"] = df["GENDER"].str.lower().map(_GENDER)
        for c, src in [("ssn", "SSN_NUMBER"), ("passport", "PASSPORT_NUMBER"),
                       ("drivers_license", "DRIVERS_LICENSE_NUMBER"),
                       ("national_id", "NATIONAL_ID_NUMBER"), ("tax_id", "TAX_ID_NUMBER")]:
            out[c] = _alnum(df[src])
        out["email"] = df["EMAIL_ADDRESS"].map(_email)
        out["phone"] = df["PHONE_NUMBER"].map(_phone)
        # one address per record: ADDR_FULL, or the parts joined
        parts = df[["ADDR_LINE1", "ADDR_CITY", "ADDR_STATE", "ADDR_POSTAL_CODE"]]
        joined = parts.apply(lambda r: " ".join(v for v in r if v), axis=1)
        address = df["ADDR_FULL"].where(df["ADDR_FULL"] != "", joined)
        out["address"] = _lower(address.str.replace(r"[,.]", " ", regex=True))
    elif kind == "retail":
        df = df.apply(lambda s: s.map(lambda v: unicodedata.normalize("NFKC", v)))
        for c in ["name", "district", "address"]:
            out[c] = _lower(df[c])
        # addresses are written with and without spaces between their parts
        out["address"] = out["address"].str.replace(" ", "", regex=False)
        out["city"] = _lower(df["city"]).str.replace(r"市$", "", regex=True)  # 北京市 = 北京
        out["mobile"] = df["mobile"].map(_mobile)
        out["email"] = df["email"].map(_email)
        # one store's tills pad member ids with zeros; all zeros (0, 00000000) is none
        out["member_id"] = _none_if_blank(_alnum(df["member_id"]).str.lstrip("0"))
        masked = df["id_card"].str.contains("*", regex=False)
        out["id_card"] = _alnum(df["id_card"].where(~masked, ""))
        out["birthday"] = df["birthday"].map(_iso_date)
        out["gender"] = df["gender"].str.lower().map(_GENDER)
        for c, values in RETAIL_PLACEHOLDERS.items():
            out[c] = out[c].where(~out[c].isin(values), None)
    elif kind == "retail_us":
        out["first_name"], out["last_name"] = _retail_us_names(df)
        for c in ["phone", "phone2"]:
            phone = df[c].map(_us_phone)
            out[c] = phone.where(~phone.isin(RETAIL_US_PLACEHOLDERS["phone"]), None)
        email = df["email"].map(_email)
        out["email"] = email.where(~email.isin(RETAIL_US_PLACEHOLDERS["email"]), None)
        out["address1"] = _lower(df["address1"].str.replace(r"[,.]", " ", regex=True))
        out["city"] = _lower(df["city"])
        state = _lower(df["state"])
        out["state"] = state.map(lambda v: US_STATES.get(v, v) if v else None)
        out["zip"] = df["zip"].map(_zip5)
        # birth year 1900 is on 126 rows (1900-01-01 on 21), the years around it on 0 to 3
        dob = df["dob"].map(lambda v: _iso_date(v, more=True))
        out["dob"] = dob.where(~dob.str.startswith("1900-", na=False), None)
        out["gender"] = df["gender"].str.lower().map(_GENDER)
        out["loyalty_id"] = _none_if_blank(_alnum(df["loyalty_id"]).str.lstrip("0"))
    elif kind == "febrl":
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

    recall = 0.7  # of the deterministic rules, for the prior
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
    elif kind == "pseudopeople":
        # city and zipcode are left out: past the placeholders (null) only typos of them
        # remain (219 and 309 cells), and state is one value on every row that has one
        comparisons = [
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.ExactMatch("middle_initial"),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.LevenshteinAtThresholds("address", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
            cl.LevenshteinAtThresholds("ssn", [1, 2]),
            cl.ExactMatch("sex"),
        ]
        blocking = [
            block_on("ssn"),
            block_on("first_name", "last_name"),
            block_on("last_name", "dob"),
            block_on("first_name", "dob"),
            block_on("address", "first_name"),
            block_on("address", "last_name"),
        ]
        deterministic = [
            block_on("ssn"),
            block_on("first_name", "last_name", "dob"),
            block_on("first_name", "last_name", "address"),
        ]
        em = [block_on("first_name", "last_name"), block_on("dob"), block_on("ssn")]
    elif kind == "historical":
        # Splink's own tutorial for this file ("Linking a dataset of real historical
        # persons"): its comparisons, blocking rules, prior rules and recall (60%)
        comparisons = [
            cl.ForenameSurnameComparison(
                "first_name",
                "surname",
                forename_surname_concat_col_name="first_name_surname_concat",
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ]
        blocking = [
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
        deterministic = [
            block_on("first_name", "surname", "dob"),
            block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
            block_on("dob", "postcode_fake"),
        ]
        recall = 0.6
        em = [block_on("first_name", "surname"), block_on("dob")]
    elif kind == "senzing":
        comparisons = [
            cl.ForenameSurnameComparison("first_name", "last_name"),
            cl.JaroWinklerAtThresholds("org_name", [0.9, 0.8]),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.ExactMatch("gender"),
            cl.ExactMatch("ssn"),
            cl.ExactMatch("passport"),
            cl.ExactMatch("drivers_license"),
            cl.ExactMatch("national_id"),
            cl.ExactMatch("tax_id"),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.8]),
        ]
        blocking = [
            block_on("ssn"),
            block_on("passport"),
            block_on("drivers_license"),
            block_on("national_id"),
            block_on("tax_id"),
            block_on("email"),
            block_on("phone"),
            block_on("first_name", "last_name"),
            block_on("last_name", "dob"),
            block_on("first_name", "dob"),
            block_on("last_name", "address"),
            block_on("org_name"),
        ]
        deterministic = [
            block_on("ssn"),
            block_on("passport"),
            block_on("first_name", "last_name", "dob"),
        ]
        em = [block_on("last_name"), block_on("dob"), block_on("address")]
    elif kind == "retail":
        # names are two or three Chinese characters, on which Jaro-Winkler says little:
        # exact, then one character apart; pinyin spellings are not transliterated
        comparisons = [
            cl.LevenshteinAtThresholds("name", [1]).configure(term_frequency_adjustments=True),
            cl.ExactMatch("mobile").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("member_id"),
            cl.ExactMatch("id_card"),
            cl.DateOfBirthComparison("birthday", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.ExactMatch("gender"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("district").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address", [0.95, 0.88]),
        ]
        blocking = [
            block_on("mobile"),
            block_on("email"),
            block_on("member_id"),
            block_on("id_card"),
            block_on("name", "city"),
            block_on("name", "birthday"),
            block_on("name", "address"),
        ]
        deterministic = [
            block_on("id_card"),
            block_on("name", "mobile"),
            block_on("name", "birthday"),
        ]
        em = [block_on("mobile"), block_on("name", "city")]
    elif kind == "retail_us":
        comparisons = [
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
            cl.ExactMatch("phone2"),
            cl.EmailComparison("email"),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.JaroWinklerAtThresholds("address1", [0.95, 0.88]),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("state"),
            cl.ExactMatch("zip"),
            cl.ExactMatch("loyalty_id"),
            cl.ExactMatch("gender"),
        ]
        blocking = [
            block_on("phone"),
            block_on("phone2"),
            block_on("email"),
            block_on("loyalty_id"),
            block_on("first_name", "last_name"),
            block_on("last_name", "zip"),
            block_on("first_name", "zip"),
        ]
        # households share loyalty cards, e-mails and landlines: no identifier alone
        deterministic = [
            block_on("first_name", "last_name", "dob"),
            block_on("first_name", "last_name", "phone"),
            block_on("first_name", "last_name", "email"),
        ]
        em = [block_on("phone"), block_on("last_name", "zip")]
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
    return settings, deterministic, recall, em


def run_splink(df: pd.DataFrame, kind: str, out: str) -> None:
    import logging

    from splink import DuckDBAPI, Linker

    stage = Stages()
    data = clean(df, kind)
    settings, deterministic, recall, em = splink_settings(kind)
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(data), settings, log_level=logging.WARNING)
    stage("clean")
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
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

    id_col = id_column(df, kind)
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
    elif kind == "pseudopeople":
        fields = [
            jw("first_name"), jw("last_name"), exact("middle_initial"), lev("dob"),
            lev("address"), lev("ssn"), exact("sex"),
        ]
        passes = [["ssn"], ["first_name", "last_name"], ["last_name", "dob"],
                  ["first_name", "dob"], ["address", "first_name"], ["address", "last_name"]]
    elif kind == "historical":
        fields = [
            jw("first_name"), jw("surname"), lev("dob"), lev("postcode_fake"),
            exact("birth_place"), exact("occupation"),
        ]
        passes = [["first_name", "surname"], ["surname", "dob"], ["first_name", "dob"],
                  ["postcode_fake", "first_name"], ["postcode_fake", "surname"],
                  ["dob", "birth_place"]]
    elif kind == "senzing":
        fields = [
            jw("first_name"), jw("last_name"), jw("org_name"), lev("dob"), exact("gender"),
            exact("ssn"), exact("passport"), exact("drivers_license"), exact("national_id"),
            exact("tax_id"), lev("email"), exact("phone"), jw("address"),
        ]
        passes = [["ssn"], ["passport"], ["drivers_license"], ["national_id"], ["tax_id"],
                  ["email"], ["phone"], ["first_name", "last_name"], ["last_name", "dob"],
                  ["first_name", "dob"], ["last_name", "address"], ["org_name"]]
    elif kind == "retail":
        fields = [
            lev("name"), exact("mobile"), lev("email"), exact("member_id"), exact("id_card"),
            lev("birthday"), exact("gender"), exact("city"), exact("district"), jw("address"),
        ]
        passes = [["mobile"], ["email"], ["member_id"], ["id_card"], ["name", "city"],
                  ["name", "birthday"], ["name", "address"]]
    elif kind == "retail_us":
        fields = [
            jw("first_name"), jw("last_name"), exact("phone"), exact("phone2"), lev("email"),
            lev("dob"), jw("address1"), exact("city"), exact("state"), exact("zip"),
            exact("loyalty_id"), exact("gender"),
        ]
        passes = [["phone"], ["phone2"], ["email"], ["loyalty_id"], ["first_name", "last_name"],
                  ["last_name", "zip"], ["first_name", "zip"]]
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
    elif kind == "pseudopeople":
        blocks = [["ssn"], ["first_name", "last_name"], ["last_name", "dob"],
                  ["first_name", "dob"], ["address", "first_name"], ["address", "last_name"]]
        strings = ["first_name", "last_name", "address"]
        exacts = ["middle_initial", "dob", "ssn", "sex"]
    elif kind == "historical":
        blocks = [["first_name", "surname"], ["surname", "dob"], ["first_name", "dob"],
                  ["postcode_fake", "first_name"], ["postcode_fake", "surname"],
                  ["dob", "birth_place"]]
        strings = ["first_name", "surname"]
        exacts = ["dob", "postcode_fake", "birth_place", "occupation"]
    elif kind == "senzing":
        blocks = [["ssn"], ["passport"], ["drivers_license"], ["national_id"], ["tax_id"],
                  ["email"], ["phone"], ["first_name", "last_name"], ["last_name", "dob"],
                  ["first_name", "dob"], ["last_name", "address"], ["org_name"]]
        strings = ["first_name", "last_name", "org_name", "address", "email"]
        exacts = ["dob", "gender", "ssn", "passport", "drivers_license", "national_id",
                  "tax_id", "phone"]
    elif kind == "retail":
        blocks = [["mobile"], ["email"], ["member_id"], ["id_card"], ["name", "city"],
                  ["name", "birthday"], ["name", "address"]]
        strings = ["name", "address", "email"]
        exacts = ["mobile", "member_id", "id_card", "birthday", "gender", "city", "district"]
    elif kind == "retail_us":
        blocks = [["phone"], ["phone2"], ["email"], ["loyalty_id"], ["first_name", "last_name"],
                  ["last_name", "zip"], ["first_name", "zip"]]
        strings = ["first_name", "last_name", "address1", "email"]
        exacts = ["phone", "phone2", "dob", "gender", "city", "state", "zip", "loyalty_id"]
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
