/**
 * @module starmodel/cli
 * The command line's public pieces: the command contract plugins implement, and `main`.
 */
export type { CommandContext, CommandModule } from './command.js';
export { isCommandModule } from './command.js';
export { main } from './main.js';
