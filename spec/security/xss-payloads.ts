/**
 * Script-injection payloads for every text a user can set on a sandbox page (chat author and text):
 * HTML and attribute break-outs, template syntax, and Datastar's own expression syntax (`$signal`,
 * `@action(...)`, statement separators, its escape markers).
 */

/** Payloads short enough for the chat's author field (at most 40 characters). */
export const AUTHOR_PAYLOADS = [
  '</script><img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "');alert(1);//",
  '$Counter.count',
  "@post('/counter/reset')",
] as const;

/** Payloads for the chat's text field (at most 280 characters). */
export const TEXT_PAYLOADS = [
  '</script><img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  '${alert(1)}',
  '{{7*7}}',
  '$Counter.count',
  "@post('/counter/reset')",
  "');alert(1);//",
  '<div data-on-load="@post(\'/counter/reset\')">x</div>',
  "'; @post('/counter/reset'); '",
  '"}};@post(\'/counter/reset\');//',
  '$sm.client',
  'javascript:alert(1)',
  '<a href="javascript:alert(1)">link</a>',
  // Datastar beta.11 compiles data-signals as code: a string ending in a backslash followed later by
  // a semicolon, and its escape markers with a replacement pattern, used to break the expression.
  'ends with a backslash \\',
  'then a semicolon; @post(\'/counter/reset\')',
  "🖕JS_$'_DS🚀",
  '🖕JS_$`_DS🚀',
] as const;

/** Markup that must never appear unescaped in a page once the payloads are stored. */
export const INJECTED_MARKUP = ['<img src=x', '<svg onload', '</script><img', '<div data-on-load=', '<a href="javascript:'] as const;
