/**
 * @module cli/templates
 * The files `starmodel init` writes, read from `templates/app/` beside this package: a memory
 * entity, a SQL entity with a page, a session entity, one spec using `starmodel/testing`, a README.
 * `{{name}}`, `{{kernel}}`, `{{koa}}` and `{{knex}}` are filled in.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the scaffold takes StarModel's own packages from. */
export interface TemplateSources {
  /** Dependency spec of the kernel package (`file:/path`), since it is not on the public registry. */
  readonly kernel: string;
  readonly koa: string;
  readonly knex: string;
}

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/app', import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The files of a new app, by relative path (npm strips `.gitignore` from packages, so it is stored as `gitignore`). */
export function appFiles(name: string, sources: TemplateSources): Record<string, string> {
  const values: Record<string, string> = { name, kernel: sources.kernel, koa: sources.koa, knex: sources.knex };
  const files: Record<string, string> = {};
  for (const path of walk(TEMPLATE_DIR)) {
    const file = relative(TEMPLATE_DIR, path);
    files[file === 'gitignore' ? '.gitignore' : file] = readFileSync(path, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
  }
  return files;
}
