"""glue/lake_catalog.py: the job's Glue Data Catalog and S3 calls, on in-memory clients that check
every request against the AWS service model (aws_fakes.py)."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))

import lake_catalog  # noqa: E402
from aws_fakes import TABLE, FakeGlue, FakeS3  # noqa: E402
from compaction import iso_ms, superseded_entry, superseded_key  # noqa: E402
from test_compaction import NOW, SETTINGS  # noqa: E402

LAKE = "eventlake-dev-lake"
CURATED = "curated/events/"
P = ("page_view", "2026-12-04")
BASE = "curated/events/event_type=page_view/dt=2026-12-04/"


def folder(generation, partition=P):
    """Generation n > 0 of a partition: `curated/events/g<n>/event_type=T/dt=D/`."""
    return f"{CURATED}g{generation:06d}/event_type={partition[0]}/dt={partition[1]}/"


def catalog(glue):
    c = lake_catalog.Catalog(glue, "eventlake_dev_analytics", "events", LAKE, CURATED)
    c.load_table()
    return c


class CatalogTest(unittest.TestCase):
    def test_a_partition_carries_the_table_storage_and_its_generation_folder(self):
        glue = FakeGlue()
        partition = catalog(glue).partition_input(P, 3)
        storage = partition["StorageDescriptor"]
        self.assertEqual(partition["Values"], ["page_view", "2026-12-04"])
        self.assertEqual(partition["Parameters"], {"eventlake.generation": "3"})
        self.assertEqual(storage["Location"], f"s3://{LAKE}/{folder(3)}")
        for field in ("Columns", "InputFormat", "OutputFormat", "SerdeInfo", "Compressed"):
            self.assertEqual(storage[field], TABLE["StorageDescriptor"][field], field)
        self.assertEqual(glue.calls("get_table"), [{"DatabaseName": "eventlake_dev_analytics", "Name": "events"}])

    def test_current_generations_in_batches_with_unprocessed_keys_retried(self):
        glue = FakeGlue(unprocessed_first=2)
        glue.add(P, f"s3://{LAKE}/{folder(2)}")
        glue.add(("click", "2026-12-04"), f"s3://{LAKE}/curated/events/event_type=click/dt=2026-12-04")  # MSCK
        wanted = [P, ("click", "2026-12-04")] + [("t", f"2020-01-{d:02d}") for d in range(1, 29)] * 40
        found = catalog(glue).current_generations(wanted)
        self.assertEqual(found[P], 2)
        self.assertEqual(found[("click", "2026-12-04")], 0)
        self.assertIsNone(found[("t", "2020-01-01")])
        self.assertEqual(len(found), 30)
        self.assertEqual(len(glue.calls("batch_get_partition")), 2)  # one batch, then its unprocessed keys

    def test_a_location_outside_the_layout_fails_the_run(self):
        # The old layout (a generation inside the partition folder), a `g000000/` folder, another
        # partition's generation folder, another bucket, the table root.
        for location in (f"s3://other/{BASE}", f"s3://{LAKE}/{BASE}old/", f"s3://{LAKE}/{BASE}g000001/",
                         f"s3://{LAKE}/{folder(0)}", f"s3://{LAKE}/{folder(1, ('click', '2026-12-04'))}",
                         f"s3://{LAKE}/{CURATED}g000001/{BASE}", f"s3://{LAKE}/curated/events/"):
            glue = FakeGlue()
            glue.add(P, location)
            with self.subTest(location=location), self.assertRaises(lake_catalog.CatalogError):
                catalog(glue).current_generations([P])

    def test_partitions_since_pages_through_the_expression(self):
        glue = FakeGlue(page_size=2)
        for day in range(1, 6):
            glue.add(("page_view", f"2026-12-0{day}"), f"s3://{LAKE}/curated/events/event_type=page_view/dt=2026-12-0{day}/")
        glue.add(("click", "2026-12-03"), f"s3://{LAKE}/{folder(1, ('click', '2026-12-03'))}")
        found = catalog(glue).partitions_since("2026-12-03")
        self.assertEqual(found, {("click", "2026-12-03"): 1, ("page_view", "2026-12-03"): 0,
                                 ("page_view", "2026-12-04"): 0, ("page_view", "2026-12-05"): 0})
        calls = glue.calls("get_partitions")
        self.assertEqual(len(calls), 2)
        self.assertEqual({c["Expression"] for c in calls}, {"dt >= '2026-12-03'"})

    def test_register_by_hundreds_and_an_existing_partition_is_fine(self):
        glue = FakeGlue()
        glue.add(P, f"s3://{LAKE}/{BASE}")
        wanted = [P] + [("t", f"2026-{m:02d}-{d:02d}") for m in range(1, 6) for d in range(1, 29)]
        catalog(glue).register(wanted)
        self.assertEqual([len(c["PartitionInputList"]) for c in glue.calls("batch_create_partition")], [100, 41])
        self.assertEqual(glue.location(("t", "2026-01-01")), f"s3://{LAKE}/curated/events/event_type=t/dt=2026-01-01/")
        self.assertEqual(glue.location(P), f"s3://{LAKE}/{BASE}")

    def test_register_fails_on_any_other_error(self):
        glue = FakeGlue()
        glue.fail_create[P] = "ResourceNumberLimitExceededException"
        with self.assertRaisesRegex(lake_catalog.CatalogError, "ResourceNumberLimitExceeded"):
            catalog(glue).register([P])

    def test_switch_points_the_partition_at_the_new_generation(self):
        glue = FakeGlue()
        glue.add(P, f"s3://{LAKE}/{BASE}")
        catalog(glue).switch(P, 1)
        self.assertEqual(glue.location(P), f"s3://{LAKE}/{folder(1)}")
        (call,) = glue.calls("update_partition")
        self.assertEqual(call["PartitionValueList"], ["page_view", "2026-12-04"])
        self.assertEqual(catalog(glue).current_generations([P]), {P: 1})


class ObjectsTest(unittest.TestCase):
    OTHER = ("click", "2026-12-04")

    def setUp(self):
        self.s3 = FakeS3(page_size=2)
        keys = [BASE + name for name in ("part-0.parquet", "part-1.parquet", "_SUCCESS")]
        keys += [folder(1) + "part-0.parquet", folder(1) + "_SUCCESS", folder(1) + "_temporary/0/part-9.parquet",
                 folder(2) + "part-0.parquet", folder(1, self.OTHER) + "part-0.parquet"]
        for key in keys:
            self.s3.put(LAKE, key, size=len(key))

    def test_generation_files_are_the_data_files_directly_in_its_folder(self):
        self.assertEqual([k for k, _ in lake_catalog.generation_files(self.s3, LAKE, CURATED, P, 0)],
                         [BASE + "part-0.parquet", BASE + "part-1.parquet"])
        key = folder(1) + "part-0.parquet"
        self.assertEqual(lake_catalog.generation_files(self.s3, LAKE, CURATED, P, 1), [(key, len(key))])
        self.assertEqual(lake_catalog.generation_files(self.s3, LAKE, CURATED, P, 3), [])

    def test_clearing_generation_0_deletes_the_partition_folder_only(self):
        self.assertEqual(lake_catalog.clear_generation(self.s3, LAKE, CURATED, P, 0), 3)
        self.assertFalse([k for k in self.s3.keys(LAKE) if k.startswith(BASE)])
        self.assertEqual(len(self.s3.keys(LAKE)), 5)  # every later generation, and the other partition's

    def test_clearing_generation_0_never_reaches_below_the_partition_folder(self):
        self.s3.put(LAKE, BASE + "notes/kept.parquet")
        self.assertEqual(lake_catalog.clear_generation(self.s3, LAKE, CURATED, P, 0), 3)
        self.assertIn(BASE + "notes/kept.parquet", self.s3.keys(LAKE))

    def test_clearing_a_later_generation_empties_its_folder_only(self):
        self.assertEqual(lake_catalog.clear_generation(self.s3, LAKE, CURATED, P, 1), 3)
        self.assertEqual(self.s3.keys(LAKE), sorted([BASE + "_SUCCESS", BASE + "part-0.parquet",
                                                     BASE + "part-1.parquet", folder(2) + "part-0.parquet",
                                                     folder(1, self.OTHER) + "part-0.parquet"]))

    def test_deletes_by_thousands_and_fails_on_a_key_not_deleted(self):
        keys = [f"k/{i}" for i in range(2500)]
        for key in keys:
            self.s3.put(LAKE, key)
        self.assertEqual(lake_catalog.delete_keys(self.s3, LAKE, keys), 2500)
        self.assertEqual([len(c["Delete"]["Objects"]) for c in self.s3.calls("delete_objects")], [1000, 1000, 500])
        self.s3.put(LAKE, "k/x")
        self.s3.fail_delete.add("k/x")
        with self.assertRaisesRegex(RuntimeError, "DeleteObjects failed"):
            lake_catalog.delete_keys(self.s3, LAKE, ["k/x"])


class SweepTest(unittest.TestCase):
    def setUp(self):
        self.s3, self.glue = FakeS3(), FakeGlue()
        self.catalog = catalog(self.glue)
        self.logged = []

    def entry(self, partition, generation, at_ms):
        body = superseded_entry(partition, generation, "s3://x/", iso_ms(at_ms), "jr_1")
        self.s3.objects[(LAKE, superseded_key(partition, generation))] = json.dumps(body).encode()

    def sweep(self):
        return lake_catalog.sweep_superseded(self.s3, LAKE, self.catalog, CURATED, NOW, SETTINGS, self.logged.append)

    def test_deletes_retained_generations_that_are_no_longer_current_then_their_entry(self):
        old = NOW - SETTINGS.retain_superseded_ms
        other = ("click", "2026-12-04")
        other_base = "curated/events/event_type=click/dt=2026-12-04/"
        self.glue.add(P, f"s3://{LAKE}/{folder(2)}")
        self.glue.add(other, f"s3://{LAKE}/{other_base}")  # the switch away from 0 never happened
        for key in (BASE + "part-0.parquet", folder(1) + "part-0.parquet", folder(2) + "part-0.parquet",
                    other_base + "part-0.parquet"):
            self.s3.put(LAKE, key)
        self.entry(P, 0, old)
        self.entry(P, 1, NOW - 1000)  # superseded a second ago: queries may still read it
        self.entry(other, 0, old)
        self.assertEqual(self.sweep(), [(P, 0, 1)])
        self.assertEqual(self.s3.keys(LAKE), sorted([
            "_compaction/superseded/event_type=click/dt=2026-12-04/g000000.json",
            "_compaction/superseded/event_type=page_view/dt=2026-12-04/g000001.json",
            folder(1) + "part-0.parquet", folder(2) + "part-0.parquet", other_base + "part-0.parquet"]))

    def test_keeps_unreadable_or_misfiled_entries(self):
        self.glue.add(P, f"s3://{LAKE}/{folder(2)}")
        self.s3.put(LAKE, BASE + "part-0.parquet")
        self.s3.objects[(LAKE, "_compaction/superseded/broken.json")] = b"{"
        body = superseded_entry(P, 0, "s3://x/", iso_ms(0), "jr_1")
        self.s3.objects[(LAKE, superseded_key(P, 1))] = json.dumps(body).encode()  # names generation 0
        self.assertEqual(self.sweep(), [])
        self.assertEqual(len(self.logged), 2)
        self.assertIn(BASE + "part-0.parquet", self.s3.keys(LAKE))

    def test_nothing_to_sweep_asks_the_catalog_nothing(self):
        self.assertEqual(self.sweep(), [])
        self.assertEqual(self.glue.calls("batch_get_partition"), [])


if __name__ == "__main__":
    unittest.main()
