/**
 * @module @starmodel/koa/assets
 * Files the web plugin serves: the Datastar browser client from node_modules (so apps work with
 * no internet), and an app's own static folder.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** URL path of the Datastar client script. */
export const CLIENT_SCRIPT_PATH = '/_starmodel/datastar.js';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8', '.woff2': 'font/woff2',
};

/** The beta.11 client bundle: one self-contained ESM file in the package's dist folder. */
export async function loadClientScript(): Promise<Buffer> {
  // The package's exports map hides dist/datastar.js, so resolve its entry and look beside it.
  const entry = fileURLToPath(import.meta.resolve('@starfederation/datastar'));
  return readFile(join(dirname(entry), 'datastar.js'));
}

/** A file under `root` for a URL path, refusing anything that escapes the folder. */
export async function staticFile(root: string, urlPath: string): Promise<{ body: Buffer; type: string } | undefined> {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = resolve(base, `.${sep}${decoded}`);
  if (!file.startsWith(base + sep)) return undefined;
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return { body: await readFile(file), type: TYPES[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}
