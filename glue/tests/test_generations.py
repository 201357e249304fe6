"""glue/generations.py: a run's appends and rewrites, their order and crash cases, on in-memory S3
and Glue clients (aws_fakes.py) and a writer that puts one object per file the job would write."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))

import lake_catalog  # noqa: E402
import parquet_contract  # noqa: E402
from aws_fakes import FakeGlue, FakeS3  # noqa: E402
from generations import Partitions  # noqa: E402
from test_compaction import NOW, compaction_argument  # noqa: E402

MIB = 1024 * 1024
LAKE = "eventlake-dev-lake"
OPEN = ("page_view", "2026-12-05")  # NOW is 2026-12-05T12:00Z: today is open
CLOSED = ("page_view", "2026-12-04")  # closed at 02:00Z
OLD = ("click", "2026-12-03")  # closed, in the lookback, not touched by the run


def base(partition):
    return f"curated/events/event_type={partition[0]}/dt={partition[1]}/"


def folder(partition, generation):
    """Generation n > 0 of a partition: the generation folder first, then the partition folders."""
    return f"curated/events/g{generation:06d}/event_type={partition[0]}/dt={partition[1]}/"


def job_args():
    return parquet_contract.parse_job_args({
        "JOB_NAME": "eventlake-dev-parquet", "JOB_RUN_ID": "jr_2", "columns": "event_id:string,received_at:timestamp",
        "source_bucket": "eventlake-dev-ingest", "partitions": json.dumps([{"event_type": "page_view", "dt": "2026-12-05"}]),
        "source_keys": json.dumps(["events/type=page_view/dt=2026-12-05/a.gz"]),
        "destination": f"s3://{LAKE}/curated/events/", "run_marker_prefix": f"s3://{LAKE}/_runs/",
        "database": "eventlake_dev_analytics", "table": "events", "compaction": compaction_argument()})


class FakeWriter:
    """Puts `files` objects of `size` bytes in the target folder, as Spark would write them; can die."""

    def __init__(self, s3, log, size=MIB, die_on_rewrite=False):
        self.s3, self.log, self.size, self.die = s3, log, size, die_on_rewrite

    def _put(self, uri, files, name):
        prefix = uri[len(f"s3://{LAKE}/"):]
        for i in range(files):
            self.s3.put(LAKE, f"{prefix}part-{i:05d}-{name}.snappy.parquet", self.size)
        self.s3.put(LAKE, f"{prefix}_SUCCESS", 0)

    def append(self, partition, uri, files):
        self.log.append(("writer", "append", {"partition": partition, "uri": uri, "files": files}))
        self._put(uri, files, "append")

    def rewrite(self, partition, source_uris, uri, files, with_fresh):
        self.log.append(("writer", "rewrite", {"partition": partition, "sources": source_uris, "uri": uri,
                                               "files": files, "with_fresh": with_fresh}))
        if self.die:
            self.s3.put(LAKE, uri[len(f"s3://{LAKE}/"):] + "part-00000-dead.snappy.parquet", self.size)
            raise RuntimeError("executor lost")
        self._put(uri, files, "rewrite")


class RunTest(unittest.TestCase):
    def setUp(self):
        self.log = []
        self.s3, self.glue = FakeS3(self.log, page_size=5), FakeGlue(self.log)
        self.args = job_args()
        self.catalog = lake_catalog.Catalog(self.glue, "eventlake_dev_analytics", "events", LAKE, "curated/events/")
        self.catalog.load_table()

    def files(self, partition, count, generation=0, size=MIB):
        prefix = folder(partition, generation) if generation else base(partition)
        for i in range(count):
            self.s3.put(LAKE, f"{prefix}part-{i:05d}-old.snappy.parquet", size)

    def run_job(self, touched, stats, writer=None):
        partitions = Partitions(self.s3, self.catalog, self.args, touched, lambda: NOW)
        plans = partitions.plans(stats)
        partitions.register_absent(plans)
        result = partitions.write(writer or FakeWriter(self.s3, self.log), stats, plans)
        return partitions, plans, result

    def events(self):
        return [(service, method) for service, method, _ in self.log
                if method in ("append", "rewrite", "put_object", "update_partition", "delete_objects",
                              "batch_create_partition")]

    def test_a_new_partition_is_registered_then_appended_to(self):
        _, plans, (compacted, sizes) = self.run_job([OPEN], {OPEN: (10, 5 * MIB)})
        self.assertEqual(plans, {OPEN: {"action": "append"}})
        self.assertEqual(self.events(), [("glue", "batch_create_partition"), ("writer", "append")])
        self.assertEqual(self.glue.location(OPEN), f"s3://{LAKE}/{base(OPEN)}")
        self.assertEqual(compacted, [])
        self.assertEqual(sizes, {OPEN: [MIB]})

    def test_an_open_partition_past_its_file_count_is_rewritten_into_generation_1(self):
        self.glue.add(OPEN, f"s3://{LAKE}/{base(OPEN)}")
        self.files(OPEN, 12)
        partitions, plans, (compacted, sizes) = self.run_job([OPEN], {OPEN: (10, 5 * MIB)})
        self.assertEqual(plans[OPEN], {"action": "rewrite", "files": 1, "reason": "file-count"})
        # New generation, then the superseded entry, then the switch.
        self.assertEqual(self.events(), [("writer", "rewrite"), ("s3", "put_object"), ("glue", "update_partition")])
        rewrite = next(p for s, m, p in self.log if m == "rewrite")
        self.assertEqual(len(rewrite["sources"]), 12)
        self.assertTrue(rewrite["with_fresh"])
        self.assertEqual(rewrite["uri"], f"s3://{LAKE}/{folder(OPEN, 1)}")
        entry = json.loads(self.s3.objects[(LAKE, "_compaction/superseded/event_type=page_view/dt=2026-12-05/g000000.json")])
        self.assertEqual((entry["generation"], entry["location"], entry["job_run_id"]),
                         (0, f"s3://{LAKE}/{base(OPEN)}", "jr_2"))
        self.assertEqual(self.glue.location(OPEN), f"s3://{LAKE}/{folder(OPEN, 1)}")
        # Generation 0's folder holds generation 0 only: its Location never reads generation 1.
        self.assertEqual(self.s3.keys(LAKE, base(OPEN)), [f"{base(OPEN)}part-{i:05d}-old.snappy.parquet"
                                                          for i in range(12)])
        self.assertEqual(compacted, [("page_view", "2026-12-05", 1, 1, "file-count")])
        self.assertEqual(sizes, {OPEN: [MIB]})
        self.assertEqual(partitions.generations[OPEN], 1)

    def test_the_next_run_appends_to_the_current_generation_and_dedupes_against_it_only(self):
        self.glue.add(OPEN, f"s3://{LAKE}/{folder(OPEN, 1)}")
        self.files(OPEN, 12)  # generation 0, superseded
        self.files(OPEN, 1, generation=1)
        partitions = Partitions(self.s3, self.catalog, self.args, [OPEN], lambda: NOW)
        self.assertEqual(partitions.existing_uris([OPEN]),
                         [f"s3://{LAKE}/{folder(OPEN, 1)}part-00000-old.snappy.parquet"])
        plans = partitions.plans({OPEN: (10, 5 * MIB)})
        self.assertEqual(plans[OPEN], {"action": "append"})
        partitions.write(FakeWriter(self.s3, self.log), {OPEN: (10, 5 * MIB)}, plans)
        append = next(p for s, m, p in self.log if m == "append")
        self.assertEqual(append["uri"], f"s3://{LAKE}/{folder(OPEN, 1)}")
        self.assertEqual(self.s3.calls("delete_objects"), [])

    def test_a_closed_partition_in_the_lookback_is_compacted_without_new_rows(self):
        self.glue.add(OLD, f"s3://{LAKE}/{base(OLD)}")
        self.files(OLD, 3, size=70 * MIB)
        self.glue.add(("click", "2026-12-05"), f"s3://{LAKE}/{base(('click', '2026-12-05'))}")  # open: left alone
        self.files(("click", "2026-12-05"), 5)
        _, plans, (compacted, sizes) = self.run_job([OPEN], {OPEN: (10, 5 * MIB)})
        self.assertEqual(plans[OLD], {"action": "rewrite", "files": 2, "reason": "closed"})
        self.assertNotIn(("click", "2026-12-05"), plans)
        rewrite = next(p for s, m, p in self.log if m == "rewrite")
        self.assertFalse(rewrite["with_fresh"])
        self.assertEqual(compacted, [("click", "2026-12-03", 1, 2, "closed")])
        self.assertEqual(sorted(sizes), [OLD, OPEN])
        self.assertEqual(self.glue.calls("get_partitions")[0]["Expression"], "dt >= '2026-12-02'")

    def test_a_rewrite_that_dies_before_its_switch_leaves_the_old_generation_current_and_the_rerun_redoes_it(self):
        self.glue.add(CLOSED, f"s3://{LAKE}/{base(CLOSED)}")
        self.files(CLOSED, 4)
        with self.assertRaisesRegex(RuntimeError, "executor lost"):
            self.run_job([CLOSED], {CLOSED: (1, 1000)}, FakeWriter(self.s3, self.log, die_on_rewrite=True))
        self.assertEqual(self.glue.location(CLOSED), f"s3://{LAKE}/{base(CLOSED)}")
        self.assertEqual(self.glue.calls("update_partition"), [])
        dead = f"{folder(CLOSED, 1)}part-00000-dead.snappy.parquet"
        self.assertIn(dead, self.s3.keys(LAKE))
        _, _, (compacted, _) = self.run_job([CLOSED], {CLOSED: (1, 1000)})
        self.assertNotIn(dead, self.s3.keys(LAKE))  # cleared before the rewrite wrote g000001 again
        self.assertEqual(compacted, [("page_view", "2026-12-04", 1, 1, "closed")])
        self.assertEqual(self.glue.location(CLOSED), f"s3://{LAKE}/{folder(CLOSED, 1)}")

    def test_an_append_to_generation_0_neither_reads_nor_deletes_what_a_dead_rewrite_left(self):
        # No Location names the dead rewrite's folder: the append leaves it for the next rewrite.
        self.glue.add(OPEN, f"s3://{LAKE}/{base(OPEN)}")
        self.files(OPEN, 2)
        self.files(OPEN, 1, generation=1)
        partitions, plans, _ = self.run_job([OPEN], {OPEN: (10, 5 * MIB)})
        self.assertEqual(plans[OPEN], {"action": "append"})
        self.assertEqual(self.events(), [("writer", "append")])
        self.assertEqual(len(partitions.existing_uris([OPEN])), 3)  # generation 0's two files and the append's
        self.assertTrue(all(uri.startswith(f"s3://{LAKE}/{base(OPEN)}") for uri in partitions.existing_uris([OPEN])))
        self.assertIn(f"{folder(OPEN, 1)}part-00000-old.snappy.parquet", self.s3.keys(LAKE))

    def test_a_projection_era_partition_is_registered_at_generation_0_even_without_new_rows(self):
        self.files(CLOSED, 1)  # written before the table was catalog-managed
        _, plans, _ = self.run_job([CLOSED, OPEN], {OPEN: (3, 300)})
        self.assertEqual(plans[CLOSED], {"action": "none"})
        (call,) = self.glue.calls("batch_create_partition")
        self.assertEqual([p["Values"] for p in call["PartitionInputList"]], [list(CLOSED), list(OPEN)])

    def test_a_touched_partition_with_nothing_new_and_no_files_is_not_registered(self):
        self.run_job([OPEN, CLOSED], {OPEN: (3, 300)})
        (call,) = self.glue.calls("batch_create_partition")
        self.assertEqual([p["Values"] for p in call["PartitionInputList"]], [list(OPEN)])


if __name__ == "__main__":
    unittest.main()
