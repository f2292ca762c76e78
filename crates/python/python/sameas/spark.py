"""Resolve customer records on Apache Spark, with the answer one machine gives.

>>> entities, golden = sameas.spark.resolve(spark_df)  # doctest: +SKIP

``resolve`` runs the plan with Spark's own operators and Arrow UDFs; the Rust work of each
step runs inside the UDFs through ``sameas._sameas.Partitioned``, the fitted configuration
travelling to the executors as JSON in a broadcast:

1. **fit** on the driver (unless a fitted ``config`` is given): on every record when the
   data holds at most ``sample`` records, which is what one machine trains on; beyond
   that, on the ``sample`` records whose ids hash lowest under a fixed seed;
2. **block**: each record's keys under every rule (``mapInArrow``), exploded and counted
   over the whole data; blocks above their rule's cap are skipped, as on one machine;
3. **score** the pairs of each block (``applyInArrow``, or ``applyInPandas`` before Spark
   4.0), blocks spread over groups, a record once per group with its blocks there, each
   pair once per group; the edges come back, a pair's repeats (equal) dropped;
4. **connected components** of the edges and must-links: a union-find on the driver while
   they number at most ``driver_edges``, else min-label propagation in Spark SQL;
5. **cluster** each component under the constraints and the household guard in a UDF;
   clusters are numbered in the order of their smallest record id, as on one machine;
6. **golden records and conflicts** per entity, in a UDF grouped by entity.

Requires PySpark 3.5 or newer (``pip install sameas[spark]``) and Java. Deduplication of
one table only, and every row needs a record id of its own.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator

import pyarrow as pa

from sameas._sameas import (
    InputError,
    Partitioned,
    Resolver,
    components,
    entity_id,
    inferred_id_column,
)

__all__ = ["DEFAULT_SAMPLE", "SparkResolution", "resolve"]

#: Records fitted on the driver: one machine trains on every record; this many is what the
#: driver is expected to hold. Larger data is fitted on a sample of this size.
DEFAULT_SAMPLE = 1_000_000

#: Edges collected to a union-find on the driver; beyond, label propagation in Spark SQL.
DRIVER_EDGES = 20_000_000

#: A component of more records than this is reported when it is clustered.
LARGE_COMPONENT = 10_000

#: Seeds the hash of record ids that chooses the training sample.
SAMPLE_SEED = 20261205

#: Rows per UDF call the plan aims at when it spreads blocks, components and entities over
#: groups.
ROWS_PER_GROUP = 20_000

_ID = "_sameas_id"
_KEYS = "_sameas_keys"
_UKEYS = "_sameas_ukeys"
_BLOCK = "_sameas_block"
_BLOCKS = "_sameas_blocks"
_COMP = "_sameas_component"
_FIRST = "_sameas_first"
_ENTITY = "_sameas_entity"
_GROUP = "_sameas_group"
_CONFLICTS = "_sameas_conflicts"

# Per Python worker: the configuration compiled once, whatever the number of tasks.
_COMPILED: dict[str, Partitioned] = {}


def _compiled(config: str) -> Partitioned:
    # One Rust thread per task: Spark runs as many tasks as the executor has cores.
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    part = _COMPILED.get(config)
    if part is None:
        _COMPILED.clear()
        part = _COMPILED[config] = Partitioned(config)
    return part


class SparkResolution:
    """What ``resolve`` returns: iterate it for ``(entities, golden)``.

    - ``entities``: the id column, with its input values and type, and ``entity_id``;
    - ``golden``: one golden record per entity, columns as the CLI's ``golden.csv``;
    - ``conflicts``: ``entity_id, conflict`` (one JSON document per conflict);
    - ``config``: the fitted configuration (JSON text) every step used;
    - ``report``: counts of the run (records, blocks, edges, components, entities).
    """

    def __init__(self, entities: Any, golden: Any, conflicts: Any, config: str,
                 report: dict[str, Any], cached: list[Any]) -> None:
        self.entities = entities
        self.golden = golden
        self.conflicts = conflicts
        self.config = config
        self.report = report
        self._cached = cached

    def __iter__(self) -> Iterator[Any]:
        return iter((self.entities, self.golden))

    def unpersist(self) -> None:
        """Frees the intermediate results the plan cached."""
        for frame in self._cached:
            frame.unpersist()
        self._cached = []


def _config_text(config: Any) -> str:
    if isinstance(config, dict):
        return json.dumps(config)
    if isinstance(config, str) and config.lstrip().startswith("{"):
        return config
    if isinstance(config, (str, os.PathLike)):
        return Path(config).read_text(encoding="utf-8")
    raise TypeError("config must be a dict, a JSON string, a path to a JSON file, or None")


def _to_arrow(df: Any) -> pa.Table:
    if hasattr(df, "toArrow"):
        return df.toArrow()
    return pa.Table.from_pandas(df.toPandas(), preserve_index=False)


def _frame(spark: Any, table: pa.Table, schema: str) -> Any:
    """A DataFrame from a pyarrow Table: directly on Spark 4, through pandas before."""
    import pyspark

    if int(pyspark.__version__.split(".")[0]) >= 4:
        return spark.createDataFrame(table, schema)
    return spark.createDataFrame(table.to_pandas(), schema)


def _grouped(grouped: Any, func: Callable[[pa.Table], pa.Table], schema: Any) -> Any:
    """``applyInArrow`` where Spark has it (4.0), else ``applyInPandas``."""
    if hasattr(grouped, "applyInArrow"):
        return grouped.applyInArrow(func, schema)

    def through_pandas(frame: Any) -> Any:
        return func(pa.Table.from_pandas(frame, preserve_index=False)).to_pandas()

    return grouped.applyInPandas(through_pandas, schema)


def _strings(values: list[Any]) -> pa.Array:
    return pa.array(values, pa.string())


def _array(table: pa.Table, name: str) -> pa.Array:
    """A column handed to Rust as one Arrow array (no Python objects per value)."""
    return table.column(name).combine_chunks()


def _fit(df: Any, sample: int, records: int) -> str:
    """A configuration fitted on the driver: on every record when there are at most
    ``sample``, as one machine fits; else on the ``sample`` records whose ids hash lowest,
    with term frequencies then counted over every record."""
    from pyspark.sql import functions as F

    resolver = Resolver()
    if records <= sample:
        resolver.fit(_to_arrow(df))
        return resolver.to_json()
    id_column = inferred_id_column(_to_arrow(df.limit(1000)))
    if id_column is None:
        raise InputError("no record-id column found: the sample is chosen by record id")
    order = F.xxhash64(F.col(f"`{id_column}`").cast("string"), F.lit(SAMPLE_SEED))
    resolver.fit(_to_arrow(df.orderBy(order).limit(sample)))
    return _whole_frequencies(df, resolver.to_json())


def _whole_frequencies(df: Any, config: str) -> str:
    """``config`` with its term frequencies counted over every record of ``df``: each
    partition counts its terms, Spark adds them up, and the driver receives the totals of
    each table (records with a value, a histogram of counts, the terms held twice or
    more)."""
    from pyspark.sql import functions as F

    columns = list(df.columns)
    shared = df.sparkSession.sparkContext.broadcast(config)

    def counts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        work = _compiled(shared.value)
        for batch in batches:
            tables, digests, ns = work.term_counts(pa.Table.from_batches([batch]).select(columns))
            yield pa.RecordBatch.from_arrays(
                [pa.array(tables, pa.int32()), pa.array(digests, pa.int64()),
                 pa.array(ns, pa.int64())],
                names=["t", "d", "n"],
            )

    totals = (
        df.mapInArrow(counts, "t int, d long, n long")
        .groupBy("t", "d").agg(F.sum("n").alias("n"))
        .persist()
    )
    try:
        with_value = [(r["t"], r["n"]) for r in totals.filter(F.col("d").isNull()).collect()]
        terms = totals.filter(F.col("d").isNotNull())
        histogram = [(r["t"], r["n"], r["count"]) for r in
                     terms.groupBy("t", "n").count().collect()]
        repeated = _to_arrow(terms.filter(F.col("n") >= 2))
        return Partitioned(config).with_term_totals(
            with_value,
            histogram,
            repeated.column("t").to_pylist(),
            repeated.column("d").to_pylist(),
            repeated.column("n").to_pylist(),
        )
    finally:
        totals.unpersist()


def _label_propagation(edges: Any) -> Any:
    """Components of ``a, b`` edges in Spark SQL: each record takes the smallest id among
    itself and its neighbours' labels until no label changes."""
    from pyspark.sql import functions as F

    both = edges.select(F.col("a").alias("src"), F.col("b").alias("dst")).union(
        edges.select(F.col("b").alias("src"), F.col("a").alias("dst"))
    )
    labels = both.groupBy("src").agg(F.least(F.col("src"), F.min("dst")).alias("label"))
    labels = labels.withColumnRenamed("src", "id").localCheckpoint()
    while True:
        spread = (
            both.join(labels.withColumnRenamed("id", "dst"), "dst")
            .groupBy("src")
            .agg(F.min("label").alias("seen"))
        )
        new = (
            labels.join(spread.withColumnRenamed("src", "id"), "id")
            .select("id", F.least("label", "seen").alias("label"))
            .localCheckpoint()
        )
        changed = new.join(labels.withColumnRenamed("label", "old"), "id").filter(
            F.col("label") != F.col("old")
        ).count()
        labels = new
        if changed == 0:
            return labels.select(F.col("id").alias(_ID), F.col("label").alias(_COMP))


