"""glue/compaction.py, the PySpark job's compaction rules, on the case file the TypeScript rules
(shared/lake/compaction.ts, tests/lake/compaction-rules.test.ts) are tested on too."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import compaction  # noqa: E402

with open(os.path.join(HERE, "compaction_cases.json"), encoding="utf-8") as handle:
    CASES = json.load(handle)
with open(os.path.join(HERE, "..", "..", "shared", "pipeline.json"), encoding="utf-8") as handle:
    GLUE = json.load(handle)["glue"]
CURATED = "curated/events/"
NOW = CASES["nowMs"]


def case_settings(lookback_days=GLUE["compaction"]["lookbackDays"]):
    s = CASES["settings"]
    return compaction.CompactionSettings(
        target_file_bytes=s["targetFileBytes"], min_file_bytes=s["minFileBytes"], max_closed_files=s["maxClosedFiles"],
        open_max_files=s["openMaxFiles"], close_after_ms=s["closeAfterMs"],
        retain_superseded_ms=s["retainSupersededMs"], lookback_days=lookback_days)


def compaction_argument(**overrides):
    """The `--compaction` value glue-job.yml builds: glue.compaction plus targetFileSizeMB."""
    values = {**GLUE["compaction"], "targetFileSizeMB": GLUE["targetFileSizeMB"], **overrides}
    return json.dumps({k: v for k, v in values.items() if v is not None})


SETTINGS = case_settings()


class SharedCasesTest(unittest.TestCase):
    def test_the_pipeline_config_gives_the_case_settings(self):
        self.assertEqual(compaction.parse_compaction(compaction_argument()), SETTINGS)

    def test_closes_at(self):
        for case in CASES["closesAt"]:
            with self.subTest(dt=case["dt"]):
                self.assertEqual(compaction.closes_at(case["dt"], SETTINGS), case["closesAtMs"])
                self.assertEqual(compaction.is_closed(case["dt"], NOW, SETTINGS), case["closed"])

    def test_refuses_a_dt_that_is_not_yyyy_mm_dd(self):
        with self.assertRaisesRegex(ValueError, "yyyy-MM-dd"):
            compaction.closes_at("2026-1-05", SETTINGS)

    def test_rewrite_file_count(self):
        for case in CASES["rewriteFileCount"]:
            with self.subTest(case=case):
                self.assertEqual(compaction.rewrite_file_count(case["totalBytes"], case["closed"], SETTINGS),
                                 case["files"])

    def test_plan_partition(self):
        for case in CASES["planPartition"]:
            with self.subTest(why=case["why"]):
                plan = compaction.plan_partition(case["dt"], case["existingBytes"], case["addedBytes"], NOW, SETTINGS)
                self.assertEqual(plan, case["plan"])

    def test_generation_prefix_and_back(self):
        for case in CASES["generationPrefix"]:
            partition = (case["eventType"], case["dt"])
            with self.subTest(case=case):
                self.assertEqual(compaction.generation_prefix(CURATED, partition, case["generation"]), case["prefix"])
                self.assertEqual(compaction.generation_of(CURATED, partition, case["prefix"]), case["generation"])

    def test_a_closed_rewrite_never_breaks_the_closed_rule(self):
        for mib in range(1, 2000, 7):
            total = mib * compaction.MIB
            files = compaction.rewrite_file_count(total, True, SETTINGS)
            self.assertLessEqual(files, SETTINGS.max_closed_files)
            if files > 1:
                self.assertGreaterEqual(total / files, SETTINGS.min_file_bytes)

    def test_rounds_half_up_like_javascript(self):
        # 2.5 x the target: Math.round gives 3 (Python's round would give 2).
        self.assertEqual(compaction.rewrite_file_count(int(2.5 * SETTINGS.target_file_bytes), False, SETTINGS), 3)


class SettingsTest(unittest.TestCase):
    def test_refuses_missing_or_bad_values(self):
        for bad in ({"lookbackDays": None}, {"minFileSizeMB": -1}, {"maxFilesPerClosedPartition": 0},
                    {"closeAfterHours": "2"}, {"openPartitionMaxFiles": True}):
            with self.subTest(bad=bad), self.assertRaisesRegex(ValueError, "--compaction"):
                compaction.parse_compaction(compaction_argument(**bad))
        for text in ("[]", "nope", None):
            with self.subTest(text=text), self.assertRaisesRegex(ValueError, "--compaction"):
                compaction.parse_compaction(text)

    def test_fractional_hours_and_minutes(self):
        settings = compaction.parse_compaction(compaction_argument(closeAfterHours=0.5, retainSupersededMinutes=1.5))
        self.assertEqual((settings.close_after_ms, settings.retain_superseded_ms), (1_800_000, 90_000))


class LayoutTest(unittest.TestCase):
    P = ("page_view", "2026-12-04")

    def test_generation_of_anything_else_is_none(self):
        base = "curated/events/event_type=page_view/dt=2026-12-04/"
        for prefix in (base + "g000001/",  # the old layout: a generation inside generation 0's folder
                       "curated/events/g000000/event_type=page_view/dt=2026-12-04/",  # 0 is the partition folder
                       "curated/events/g1/event_type=page_view/dt=2026-12-04/",
                       "curated/events/g0000001/event_type=page_view/dt=2026-12-04/",
                       "curated/events/g000001/event_type=click/dt=2026-12-04/",
                       "curated/events/g000001/event_type=page_view/dt=2026-12-04/x/",
                       "curated/events/g000001/event_type=page_view/dt=2026-12-04",
                       "curated/events/g000001/", "other/g000001/event_type=page_view/dt=2026-12-04/",
                       base + "x/", "curated/events/event_type=page_view/",
                       "curated/events/event_type=click/dt=2026-12-04/"):
            with self.subTest(prefix=prefix):
                self.assertIsNone(compaction.generation_of(CURATED, self.P, prefix))
        for bad in (-1, 1.0, True, "1"):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                compaction.generation_prefix(CURATED, self.P, bad)

    def test_no_generation_folder_is_inside_another(self):
        # Athena reads everything under a Location, sub-folders included: a folder inside another
        # would be read by both partitions (or generations).
        partitions = [self.P, ("page_view", "2026-12-05"), ("click", "2026-12-04"), ("page", "2026-12-04")]
        prefixes = [compaction.generation_prefix(CURATED, p, g) for p in partitions for g in (0, 1, 2, 10, 999999)]
        self.assertEqual(len(set(prefixes)), len(prefixes))
        for outer in prefixes:
            for inner in prefixes:
                if inner != outer:
                    self.assertFalse(inner.startswith(outer), (outer, inner))
        for p in partitions:
            for g in (0, 1, 2, 10, 999999):
                self.assertEqual(compaction.generation_of(CURATED, p, compaction.generation_prefix(CURATED, p, g)), g)

    def test_only_parquet_directly_in_the_folder_is_data(self):
        self.assertTrue(compaction.is_generation_data_file("part-00000-x.snappy.parquet"))
        for relative in ("sub/part-0.parquet", "_SUCCESS", "_temporary/0/part-0.parquet", ".part.parquet",
                         "notes.json"):
            with self.subTest(relative=relative):
                self.assertFalse(compaction.is_generation_data_file(relative))

    def test_added_bytes_scale_json_like_the_file_count(self):
        self.assertEqual(compaction.added_bytes_estimate(5_000_000, 5.0), 1_000_000)
        self.assertEqual(compaction.added_bytes_estimate(2, 5.0), 1)  # rows added: never "nothing added"
        self.assertEqual(compaction.added_bytes_estimate(0, 5.0), 0)

    def test_lookback_start(self):
        self.assertEqual(compaction.lookback_start(NOW, 3), "2026-12-02")  # NOW is 2026-12-05T12:00Z
        self.assertEqual(compaction.lookback_start(NOW, 0), "2026-12-05")


class SupersededLedgerTest(unittest.TestCase):
    P = ("page_view", "2026-12-04")

    def test_entry_round_trip(self):
        key = compaction.superseded_key(self.P, 2)
        self.assertEqual(key, "_compaction/superseded/event_type=page_view/dt=2026-12-04/g000002.json")
        entry = compaction.superseded_entry(self.P, 2, "s3://lake/x/", compaction.iso_ms(NOW), "jr_1")
        self.assertEqual(entry["superseded_at"], "2026-12-05T12:00:00.000Z")
        self.assertEqual(compaction.parse_superseded_entry(json.dumps(entry)), (self.P, 2, NOW))

    def test_malformed_entries(self):
        good = compaction.superseded_entry(self.P, 1, "s3://lake/x/", "2026-12-05T12:00:00.000Z", "jr_1")
        for bad in ({**good, "generation": "1"}, {**good, "dt": "yesterday"}, {**good, "superseded_at": None}, []):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                compaction.parse_superseded_entry(json.dumps(bad))

    def test_due_only_when_retained_and_older_than_current(self):
        retain = SETTINGS.retain_superseded_ms
        self.assertTrue(compaction.superseded_due(NOW - retain, 3, 2, NOW, SETTINGS))
        self.assertFalse(compaction.superseded_due(NOW - retain + 1, 3, 2, NOW, SETTINGS))  # queries may still read it
        self.assertFalse(compaction.superseded_due(NOW - retain, 2, 2, NOW, SETTINGS))  # the switch never happened
        self.assertFalse(compaction.superseded_due(NOW - retain, None, 2, NOW, SETTINGS))  # not in the catalog


if __name__ == "__main__":
    unittest.main()
