/**
 * The sandbox's pages by path.
 */
import type { PageHandler } from '@starmodel/koa';
import { authPages } from '../auth-pages.js';
import { chatPage } from './chat.js';
import { counterPage } from './counter.js';
import { dashboardPage } from './dashboard.js';
import { jobsPage } from './jobs.js';
import { landingPage } from './landing.js';
import { preferencesPage } from './preferences.js';
import { reviewsPage } from './reviews.js';
import { productsPage } from './products.js';
import { todosPage } from './todos.js';

export const pages: Record<string, PageHandler> = {
  '/': landingPage,
  '/counter': counterPage,
  '/chat': chatPage,
  '/dashboard': dashboardPage,
  '/reviews': reviewsPage,
  '/preferences': preferencesPage,
  '/tasks': jobsPage,
  ...authPages,
  '/todos': todosPage,
  '/products': productsPage,
};
