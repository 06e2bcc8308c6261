/**
 * @module config
 * The app's configuration: `starmodel.config.ts` (or a `starmodel` key in package.json), found by
 * cosmiconfig 9 and checked here so a mistake names the file and the key.
 */
import { pathToFileURL } from 'node:url';
import { cosmiconfig } from 'cosmiconfig';
import type { EntityClass } from './entity.js';
import { Entity } from './entity.js';
import { StarmodelError } from './errors.js';
import { isPlainObject } from './merge-patch.js';
import type { PluginSetting } from './plugins/plan.js';

/** Datastar wire dialect: `beta11` (the client on npm, default) or `v1`. */
export type Dialect = 'beta11' | 'v1';

/** The configuration of a StarModel app. */
export interface StarmodelConfig {
  /** Entity classes to register (an array, or a module namespace: `import * as entities`). */
  entities?: readonly EntityClass[] | Readonly<Record<string, unknown>>;
  /** Plugins to add, configure (`{ ...options }`) or disable (`false`), by package name or path. */
  plugins?: Readonly<Record<string, PluginSetting>>;
  /** Secret for signing cookies and client state. @default process.env.STARMODEL_SECRET */
  secret?: string;
  /** Datastar settings. */
  datastar?: { dialect?: Dialect };
  /** Kernel settings. */
  kernel?: { maxAttempts?: number };
  /** Anything else is free for plugins to read. */
  [key: string]: unknown;
}

/** Gives a config file its type: `export default defineConfig({ ... })`. */
export function defineConfig(config: StarmodelConfig): StarmodelConfig {
  return config;
}

/** A loaded config and where it came from. */
export interface LoadedConfig {
  readonly config: StarmodelConfig;
  /** The file it came from; undefined when none was found (defaults apply). */
  readonly file: string | undefined;
}

async function importTs(file: string): Promise<unknown> {
  // Under tsx (how StarModel runs) a plain import loads the config and everything it imports.
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  return module.default ?? module;
}

/** Finds and loads the config from `dir` (no upward search), then checks its shape. */
export async function loadConfig(dir: string): Promise<LoadedConfig> {
  const explorer = cosmiconfig('starmodel', {
    searchPlaces: ['package.json', 'starmodel.config.ts', 'starmodel.config.mts', 'starmodel.config.js', 'starmodel.config.mjs'],
    loaders: { '.ts': importTs, '.mts': importTs },
  });
  const found = await explorer.search(dir);
  if (!found || found.isEmpty) return { config: {}, file: found?.filepath };
  return { config: checkConfig(found.config, found.filepath), file: found.filepath };
}

/** Checks a config object; throws SM_CONFIG_INVALID naming the file and key. */
export function checkConfig(value: unknown, file: string): StarmodelConfig {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file, key, reason });
  if (!isPlainObject(value)) throw fail('(root)', 'the default export must be an object; use `export default defineConfig({ ... })`.');
  const config = value as StarmodelConfig;
  if (config.plugins !== undefined) {
    if (!isPlainObject(config.plugins)) throw fail('plugins', 'must be an object mapping plugin names to options, true or false.');
    for (const [name, setting] of Object.entries(config.plugins)) {
      if (typeof setting !== 'boolean' && !isPlainObject(setting)) throw fail(`plugins.${name}`, 'must be an options object, true or false.');
    }
  }
  if (config.entities !== undefined && !Array.isArray(config.entities) && typeof config.entities !== 'object') throw fail('entities', 'must be a list of entity classes.');
  entityClassesOf(config.entities, (key, reason) => fail(key, reason));
  const dialect = config.datastar?.dialect;
  if (dialect !== undefined && dialect !== 'beta11' && dialect !== 'v1') throw fail('datastar.dialect', 'must be "beta11" or "v1".');
  if (config.secret !== undefined && (typeof config.secret !== 'string' || config.secret.length < 16)) throw fail('secret', 'must be a string of at least 16 characters.');
  return config;
}

/** The entity classes of a config's `entities` (array or module namespace). */
export function entityClassesOf(entities: StarmodelConfig['entities'], fail?: (key: string, reason: string) => Error): EntityClass[] {
  if (entities === undefined) return [];
  const list = Array.isArray(entities) ? entities : Object.values(entities as Record<string, unknown>);
  const classes: EntityClass[] = [];
  list.forEach((item: unknown, index: number) => {
    if (typeof item === 'function' && (item as { prototype?: unknown }).prototype instanceof Entity) classes.push(item as EntityClass);
    else if (Array.isArray(entities) && fail) throw fail(`entities[${index}]`, 'is not a class that extends Entity.');
  });
  return classes;
}
