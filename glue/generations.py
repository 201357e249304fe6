"""A run's partitions and their generations, without Spark: what each partition's current generation
holds, what the run does to it (compaction.plan_partition), and the order of a write: appends into
the current generation; a rewrite clears the next generation's folder, writes it, records the
superseded entry, then switches the catalog partition (docs/glue.md "Compaction"). The rows are
moved by a writer: partition_writes.SparkWriter in the job, a fake in glue/tests.
"""

from compaction import added_bytes_estimate, is_closed, lookback_start, plan_partition
from lake_catalog import clear_generation, generation_files, write_superseded
from parquet_contract import PARQUET_COMPRESSION_RATIO, estimated_file_count, s3_uri


class Partitions:
    """The partitions a run may write: current generation and its data files, per partition."""

    def __init__(self, s3, catalog, args, touched, clock):
        self.s3, self.catalog, self.args, self.clock = s3, catalog, args, clock
        self.bucket, self.curated = args.destination
        known = catalog.current_generations(touched)
        self.absent = {p for p, generation in known.items() if generation is None}
        self.generations = {p: generation or 0 for p, generation in known.items()}
        self.files = {p: self.list_files(p) for p in self.generations}

    def list_files(self, partition):
        return generation_files(self.s3, self.bucket, self.curated, partition, self.generations[partition])

    def existing_uris(self, partitions):
        """s3:// URIs of the current generation's data files: what the event_id anti-join reads."""
        return [s3_uri(self.bucket, key) for p in partitions for key, _ in self.files[p]]

    def plans(self, stats):
        """{partition: plan} for every touched partition, and for every closed catalog partition
        within the lookback whose current generation breaks the closed rule (a rewrite, no new rows).
        stats: {partition: (rows, JSON bytes)} of the rows this run adds."""
        settings, now = self.args.compaction, self.clock()
        plans = {}
        for p in sorted(self.generations):
            added = added_bytes_estimate(stats.get(p, (0, 0))[1], PARQUET_COMPRESSION_RATIO)
            plans[p] = plan_partition(p[1], [size for _, size in self.files[p]], added, now, settings)
        lookback = self.catalog.partitions_since(lookback_start(now, settings.lookback_days))
        for p, generation in sorted(lookback.items()):
            if p in plans or not is_closed(p[1], now, settings):
                continue
            self.generations[p] = generation
            self.files[p] = self.list_files(p)
            plan = plan_partition(p[1], [size for _, size in self.files[p]], 0, now, settings)
            if plan["action"] == "rewrite":
                plans[p] = plan
        return plans

    def register_absent(self, plans):
        """Partitions the catalog lacks (new, or written while the table used partition projection)
        are registered at generation 0 before anything is written to them; one with neither files
        nor new rows is not."""
        wanted = [p for p in sorted(self.absent) if self.files[p] or plans[p]["action"] != "none"]
        self.catalog.register(wanted)
        return wanted

    def write(self, writer, stats, plans):
        """Appends and rewrites in partition order; raises on the first failure. Returns
        (compacted, sizes): compacted [(event_type, dt, generation, files, reason)] per rewrite,
        sizes {partition: [bytes of each data file]} of the current generation of every partition
        written or rewritten (the lake metrics)."""
        compacted, sizes = [], {}
        for p, plan in sorted(plans.items()):
            if plan["action"] == "none":
                continue
            if plan["action"] == "append":
                generation = self.generations[p]
                count = estimated_file_count(stats[p][1], self.args.target_file_size_mb)
                writer.append(p, self.catalog.location(p, generation), count)
            else:
                generation = self._rewrite(writer, p, plan["files"], p in stats)
            self.files[p] = self.list_files(p)
            sizes[p] = [size for _, size in self.files[p]]
            if plan["action"] == "rewrite":
                compacted.append((p[0], p[1], generation, len(self.files[p]), plan["reason"]))
        return compacted, sizes

    def _rewrite(self, writer, partition, files, with_fresh):
        """Generation n+1 = generation n's rows plus this run's, `files` files; then the superseded
        entry of n; then the switch. Returns n+1."""
        current = self.generations[partition]
        following = current + 1
        # A rewrite that died before its switch may have left files there: no Location names that
        # folder, so no one read them, and they are not data: start empty.
        clear_generation(self.s3, self.bucket, self.curated, partition, following)
        writer.rewrite(partition, self.existing_uris([partition]), self.catalog.location(partition, following),
                       files, with_fresh)
        write_superseded(self.s3, self.bucket, self.catalog, partition, current, self.clock(), self.args.job_run_id)
        self.catalog.switch(partition, following)
        self.generations[partition] = following
        return following
