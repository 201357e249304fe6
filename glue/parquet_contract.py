"""The Parquet job's contract as pure functions: arguments (shared/lake/glue-run.ts), column casts,
derived columns, file layout and sizing, and the run marker. No pyspark or awsglue import, so
`python3 -m unittest` runs it anywhere; deploy ships it next to parquet_job.py (--extra-py-files,
set by the glue-script plugin), so Spark's Python workers import it too.
"""

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from compaction import parse_compaction
from lake_metrics import run_dpus

REQUIRED_ARGS = ("JOB_NAME", "JOB_RUN_ID", "columns", "source_bucket", "partitions", "destination",
                 "run_marker_prefix", "database", "table", "compaction")
# metrics_namespace and workers (`<count> x <worker type>`): the lake metrics (lake_metrics.py).
OPTIONAL_ARGS = ("source_keys", "source_manifest", "target_file_size_mb", "metrics_namespace", "workers")
CATALOG_NAME = re.compile(r"^[a-z0-9_]{1,255}$")
DEFAULT_TARGET_FILE_SIZE_MB = 128
# JSON text -> Snappy Parquet shrinks event data roughly this much; it only sizes files.
PARQUET_COMPRESSION_RATIO = 5.0
PARTITION_COLUMNS = ("event_type", "dt")
REQUIRED_COLUMNS = (("event_id", "string"), ("received_at", "timestamp"))
# Row order inside every curated file (local/glue/sql.ts FILE_ORDER): event time, then arrival, then
# event_id so the order is total. Time-ordered files compress their time columns far better.
FILE_ORDER = ("event_time", "received_at", "event_id")
# Parquet v2 pages: delta encoding for integers and instants (local/glue/sql.ts PARQUET_VERSION).
PARQUET_WRITER_VERSION = "v2"

# Curated type -> (Spark SQL type, pattern the raw text must match before the cast, or None).
# Spark (ANSI off) turns an uncastable value into NULL; these patterns plus a NULL check send the
# line to the quarantine instead (quarantine.py), so no value is ever silently lost.
CAST_RULES = {
    "string": ("string", None),
    "int": ("int", r"^-?[0-9]+$"),
    "bigint": ("bigint", r"^-?[0-9]+$"),
    "double": ("double", None),
    "boolean": ("boolean", r"^(true|false)$"),
    # Years 0001-9999 only: what Spark, Athena and Parquet readers can all hold.
    "timestamp": ("timestamp", r"^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-[0-9]{2}-[0-9]{2}"
                               r"T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$"),
}

RAW_EVENT_KEY = re.compile(r"^events/type=([^/]+)/dt=(\d{4}-\d{2}-\d{2})/[^/]+$")
# The same partition, found in the URI Spark reports for a row's file (input_file_name()).
SOURCE_PARTITION_PATTERN = r"/events/type=([^/]+)/dt=(\d{4}-\d{2}-\d{2})/[^/]+$"
COLUMN_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# `$.key` or `$.key.key...`: plain object keys, read the same way here and by DuckDB.
JSON_PATH = re.compile(r"^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$")
# The column types json_value can produce (shared/contract/table-schemas.ts jsonValueTypes).
JSON_VALUE_TYPES = ("string", "double", "bigint", "boolean")
BIGINT_RANGE = (-2 ** 63, 2 ** 63 - 1)


class InvalidArguments(ValueError):
    """Run arguments the job cannot run with: the run fails before reading anything."""


@dataclass(frozen=True)
class Column:
    """A curated column: read from the raw field `name`, or computed when `derivation` is set:
    ("json_value", source column, JSON path) or ("millis_between", start column, end column)."""
    name: str
    kind: str
    derivation: tuple | None = None


@dataclass(frozen=True)
class JobArgs:
    job_name: str
    job_run_id: str
    columns: list  # [Column]
    source_bucket: str
    source_keys: list | None
    source_manifest: tuple | None  # (bucket, key)
    partitions: list  # [(event_type, dt)]
    destination: tuple  # (bucket, prefix ending in /)
    run_marker_prefix: tuple  # (bucket, prefix ending in /)
    target_file_size_mb: int
    database: str  # the Glue database and table whose partitions the job manages
    table: str
    compaction: object  # compaction.CompactionSettings
    metrics_namespace: str | None = None
    dpus: float | None = None  # worker type x workers; None: no ParquetJobDpuSeconds


