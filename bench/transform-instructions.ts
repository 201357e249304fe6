// Instruction-count version of the transform benchmark, for a ratio that does not move with the
// machine's load: run it under callgrind for `floor` and `transform` at two iteration counts and
// compare the differences (setup cancels out). See bench/README.md.
//   npx esbuild bench/transform-instructions.ts --bundle --platform=node --format=esm --outfile=/tmp/ti.mjs
//   valgrind --tool=callgrind node /tmp/ti.mjs <floor|transform> <iterations>
import { transformBatch } from '../shared/firehose-batch.js';
import { floor, transformBenchBatch } from './transform.bench.js';

const [mode = 'transform', iterations = '10'] = process.argv.slice(2);
const event = transformBenchBatch(0);
for (let i = 0; i < Number(iterations); i++) {
  if (mode === 'floor') floor(event);
  else transformBatch(event);
}
console.log(`${mode}: ${iterations} × ${event.records.length} records`);
