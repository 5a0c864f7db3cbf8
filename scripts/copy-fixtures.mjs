// Copies the backup fixtures (src/**/fixtures/*.json) next to the compiled modules in dist/,
// where the running service reads them.
import { cpSync, globSync } from 'node:fs';
import { join } from 'node:path';

for (const file of globSync('src/**/fixtures/*.json')) {
  cpSync(file, join('dist', file.slice('src/'.length)));
}
