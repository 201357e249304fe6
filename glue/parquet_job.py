"""Glue 5.0 job (Spark 3.5, Python 3.11): raw NDJSON events -> curated Snappy Parquet, deduped
on event_id against each partition's current generation, appended to it or compacted into the next
one (partition_writes.py), then the run marker, the sweep of superseded generations, the lake
metrics and the bookmark commit (docs/glue.md). The pure halves (parquet_contract.py arguments,
casts, sizing and marker; compaction.py rules; lake_catalog.py catalog and S3 calls; lake_metrics.py)
are tested without Spark; the glue-script deploy plugin ships them next to this script with
--extra-py-files.
"""

import gzip
import json
import sys
import time
from datetime import datetime, timezone

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark import StorageLevel
from pyspark.context import SparkContext
from pyspark.sql import Window
from pyspark.sql import functions as F

from lake_catalog import Catalog, sweep_superseded
from lake_metrics import lake_metric_data, publish_lake_metrics
from parquet_contract import (
    CAST_RULES,
    PARTITION_COLUMNS,
    REQUIRED_ARGS,
    SOURCE_PARTITION_PATTERN,
    build_run_marker,
    check_keys_covered,
    json_value_groups,
    json_values,
    json_values_ddl,
    millis_between_sql,
    optional_args_present,
    parse_job_args,
    parse_manifest,
    raw_columns,
    raw_partition,
    raw_schema_ddl,
    run_marker_key,
    s3_uri,
)
from generations import Partitions
from partition_writes import SparkWriter
from quarantine import CAST_ERROR, MALFORMED, quarantine_key, quarantine_record


def main(argv):
    started = time.monotonic()
    resolved = getResolvedOptions(argv, list(REQUIRED_ARGS) + optional_args_present(argv))
    args = parse_job_args(resolved)
    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    # Spark's default is legacy INT96; micros is what the local (DuckDB) job writes too.
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    job = Job(glue_context)
    job.init(args.job_name, resolved)
    s3, glue = boto3.client("s3"), boto3.client("glue")
    catalog = Catalog(glue, args.database, args.table, *args.destination)
    catalog.load_table()

    keys = args.source_keys if args.source_keys is not None else _manifest_keys(s3, args)
    touched = sorted({raw_partition(key) for key in keys})
    partitions = Partitions(s3, catalog, args, touched, _now_ms)  # current generations and their files
    lines = _read_lines(spark, args, keys).persist(StorageLevel.MEMORY_AND_DISK)
    rows_read = lines.count()  # every line, good or not: one bad value never fails the run
    typed = _with_derived(_typed(lines.where(F.col("_failure_type").isNull()), args.columns), args.columns)
    fresh = _dedupe(spark, typed, partitions.existing_uris(touched)).persist(StorageLevel.MEMORY_AND_DISK)
    stats = _partition_stats(args, fresh)
    plans = partitions.plans(stats)
    partitions.register_absent(plans)
    # Appends, and per rewrite: new generation -> superseded entry -> switch. Raises on any failure:
    # no marker, no commit.
    compacted, file_sizes = partitions.write(SparkWriter(spark, args, fresh), stats, plans)
    quarantined = _quarantine(s3, args, lines.where(F.col("_failure_type").isNotNull()))

    partition_rows = {partition: stats.get(partition, (0, 0))[0] for partition in touched}
    marker = build_run_marker(args, len(keys), rows_read, partition_rows, quarantined=quarantined,
                              compacted=compacted)
    s3.put_object(Bucket=args.run_marker_prefix[0], Key=run_marker_key(args),
                  Body=(json.dumps(marker, indent=2) + "\n").encode("utf-8"), ContentType="application/json")
    _sweep(s3, catalog, args)
    metrics = lake_metric_data(file_sizes, time.monotonic() - started, args.dpus, datetime.now(timezone.utc))
    publish_lake_metrics(lambda: boto3.client("cloudwatch"), args.metrics_namespace, metrics)
    job.commit()  # last: the bookmark never moves past data that was not written


def _sweep(s3, catalog, args):
    """Deletes superseded generations past their retention. Garbage collection: a failure is logged
    and left to the next run, never failing a run whose data and marker are written."""
    try:
        for (event_type, dt), generation, objects in sweep_superseded(
                s3, args.destination[0], catalog, args.destination[1], _now_ms(), args.compaction):
            print(f"compaction: deleted generation {generation} of {event_type}/{dt} ({objects} objects)")
    except Exception as error:  # noqa: BLE001
        print(f"compaction: superseded generations not swept this run: {error}")


def _now_ms():
    return int(time.time() * 1000)


