"""The Parquet job's writes, Spark half: rows of one partition into one generation folder, in
FILE_ORDER. What to write where, and in which order, is decided by generations.py (tested without
Spark); this module only moves rows (docs/glue.md "Compaction").
"""

from pyspark.sql import functions as F

from parquet_contract import CAST_RULES, PARQUET_WRITER_VERSION, file_order


class SparkWriter:
    """Writes the rows `fresh` (this run's deduplicated rows) adds, alone or with a generation's."""

    def __init__(self, spark, args, fresh):
        self.spark, self.args, self.fresh = spark, args, fresh

    def append(self, partition, uri, files):
        """This run's rows of `partition` as `files` new files in the folder `uri`."""
        _write_files(self.args, self._fresh_rows(partition), uri, files)

    def rewrite(self, partition, source_uris, uri, files, with_fresh):
        """The rows of the files `source_uris` (plus this run's when `with_fresh`) as `files` files in
        the (empty) folder `uri`."""
        rows = self._generation_rows(source_uris)
        if with_fresh:
            rows = rows.unionByName(self._fresh_rows(partition))
        _write_files(self.args, rows, uri, files)

    def _fresh_rows(self, partition):
        match = (F.col("event_type") == partition[0]) & (F.col("dt") == partition[1])
        return self.fresh.where(match).select(*[c.name for c in self.args.columns])

    def _generation_rows(self, uris):
        """A generation's rows with exactly the run's columns: one a file lacks (written before the
        column existed) reads as NULL; each is cast to its curated type."""
        columns = self.args.columns
        if not uris:
            return self.spark.createDataFrame([], ", ".join(f"`{c.name}` {CAST_RULES[c.kind][0]}" for c in columns))
        # recursiveFileLookup: no partition discovery from the paths (event_type=/dt= are not read back).
        read = self.spark.read.option("recursiveFileLookup", "true").parquet(*uris)
        present = set(read.columns)
        return read.select(*[(F.col(c.name) if c.name in present else F.lit(None)).cast(CAST_RULES[c.kind][0])
                             .alias(c.name) for c in columns])


def _write_files(args, rows, uri, files):
    """`files` Parquet files in the folder `uri`: a range partitioning of FILE_ORDER, so each file
    holds one stretch of event time, sorted within. Snappy, Parquet v2 pages."""
    order = [F.col(name).asc_nulls_last() for name in file_order(args.columns)]
    (rows.repartitionByRange(files, *order).sortWithinPartitions(*order)
     .write.mode("append").option("compression", "snappy")
     .option("parquet.writer.version", PARQUET_WRITER_VERSION)
     .parquet(uri))
