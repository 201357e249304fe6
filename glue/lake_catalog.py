"""The Parquet job's catalog-managed partitions and generation folders: Glue Data Catalog calls
(GetTable, BatchGetPartition, GetPartitions, BatchCreatePartition, UpdatePartition) and S3 listing
and deletes. Clients are passed in (boto3 in the job, recording fakes in glue/tests), so this runs
and is tested without Spark (docs/glue.md "Compaction").
"""

import copy
import json

from compaction import (
    GENERATION_PARAMETER,
    SUPERSEDED_PREFIX,
    generation_of,
    generation_prefix,
    is_generation_data_file,
    iso_ms,
    parse_superseded_entry,
    superseded_due,
    superseded_entry,
    superseded_key,
)

BATCH_GET_MAX = 1000  # BatchGetPartition: PartitionsToGet, at most 1000 entries
BATCH_CREATE_MAX = 100  # BatchCreatePartition: PartitionInputList, at most 100 entries
DELETE_MAX = 1000  # DeleteObjects: at most 1000 keys per request
UNPROCESSED_ROUNDS = 5
# The table's StorageDescriptor fields every partition carries (columns, formats, SerDe).
STORAGE_FIELDS = ("Columns", "InputFormat", "OutputFormat", "Compressed", "SerdeInfo", "Parameters")


class CatalogError(RuntimeError):
    """A catalog answer the job cannot act on safely: the run fails before switching anything."""


class Catalog:
    """The `events` table's partitions: each one's Location is its current generation's folder."""

    def __init__(self, glue, database, table, lake_bucket, curated_prefix):
        self.glue, self.database, self.table_name = glue, database, table
        self.bucket, self.curated_prefix = lake_bucket, curated_prefix
        self.table = None

    def load_table(self):
        """GetTable, once per run: the StorageDescriptor each partition copies."""
        self.table = self.glue.get_table(DatabaseName=self.database, Name=self.table_name)["Table"]
        return self.table

    def partition_input(self, partition, generation):
        """The PartitionInput of `partition` at `generation`: the table's storage, this Location."""
        if self.table is None:
            raise CatalogError("partition_input before load_table")
        source = self.table.get("StorageDescriptor", {})
        storage = {name: copy.deepcopy(source[name]) for name in STORAGE_FIELDS if name in source}
        storage["Location"] = self.location(partition, generation)
        return {"Values": [partition[0], partition[1]], "StorageDescriptor": storage,
                "Parameters": {GENERATION_PARAMETER: str(generation)}}

    def location(self, partition, generation):
        return f"s3://{self.bucket}/{generation_prefix(self.curated_prefix, partition, generation)}"

    def generation(self, glue_partition):
        """The generation a catalog partition's Location names (a location MSCK REPAIR wrote, without
        the trailing slash, is generation 0); CatalogError for a location outside the layout."""
        values = tuple(glue_partition["Values"])
        location = glue_partition.get("StorageDescriptor", {}).get("Location", "")
        head = f"s3://{self.bucket}/"
        prefix = location[len(head):] if location.startswith(head) else None
        if prefix is not None and not prefix.endswith("/"):
            prefix += "/"
        generation = None if prefix is None else generation_of(self.curated_prefix, values, prefix)
        if generation is None:
            raise CatalogError(f"partition {values} has a location outside the lake layout: {location!r}")
        return generation

    def current_generations(self, partitions):
        """{partition: current generation, or None when the catalog does not have it} (BatchGetPartition)."""
        found = {}
        wanted = sorted(set(partitions))
        for start in range(0, len(wanted), BATCH_GET_MAX):
            pending = [{"Values": [t, d]} for t, d in wanted[start:start + BATCH_GET_MAX]]
            for _ in range(UNPROCESSED_ROUNDS):
                answer = self.glue.batch_get_partition(DatabaseName=self.database, TableName=self.table_name,
                                                       PartitionsToGet=pending)
                for item in answer.get("Partitions", []):
                    found[tuple(item["Values"])] = self.generation(item)
                pending = answer.get("UnprocessedKeys", [])
                if not pending:
                    break
            if pending:
                raise CatalogError(f"BatchGetPartition left {len(pending)} partitions unprocessed")
        return {partition: found.get(partition) for partition in wanted}

    def partitions_since(self, start_dt):
        """{partition: current generation} of every catalog partition with dt >= start_dt (GetPartitions)."""
        found, token = {}, None
        while True:
            request = {"DatabaseName": self.database, "TableName": self.table_name,
                       "Expression": f"dt >= '{start_dt}'", "ExcludeColumnSchema": True}
            if token:
                request["NextToken"] = token
            answer = self.glue.get_partitions(**request)
            for item in answer.get("Partitions", []):
                found[tuple(item["Values"])] = self.generation(item)
            token = answer.get("NextToken")
            if not token:
                return found

    def register(self, partitions):
        """BatchCreatePartition at generation 0; a partition that already exists is fine."""
        wanted = sorted(set(partitions))
        for start in range(0, len(wanted), BATCH_CREATE_MAX):
            inputs = [self.partition_input(p, 0) for p in wanted[start:start + BATCH_CREATE_MAX]]
            answer = self.glue.batch_create_partition(DatabaseName=self.database, TableName=self.table_name,
                                                      PartitionInputList=inputs)
            failed = [e for e in answer.get("Errors", [])
                      if e.get("ErrorDetail", {}).get("ErrorCode") != "AlreadyExistsException"]
            if failed:
                raise CatalogError(f"BatchCreatePartition failed: {failed}")

    def switch(self, partition, generation):
        """One UpdatePartition: readers planning after it read `generation`'s folder only."""
        self.glue.update_partition(DatabaseName=self.database, TableName=self.table_name,
                                   PartitionValueList=[partition[0], partition[1]],
                                   PartitionInput=self.partition_input(partition, generation))


