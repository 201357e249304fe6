"""Derived curated columns in glue/parquet_contract.py: the argument grammar, the json_value rule on
the cases local/glue/derived.ts is tested with too (json_value_cases.json), and the Spark pieces."""

import json
import math
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import parquet_contract as job  # noqa: E402

RAW = "event_id:string,event_time:timestamp,received_at:timestamp,attributes:string"
DERIVED = ("amount:double=json_value:attributes:$.amount,currency:string=json_value:attributes:$.currency,"
           "ingestion_lag_ms:bigint=millis_between:event_time:received_at")

with open(os.path.join(HERE, "json_value_cases.json"), encoding="utf-8") as cases_file:
    CASES = json.load(cases_file)


class DerivedColumnArgumentTest(unittest.TestCase):
    def test_parses_derivations_and_formats_them_back(self):
        columns = job.parse_columns(f"{RAW},{DERIVED}")
        self.assertEqual(columns[4:], [
            job.Column("amount", "double", ("json_value", "attributes", "$.amount")),
            job.Column("currency", "string", ("json_value", "attributes", "$.currency")),
            job.Column("ingestion_lag_ms", "bigint", ("millis_between", "event_time", "received_at")),
        ])
        self.assertEqual(job.columns_argument(columns), f"{RAW},{DERIVED}")

    def test_reads_only_raw_fields_from_the_raw_event(self):
        columns = job.parse_columns(f"{RAW},{DERIVED}")
        self.assertEqual([c.name for c in job.raw_columns(columns)],
                         ["event_id", "event_time", "received_at", "attributes"])
        self.assertNotIn("amount", job.raw_schema_ddl(columns))

    def test_rejects_derivations_the_job_cannot_compute(self):
        bad = [
            "x:double=json_value:nope:$.amount",  # no such raw column
            "x:double=json_value:event_time:$.amount",  # not a string column
            "x:double=json_value:attributes:amount",  # not a JSON path
            "x:double=json_value:attributes:$.a[0]",
            "x:double=json_value:attributes:$..a",
            "x:timestamp=json_value:attributes:$.at",  # json_value cannot make a timestamp
            "x:int=millis_between:event_time:received_at",  # millis_between is a bigint
            "x:bigint=millis_between:event_time:attributes",
            "x:bigint=millis_between:event_time:amount",  # a derived column is no input
            "x:bigint=median:event_time:received_at",
            "x:bigint=millis_between:event_time",
            "x:bigint=millis_between:event_time:received_at:extra",
            "x:bigint=millis_between:event_time:received_at=again",
        ]
        for extra in bad:
            with self.subTest(extra=extra), self.assertRaises(job.InvalidArguments):
                job.parse_columns(f"{RAW},amount:double=json_value:attributes:$.amount,{extra}")

    def test_never_derives_the_dedupe_key_or_its_ordering_column(self):
        with self.assertRaises(job.InvalidArguments):
            job.parse_columns("event_id:string,event_time:timestamp,t:timestamp,"
                              "received_at:bigint=millis_between:event_time:t")


class JsonValueTest(unittest.TestCase):
    def test_follows_the_shared_cases(self):
        for case in CASES:
            with self.subTest(case=case["case"]):
                [value] = job.json_values(case["attributes"], [(case["path"], case["type"])])
                self.assertEqual(value, case["expected"])
                if value is not None:
                    expected_type = {"double": float, "bigint": int, "string": str, "boolean": bool}[case["type"]]
                    self.assertIs(type(value), expected_type)

    def test_answers_every_lookup_of_a_group_from_one_document(self):
        lookups = [("$.amount", "double"), ("$.currency", "string"), ("$.items", "string")]
        self.assertEqual(job.json_values('{"amount":5,"currency":"USD","items":[]}', lookups), (5.0, "USD", None))
        self.assertEqual(job.json_values("{", lookups), (None, None, None))

    def test_reads_non_finite_numbers_as_duckdb_does(self):
        [nan] = job.json_values('{"amount":NaN}', [("$.amount", "double")])
        self.assertTrue(math.isnan(nan))
        self.assertEqual(job.json_values('{"amount":-1' + "0" * 400 + "}", [("$.amount", "double")]), (-math.inf,))

    def test_groups_lookups_by_source_column_with_their_spark_type(self):
        columns = job.parse_columns(f"{RAW},{DERIVED}")
        groups = job.json_value_groups(columns)
        self.assertEqual(list(groups), ["attributes"])
        self.assertEqual(job.json_values_ddl(groups["attributes"]), "struct<`amount`:double,`currency`:string>")


class SparkPiecesTest(unittest.TestCase):
    def test_millis_between_truncates_whole_milliseconds(self):
        self.assertEqual(job.millis_between_sql("event_time", "received_at"),
                         "(unix_micros(`received_at`) - unix_micros(`event_time`)) div 1000")

    def test_orders_rows_in_a_file_by_event_time_then_arrival_then_event_id(self):
        self.assertEqual(job.file_order(job.parse_columns(f"{RAW},{DERIVED}")),
                         ["event_time", "received_at", "event_id"])
        self.assertEqual(job.file_order(job.parse_columns("event_id:string,received_at:timestamp")),
                         ["received_at", "event_id"])
        self.assertEqual(job.PARQUET_WRITER_VERSION, "v2")


if __name__ == "__main__":
    unittest.main()
