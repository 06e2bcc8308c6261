import { defineConfig } from 'starmodel';
import * as entities from './entities.js';
import { home } from './pages.js';

export default defineConfig({
  entities,
  plugins: { '@starmodel/koa': { pages: { '/': home } } },
});