def list_objects(s3, bucket, prefix, delimiter=None):
    """[(key, size)] under `prefix` (only its direct objects with delimiter "/")."""
    found, token = [], None
    while True:
        request = {"Bucket": bucket, "Prefix": prefix}
        if delimiter:
            request["Delimiter"] = delimiter
        if token:
            request["ContinuationToken"] = token
        answer = s3.list_objects_v2(**request)
        found += [(item["Key"], item["Size"]) for item in answer.get("Contents", [])]
        token = answer.get("NextContinuationToken") if answer.get("IsTruncated") else None
        if not token:
            return found


def delete_keys(s3, bucket, keys):
    """DeleteObjects, at most 1000 keys per request; raises when S3 reports a key it did not delete."""
    keys = list(keys)
    for start in range(0, len(keys), DELETE_MAX):
        chunk = keys[start:start + DELETE_MAX]
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})
        if answer.get("Errors"):
            raise RuntimeError(f"DeleteObjects failed for {len(answer['Errors'])} keys: {answer['Errors'][:3]}")
    return len(keys)


def generation_files(s3, bucket, curated_prefix, partition, generation):
    """[(key, size)] of the data files of one generation (directly in its folder)."""
    prefix = generation_prefix(curated_prefix, partition, generation)
    return [(key, size) for key, size in list_objects(s3, bucket, prefix, "/")
            if is_generation_data_file(key[len(prefix):])]


def clear_generation(s3, bucket, curated_prefix, partition, generation):
    """Deletes a generation's objects: those directly in its folder for generation 0 (the partition
    folder; no generation's folder is inside it, the rule only keeps a delete from reaching below),
    everything in its folder for a later one. Returns the count."""
    prefix = generation_prefix(curated_prefix, partition, generation)
    keys = [key for key, _ in list_objects(s3, bucket, prefix, "/" if generation == 0 else None)]
    return delete_keys(s3, bucket, keys)


def write_superseded(s3, bucket, catalog, partition, generation, now_ms, job_run_id):
    """The ledger entry of `generation`, written before the switch away from it."""
    entry = superseded_entry(partition, generation, catalog.location(partition, generation), iso_ms(now_ms),
                             job_run_id)
    s3.put_object(Bucket=bucket, Key=superseded_key(partition, generation),
                  Body=(json.dumps(entry, indent=2) + "\n").encode("utf-8"), ContentType="application/json")


def sweep_superseded(s3, bucket, catalog, curated_prefix, now_ms, settings, log=print):
    """Deletes every superseded generation whose retention is over and that is not current, then its
    entry. A malformed entry is logged and kept. Returns [(partition, generation, objects deleted)]."""
    entries = []
    for key, _ in list_objects(s3, bucket, SUPERSEDED_PREFIX):
        if not key.endswith(".json"):
            continue
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
            partition, generation, superseded_ms = parse_superseded_entry(body)
        except ValueError as error:
            log(f"compaction: keeping unreadable ledger entry {key}: {error}")
            continue
        if key != superseded_key(partition, generation):
            log(f"compaction: keeping ledger entry {key}: it names another partition or generation")
            continue
        entries.append((key, partition, generation, superseded_ms))
    if not entries:
        return []
    current = catalog.current_generations([partition for _, partition, _, _ in entries])
    deleted = []
    for key, partition, generation, superseded_ms in entries:
        if superseded_due(superseded_ms, current[partition], generation, now_ms, settings):
            count = clear_generation(s3, bucket, curated_prefix, partition, generation)
            delete_keys(s3, bucket, [key])
            deleted.append((partition, generation, count))
    return deleted
