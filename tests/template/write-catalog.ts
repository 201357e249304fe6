// Writes infra/catalog.json from shared/contract/table-schemas.ts and the schema registry.
// Run after changing columns or event types: npx tsx tests/template/write-catalog.ts
import { writeFileSync } from 'node:fs';
import { glueCatalog } from './catalog.js';
import { catalogPath } from './paths.js';

writeFileSync(catalogPath, `${JSON.stringify(glueCatalog(), null, 2)}\n`);
console.log(`wrote ${catalogPath}`);
