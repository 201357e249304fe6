"""glue/parquet_contract.py, the Parquet job's pure half: runs without pyspark or awsglue."""

import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import compaction  # noqa: E402
import parquet_contract as job  # noqa: E402
from test_compaction import SETTINGS, compaction_argument  # noqa: E402

COLUMNS = ("event_id:string,event_version:int,event_time:timestamp,received_at:timestamp,"
           "app_id:string,attributes:string")
KEY_A = "events/type=page_view/dt=2025-11-22/direct-1-2025-11-22-10-00-00-aaaa.gz"
KEY_B = "events/type=purchase/dt=2025-11-21/direct-1-2025-11-22-10-00-00-bbbb.gz"
PARTITIONS = json.dumps([{"event_type": "page_view", "dt": "2025-11-22"},
                         {"event_type": "purchase", "dt": "2025-11-21"}])


def resolved(**overrides):
    args = {
        "JOB_NAME": "eventlake-dev-parquet",
        "JOB_RUN_ID": "jr_" + "0" * 64,
        "columns": COLUMNS,
        "source_bucket": "eventlake-dev-ingest",
        "source_keys": json.dumps([KEY_A, KEY_B, KEY_A]),
        "partitions": PARTITIONS,
        "destination": "s3://eventlake-dev-lake/curated/events/",
        "run_marker_prefix": "s3://eventlake-dev-lake/_runs/",
        "database": "eventlake_dev_analytics",
        "table": "events",
        "compaction": compaction_argument(),
    }
    args.update(overrides)
    return {name: value for name, value in args.items() if value is not None}


class ParseJobArgsTest(unittest.TestCase):
    def test_parses_a_full_argument_set(self):
        args = job.parse_job_args(resolved())
        self.assertEqual(args.columns[:3], [job.Column("event_id", "string"), job.Column("event_version", "int"),
                                            job.Column("event_time", "timestamp")])
        self.assertEqual(args.source_keys, [KEY_A, KEY_B])
        self.assertIsNone(args.source_manifest)
        self.assertEqual(args.partitions, [("page_view", "2025-11-22"), ("purchase", "2025-11-21")])
        self.assertEqual(args.destination, ("eventlake-dev-lake", "curated/events/"))
        self.assertEqual(args.run_marker_prefix, ("eventlake-dev-lake", "_runs/"))
        self.assertEqual(args.target_file_size_mb, 128)
        self.assertEqual((args.database, args.table, args.compaction), ("eventlake_dev_analytics", "events", SETTINGS))
        self.assertEqual((args.metrics_namespace, args.dpus), (None, None))

    def test_reads_the_metrics_namespace_and_the_run_dpus(self):
        args = job.parse_job_args(resolved(metrics_namespace="eventlake-dev", workers="5 x G.2X"))
        self.assertEqual((args.metrics_namespace, args.dpus), ("eventlake-dev", 10))

    def test_takes_a_manifest_instead_of_keys(self):
        args = job.parse_job_args(resolved(source_keys=None,
                                           source_manifest="s3://eventlake-dev-lake/_manifests/b-1.json"))
        self.assertIsNone(args.source_keys)
        self.assertEqual(args.source_manifest, ("eventlake-dev-lake", "_manifests/b-1.json"))

    def test_reads_the_target_file_size(self):
        self.assertEqual(job.parse_job_args(resolved(target_file_size_mb="256")).target_file_size_mb, 256)

    def test_rejects_bad_arguments(self):
        bad = [
            resolved(source_manifest="s3://lake/_manifests/m.json"),
            resolved(source_keys=None),
            resolved(source_bucket="s3://eventlake-dev-ingest"),
            resolved(source_keys="not json"),
            resolved(source_keys="[]"),
            resolved(source_keys=json.dumps(["late/type=page_view/dt=2025-11-22/x.gz"])),
            resolved(partitions=json.dumps([{"event_type": "page_view", "dt": "2025-11-22"}])),
            resolved(partitions=json.dumps([{"event_type": "page_view", "dt": "22/11/2025"}])),
            resolved(destination="s3://eventlake-dev-lake/curated/events"),
            resolved(run_marker_prefix="eventlake-dev-lake/_runs/"),
            resolved(target_file_size_mb="0"),
            resolved(database=None),
            resolved(table="Events; DROP"),
            resolved(compaction='{"lookbackDays": 3}'),
            resolved(workers="2 x G.3X"),
            resolved(workers="G.1X"),
        ]
        for args in bad:
            with self.subTest(args=args), self.assertRaises(job.InvalidArguments):
                job.parse_job_args(args)

    def test_asks_getresolvedoptions_only_for_optional_names_present(self):
        argv = ["script.py", "--JOB_NAME", "x", "--source_manifest", "s3://b/m.json", "--job-bookmark-option",
                "job-bookmark-enable"]
        self.assertEqual(job.optional_args_present(argv), ["source_manifest"])
        argv = ["s.py", "--metrics_namespace", "eventlake-dev", "--workers", "2 x G.1X"]
        self.assertEqual(job.optional_args_present(argv), ["metrics_namespace", "workers"])
        self.assertEqual(job.optional_args_present(["s.py", "--source_keys=[]", "--target_file_size_mb_x", "1"]),
                         ["source_keys"])