def optional_args_present(argv):
    """getResolvedOptions fails on an absent name, so only ask for the optional ones passed."""
    return [name for name in OPTIONAL_ARGS
            if any(arg == f"--{name}" or arg.startswith(f"--{name}=") for arg in argv)]


def parse_job_args(resolved):
    """getResolvedOptions' dict (names without --) -> JobArgs; raises InvalidArguments."""
    has_keys, has_manifest = "source_keys" in resolved, "source_manifest" in resolved
    if has_keys == has_manifest:
        raise InvalidArguments("exactly one of --source_keys and --source_manifest is required")
    if not BUCKET_NAME.match(resolved["source_bucket"]):
        raise InvalidArguments("--source_bucket is not a bucket name")
    partitions = parse_partitions(resolved["partitions"])
    source_keys = parse_source_keys(resolved["source_keys"], "--source_keys") if has_keys else None
    if source_keys is not None:
        check_keys_covered(source_keys, partitions)
    size = resolved.get("target_file_size_mb", str(DEFAULT_TARGET_FILE_SIZE_MB))
    if not re.match(r"^[1-9][0-9]*$", size):
        raise InvalidArguments("--target_file_size_mb must be a positive integer")
    for name in ("database", "table"):
        if not CATALOG_NAME.match(resolved.get(name, "")):
            raise InvalidArguments(f"--{name} is not a Glue catalog name")
    try:
        compaction = parse_compaction(resolved.get("compaction"))
        dpus = run_dpus(resolved["workers"]) if "workers" in resolved else None
    except ValueError as error:
        raise InvalidArguments(str(error)) from error
    return JobArgs(
        job_name=resolved["JOB_NAME"],
        job_run_id=resolved["JOB_RUN_ID"],
        columns=parse_columns(resolved["columns"]),
        source_bucket=resolved["source_bucket"],
        source_keys=source_keys,
        source_manifest=parse_s3_uri(resolved["source_manifest"]) if has_manifest else None,
        partitions=partitions,
        destination=parse_s3_prefix(resolved["destination"], "--destination"),
        run_marker_prefix=parse_s3_prefix(resolved["run_marker_prefix"], "--run_marker_prefix"),
        target_file_size_mb=int(size),
        database=resolved["database"],
        table=resolved["table"],
        compaction=compaction,
        metrics_namespace=resolved.get("metrics_namespace") or None,
        dpus=dpus,
    )


def parse_columns(text):
    """`name:type[=rule:arg:arg],...` -> [Column]. The dedupe key and its ordering column must be
    read from the raw event with their types; a derivation may only use columns read from it."""
    parts = []
    for part in text.split(","):
        head, *derivation = part.strip().split("=")
        name, _, kind = head.partition(":")
        if not COLUMN_NAME.match(name) or kind not in CAST_RULES or len(derivation) > 1:
            raise InvalidArguments(f"--columns: bad column {part!r}")
        if name in PARTITION_COLUMNS:
            raise InvalidArguments(f"--columns: {name} is a partition column, not a data column")
        parts.append((name, kind, derivation[0] if derivation else None))
    if len({name for name, _, _ in parts}) != len(parts):
        raise InvalidArguments("--columns: duplicate column")
    raw = {name: kind for name, kind, derivation in parts if derivation is None}
    for name, kind in REQUIRED_COLUMNS:
        if raw.get(name) != kind:
            raise InvalidArguments(f"--columns must contain {name}:{kind}")
    return [Column(name, kind, None if derivation is None else parse_derivation(name, kind, derivation, raw))
            for name, kind, derivation in parts]


