/**
 * @module plugins/manifest
 * Reads and checks the `starmodel` field of a plugin's package.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StarmodelError } from '../errors.js';
import { isPlainObject } from '../merge-patch.js';

/** A plugin's `starmodel` field. */
export interface PluginManifest {
  /** Entry module, relative to the package; its default export is the plugin factory. */
  readonly plugin: string;
  /** Semver range of the starmodel kernel it works with. */
  readonly kernel: string;
  /** Capabilities it offers (`store:sql`, `web`, ...). */
  readonly provides: readonly string[];
  /** Plugin names or capabilities it needs loaded before it. */
  readonly requires: readonly string[];
  /** CLI commands it adds: name to module path (relative to the package). */
  readonly commands: Readonly<Record<string, string>>;
}

/** A package.json as far as plugin discovery cares. */
export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly file: string;
  readonly starmodel: unknown;
  readonly dependencies: readonly string[];
}

/** Reads a package.json; undefined when it does not exist or is not JSON. */
export function readPackage(dir: string): PackageInfo | undefined {
  const file = join(dir, 'package.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isPlainObject(json)) return undefined;
  const deps = [json.dependencies, json.optionalDependencies].flatMap((group) => (isPlainObject(group) ? Object.keys(group) : []));
  return {
    name: typeof json.name === 'string' ? json.name : dir,
    version: typeof json.version === 'string' ? json.version : '0.0.0',
    dir, file, starmodel: json.starmodel, dependencies: deps,
  };
}

/** True when a package's `starmodel` field declares a plugin (an app's own config has no `plugin`). */
export function declaresPlugin(info: PackageInfo): boolean {
  return isPlainObject(info.starmodel) && 'plugin' in info.starmodel;
}

const stringList = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Checks a plugin manifest, naming the plugin, the file and what is wrong. */
export function parseManifest(info: PackageInfo): PluginManifest {
  const fail = (reason: string) => new StarmodelError('SM_PLUGIN_MANIFEST_INVALID', { plugin: info.name, file: info.file, reason });
  const raw = info.starmodel;
  if (!isPlainObject(raw)) throw fail('it must be an object.');
  if (typeof raw.plugin !== 'string' || raw.plugin.length === 0) throw fail('"plugin" must name the entry module, e.g. "./index.ts".');
  if (typeof raw.kernel !== 'string') throw fail('"kernel" must be a semver range of starmodel, e.g. "^0.1.0".');
  if (raw.provides !== undefined && !stringList(raw.provides)) throw fail('"provides" must be a list of strings.');
  if (raw.requires !== undefined && !stringList(raw.requires)) throw fail('"requires" must be a list of strings.');
  if (raw.commands !== undefined && !(isPlainObject(raw.commands) && Object.values(raw.commands).every((item) => typeof item === 'string'))) {
    throw fail('"commands" must map command names to module paths.');
  }
  return {
    plugin: raw.plugin, kernel: raw.kernel,
    provides: (raw.provides as string[] | undefined) ?? [], requires: (raw.requires as string[] | undefined) ?? [],
    commands: (raw.commands as Record<string, string> | undefined) ?? {},
  };
}
