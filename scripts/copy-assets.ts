// `npm run build` compiles src/ to dist/; the JSON the code reads beside itself (locales, the demo
// course, the content schema) is copied along so dist/ runs on its own.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function copyAssets(from: string, to: string): number {
  let n = 0;
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) n += copyAssets(src, join(to, name));
    else if (!name.endsWith('.ts')) {
      cpSync(src, join(to, name));
      n++;
    }
  }
  return n;
}
console.log(`copied ${copyAssets('src', 'dist')} asset files into dist/`);
