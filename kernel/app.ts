/**
 * @module app
 * Builds a running app from a folder: load the config, plan the plugins, create the kernel, run
 * each plugin's factory and setup in plan order, register the entities.
 */
import { pathToFileURL } from 'node:url';
import { dirname, resolve } from 'node:path';
import { entityClassesOf, loadConfig, type StarmodelConfig } from './config.js';
import type { EntityClass } from './entity.js';
import { isStarmodelError, StarmodelError } from './errors.js';
import { describeTaps } from './hooks.js';
import { Kernel, type PluginApi } from './kernel.js';
import type { Logger } from './logger.js';
import { isPlainObject } from './merge-patch.js';
import { planPlugins, type PlannedPlugin, type PluginSetting } from './plugins/plan.js';
import { KERNEL_VERSION } from './version.js';

/** What a plugin module's default export returns. */
export interface StarmodelPlugin {
  /** Taps hooks, provides stores and services. */
  setup(api: PluginApi): void | Promise<void>;
}

/** A plugin module's default export: takes the options from the config (unknown: narrow them). */
export type PluginFactory = (options: Readonly<Record<string, unknown>>) => StarmodelPlugin | Promise<StarmodelPlugin>;

/** Options of `createApp`. */
export interface CreateAppOptions {
  /** The app folder (package.json, starmodel.config.ts). @default process.cwd() */
  dir?: string;
  /** Use this config instead of searching for one (merged over the file's when both exist). */
  config?: StarmodelConfig;
  /** Skip the config file search. */
  ignoreConfigFile?: boolean;
  /** Per-plugin option overrides (merged over the config's), e.g. `{ '@starmodel/koa': { port: 0 } }`. */
  pluginOptions?: Readonly<Record<string, PluginSetting>>;
  /** Extra entity classes. */
  entities?: readonly EntityClass[];
  logger?: Logger;
}

/** A planned, set-up app. Call `start()` to prepare stores and run `ready` (the web plugin listens). */
export interface App {
  readonly kernel: Kernel;
  readonly plan: readonly PlannedPlugin[];
  readonly config: StarmodelConfig;
  readonly configFile: string | undefined;
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Closes the app on SIGINT or SIGTERM and exits: 0 once every plugin closed, 1 when closing takes
   * longer than `timeoutMs` (default 10 s). For server entry points such as `sandbox/server.ts`.
   */
  closeOnSignals(options?: { timeoutMs?: number }): void;
  /** The plan with each plugin's taps, for `starmodel plugins`. */
  describe(): PluginReport[];
}

/** One row of `starmodel plugins`. */
export interface PluginReport {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly dir: string;
  readonly provides: readonly string[];
  readonly requires: readonly string[];
  readonly taps: readonly string[];
}

function mergeSettings(base: Readonly<Record<string, PluginSetting>> = {}, extra: Readonly<Record<string, PluginSetting>> = {}): Record<string, PluginSetting> {
  const merged: Record<string, PluginSetting> = { ...base };
  for (const [name, setting] of Object.entries(extra)) {
    const current = merged[name];
    merged[name] = isPlainObject(current) && isPlainObject(setting) ? { ...current, ...setting } : setting;
  }
  return merged;
}

async function loadFactory(plugin: PlannedPlugin): Promise<PluginFactory> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(plugin.entry).href)) as { default?: unknown };
  } catch (error) {
    throw new StarmodelError('SM_PLUGIN_LOAD_FAILED', { plugin: plugin.name, file: plugin.entry, reason: error instanceof Error ? error.message : String(error) }, { cause: error });
  }
  if (typeof module.default !== 'function') {
    throw new StarmodelError('SM_PLUGIN_LOAD_FAILED', { plugin: plugin.name, file: plugin.entry, reason: 'its default export must be a function (options) => ({ setup(api) { ... } }).' });
  }
  return module.default as PluginFactory;
}

/** Loads config and plugins from a folder and returns the app, set up but not started. */
export async function createApp(options: CreateAppOptions = {}): Promise<App> {
  const dir = resolve(options.dir ?? process.cwd());
  const loaded = options.ignoreConfigFile ? { config: {}, file: undefined } : await loadConfig(dir);
  const config: StarmodelConfig = { ...loaded.config, ...options.config };
  const settings = mergeSettings(mergeSettings(loaded.config.plugins, options.config?.plugins), options.pluginOptions);
  const plan = planPlugins({
    appDir: dir, kernelName: 'starmodel', kernelVersion: KERNEL_VERSION, settings,
    ...(loaded.file ? { configDir: dirname(loaded.file), configFile: loaded.file } : {}),
  });
  const secret = config.secret ?? process.env.STARMODEL_SECRET;
  const kernel = new Kernel({
    ...(options.logger ? { logger: options.logger } : {}),
    ...(secret ? { secret } : {}),
    ...(config.kernel?.maxAttempts ? { maxAttempts: config.kernel.maxAttempts } : {}),
    config,
  });
  kernel.appDir = dir;
  kernel.plugins = plan.map((plugin) => ({ name: plugin.name, version: plugin.version, provides: plugin.manifest.provides, requires: plugin.manifest.requires }));
  for (const plugin of plan) {
    const factory = await loadFactory(plugin);
    try {
      const instance = await factory(plugin.options);
      await instance.setup(kernel.pluginApi(plugin.name));
    } catch (error) {
      if (isStarmodelError(error)) throw error;
      throw new StarmodelError('SM_PLUGIN_LOAD_FAILED', { plugin: plugin.name, file: plugin.entry, reason: error instanceof Error ? error.message : String(error) }, { cause: error });
    }
  }
  kernel.register(...entityClassesOf(config.entities), ...(options.entities ?? []));
  return {
    kernel, plan, config, configFile: loaded.file,
    start: () => kernel.start(),
    close: () => kernel.close(),
    closeOnSignals: (signalOptions = {}) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        kernel.log.info(`${signal}: shutting down`);
        const force = setTimeout(() => process.exit(1), signalOptions.timeoutMs ?? 10_000);
        force.unref();
        void kernel.close().then(() => process.exit(0));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    },
    describe: () => {
      const taps = describeTaps(kernel.hooks);
      return plan.map((plugin) => ({
        name: plugin.name, version: plugin.version, source: plugin.source, dir: plugin.dir,
        provides: plugin.manifest.provides, requires: plugin.manifest.requires,
        taps: Object.entries(taps).flatMap(([hook, list]) => list.filter((tap) => tap.name === plugin.name).map((tap) => `${hook}@${tap.stage}`)),
      }));
    },
  };
}