class ColumnsTest(unittest.TestCase):
    def test_parses_name_type_pairs(self):
        self.assertEqual(job.parse_columns("event_id:string, received_at:timestamp,n:bigint"),
                         [job.Column("event_id", "string"), job.Column("received_at", "timestamp"),
                          job.Column("n", "bigint")])

    def test_rejects_unknown_types_duplicates_partition_columns_and_missing_keys(self):
        for text in ["event_id:string,received_at:timestamp,x:varchar",
                     "event_id:string,received_at:timestamp,event_id:string",
                     "event_id:string,received_at:timestamp,dt:string",
                     "event_id:string,Bad-Name:string,received_at:timestamp",
                     "event_version:int,received_at:timestamp",
                     "event_id:string,received_at:string",
                     "event_id:string,received_at:timestamp=millis_between:received_at:received_at"]:
            with self.subTest(text=text), self.assertRaises(job.InvalidArguments):
                job.parse_columns(text)

    def test_reads_every_raw_field_as_string(self):
        columns = job.parse_columns(COLUMNS)
        self.assertEqual(job.raw_schema_ddl(columns).split(", ")[:2], ["`event_id` STRING", "`event_version` STRING"])

    def test_maps_every_curated_type_to_a_spark_type(self):
        self.assertEqual({kind: rule[0] for kind, rule in job.CAST_RULES.items()},
                         {"string": "string", "int": "int", "bigint": "bigint", "double": "double",
                          "boolean": "boolean", "timestamp": "timestamp"})

    def test_accepts_only_utc_instants_and_whole_numbers(self):
        instant = job.CAST_RULES["timestamp"][1]
        self.assertRegex("2025-11-22T09:59:58.120Z", instant)
        self.assertRegex("2025-11-22T09:59:58Z", instant)
        self.assertIsNone(re.match(instant, "2025-11-22T10:59:58+01:00"))
        self.assertIsNone(re.match(job.CAST_RULES["int"][1], "1.5"))
        self.assertRegex("-12", job.CAST_RULES["int"][1])


