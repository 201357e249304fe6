// Instruction-count version of the transform benchmark, for a ratio that does not move with the
// machine's load: run it under callgrind for `floor` and `transform` at two iteration counts and
// compare the differences (setup cancels out). See bench/README.md.
//   npx esbuild bench/transform-instructions.ts --bundle --platform=node --format=esm --outfile=/tmp/ti.mjs
//   valgrind --tool=callgrind node /tmp/ti.mjs <floor|transform> <iterations> [invalid share, e.g. 0.1]
import { transformBatch } from '#shared/transform/firehose-batch.js';
import { floor, floorOrInvalidParse, transformBenchBatch } from './transform.bench.js';

const [mode = 'transform', iterations = '10', invalidShare = '0'] = process.argv.slice(2);
const event = transformBenchBatch(Number(invalidShare));
const floorFn = Number(invalidShare) > 0 ? floorOrInvalidParse : floor;
for (let i = 0; i < Number(iterations); i++) {
  if (mode === 'floor') floorFn(event);
  else transformBatch(event);
}
console.log(`${mode}: ${iterations} × ${event.records.length} records (invalid share ${invalidShare})`);
