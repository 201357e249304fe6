// What each benchmark module (bench/*.bench.ts) returns to bench/run.ts.
export interface BenchResult {
  /** e.g. "transform: 3 MB batch, all valid". */
  name: string;
  /** Figures by name, e.g. { 'records/s': 120000, 'MB/s': 110, ratio_to_floor: 0.81 }. */
  figures: Record<string, number>;
  /** Targets by figure name, checked and shown as pass/fail; ≥ unless the name ends in "_max". */
  targets?: Record<string, number>;
}

export type Bench = () => Promise<BenchResult[]>;