def parse_derivation(name, kind, text, raw):
    """`rule:arg:arg` of column `name` -> (rule, arg, arg), checked against the raw columns {name: type}."""
    rule, *args = text.split(":")
    if len(args) != 2:
        raise InvalidArguments(f"--columns: {name}: bad derivation {text!r}")
    first, second = args

    def need_raw(column, wanted):
        if raw.get(column) != wanted:
            raise InvalidArguments(f"--columns: {name}: {column} is not a {wanted} column read from the raw event")

    if rule == "json_value":
        need_raw(first, "string")
        if not JSON_PATH.match(second):
            raise InvalidArguments(f"--columns: {name}: bad JSON path {second!r}")
        if kind not in JSON_VALUE_TYPES:
            raise InvalidArguments(f"--columns: {name}: json_value cannot produce {kind}")
    elif rule == "millis_between":
        need_raw(first, "timestamp")
        need_raw(second, "timestamp")
        if kind != "bigint":
            raise InvalidArguments(f"--columns: {name}: millis_between produces bigint, not {kind}")
    else:
        raise InvalidArguments(f"--columns: {name}: unknown derivation rule {rule!r}")
    return (rule, first, second)


def columns_argument(columns):
    """[Column] -> the `--columns` text (the inverse of parse_columns)."""
    return ",".join(f"{c.name}:{c.kind}" + ("" if c.derivation is None else "=" + ":".join(c.derivation))
                    for c in columns)


def raw_columns(columns):
    """The columns read from the raw event's fields."""
    return [c for c in columns if c.derivation is None]


def json_value_groups(columns):
    """{source column: [Column]} of the json_value columns: each source's JSON is parsed once per row."""
    groups = {}
    for column in columns:
        if column.derivation is not None and column.derivation[0] == "json_value":
            groups.setdefault(column.derivation[1], []).append(column)
    return groups


def json_values_ddl(group):
    """The Spark struct type of json_values' answer for one group."""
    return "struct<" + ",".join(f"`{c.name}`:{CAST_RULES[c.kind][0]}" for c in group) + ">"


def json_values(text, lookups):
    """JSON object text, [(path, type)] -> one value per lookup: the value at the path when its JSON
    type is the column's, else None. Not JSON, or not an object: every value None. Mirrors DuckDB's
    reading (local/glue/derived.ts): a repeated key's first value counts, NaN/Infinity are numbers."""
    try:
        document = json.loads(text, object_pairs_hook=_first_key_wins) if text is not None else None
    except (TypeError, ValueError, RecursionError):
        document = None
    return tuple(_json_value_at(document, path, kind) for path, kind in lookups)


def millis_between_sql(start, end):
    """Spark SQL for whole milliseconds from `start` to `end` (`div` truncates toward zero, as DuckDB's //)."""
    return f"(unix_micros(`{end}`) - unix_micros(`{start}`)) div 1000"


def file_order(columns):
    """FILE_ORDER restricted to the columns the run writes (event_id and received_at always are)."""
    names = {c.name for c in columns}
    return [name for name in FILE_ORDER if name in names]


def _first_key_wins(pairs):
    return dict(reversed(pairs))


def _json_value_at(document, path, kind):
    value = document
    for key in path.split(".")[1:]:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    if kind == "string":
        return value if isinstance(value, str) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if isinstance(value, bool):  # a Python bool is an int: never a number here
        return None
    if kind == "bigint":
        return value if isinstance(value, int) and BIGINT_RANGE[0] <= value <= BIGINT_RANGE[1] else None
    if kind == "double" and isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an integer beyond double range: DuckDB reads it as +/-infinity
            return math.inf if value > 0 else -math.inf
    return None


