/**
 * @module plugins/plan
 * Finds plugins (the app's direct dependencies whose package.json has a `starmodel` manifest, plus
 * those the config names), dedupes them by name and real path, checks each one's kernel range,
 * refuses two providers of one capability, and orders them by `requires`.
 * Built-in plugins go through exactly the same path as third-party ones.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import semver from 'semver';
import { StarmodelError } from '../errors.js';
import { declaresPlugin, parseManifest, readPackage, type PackageInfo, type PluginManifest } from './manifest.js';

/** A plugin as the config names it: options, `true` (defaults) or `false` (disabled). */
export type PluginSetting = boolean | Readonly<Record<string, unknown>>;

/** One plugin in the resolved plan. */
export interface PlannedPlugin {
  readonly name: string;
  readonly version: string;
  /** Real path of the package folder. */
  readonly dir: string;
  /** Absolute path of the entry module. */
  readonly entry: string;
  /** Where it was found. */
  readonly source: 'dependency' | 'config';
  readonly manifest: PluginManifest;
  /** Options from the config (an empty object when none). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Inputs of the planner. */
export interface PlanInput {
  /** The app's folder (holding its package.json). */
  readonly appDir: string;
  readonly kernelName: string;
  readonly kernelVersion: string;
  /** `plugins` from the config; keys are package names or paths relative to `configDir`. */
  readonly settings?: Readonly<Record<string, PluginSetting>>;
  readonly configDir?: string;
  readonly configFile?: string;
  /** Capabilities the kernel itself provides. @default ['store:memory'] */
  readonly builtIn?: readonly string[];
}

/** Finds a package folder by name, walking up node_modules folders as Node does. */
export function locatePackage(name: string, fromDir: string): string | undefined {
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

interface Candidate { info: PackageInfo; realDir: string; source: 'dependency' | 'config'; options: Readonly<Record<string, unknown>> }

function candidateOf(info: PackageInfo, source: Candidate['source'], options: Readonly<Record<string, unknown>>): Candidate {
  return { info, realDir: realpathSync(info.dir), source, options };
}

/** Resolves, checks and orders the plugins of an app. Throws a StarmodelError naming the culprit. */
export function planPlugins(input: PlanInput): PlannedPlugin[] {
  const app = readPackage(input.appDir);
  const candidates: Candidate[] = [];
  const disabled = new Set<string>();

  for (const dependency of app?.dependencies ?? []) {
    if (dependency === input.kernelName) continue;
    const dir = locatePackage(dependency, input.appDir);
    const info = dir ? readPackage(dir) : undefined;
    if (info && declaresPlugin(info)) candidates.push(candidateOf(info, 'dependency', {}));
  }

  for (const [key, setting] of Object.entries(input.settings ?? {})) {
    const base = input.configDir ?? input.appDir;
    const dir = key.startsWith('.') || isAbsolute(key) ? resolve(base, key) : locatePackage(key, base);
    const info = dir ? readPackage(dir) : undefined;
    if (!info) {
      if (setting === false) continue;
      throw new StarmodelError('SM_PLUGIN_NOT_FOUND', { plugin: key, source: input.configFile ?? 'the config' });
    }
    if (!declaresPlugin(info)) {
      throw new StarmodelError('SM_PLUGIN_MANIFEST_INVALID', { plugin: info.name, file: info.file, reason: 'it has no "starmodel": { "plugin": ... } field, so it is not a StarModel plugin.' });
    }
    if (setting === false) {
      disabled.add(info.name);
      continue;
    }
    candidates.push(candidateOf(info, 'config', setting === true ? {} : setting));
  }

  // Dedupe by name and real path: the same package listed twice is one plugin; two copies are an error.
  const byName = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const seen = byName.get(candidate.info.name);
    if (!seen) {
      byName.set(candidate.info.name, candidate);
    } else if (seen.realDir === candidate.realDir) {
      byName.set(candidate.info.name, { ...seen, options: { ...seen.options, ...candidate.options } });
    } else {
      throw new StarmodelError('SM_PLUGIN_DUPLICATE', { plugin: candidate.info.name, first: seen.realDir, second: candidate.realDir });
    }
  }
  for (const name of disabled) byName.delete(name);

  const plugins = [...byName.values()].map((candidate) => {
    const manifest = parseManifest(candidate.info);
    if (!semver.validRange(manifest.kernel)) {
      throw new StarmodelError('SM_PLUGIN_MANIFEST_INVALID', { plugin: candidate.info.name, file: candidate.info.file, reason: `"kernel": "${manifest.kernel}" is not a semver range.` });
    }
    if (!semver.satisfies(input.kernelVersion, manifest.kernel, { includePrerelease: true })) {
      throw new StarmodelError('SM_PLUGIN_KERNEL_RANGE', { plugin: candidate.info.name, version: candidate.info.version, range: manifest.kernel, kernel: input.kernelVersion });
    }
    return {
      name: candidate.info.name, version: candidate.info.version, dir: candidate.realDir,
      entry: resolve(candidate.realDir, manifest.plugin), source: candidate.source, manifest, options: candidate.options,
    } satisfies PlannedPlugin;
  });

  const providers = new Map<string, string>((input.builtIn ?? ['store:memory']).map((capability) => [capability, input.kernelName]));
  for (const plugin of [...plugins].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const capability of plugin.manifest.provides) {
      const first = providers.get(capability);
      if (first) throw new StarmodelError('SM_PLUGIN_DUPLICATE_PROVIDER', { first, second: plugin.name, capability });
      providers.set(capability, plugin.name);
    }
  }
  const names = new Set(plugins.map((plugin) => plugin.name));
  const dependsOn = new Map<string, string[]>();
  for (const plugin of plugins) {
    const needs: string[] = [];
    for (const requirement of plugin.manifest.requires) {
      const provider = names.has(requirement) ? requirement : providers.get(requirement);
      if (!provider) throw new StarmodelError('SM_PLUGIN_REQUIRES_MISSING', { plugin: plugin.name, requirement });
      if (provider !== input.kernelName && provider !== plugin.name) needs.push(provider);
    }
    dependsOn.set(plugin.name, needs);
  }
  return orderByRequires(plugins, dependsOn);
}

/** Topological order; among plugins free to go, alphabetical, so load order never matters. */
function orderByRequires(plugins: PlannedPlugin[], dependsOn: Map<string, string[]>): PlannedPlugin[] {
  const ordered: PlannedPlugin[] = [];
  const placed = new Set<string>();
  const pending = [...plugins].sort((a, b) => a.name.localeCompare(b.name));
  while (pending.length > 0) {
    const index = pending.findIndex((plugin) => (dependsOn.get(plugin.name) ?? []).every((name) => placed.has(name)));
    if (index < 0) throw new StarmodelError('SM_PLUGIN_CYCLE', { cycle: pending.map((plugin) => plugin.name).join(' -> ') });
    const [next] = pending.splice(index, 1);
    ordered.push(next!);
    placed.add(next!.name);
  }
  return ordered;
}
