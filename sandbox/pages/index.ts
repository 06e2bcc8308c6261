/**
 * The sandbox's pages by path.
 */
import type { PageHandler } from '@starmodel/koa';
import { chatPage } from './chat.js';
import { counterPage } from './counter.js';
import { dashboardPage } from './dashboard.js';
import { landingPage } from './landing.js';

export const pages: Record<string, PageHandler> = {
  '/': landingPage,
  '/counter': counterPage,
  '/chat': chatPage,
  '/dashboard': dashboardPage,
};