def parse_partitions(text):
    items = _json(text, "--partitions")
    if not isinstance(items, list) or not items:
        raise InvalidArguments("--partitions must be a non-empty JSON array")
    partitions = []
    for item in items:
        event_type = item.get("event_type") if isinstance(item, dict) else None
        dt = item.get("dt") if isinstance(item, dict) else None
        if not isinstance(event_type, str) or not re.match(r"^[a-z0-9_]+$", event_type) \
                or not isinstance(dt, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", dt):
            raise InvalidArguments(f"--partitions: bad partition {item!r}")
        partitions.append((event_type, dt))
    return partitions


def parse_source_keys(value, what):
    """A JSON array (text, or already parsed) of raw event keys -> distinct keys in order."""
    keys = _json(value, what) if isinstance(value, str) else value
    if not isinstance(keys, list) or not keys:
        raise InvalidArguments(f"{what} must be a non-empty JSON array of keys")
    for key in keys:
        if not isinstance(key, str) or raw_partition(key) is None:
            raise InvalidArguments(f"{what}: not a raw event key: {key!r}")
    return list(dict.fromkeys(keys))


def parse_manifest(text):
    """A `_manifests/<id>.json` body `{ "keys": [...] }` -> its keys."""
    manifest = _json(text, "source manifest")
    keys = manifest.get("keys") if isinstance(manifest, dict) else None
    return parse_source_keys(keys, "source manifest keys")


def check_keys_covered(keys, partitions):
    listed = set(partitions)
    for key in keys:
        if raw_partition(key) not in listed:
            raise InvalidArguments(f"--partitions does not list the partition of {key}")


def raw_partition(key):
    """`events/type=<t>/dt=<d>/<object>` -> (t, d); None for any other key."""
    match = RAW_EVENT_KEY.match(key)
    return (match.group(1), match.group(2)) if match else None


def parse_s3_uri(uri):
    match = re.match(r"^s3://([^/]+)/(.*)$", uri)
    if not match:
        raise InvalidArguments(f"not an s3:// URI: {uri}")
    return match.group(1), match.group(2)


def s3_uri(bucket, key):
    return f"s3://{bucket}/{key}"


def parse_s3_prefix(uri, what):
    bucket, key = parse_s3_uri(uri)
    if not key.endswith("/"):
        raise InvalidArguments(f"{what} must be an s3:// prefix ending in '/'")
    return bucket, key


def raw_schema_ddl(columns):
    """Every raw field read as STRING: Spark's JSON reader keeps an object's JSON text (attributes).
    Derived columns are not fields of the raw event: a field of that name is never read."""
    return ", ".join(f"`{c.name}` STRING" for c in raw_columns(columns))


def estimated_file_count(json_bytes, target_file_size_mb, ratio=PARQUET_COMPRESSION_RATIO):
    """Files for one partition so each lands near the target size: few, large files."""
    target_bytes = target_file_size_mb * 1024 * 1024
    return max(1, math.ceil(json_bytes / ratio / target_bytes))


def build_run_marker(args, source_objects, rows_read, partition_rows, finished_at=None, quarantined=(),
                     compacted=()):
    """The `_runs/<jobRunId>.json` body. Every touched partition is listed, even with 0 rows:
    a failed predecessor may have left that partition's rows in place without a marker.
    `rows_read` counts every line; `quarantined` is [(failure_type, dt, rows)] (quarantine.py);
    `compacted` is [(event_type, dt, generation, files, reason)], one per partition rewritten."""
    rows_written = sum(partition_rows.values())
    listed = [{"failure_type": t, "dt": d, "rows": n} for t, d, n in sorted(quarantined)]
    rows_quarantined = sum(entry["rows"] for entry in listed)
    return {
        "job_run_id": args.job_run_id,
        "job_name": args.job_name,
        "finished_at": finished_at or datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "source_objects": source_objects,
        "rows_read": rows_read,
        "rows_written": rows_written,
        "rows_quarantined": rows_quarantined,
        "duplicates_removed": rows_read - rows_quarantined - rows_written,
        "partitions": [{"event_type": t, "dt": d, "rows": partition_rows[(t, d)]}
                       for t, d in sorted(partition_rows)],
        "quarantined": listed,
        "compacted": [{"event_type": t, "dt": d, "generation": g, "files": n, "reason": r}
                      for t, d, g, n, r in sorted(compacted)],
    }


def run_marker_key(args):
    return f"{args.run_marker_prefix[1]}{args.job_run_id}.json"


def _json(text, what):
    try:
        return json.loads(text)
    except (TypeError, ValueError) as error:
        raise InvalidArguments(f"{what} is not valid JSON") from error
