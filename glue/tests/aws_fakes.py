"""In-memory S3, Glue Data Catalog and CloudWatch clients for the job's pure halves. Every request
is checked against the AWS service model botocore ships (the shapes boto3 sends in the job), then
recorded in one shared log, so a test can assert the order of calls across services."""

import io
import re

import botocore.session
from botocore.validate import ParamValidator

_SESSION = botocore.session.get_session()
_MODELS = {}


def _pascal(name):
    return "".join(part.capitalize() for part in name.split("_"))


def check_request(service, method, params):
    """Raises AssertionError when `params` is not a valid request of `service`'s `method`."""
    model = _MODELS.setdefault(service, _SESSION.get_service_model(service))
    operation = {"list_objects_v2": "ListObjectsV2"}.get(method, _pascal(method))
    report = ParamValidator().validate(params, model.operation_model(operation).input_shape)
    if report.has_errors():
        raise AssertionError(f"{service}.{method}: {report.generate_report()}")


class ClientError(Exception):
    pass


class Recorder:
    def __init__(self, service, log):
        self.service, self.log = service, log if log is not None else []

    def record(self, method, params):
        check_request(self.service, method, params)
        self.log.append((self.service, method, params))

    def calls(self, method):
        return [params for service, name, params in self.log if service == self.service and name == method]


class FakeS3(Recorder):
    def __init__(self, log=None, page_size=3):
        super().__init__("s3", log)
        self.objects, self.page_size, self.fail_delete = {}, page_size, set()

    def put(self, bucket, key, size=10):
        self.objects[(bucket, key)] = b"x" * size

    def keys(self, bucket, prefix=""):
        return sorted(k for b, k in self.objects if b == bucket and k.startswith(prefix))

    def put_object(self, **params):
        self.record("put_object", params)
        self.objects[(params["Bucket"], params["Key"])] = bytes(params["Body"])
        return {}

    def get_object(self, **params):
        self.record("get_object", params)
        return {"Body": io.BytesIO(self.objects[(params["Bucket"], params["Key"])])}

    def list_objects_v2(self, **params):
        self.record("list_objects_v2", params)
        bucket, prefix, delimiter = params["Bucket"], params.get("Prefix", ""), params.get("Delimiter")
        keys = [k for k in self.keys(bucket, prefix) if not delimiter or delimiter not in k[len(prefix):]]
        start = int(params.get("ContinuationToken", "0"))
        page = keys[start:start + self.page_size]
        truncated = start + self.page_size < len(keys)
        answer = {"Contents": [{"Key": k, "Size": len(self.objects[(bucket, k)])} for k in page],
                  "IsTruncated": truncated}
        if truncated:
            answer["NextContinuationToken"] = str(start + self.page_size)
        return answer

    def delete_objects(self, **params):
        self.record("delete_objects", params)
        assert len(params["Delete"]["Objects"]) <= 1000
        errors = []
        for item in params["Delete"]["Objects"]:
            if item["Key"] in self.fail_delete:
                errors.append({"Key": item["Key"], "Code": "AccessDenied", "Message": "denied"})
            else:
                self.objects.pop((params["Bucket"], item["Key"]), None)
        return {"Errors": errors} if errors else {}


TABLE = {
    "Name": "events",
    "DatabaseName": "eventlake_dev_analytics",
    "PartitionKeys": [{"Name": "event_type", "Type": "string"}, {"Name": "dt", "Type": "string"}],
    "StorageDescriptor": {
        "Columns": [{"Name": "event_id", "Type": "string"}, {"Name": "received_at", "Type": "timestamp"}],
        "Location": "s3://eventlake-dev-lake/curated/events/",
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        "Parameters": {},
    },
    "Parameters": {"classification": "parquet"},
}
EXPRESSION = re.compile(r"^dt >= '(\d{4}-\d{2}-\d{2})'$")


class FakeGlue(Recorder):
    """One table's partitions: {(event_type, dt): {"Values", "StorageDescriptor", "Parameters"}}."""

    def __init__(self, log=None, page_size=2, unprocessed_first=0):
        super().__init__("glue", log)
        self.partitions, self.page_size, self.unprocessed_first = {}, page_size, unprocessed_first
        self.fail_create = {}

    def add(self, partition, location):
        self.partitions[partition] = {"Values": list(partition), "StorageDescriptor": {"Location": location}}

    def location(self, partition):
        return self.partitions[partition]["StorageDescriptor"]["Location"]

    def get_table(self, **params):
        self.record("get_table", params)
        return {"Table": TABLE}

    def batch_get_partition(self, **params):
        self.record("batch_get_partition", params)
        assert len(params["PartitionsToGet"]) <= 1000
        wanted = [tuple(item["Values"]) for item in params["PartitionsToGet"]]
        held, self.unprocessed_first = wanted[:self.unprocessed_first], max(0, self.unprocessed_first - len(wanted))
        return {"Partitions": [self.partitions[p] for p in wanted[len(held):] if p in self.partitions],
                "UnprocessedKeys": [{"Values": list(p)} for p in held]}

    def get_partitions(self, **params):
        self.record("get_partitions", params)
        since = EXPRESSION.match(params["Expression"]).group(1)
        found = [self.partitions[p] for p in sorted(self.partitions) if p[1] >= since]
        start = int(params.get("NextToken", "0"))
        answer = {"Partitions": found[start:start + self.page_size]}
        if start + self.page_size < len(found):
            answer["NextToken"] = str(start + self.page_size)
        return answer

    def batch_create_partition(self, **params):
        self.record("batch_create_partition", params)
        assert len(params["PartitionInputList"]) <= 100
        errors = []
        for item in params["PartitionInputList"]:
            values = tuple(item["Values"])
            code = "AlreadyExistsException" if values in self.partitions else self.fail_create.get(values)
            if code:
                errors.append({"PartitionValues": list(values), "ErrorDetail": {"ErrorCode": code}})
            else:
                self.partitions[values] = item
        return {"Errors": errors}

    def update_partition(self, **params):
        self.record("update_partition", params)
        values = tuple(params["PartitionValueList"])
        if values not in self.partitions:
            raise ClientError("EntityNotFoundException")
        self.partitions[values] = params["PartitionInput"]
        return {}


class FakeCloudWatch(Recorder):
    def __init__(self, log=None, error=None):
        super().__init__("cloudwatch", log)
        self.error = error

    def put_metric_data(self, **params):
        self.record("put_metric_data", params)
        if self.error:
            raise self.error
        return {}
