// Builds the embedded database server now (CI, Docker-less setups) instead of at the first start.
import { ensureFerretDb } from '../src/db/embedded.js';

const bin = ensureFerretDb();
if (!bin) {
  console.error('FerretDB is not available (no Go toolchain?): the embedded database will fall back to mongodb-memory-server-core');
  process.exit(0);
}
console.log(`FerretDB ready: ${bin}`);
