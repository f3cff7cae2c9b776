// Builds the embedded database server now (CI, Docker-less setups) instead of at the first start.
import { ensureFerretDb } from '../src/db/embedded.js';

// ensureFerretDb says why when it cannot provide one; the embedded database then falls back.
const bin = await ensureFerretDb();
if (!bin) process.exit(0);
console.log(`FerretDB ready: ${bin}`);