def resolve(df: Any, config: Any = None, sample: int = DEFAULT_SAMPLE, *,
            driver_edges: int = DRIVER_EDGES) -> SparkResolution:
    """Resolves the records of the Spark DataFrame ``df``; iterate the result for
    ``(entities, golden)`` (see ``SparkResolution``).

    ``config`` is a fitted configuration (a dict, JSON text, or a path such as the
    ``config.json`` that ``sameas resolve`` writes); without one the driver fits on at most
    ``sample`` records. Columns are read as text, as ``Resolver`` reads them.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    spark = df.sparkSession
    columns = list(df.columns)
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[stage] = round(now - started, 2)
        started = now

    records = df.count()
    text = _fit(df, sample, records) if config is None else _config_text(config)
    lap("fit")
    part = Partitioned(text)
    id_column = part.id_column
    if id_column not in columns:
        raise InputError(f"the configuration's record-id column `{id_column}` is not in the data")
    blank = df.filter(
        F.col(f"`{id_column}`").isNull()
        | (F.trim(F.col(f"`{id_column}`").cast("string")) == "")
    ).count()
    if blank:
        raise InputError(
            f"column `{id_column}`: {blank} row{'s' if blank > 1 else ''} without a record id "
            "(a distributed run needs one in every row)"
        )
    if entity_id(12) != "E%08d" % 12:
        raise AssertionError("entity ids are numbered as one machine numbers them")
    shared = spark.sparkContext.broadcast(text)
    parallel = int(spark.conf.get("spark.sql.shuffle.partitions"))
    groups = max(parallel, records // ROWS_PER_GROUP)
    report: dict[str, Any] = {"records": records, "fitted": config is None,
                              "fit_sample": min(records, sample) if config is None else 0}

    # 2. Blocking keys per record.
    def keys(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        work = _compiled(shared.value)
        for batch in batches:
            ids, record_keys = work.keys(pa.Table.from_batches([batch]).select(columns))
            arrays = list(batch.columns) + [
                _strings(ids), pa.array(record_keys, pa.list_(pa.string()))
            ]
            names = list(batch.schema.names) + [_ID, _KEYS]
            yield pa.RecordBatch.from_arrays(arrays, names=names)

    keyed_schema = StructType(
        list(df.schema.fields)
        + [StructField(_ID, StringType(), False),
           StructField(_KEYS, ArrayType(StringType(), False), False)]
    )
    keyed = df.mapInArrow(keys, keyed_schema).persist()
    cached = [keyed]
    repeated = keyed.groupBy(_ID).count().filter(F.col("count") > 1).count()
    if repeated:
        raise InputError(f"{repeated} record ids appear in more than one row; ids must be unique")

    caps = F.array(*[F.lit(c) for c in part.caps])
    rule = F.split(F.col(_BLOCK), ":").getItem(0).cast("int") + 1
    exploded = keyed.select(_ID, F.explode(_KEYS).alias(_BLOCK))
    sizes = exploded.groupBy(_BLOCK).count().withColumn("cap", F.element_at(caps, rule))
    sizes = sizes.persist()
    cached.append(sizes)
    capped = sizes.filter(F.col("count") > F.col("cap")).agg(
        F.count("*").alias("n"), F.max("count").alias("largest")
    ).first()
    largest = sizes.filter(F.col("count") <= F.col("cap")).agg(F.max("count")).first()[0]
    report.update(capped_blocks=capped["n"], largest_capped_block=capped["largest"] or 0,
                  largest_block=largest or 0)
    lap("block")
    uncapped = exploded.join(
        sizes.filter(F.col("count") <= F.col("cap")).select(_BLOCK, "count"), _BLOCK
    )
    per_record = uncapped.groupBy(_ID).agg(F.array_sort(F.collect_list(_BLOCK)).alias(_UKEYS))
    rec = keyed.drop(_KEYS).join(per_record, _ID, "left").withColumn(
        _UKEYS, F.coalesce(F.col(_UKEYS), F.array().cast("array<string>"))
    ).persist()
    cached.append(rec)

    # 3. Score the pairs of each block of two or more records: blocks spread over groups by
    # a hash of the key, a record once per group with its blocks there. A pair sharing
    # blocks in several groups is scored in each, equal: one edge is kept.
    def score(table: pa.Table) -> pa.Table:
        work = _compiled(shared.value)
        return work.score(table.select(columns), _array(table, _BLOCKS))

    members = (
        uncapped.filter(F.col("count") >= 2)
        .withColumn(_GROUP, F.pmod(F.xxhash64(_BLOCK), F.lit(groups)))
        .groupBy(_ID, _GROUP)
        .agg(F.collect_list(_BLOCK).alias(_BLOCKS))
    )
    scoring = rec.select(*[F.col(f"`{c}`") for c in columns], _ID).join(members, _ID)
    edges = (
        _grouped(
            scoring.groupBy(_GROUP), score,
            "a string, b string, weight double, probability double",
        )
        .dropDuplicates(["a", "b"])
        .persist()
    )
    cached.append(edges)
    edge_count = edges.count()
    report["edges"] = edge_count
    lap("score")

    # 4. Connected components of the edges and must-links.
    must = json.loads(text).get("clustering", {}).get("must_link", [])
    if edge_count + len(must) <= driver_edges:
        pairs = _to_arrow(edges.select("a", "b"))
        a = pairs.column("a").to_pylist() + [m[0] for m in must]
        b = pairs.column("b").to_pylist() + [m[1] for m in must]
        ids, roots = components(a, b)
        comp = _frame(
            spark,
            pa.table({_ID: _strings(ids), _COMP: _strings(roots)}),
            f"{_ID} string, {_COMP} string",
        )
        report["components_on"] = "driver"
    else:
        links = edges.select("a", "b")
        if must:
            links = links.union(spark.createDataFrame([tuple(m) for m in must], "a string, b string"))
        comp = _label_propagation(links)
        report["components_on"] = "spark"
    comp = comp.persist()
    cached.append(comp)
    sizes_of = comp.groupBy(_COMP).count()
    stats = sizes_of.agg(F.count("*").alias("n"), F.max("count").alias("largest")).first()
    report.update(components=stats["n"], largest_component=stats["largest"] or 0)
    lap("components")
    if report["largest_component"] > LARGE_COMPONENT:
        # One task clusters a whole component, as one machine does: it cannot be split
        # without changing the answer, so it is reported.
        warnings.warn(
            f"a component of {report['largest_component']} records is clustered by one task",
            stacklevel=2,
        )

    # 5. Cluster each component; number clusters by their smallest record id.
    def cluster(table: pa.Table) -> pa.Table:
        work = _compiled(shared.value)
        out = work.cluster(table.select(columns), _array(table, _UKEYS), _array(table, _COMP))
        return out.rename_columns([_ID, _FIRST])

    clustered = _grouped(
        rec.join(comp, _ID).withColumn(_GROUP, F.pmod(F.xxhash64(_COMP), F.lit(groups)))
        .groupBy(_GROUP),
        cluster,
        f"{_ID} string, {_FIRST} string",
    )
    first = rec.select(_ID).join(clustered, _ID, "left").withColumn(
        _FIRST, F.coalesce(F.col(_FIRST), F.col(_ID))
    ).persist()
    cached.append(first)
    # A distributed rank: range-partitioned and sorted, each partition's offset counted.
    ordered = (
        first.select(_FIRST).distinct().repartitionByRange(groups, _FIRST)
        .sortWithinPartitions(_FIRST)
        .withColumn("pid", F.spark_partition_id())
        .withColumn("mono", F.monotonically_increasing_id())
        .persist()
    )
    cached.append(ordered)
    counts = sorted(
        (r["pid"], r["count"]) for r in ordered.groupBy("pid").count().collect()
    )
    offsets, total = {}, 0
    for pid, count in counts:
        offsets[pid] = total
        total += count
    offset = spark.createDataFrame(list(offsets.items()), "pid int, offset long")
    numbered = ordered.join(F.broadcast(offset), "pid").select(
        _FIRST,
        F.format_string(
            "E%08d",
            F.col("offset") + F.col("mono") - F.shiftleft(F.col("pid").cast("long"), 33) + 1,
        ).alias(_ENTITY),
    )
    report["entities"] = total
    lap("cluster")
    # Golden records are built when the caller first uses them.
    report["seconds"] = seconds
    entity_of = first.join(numbered, _FIRST).select(_ID, _ENTITY).persist()
    cached.append(entity_of)
    entities = keyed.select(F.col(f"`{id_column}`"), _ID).join(entity_of, _ID).select(
        F.col(f"`{id_column}`"), F.col(_ENTITY).alias("entity_id")
    )

    # 6. Golden records and conflicts per entity.
    header = part.golden_header

    def golden(table: pa.Table) -> pa.Table:
        work = _compiled(shared.value)
        out = work.golden(table.select(columns), _array(table, _ENTITY))
        return out.rename_columns(header + [_CONFLICTS])

    golden_schema = StructType(
        [StructField(h, StringType(), True) for h in header]
        + [StructField(_CONFLICTS, StringType(), True)]
    )
    built = _grouped(
        rec.join(entity_of, _ID).withColumn(_GROUP, F.pmod(F.xxhash64(_ENTITY), F.lit(groups)))
        .groupBy(_GROUP),
        golden,
        golden_schema,
    ).persist()
    cached.append(built)
    entity_column = F.col(f"`{header[0]}`")
    golden_out = built.drop(_CONFLICTS)
    conflicts = built.filter(F.col(_CONFLICTS).isNotNull()).select(
        entity_column.alias("entity_id"),
        F.explode(F.split(F.col(_CONFLICTS), "\n")).alias("conflict"),
    )
    return SparkResolution(entities, golden_out, conflicts, text, report, cached)
