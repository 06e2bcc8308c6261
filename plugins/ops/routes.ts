/**
 * @module @starmodel/ops/routes
 * `GET /healthz`, `GET /readyz` and `GET /metrics` on the web plugin's router.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { WebService } from '@starmodel/koa';
import type { ReadinessProbe } from './health.js';
import type { OpsMetrics } from './metrics.js';
import type { OpsOptions } from './options.js';

/** True when the request carries `Authorization: Bearer <token>` with exactly this token. */
export function hasBearerToken(ctx: Context, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function noStore(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
}

/** Adds the operations routes. `/metrics` only when metrics are on. */
export function addOpsRoutes(web: WebService, options: OpsOptions, readiness: ReadinessProbe, metrics: OpsMetrics | undefined): void {
  web.router.get(options.healthPath, (ctx) => {
    noStore(ctx);
    ctx.body = { status: 'ok' };
  });

  web.router.get(options.readyPath, async (ctx) => {
    noStore(ctx);
    const result = await readiness.check();
    ctx.status = result.status === 'ok' ? 200 : 503;
    ctx.body = result;
  });

  if (!metrics) return;
  const token = options.metricsToken;
  web.router.get(options.metricsPath, async (ctx) => {
    noStore(ctx);
    if (token !== undefined && !hasBearerToken(ctx, token)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      // TODO(lead): a code of its own, SM_OPS_UNAUTHORIZED (401); SM_SCOPE_NO_USER is the closest that exists.
      ctx.body = { error: { code: 'SM_SCOPE_NO_USER', status: 401, message: 'The metrics need a bearer token: send "Authorization: Bearer <token>" with the token set in STARMODEL_METRICS_TOKEN (or metricsToken in the config).' } };
      return;
    }
    const { text, contentType } = await metrics.scrape();
    ctx.type = contentType;
    ctx.body = text;
  });
}