class SourcesTest(unittest.TestCase):
    def test_reads_manifest_keys(self):
        self.assertEqual(job.parse_manifest(json.dumps({"keys": [KEY_B, KEY_B]})), [KEY_B])
        for text in ["{}", "[]", "nope", json.dumps({"keys": ["curated/x.parquet"]})]:
            with self.subTest(text=text), self.assertRaises(job.InvalidArguments):
                job.parse_manifest(text)

    def test_knows_the_partition_of_a_raw_key(self):
        self.assertEqual(job.raw_partition(KEY_A), ("page_view", "2025-11-22"))
        self.assertIsNone(job.raw_partition("failed/type=malformed_json/dt=2025-11-22/x.gz"))

    def test_finds_the_partition_in_the_uri_spark_reports_for_a_row(self):
        match = re.search(job.SOURCE_PARTITION_PATTERN, job.s3_uri("eventlake-dev-ingest", KEY_A))
        self.assertEqual(match.groups() if match else None, ("page_view", "2025-11-22"))
        self.assertIsNone(re.search(job.SOURCE_PARTITION_PATTERN, "s3://b/late/type=x/dt=2025-11-22/f.gz"))

    def test_finds_curated_partition_prefixes_and_visible_files(self):
        # The job reads a partition's files through compaction.py's layout rules.
        self.assertEqual(compaction.partition_prefix("curated/events/", ("page_view", "2025-11-22")),
                         "curated/events/event_type=page_view/dt=2025-11-22/")
        self.assertTrue(compaction.is_generation_data_file("part-00000-abc.c000.snappy.parquet"))
        for hidden in ["_temporary/0/part-0.parquet", ".part-0.parquet.crc", "_SUCCESS", "x.parquet.tmp"]:
            self.assertFalse(compaction.is_generation_data_file(hidden), hidden)


class SizingAndMarkerTest(unittest.TestCase):
    def test_estimates_few_large_files(self):
        mib = 1024 * 1024
        self.assertEqual(job.estimated_file_count(0, 128), 1)
        self.assertEqual(job.estimated_file_count(600 * mib, 128), 1)
        self.assertEqual(job.estimated_file_count(641 * mib, 128), 2)
        self.assertEqual(job.estimated_file_count(10 * 1024 * mib, 128), 16)

    def test_builds_the_run_marker_with_every_touched_partition(self):
        args = job.parse_job_args(resolved())
        marker = job.build_run_marker(args, 2, 10, {("purchase", "2025-11-21"): 0, ("page_view", "2025-11-22"): 7},
                                      finished_at="2025-11-22T11:00:00.000Z")
        self.assertEqual(marker, {
            "job_run_id": "jr_" + "0" * 64,
            "job_name": "eventlake-dev-parquet",
            "finished_at": "2025-11-22T11:00:00.000Z",
            "source_objects": 2,
            "rows_read": 10,
            "rows_written": 7,
            "rows_quarantined": 0,
            "duplicates_removed": 3,
            "partitions": [{"event_type": "page_view", "dt": "2025-11-22", "rows": 7},
                           {"event_type": "purchase", "dt": "2025-11-21", "rows": 0}],
            "quarantined": [],
            "compacted": [],
        })
        self.assertEqual(job.run_marker_key(args), "_runs/jr_" + "0" * 64 + ".json")

    def test_the_marker_counts_quarantined_lines_apart_from_duplicates(self):
        marker = job.build_run_marker(job.parse_job_args(resolved()), 1, 10, {("page_view", "2025-11-22"): 6},
                                      quarantined=[("malformed_json", "2025-11-22", 1),
                                                   ("cast_error", "2025-11-22", 2)])
        self.assertEqual((marker["rows_quarantined"], marker["duplicates_removed"]), (3, 1))
        self.assertEqual(marker["quarantined"][0], {"failure_type": "cast_error", "dt": "2025-11-22", "rows": 2})

    def test_the_marker_lists_the_partitions_compacted(self):
        marker = job.build_run_marker(job.parse_job_args(resolved()), 1, 1, {("page_view", "2025-11-22"): 1},
                                      compacted=[("purchase", "2025-11-20", 2, 1, "closed"),
                                                 ("page_view", "2025-11-22", 1, 3, "file-count")])
        self.assertEqual(marker["compacted"], [
            {"event_type": "page_view", "dt": "2025-11-22", "generation": 1, "files": 3, "reason": "file-count"},
            {"event_type": "purchase", "dt": "2025-11-20", "generation": 2, "files": 1, "reason": "closed"}])

    def test_stamps_finished_at_in_utc_millis(self):
        marker = job.build_run_marker(job.parse_job_args(resolved()), 0, 0, {})
        self.assertRegex(marker["finished_at"], r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


if __name__ == "__main__":
    unittest.main()
