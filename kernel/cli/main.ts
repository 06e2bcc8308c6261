/**
 * @module cli/main
 * The `starmodel` command line: built-in commands plus those plugins declare in their manifest.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { createApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { isStarmodelError } from '../errors.js';
import { consoleLogger, type LogLevel } from '../logger.js';
import { planPlugins } from '../plugins/plan.js';
import { KERNEL_VERSION } from '../version.js';
import { builtInCommands } from './built-in.js';
import { isCommandModule, type CommandContext, type CommandModule } from './command.js';

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** Every command by name: built-ins, then plugin commands (from the plan, without loading plugins). */
async function commandsFor(cwd: string): Promise<{ commands: Map<string, () => Promise<CommandModule>>; problem?: string }> {
  const commands = new Map<string, () => Promise<CommandModule>>();
  for (const [name, command] of Object.entries(builtInCommands)) commands.set(name, async () => command);
  try {
    const loaded = await loadConfig(cwd);
    const plan = planPlugins({ appDir: cwd, kernelName: 'starmodel', kernelVersion: KERNEL_VERSION, settings: loaded.config.plugins ?? {} });
    for (const plugin of plan) {
      for (const [name, modulePath] of Object.entries(plugin.manifest.commands)) {
        commands.set(name, async () => {
          const module = (await import(pathToFileURL(resolve(plugin.dir, modulePath)).href)) as { default?: unknown };
          if (!isCommandModule(module.default)) throw new Error(`command "${name}" of ${plugin.name} (${modulePath}) must default-export { summary, run(context) }.`);
          return module.default;
        });
      }
    }
  } catch (error) {
    // Built-in commands (doctor, help) must still work with a broken config.
    return { commands, problem: error instanceof Error ? error.message : String(error) };
  }
  return { commands };
}

/** Runs the CLI with `argv` (without node and the script). Returns the exit code. */
export async function main(argv: readonly string[], io: Pick<CommandContext, 'out' | 'err' | 'input'> = { out: process.stdout, err: process.stderr, input: process.stdin }, cwd = process.cwd()): Promise<number> {
  const { commands, problem } = await commandsFor(cwd);
  const names = [...commands.keys()].sort((a, b) => b.split(' ').length - a.split(' ').length);
  const first = argv[0];
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    io.out.write(`starmodel ${KERNEL_VERSION}\n\nUsage: starmodel <command> [options]\n\nCommands:\n`);
    for (const name of [...commands.keys()].sort()) io.out.write(`  ${name.padEnd(18)} ${(await commands.get(name)!()).summary}\n`);
    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.out.write(`${KERNEL_VERSION}\n`);
    return 0;
  }
  const name = names.find((candidate) => candidate.split(' ').every((word, index) => argv[index] === word));
  if (!name) {
    const typed = argv.slice(0, 2).join(' ');
    const nearest = [...commands.keys()].map((candidate) => ({ candidate, score: Math.min(distance(first, candidate), distance(typed, candidate)) })).sort((a, b) => a.score - b.score)[0];
    io.err.write(`starmodel: unknown command "${first}".${nearest && nearest.score <= 3 ? ` Did you mean "starmodel ${nearest.candidate}"?` : ''} Run "starmodel help" for the list.\n`);
    if (problem) io.err.write(`Plugin commands are unavailable because the config or a plugin could not be loaded: ${problem}\n`);
    return 2;
  }
  let app: Promise<App> | undefined;
  const context: CommandContext = {
    argv: argv.slice(name.split(' ').length), cwd, ...io,
    app: (options = {}) => (app ??= createApp({ dir: cwd, logger: consoleLogger((process.env.STARMODEL_LOG_LEVEL as LogLevel | undefined) ?? options.logLevel ?? 'warn') })),
  };
  try {
    const command = await commands.get(name)!();
    return await command.run(context);
  } catch (error) {
    io.err.write(`starmodel ${name}: ${isStarmodelError(error) ? `${error.message} [${error.code}]` : error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    if (app) await (await app.catch(() => undefined))?.close();
  }
}
