import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Each shared/ module declares its public surface in its index.ts; other modules import from there,
 * never from its files, so a module's insides can change without touching its users.
 */
const SHARED = path.join(__dirname, '../../../shared');

test('shared/ modules import each other through their index, never their files', () => {
  const modules = readdirSync(SHARED, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const deep: string[] = [];
  for (const mod of modules) {
    for (const file of readdirSync(path.join(SHARED, mod)).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(SHARED, mod, file), 'utf8');
      for (const m of text.matchAll(/from '\.\.\/([a-z-]+)\/([a-z-]+)'/g)) {
        if (modules.includes(m[1] as string)) deep.push(`${mod}/${file} → ${m[1]}/${m[2]}`);
      }
    }
  }
  expect(deep).toEqual([]);
  for (const mod of modules) expect(readdirSync(path.join(SHARED, mod))).toContain('index.ts');
});
