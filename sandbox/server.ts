/**
 * `npm start`: runs the sandbox app on PORT (default 3000) with no service but memory and SQLite.
 */
import { fileURLToPath } from 'node:url';
import { opsLogger } from '@starmodel/ops';
import { createApp } from 'starmodel';

// The kernel and every plugin log through pino: pretty in development, JSON in production.
const app = await createApp({ dir: fileURLToPath(new URL('..', import.meta.url)), logger: opsLogger() });
await app.start();
for (const plugin of app.describe()) app.kernel.log.info(`plugin ${plugin.name}@${plugin.version} (${plugin.source}) taps ${plugin.taps.join(', ') || 'nothing'}`);
app.kernel.log.info(`entities: ${app.kernel.registry.all().map((meta) => `${meta.name} (${meta.scope}, ${meta.store})`).join(', ')}`);

app.closeOnSignals();
