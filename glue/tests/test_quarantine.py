"""glue/quarantine.py, the pure half of poison-safe runs, on the cases both engines share."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import parquet_contract  # noqa: E402
import quarantine  # noqa: E402


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as handle:
        return json.load(handle)


class CastCasesTest(unittest.TestCase):
    def test_every_shared_cast_case(self):
        for case in load("cast_cases.json")["cases"]:
            name = "event_id" if case["kind"] == "event_id" else "value"
            kind = "string" if case["kind"] == "event_id" else case["kind"]
            with self.subTest(case=case):
                failure = quarantine.cast_failure(name, kind, case["text"])
                self.assertEqual(failure is None, case["ok"], failure)


class PoisonLinesTest(unittest.TestCase):
    def test_every_shared_line_case(self):
        cases = load("poison_lines.json")
        columns = parquet_contract.parse_columns(cases["columns"])
        for case in cases["cases"]:
            with self.subTest(case=case["name"]):
                expected = None if case["failure"] is None else tuple(case["failure"])
                self.assertEqual(quarantine.line_failure(case["line"], columns), expected)

    def test_a_quarantined_line_keeps_its_raw_text_type_and_column(self):
        line = '{"event_id":"e-4","received_at":"2025-11-22T10:00:00.000Z","sent_at":"+10000-01-01T00:00:00Z"}'
        record = quarantine.quarantine_record(line, "cast_error", "sent_at", "events/type=t/dt=d/x.gz", "t", "jr_1")
        self.assertEqual(record["payload"], line)
        self.assertEqual(record["errors"], [{"path": "/sent_at", "message": "sent_at cannot be cast to its curated type"}])
        self.assertEqual((record["event_id"], record["received_at"]), ("e-4", "2025-11-22T10:00:00.000Z"))
        malformed = quarantine.quarantine_record("{oops", "malformed_json", None, "k", "t", "jr_1")
        self.assertEqual((malformed["event_id"], malformed["errors"][0]["path"]), (None, "/"))

    def test_key_matches_the_local_job(self):
        self.assertEqual(quarantine.quarantine_key("cast_error", "2025-11-22", "jr_1"),
                         "failed/type=cast_error/dt=2025-11-22/glue-jr_1.gz")


if __name__ == "__main__":
    unittest.main()
