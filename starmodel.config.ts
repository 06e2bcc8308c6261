/**
 * The sandbox app's configuration: its entities, and the web plugin with its pages.
 * Plugins in package.json dependencies with a `starmodel` manifest are found automatically;
 * this file only configures them.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'starmodel';
import * as entities from './sandbox/entities.js';
import * as jobsDemo from './sandbox/jobs-demo.js';
import { Profile } from './sandbox/profile.js';
import * as sqlEntities from './sandbox/sql-entities.js';
import { pages } from './sandbox/pages/index.js';

export default defineConfig({
  entities: { ...entities, ...sqlEntities, ...jobsDemo, Profile },
  datastar: { dialect: 'beta11' },
  plugins: {
    '@starmodel/koa': { pages, signInPath: '/login', staticDir: fileURLToPath(new URL('./sandbox/static', import.meta.url)) },
    // Running jobs get 5 s to finish on shutdown, inside sandbox/server.ts's 10 s forced exit.
    '@starmodel/jobs': { shutdownTimeoutMs: 5000 },
  },
});
