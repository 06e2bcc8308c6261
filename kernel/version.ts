/**
 * @module version
 * The kernel's version, read from its package.json (plugins declare a range against it).
 */
import { readFileSync } from 'node:fs';

/** This starmodel package's version. */
export const KERNEL_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
