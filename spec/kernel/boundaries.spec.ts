/**
 * Rule of the house: `kernel/` imports no plugin and no web framework or database driver.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../', import.meta.url));
const kernelDir = join(root, 'kernel');
const FORBIDDEN = ['plugins/', '@starmodel/', 'koa', 'knex', 'ioredis', 'mongodb', 'express'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, statically or dynamically. */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'"`;()]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[^'"`;()]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]!));
}

describe('Kernel boundaries', () => {
  const files = tsFiles(kernelDir);

  it('scans the kernel sources', () => {
    expect(files.length).to.be.greaterThan(20);
    expect(files.map((file) => relative(kernelDir, file))).to.include.members(['index.ts', 'kernel.ts', 'plugins/plan.ts']);
  });

  it('finds every kind of import in a sample', () => {
    const sample = [
      "import { a } from 'one';",
      "import type { B } from \"two\";",
      "import * as three from 'three';",
      "import 'four';",
      "export { c } from 'five';",
      "export * from 'six';",
      "const seven = await import('seven');",
      "const eight = require('eight');",
      "import {\n  multi,\n  line,\n} from 'nine';",
      "// import { commented } from 'not-this';",
    ].join('\n');
    expect(importSpecifiers(sample)).to.have.members(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']);
  });

  it('imports no plugin, web framework or database driver from kernel/', () => {
    const offending: string[] = [];
    for (const file of files) {
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        // `./plugins/plan.js` is the kernel's own plugin loader, not a plugin: only paths that leave kernel/ count.
        const target = specifier.startsWith('.') ? relative(root, join(file, '..', specifier)) : specifier;
        if (FORBIDDEN.some((word) => target.includes(word) && !target.startsWith('kernel/'))) offending.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
    expect(offending).to.deep.equal([]);
  });
});
