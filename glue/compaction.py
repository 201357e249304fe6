"""Compaction rules of the curated lake, pure: the Python port of shared/lake/compaction.ts, tested
on the same cases (glue/tests/compaction_cases.json), plus the generation layout and the superseded
ledger the PySpark job keeps (docs/glue.md "Compaction"). No pyspark, awsglue or boto3 import.
"""

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

MIB = 1024 * 1024
DAY_MS = 86_400_000
# The catalog partition parameter naming its current generation (the Location says it too).
GENERATION_PARAMETER = "eventlake.generation"
# In the lake bucket: one small JSON per superseded generation, deleted with that generation.
SUPERSEDED_PREFIX = "_compaction/superseded/"
DT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
GENERATION_HEAD = re.compile(r"^g(\d{6})/")
# `--compaction` JSON: glue.compaction of shared/pipeline.json plus glue.targetFileSizeMB.
SETTING_KEYS = ("targetFileSizeMB", "minFileSizeMB", "maxFilesPerClosedPartition", "openPartitionMaxFiles",
                "closeAfterHours", "retainSupersededMinutes", "lookbackDays")


@dataclass(frozen=True)
class CompactionSettings:
    target_file_bytes: int
    min_file_bytes: int
    max_closed_files: int
    open_max_files: int
    close_after_ms: int
    retain_superseded_ms: int
    lookback_days: int = 0


def parse_compaction(text):
    """The `--compaction` JSON -> CompactionSettings; ValueError when a setting is missing or bad."""
    try:
        values = json.loads(text)
    except (TypeError, ValueError) as error:
        raise ValueError("--compaction is not valid JSON") from error
    if not isinstance(values, dict):
        raise ValueError("--compaction must be a JSON object")
    for key in SETTING_KEYS:
        value = values.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or not math.isfinite(value):
            raise ValueError(f"--compaction: {key} must be a number >= 0")
    for key in ("targetFileSizeMB", "maxFilesPerClosedPartition", "openPartitionMaxFiles"):
        if values[key] < 1:
            raise ValueError(f"--compaction: {key} must be >= 1")
    return CompactionSettings(
        target_file_bytes=round(values["targetFileSizeMB"] * MIB),
        min_file_bytes=round(values["minFileSizeMB"] * MIB),
        max_closed_files=int(values["maxFilesPerClosedPartition"]),
        open_max_files=int(values["openPartitionMaxFiles"]),
        close_after_ms=round(values["closeAfterHours"] * 3_600_000),
        retain_superseded_ms=round(values["retainSupersededMinutes"] * 60_000),
        lookback_days=int(values["lookbackDays"]),
    )


def closes_at(dt, settings):
    """Epoch ms at which the partitions of `dt` (yyyy-MM-dd) close: the next midnight UTC plus closeAfter."""
    match = DT.match(dt or "")
    if not match:
        raise ValueError(f"not a yyyy-MM-dd date: {dt}")
    midnight = datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), tzinfo=timezone.utc)
    return int(midnight.timestamp()) * 1000 + DAY_MS + settings.close_after_ms


def is_closed(dt, now_ms, settings):
    return now_ms >= closes_at(dt, settings)


def closed_shape_holds(file_bytes, settings):
    """A closed partition's files satisfy the rule: one file, or few enough and none small."""
    if len(file_bytes) <= 1:
        return True
    return len(file_bytes) <= settings.max_closed_files and all(b >= settings.min_file_bytes for b in file_bytes)


def rewrite_file_count(total_bytes, closed, settings):
    """Files a rewrite of `total_bytes` produces: about the target size each; for a closed partition
    at most max_closed_files and none under min_file_bytes. Rounds half up, as JavaScript's Math.round."""
    files = max(1, math.floor(total_bytes / settings.target_file_bytes + 0.5))
    if not closed:
        return files
    files = min(files, settings.max_closed_files)
    while files > 1 and total_bytes / files < settings.min_file_bytes:
        files -= 1
    return files


