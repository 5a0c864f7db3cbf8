// Copies the data files beside the code (the backup fixtures src/**/fixtures/*.json, the demo data's and the
// fixture refresh's word lists) and the status page (src/status/page/) next to the compiled modules in dist/, where
// the running service reads them.
import { cpSync, globSync } from 'node:fs';
import { join } from 'node:path';

for (const file of [...globSync('src/**/*.json'), ...globSync('src/status/page/*')]) {
  cpSync(file, join('dist', file.slice('src/'.length)));
}
