/**
 * @module cli/built-in
 * The commands the kernel itself offers: `plugins`, `entities list`, `start`.
 */
import type { CommandModule } from './command.js';
import { dev } from './dev.js';
import { doctor } from './doctor.js';
import { init } from './init.js';

const plugins: CommandModule = {
  summary: 'print the resolved plugin plan (add --json)',
  async run({ app, argv, out }) {
    const report = (await app()).describe();
    if (argv.includes('--json')) {
      out.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    if (report.length === 0) out.write('No plugins. Add a package with a "starmodel" manifest to your dependencies.\n');
    for (const plugin of report) {
      out.write(`${plugin.name}@${plugin.version}  (${plugin.source}: ${plugin.dir})\n`);
      out.write(`  provides: ${plugin.provides.join(', ') || '-'}    requires: ${plugin.requires.join(', ') || '-'}\n`);
      out.write(`  taps:     ${plugin.taps.join(', ') || '-'}\n`);
    }
    return 0;
  },
};

const entitiesList: CommandModule = {
  summary: 'print every entity with its store, scope and event routes (add --json)',
  async run({ app, argv, out }) {
    const entities = (await app()).kernel.registry.all().map((meta) => ({
      name: meta.name, store: meta.store, scope: meta.scope,
      events: [...meta.events.values()].map((event) => ({ name: event.name, route: `${event.method.toUpperCase()} ${event.path}`, args: event.args.map((arg) => arg.name) })),
    }));
    if (argv.includes('--json')) {
      out.write(`${JSON.stringify(entities, null, 2)}\n`);
      return 0;
    }
    for (const entity of entities) {
      out.write(`${entity.name}  store=${entity.store}  scope=${entity.scope}\n`);
      for (const event of entity.events) out.write(`  ${event.route.padEnd(36)} ${event.name}(${event.args.join(', ')})\n`);
    }
    return 0;
  },
};

const start: CommandModule = {
  summary: 'run the app (serves until SIGINT/SIGTERM)',
  async run({ app }) {
    const running = await app({ logLevel: 'info' });
    await running.start();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  },
};

/** Built-in commands by name. */
export const builtInCommands: Record<string, CommandModule> = { plugins, 'entities list': entitiesList, start, init, dev, doctor };
