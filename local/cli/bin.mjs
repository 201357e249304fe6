#!/usr/bin/env node
// The `eventlake` executable (package.json "bin"): runs main.ts in this very process through tsx's
// module hooks. No child process, so no signal is relayed: one Ctrl-C is one SIGINT. npx and npm
// scripts put node_modules/.bin first on PATH, so `node` here is the project's Node 22.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