def _manifest_keys(s3, args):
    bucket, key = args.source_manifest
    keys = parse_manifest(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8"))
    check_keys_covered(keys, args.partitions)
    return keys


def _read_lines(spark, args, keys):
    """All keys in one read, one row per raw line: its text, its fields as text, its partition from
    the raw key, and `_failure_type`/`_failure_column` (NULL for a good line, quarantine.py rules)."""
    paths = [s3_uri(args.source_bucket, key) for key in keys]
    raw = spark.read.text(paths).withColumn("_source", F.input_file_name())
    is_object = F.expr("json_object_keys(value)").isNotNull()  # NULL for invalid JSON or a non-object
    parsed = raw.withColumn("_is_object", is_object).withColumn(
        "_fields", F.when(F.col("_is_object"), F.from_json("value", raw_schema_ddl(args.columns))))
    fields = [F.col("_fields").getField(c.name).alias(c.name) for c in raw_columns(args.columns)]
    lines = parsed.select("value", "_source", "_is_object", *fields,
                          _partition_value(1, "event_type"), _partition_value(2, "dt"))
    failing = F.coalesce(*[F.when(~_casts(c.name, c.kind), F.lit(c.name)) for c in raw_columns(args.columns)])
    return (lines.withColumn("_failure_column", F.when(F.col("_is_object"), failing))
            .withColumn("_failure_type", F.when(~F.col("_is_object"), F.lit(MALFORMED))
                        .when(F.col("_failure_column").isNotNull(), F.lit(CAST_ERROR))))


def _casts(name, kind):
    """True when the field's text casts to the curated type (quarantine.cast_failure as Spark SQL)."""
    spark_type, pattern = CAST_RULES[kind]
    raw = F.col(name)
    if name == "event_id":
        return raw.isNotNull()
    if kind == "string":
        return F.lit(True)
    cast = raw.cast(spark_type)
    valid = cast.isNotNull() if pattern is None else raw.rlike(pattern) & cast.isNotNull()
    return raw.isNull() | valid


def _typed(good, columns):
    return good.select(*[F.col(c.name).cast(CAST_RULES[c.kind][0]).alias(c.name) for c in raw_columns(columns)],
                       *PARTITION_COLUMNS, "_source")


def _quarantine(s3, args, bad):
    """Quarantined lines -> one gzip NDJSON object of failed-event records per (failure type, dt) in
    the ingest bucket, streamed through the driver (poison is rare; records are built by the tested
    pure half). Returns [(failure_type, dt, rows)] for the run marker."""
    files = {}
    rows = bad.select("value", "_failure_type", "_failure_column", "_source", *PARTITION_COLUMNS)
    for row in rows.toLocalIterator():
        key = row["_source"].split(f"{args.source_bucket}/", 1)[-1]
        record = quarantine_record(row["value"], row["_failure_type"], row["_failure_column"], key,
                                   row["event_type"], args.job_run_id)
        lines = files.setdefault((row["_failure_type"], row["dt"]), [])
        lines.append(json.dumps(record, separators=(",", ":")))
    for (failure_type, dt), lines in sorted(files.items()):
        s3.put_object(Bucket=args.source_bucket, Key=quarantine_key(failure_type, dt, args.job_run_id),
                      Body=gzip.compress(("\n".join(lines) + "\n").encode("utf-8")), ContentType="application/gzip")
    return [(failure_type, dt, len(lines)) for (failure_type, dt), lines in files.items()]


def _with_derived(typed, columns):
    """Every curated column in argument order: raw ones as cast, derived ones computed from them.
    json_value runs parquet_contract.json_values in a Python UDF (one JSON parse per row and source
    column), so the rule is the tested pure function, not a second implementation in Spark SQL."""
    parsed = {}
    for source, group in json_value_groups(columns).items():
        lookups = [(c.derivation[2], c.kind) for c in group]
        values = F.udf(lambda text, lookups=lookups: json_values(text, lookups), json_values_ddl(group))
        parsed[source] = f"_json_{source}"
        typed = typed.withColumn(parsed[source], values(F.col(source)))

    def curated(column):
        if column.derivation is None:
            return F.col(column.name)
        rule, first, second = column.derivation
        if rule == "json_value":
            return F.col(parsed[first]).getField(column.name).alias(column.name)
        return F.expr(millis_between_sql(first, second)).cast(CAST_RULES[column.kind][0]).alias(column.name)

    return typed.select(*[curated(c) for c in columns], *PARTITION_COLUMNS, "_source")


def _partition_value(group, name):
    value = F.regexp_extract("_source", SOURCE_PARTITION_PATTERN, group)
    return F.when(value != "", value).otherwise(_fail(f"no {name} in the key")).alias(name)


def _fail(message):
    """A raw key outside the partition layout is a bad argument, not a bad line: the run fails."""
    return F.raise_error(F.concat(F.lit(f"{message} in raw object "), F.col("_source")))


def _dedupe(spark, typed, existing):
    """One row per event_id (earliest received_at), minus event_ids already in the current
    generation's files of the touched partitions (`existing`: their s3:// URIs)."""
    earliest = Window.partitionBy("event_id").orderBy(F.col("received_at").asc_nulls_last(), F.col("_source"))
    unique = typed.withColumn("_rank", F.row_number().over(earliest)).where("_rank = 1").drop("_rank", "_source")
    if not existing:
        return unique
    # recursiveFileLookup: no partition discovery from the paths (event_type=/dt= are not read back).
    seen = spark.read.option("recursiveFileLookup", "true").parquet(*existing).select("event_id").distinct()
    return unique.join(seen, "event_id", "left_anti")


def _partition_stats(args, fresh):
    """(event_type, dt) -> (rows, JSON bytes) of the rows this run adds."""
    names = [c.name for c in args.columns]
    rows = (fresh.groupBy(*PARTITION_COLUMNS)
            .agg(F.count(F.lit(1)).alias("rows"), F.sum(F.length(F.to_json(F.struct(*names)))).alias("json_bytes"))
            .collect())
    return {(row["event_type"], row["dt"]): (row["rows"], row["json_bytes"] or 0) for row in rows}


if __name__ == "__main__":
    main(sys.argv)
