"""Poison-safe runs, the pure half: which raw line cannot become a curated row and why, and the
failed-event record it becomes in the quarantine (`failed/type=<failure>/dt=<d>/` of the ingest
bucket, read by the failed_events table). parquet_job.py applies the same rules as Spark SQL
(CAST_RULES patterns plus a NULL check on the cast); local/glue/validate.ts applies them on DuckDB.
glue/tests/cast_cases.json and glue/tests/poison_lines.json hold both engines to them.
"""

import json
import re
from datetime import datetime

from parquet_contract import CAST_RULES

MALFORMED = "malformed_json"
CAST_ERROR = "cast_error"
QUARANTINE_TYPES = (MALFORMED, CAST_ERROR)
INT_RANGES = {"int": (-2 ** 31, 2 ** 31 - 1), "bigint": (-2 ** 63, 2 ** 63 - 1)}
DOUBLE_TEXT = re.compile(r"^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
QUARANTINE_FILE = "failed/type={failure_type}/dt={dt}/glue-{job_run_id}.gz"


def cast_failure(name, kind, text):
    """A field's JSON value as text (None: absent or JSON null) -> None when it casts to `kind`, else
    the reason. event_id must be present; every other column may be NULL."""
    if name == "event_id":
        return None if text is not None else "event_id is missing"
    if text is None or kind == "string":
        return None
    pattern = CAST_RULES[kind][1]
    if pattern is not None and not re.match(pattern, text):
        return f"{name} cannot be cast to its curated type"
    if kind in INT_RANGES:
        low, high = INT_RANGES[kind]
        ok = low <= int(text) <= high
    elif kind == "double":
        ok = DOUBLE_TEXT.match(text) is not None
    elif kind == "timestamp":
        ok = _real_instant(text)
    else:
        ok = True
    return None if ok else f"{name} cannot be cast to its curated type"


def _real_instant(text):
    try:
        datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
        return True
    except ValueError:
        return False


def value_text(value):
    """A parsed JSON value as the engines hand it to the casts: strings as they are, objects and
    arrays as compact JSON, literals as JSON text, null as None."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def line_failure(line, columns):
    """(failure_type, column) for a raw line that cannot become a row, None for a good one.
    `columns` are parquet_contract.Column; the first failing read column, in order, is named."""
    try:
        document = json.loads(line)
    except (TypeError, ValueError, RecursionError):
        document = None
    if not isinstance(document, dict):
        return (MALFORMED, None)
    for column in columns:
        if column.derivation is None and cast_failure(column.name, column.kind, value_text(document.get(column.name))):
            return (CAST_ERROR, column.name)
    return None


def failure_message(failure_type, column):
    if failure_type == MALFORMED:
        return "the line is not a JSON object"
    return "event_id is missing" if column == "event_id" else f"{column} cannot be cast to its curated type"


def quarantine_record(line, failure_type, column, source_key, event_type, job_run_id):
    """The failed-event record of one quarantined line (the failed_events columns, plus where it
    came from): its raw text as the payload, the failing column as the error path."""
    document = None
    if failure_type != MALFORMED:
        document = json.loads(line)
    event_id = document.get("event_id") if document else None
    received_at = value_text(document.get("received_at")) if document else None
    return {
        "failure_type": failure_type,
        "errors": [{"path": "/" + (column or ""), "message": failure_message(failure_type, column)}],
        "payload": line,
        "payload_encoding": "text",
        "event_id": event_id if isinstance(event_id, str) else None,
        "event_type": event_type,
        "received_at": received_at if cast_failure("received_at", "timestamp", received_at) is None else None,
        "column": column,
        "source_key": source_key,
        "job_run_id": job_run_id,
    }


def quarantine_key(failure_type, dt, job_run_id):
    """Key in the ingest bucket (shared/lake/keys.ts quarantineKey)."""
    return QUARANTINE_FILE.format(failure_type=failure_type, dt=dt, job_run_id=job_run_id)
