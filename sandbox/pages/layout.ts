/**
 * The page frame every sandbox page shares.
 */
import { html, type Html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { accountLinks } from '../auth-pages.js';

/** Wraps a page's content in the document, loading the Datastar client and the stylesheet. */
export function layout(page: PageContext, title: string, content: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · StarModel sandbox</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Ctext y=%2214%22 font-size=%2214%22%3E%E2%98%85%3C/text%3E%3C/svg%3E">
<link rel="stylesheet" href="/static/style.css">
${page.head()}
</head>
<body>
${page.boot()}
<header><a href="/" class="brand">★ StarModel</a><nav><a href="/counter">Counter</a><a href="/chat">Chat</a><a href="/dashboard">Dashboard</a><a href="/todos">Todos</a><a href="/products">Products</a><a href="/reviews">Reviews</a><a href="/preferences">Preferences</a><a href="/tasks">Jobs</a></nav><div class="account">${accountLinks(page)}</div></header>
<main>
<h1>${title}</h1>
${content}
<p class="error" role="alert" ${page.ds.text('$sm.error.message')}></p>
</main>
</body>
</html>`;
}
