"""The lake-health figures the Parquet job publishes once per run (infra/resources/lake-alarms.yml):
built here without Spark or boto3, published with CloudWatch PutMetricData by the job. Publishing
never fails a run: the data is written by then (docs/glue.md "Lake metrics").
"""

import re

# DPUs per worker (docs: AWS Glue worker types); R.* are memory-optimised M-DPUs, billed alike.
DPU_PER_WORKER = {"G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8, "G.12X": 12, "G.16X": 16,
                  "R.1X": 1, "R.2X": 2, "R.4X": 4, "R.8X": 8}
# Glue bills a Spark run at least one minute of its DPUs.
MIN_BILLED_SECONDS = 60


def run_dpus(workers):
    """DPUs of a run from `--workers`, `<NumberOfWorkers> x <WorkerType>` (e.g. `2 x G.1X`)."""
    match = re.match(r"^([1-9][0-9]*) x (\S+)$", workers or "")
    if not match or match.group(2) not in DPU_PER_WORKER:
        raise ValueError(f"--workers must be `<count> x <worker type>` of a known type, not {workers!r}")
    return DPU_PER_WORKER[match.group(2)] * int(match.group(1))


def median(values):
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median of nothing")
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def lake_metric_data(file_sizes, wall_seconds, dpus, timestamp):
    """PutMetricData's MetricData for one run, without dimensions.

    file_sizes: {partition: [bytes of each data file of its current generation]} for the partitions
    this run wrote or rewrote. CuratedFilesMaxPerPartition and CuratedFileMedianBytes (over all those
    files) are left out when the run wrote none; ParquetJobDpuSeconds = max(wall, 60 s) x DPUs when
    the DPUs are known."""
    data = []
    written = [sizes for sizes in file_sizes.values() if sizes]
    if written:
        data.append({"MetricName": "CuratedFilesMaxPerPartition", "Timestamp": timestamp,
                     "Value": float(max(len(sizes) for sizes in written)), "Unit": "Count"})
        data.append({"MetricName": "CuratedFileMedianBytes", "Timestamp": timestamp,
                     "Value": float(median([size for sizes in written for size in sizes])), "Unit": "Bytes"})
    if dpus is not None:
        billed = max(float(wall_seconds), float(MIN_BILLED_SECONDS))
        data.append({"MetricName": "ParquetJobDpuSeconds", "Timestamp": timestamp,
                     "Value": round(billed * dpus, 3), "Unit": "None"})
    return data


def publish_lake_metrics(cloudwatch, namespace, metric_data, log=print):
    """One PutMetricData call through `cloudwatch()` (a client factory: creating the client may fail
    too); True when it went through. Any failure is logged, never raised."""
    if not namespace or not metric_data:
        return False
    try:
        cloudwatch().put_metric_data(Namespace=namespace, MetricData=metric_data)
        return True
    except Exception as error:  # noqa: BLE001 - the run's data is written: a metric never fails it
        log(f"lake metrics not published to {namespace}: {error}")
        return False