def plan_partition(dt, existing_bytes, added_bytes, now_ms, settings):
    """What a run does to one partition: {"action": "none"|"append"} or
    {"action": "rewrite", "files": n, "reason": "closed"|"file-count"} (planPartition in TypeScript)."""
    after = list(existing_bytes) + ([added_bytes] if added_bytes > 0 else [])
    total = sum(after)
    quiet = {"action": "append"} if added_bytes > 0 else {"action": "none"}
    if is_closed(dt, now_ms, settings):
        if closed_shape_holds(after, settings):
            return quiet
        return {"action": "rewrite", "files": rewrite_file_count(total, True, settings), "reason": "closed"}
    # Only small files count: an open partition of many target-size files is already well shaped.
    if sum(1 for b in after if b < settings.min_file_bytes) > settings.open_max_files:
        return {"action": "rewrite", "files": rewrite_file_count(total, False, settings), "reason": "file-count"}
    return quiet


def partition_prefix(curated_prefix, partition):
    """`curated/events/` + (event_type, dt) -> `curated/events/event_type=<t>/dt=<d>/`."""
    return f"{curated_prefix}event_type={partition[0]}/dt={partition[1]}/"


def generation_prefix(curated_prefix, partition, generation):
    """The folder of a generation: the partition folder for 0, `curated/events/g<6 digits>/event_type=<t>/dt=<d>/`
    after. The generation comes first so that no generation's folder is inside another's: Athena
    reads every object under a partition's Location, sub-folders included."""
    if isinstance(generation, bool) or not isinstance(generation, int) or generation < 0:
        raise ValueError(f"bad generation {generation!r}")
    if generation == 0:
        return partition_prefix(curated_prefix, partition)
    return partition_prefix(f"{curated_prefix}g{generation:06d}/", partition)


def generation_of(curated_prefix, partition, prefix):
    """The generation a key prefix is the folder of; None when it is not one of the partition's
    (`g000000/…` included: generation 0 is only the partition folder)."""
    if prefix == partition_prefix(curated_prefix, partition):
        return 0
    if not prefix.startswith(curated_prefix):
        return None
    match = GENERATION_HEAD.match(prefix[len(curated_prefix):])
    if not match or prefix[len(curated_prefix) + match.end():] != partition_prefix("", partition):
        return None
    generation = int(match.group(1))
    return generation if generation > 0 else None


def is_generation_data_file(relative_key):
    """A data file of a generation, by its key relative to the generation's folder: directly in it
    (never in a sub-folder such as Spark's `_temporary/`), named *.parquet, not hidden."""
    return "/" not in relative_key and relative_key.endswith(".parquet") and not relative_key.startswith(("_", "."))


def added_bytes_estimate(json_bytes, ratio):
    """Parquet bytes a run adds to a partition, from the JSON bytes of its rows: the same ratio that
    sizes the appended files (parquet_contract.estimated_file_count). Never 0 when rows are added."""
    return max(1, round(json_bytes / ratio)) if json_bytes > 0 else 0


def lookback_start(now_ms, lookback_days):
    """The earliest dt the lookback covers: today (UTC) minus lookback_days."""
    today = datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc).date()
    return (today - timedelta(days=lookback_days)).isoformat()


def superseded_key(partition, generation):
    return f"{SUPERSEDED_PREFIX}event_type={partition[0]}/dt={partition[1]}/g{generation:06d}.json"


def superseded_entry(partition, generation, location, superseded_at, job_run_id):
    """The ledger entry written before a partition switches away from `generation`."""
    return {"event_type": partition[0], "dt": partition[1], "generation": generation, "location": location,
            "superseded_at": superseded_at, "job_run_id": job_run_id}


def parse_superseded_entry(body):
    """A ledger entry's JSON -> ((event_type, dt), generation, superseded_at ms); ValueError if malformed."""
    entry = json.loads(body)
    generation = entry.get("generation") if isinstance(entry, dict) else None
    if isinstance(generation, bool) or not isinstance(generation, int) or generation < 0:
        raise ValueError("superseded entry without a generation")
    event_type, dt, at = entry.get("event_type"), entry.get("dt"), entry.get("superseded_at")
    if not isinstance(event_type, str) or not isinstance(dt, str) or not DT.match(dt) or not isinstance(at, str):
        raise ValueError("superseded entry without its partition or time")
    superseded_ms = round(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() * 1000)
    return (event_type, dt), generation, superseded_ms


def superseded_due(superseded_ms, current_generation, generation, now_ms, settings):
    """A superseded generation is deleted once retained long enough and older than the partition's
    current one (a crash between the ledger entry and the switch leaves it current: it stays; a
    partition the catalog does not know, current None, keeps everything)."""
    if current_generation is None or generation >= current_generation:
        return False
    return now_ms - superseded_ms >= settings.retain_superseded_ms


def iso_ms(now_ms):
    return datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")
