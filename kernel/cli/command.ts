/**
 * @module cli/command
 * The contract of a CLI command. Plugins contribute commands through their manifest:
 * `"starmodel": { "commands": { "migrate": "./commands/migrate.ts" } }`; the module's default
 * export is a {@link CommandModule}. Multi-word commands use a space: `"db shell"`.
 */
import type { App } from '../app.js';
import type { LogLevel } from '../logger.js';

/** What a command receives. */
export interface CommandContext {
  /** Arguments after the command name. */
  readonly argv: readonly string[];
  /** The app folder. */
  readonly cwd: string;
  /** Creates (once) the app with its config and plugins, set up but not started. */
  app(options?: { logLevel?: LogLevel }): Promise<App>;
  /** Where to print. */
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  /** Standard input (for prompts and shells). */
  readonly input: NodeJS.ReadableStream;
}

/** A command: a one-line summary and a function returning the exit code. */
export interface CommandModule {
  readonly summary: string;
  /** Lines of help shown by `starmodel help <command>`. */
  readonly usage?: string;
  run(context: CommandContext): Promise<number> | number;
}

/** True when a module's default export has the command shape. */
export function isCommandModule(value: unknown): value is CommandModule {
  return typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function' && typeof (value as { summary?: unknown }).summary === 'string';
}
