"""Identity resolution for customer records.

``sameas`` reads customer records from many channels, normalizes them, blocks and scores
candidate pairs with a Fellegi–Sunter model trained by EM, clusters the matches under
constraints into entities with stable ids, and builds a golden record per entity.

>>> import sameas
>>> resolver = sameas.Resolver()
>>> resolution = resolver.resolve([
...     {"id": "1", "name": "张伟", "phone": "138-0013-8000", "birth_date": "1990-01-02"},
...     {"id": "2", "name": "張偉", "phone": "+86 138 0013 8000", "birth_date": "1990/1/2"},
...     {"id": "3", "name": "王芳", "phone": "139-0000-1111", "birth_date": "1985-05-06"},
... ])
>>> resolver.entity_of("1") == resolver.entity_of("2")
True

Data may be a pandas or polars DataFrame, a pyarrow Table or RecordBatchReader, any
object with ``__arrow_c_stream__``, a list of dicts, or a path to CSV or JSON lines.
Every cell is read as text. Integers keep their digits; a float with an integral value
below 2**53 is written as an integer (pandas reads a phone column with missing values as
float: ``13800138000.0`` becomes ``13800138000``); any other float is written as the
shortest text that reads back as the same float; NaN and null are missing.

After resolving, ``sameas.score`` fits BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma to the
customers' orders (or a summary table) and scores each customer; ``sameas.segment`` puts
the scored customers into tiers, RFM segments, lifecycle stages and clusters.
"""

from sameas import normalize
from sameas._sameas import (
    ARROW,
    CancelledError,
    ConfigError,
    EvalError,
    InputError,
    IoError,
    MatchError,
    MergeError,
    NormalizeError,
    NotFittedError,
    NothingResolvedError,
    Resolution,
    Resolver,
    SameasError,
    Store,
    TableError,
    UnknownEntityError,
    UnknownRecordError,
    __version__,
    evaluate,
    score,
    segment,
)

__all__ = [
    "ARROW",
    "CancelledError",
    "ConfigError",
    "EvalError",
    "InputError",
    "IoError",
    "MatchError",
    "MergeError",
    "NormalizeError",
    "NotFittedError",
    "NothingResolvedError",
    "Resolution",
    "Resolver",
    "SameasError",
    "Store",
    "TableError",
    "UnknownEntityError",
    "UnknownRecordError",
    "__version__",
    "evaluate",
    "normalize",
    "score",
    "segment",
]
