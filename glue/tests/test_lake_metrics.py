"""glue/lake_metrics.py: the MetricData the job publishes per run, and that publishing never fails it."""

import os
import sys
import unittest
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))

import lake_metrics  # noqa: E402
from aws_fakes import FakeCloudWatch, check_request  # noqa: E402

AT = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
NAMESPACE = "eventlake-dev"


class MetricDataTest(unittest.TestCase):
    def test_files_per_partition_median_size_and_dpu_seconds(self):
        sizes = {("page_view", "2026-12-05"): [300, 100, 200], ("click", "2026-12-05"): [1000],
                 ("purchase", "2026-12-05"): []}
        data = lake_metrics.lake_metric_data(sizes, 95.5, 2, AT)
        self.assertEqual([(d["MetricName"], d["Value"], d["Unit"]) for d in data], [
            ("CuratedFilesMaxPerPartition", 3.0, "Count"),
            ("CuratedFileMedianBytes", 250.0, "Bytes"),  # median of 100, 200, 300, 1000
            ("ParquetJobDpuSeconds", 191.0, "None"),
        ])
        self.assertTrue(all(d["Timestamp"] == AT and "Dimensions" not in d for d in data))
        check_request("cloudwatch", "put_metric_data", {"Namespace": NAMESPACE, "MetricData": data})

    def test_a_short_run_is_billed_a_minute_and_a_run_that_wrote_nothing_has_no_file_figures(self):
        data = lake_metrics.lake_metric_data({}, 12.0, 0.25, AT)
        self.assertEqual([(d["MetricName"], d["Value"]) for d in data], [("ParquetJobDpuSeconds", 15.0)])
        self.assertEqual(lake_metrics.lake_metric_data({}, 12.0, None, AT), [])

    def test_dpus_from_the_worker_type(self):
        self.assertEqual(lake_metrics.run_dpus("2 x G.1X"), 2)
        self.assertEqual(lake_metrics.run_dpus("10 x G.2X"), 20)
        self.assertEqual(lake_metrics.run_dpus("2 x G.025X"), 0.5)
        for bad in ("2 x G.3X", "0 x G.1X", "two x G.1X", "G.1X", "2xG.1X", None):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                lake_metrics.run_dpus(bad)

    def test_median(self):
        self.assertEqual(lake_metrics.median([5]), 5)
        self.assertEqual(lake_metrics.median([4, 1, 3]), 3)
        self.assertEqual(lake_metrics.median([4, 1, 3, 2]), 2.5)
        with self.assertRaises(ValueError):
            lake_metrics.median([])


class PublishTest(unittest.TestCase):
    DATA = lake_metrics.lake_metric_data({("a", "2026-12-05"): [10]}, 70, 2, AT)

    def test_one_put_to_the_namespace(self):
        cloudwatch = FakeCloudWatch()
        self.assertTrue(lake_metrics.publish_lake_metrics(lambda: cloudwatch, NAMESPACE, self.DATA))
        self.assertEqual(cloudwatch.calls("put_metric_data"), [{"Namespace": NAMESPACE, "MetricData": self.DATA}])

    def test_a_failure_is_logged_never_raised(self):
        logged = []
        failing = FakeCloudWatch(error=RuntimeError("AccessDenied"))
        self.assertFalse(lake_metrics.publish_lake_metrics(lambda: failing, NAMESPACE, self.DATA, logged.append))

        def no_client():
            raise RuntimeError("no region")

        self.assertFalse(lake_metrics.publish_lake_metrics(no_client, NAMESPACE, self.DATA, logged.append))
        self.assertEqual(len(logged), 2)
        self.assertIn("AccessDenied", logged[0])

    def test_nothing_to_publish_without_a_namespace_or_data(self):
        cloudwatch = FakeCloudWatch()
        self.assertFalse(lake_metrics.publish_lake_metrics(lambda: cloudwatch, None, self.DATA))
        self.assertFalse(lake_metrics.publish_lake_metrics(lambda: cloudwatch, NAMESPACE, []))
        self.assertEqual(cloudwatch.calls("put_metric_data"), [])


class ServiceModelTest(unittest.TestCase):
    """The in-memory clients check requests against the AWS service model: a wrong shape fails."""

    def test_a_malformed_request_is_refused(self):
        with self.assertRaises(AssertionError):
            check_request("cloudwatch", "put_metric_data", {"Namespace": NAMESPACE, "MetricData": [{"Value": 1}]})
        with self.assertRaises(AssertionError):
            check_request("glue", "update_partition", {"DatabaseName": "d", "TableName": "t",
                                                       "PartitionValueList": ["a"], "PartitionInput": {"Location": "x"}})
        with self.assertRaises(AssertionError):
            check_request("s3", "delete_objects", {"Bucket": "b", "Delete": [{"Key": "k"}]})


if __name__ == "__main__":
    unittest.main()
