/**
 * The sandbox app's configuration: its entities, and the web plugin with its pages.
 * Plugins in package.json dependencies with a `starmodel` manifest are found automatically;
 * this file only configures them.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'starmodel';
import * as entities from './sandbox/entities.js';
import * as sqlEntities from './sandbox/sql-entities.js';
import { pages } from './sandbox/pages/index.js';

export default defineConfig({
  entities: { ...entities, ...sqlEntities },
  datastar: { dialect: 'beta11' },
  plugins: {
    '@starmodel/koa': { pages, staticDir: fileURLToPath(new URL('./sandbox/static', import.meta.url)) },
  },
});
