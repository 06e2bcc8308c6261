/**
 * The sandbox's account pages: `/signup`, `/login` and `/profile`, plus the header's account links.
 * The forms are plain HTML forms (they work without JavaScript: the server answers with a redirect)
 * that `page.routeForm` upgrades: Datastar posts them as forms (passwords never become signals)
 * and each message appears once, beside its input.
 */
import { html, raw, sameOriginPath, type Html } from 'starmodel';
import type { PageContext, PageHandler } from '@starmodel/koa';
import { authUserOf } from '@starmodel/auth';
import { layout } from './pages/layout.js';
import { AVATAR_COLOURS, Profile } from './profile.js';

const STYLE = raw(`<style>
.account-form { display: grid; gap: .7rem; max-width: 24rem; }
.account-form textarea { font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 8px; min-height: 6rem; }
.account-form fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: .5rem; flex-wrap: wrap; }
.swatch { display: inline-flex; flex-direction: row; align-items: center; gap: .3rem; color: var(--ink); }
.swatch i { width: 1.2rem; height: 1.2rem; border-radius: 50%; display: inline-block; }
.avatar { width: 3.5rem; height: 3.5rem; border-radius: 50%; display: grid; place-items: center; color: #fff; font-size: 1.5rem; font-weight: 700; }
.inline { display: inline; margin: 0; }
button.link { background: none; color: var(--accent); padding: 0; text-decoration: underline; }
</style>`);

/** The `next` path a page was asked to return to (checked again by the server). */
function nextOf(page: PageContext, fallback: string): string {
  return sameOriginPath(page.query.next, fallback);
}

/** The header's account links: the signed-in user's name and "Sign out", or "Sign in". */
export function accountLinks(page: PageContext): Html {
  const user = authUserOf(page.user);
  if (!user) return html`<a href="/login">Sign in</a>`;
  return html`<a href="/profile" id="signed-in-as">${user.name}</a><form class="inline" method="post" action="/auth/logout" style="display:inline"><button class="link" type="submit">Sign out</button></form>`;
}

/** One line saying who is signed in (for the landing page). */
export function whoIsSignedIn(page: PageContext): Html {
  const user = authUserOf(page.user);
  return user
    ? html`<p class="note" id="who">Signed in as <strong>${user.name}</strong> (${user.email})${user.roles.length > 0 ? ` · ${user.roles.join(', ')}` : ''}. <a href="/profile">Your profile</a></p>`
    : html`<p class="note" id="who">Not signed in. <a href="/login">Sign in</a> or <a href="/signup">create an account</a> to keep a profile.</p>`;
}

/** `/signup`: email, display name, password. */
export function signupPage(page: PageContext) {
  const form = page.routeForm('/auth/signup', ['email', 'name', 'password']);
  return layout(page, 'Create an account', html`${STYLE}
<form class="account-form" ${form.attrs}>
  <input type="hidden" name="next" value="${nextOf(page, '/profile')}">
  <label>Email <input name="email" type="email" autocomplete="email" required maxlength="254"></label>${form.error('email')}
  <label>Display name <input name="name" autocomplete="nickname" maxlength="80" placeholder="optional"></label>${form.error('name')}
  <label>Password (10 to 200 characters) <input name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="200"></label>${form.error('password')}
  ${form.submit('Create account')}
</form>
<p>Already have an account? <a href="/login">Sign in</a>.</p>`);
}

/** `/login`: email and password. */
export function loginPage(page: PageContext) {
  const user = authUserOf(page.user);
  const signedIn = user ? html`<p class="note">You are signed in as <strong>${user.name}</strong>. Signing in again switches account.</p>` : '';
  const form = page.routeForm('/auth/login', ['email', 'password']);
  return layout(page, 'Sign in', html`${STYLE}${signedIn}
<form class="account-form" ${form.attrs}>
  <input type="hidden" name="next" value="${nextOf(page, '/profile')}">
  <label>Email <input name="email" type="email" autocomplete="username" required maxlength="254"></label>${form.error('email')}
  <label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="200"></label>${form.error('password')}
  ${form.submit('Sign in')}
</form>
<p>New here? <a href="/signup">Create an account</a>.</p>`);
}

/** `/profile`: the signed-in user's own profile (401 when nobody is signed in), password and sign-out. */
export async function profilePage(page: PageContext) {
  const profile = await page.load(Profile);
  const user = authUserOf(page.user);
  const { ds } = page;
  const initial = (user?.name ?? '?').slice(0, 1).toUpperCase();
  // What was saved stays in the inputs after saving.
  const save = page.form(Profile, 'save', { bio: profile.bio, colour: profile.colour }, { keep: true });
  const password = page.routeForm('/auth/password', ['currentPassword', 'newPassword']);
  const swatches = Object.entries(AVATAR_COLOURS).map(([value, label]) => html`
    <label class="swatch"><input type="radio" value="${value}" ${save.bind('colour')} ${profile.colour === value ? raw('checked') : ''}><i style="background:${value}"></i>${label}</label>`);
  return layout(page, 'Your profile', html`${STYLE}
${profile}
<section class="panel" ${page.live(Profile)}>
  <div class="row">
    <div class="avatar" id="avatar" style="background:${profile.colour}" ${ds.attr('style', "'background:' + $Profile.colour")}>${initial}</div>
    <div><strong id="profile-name">${user?.name ?? ''}</strong><br><span class="note">${user?.email ?? ''}</span></div>
  </div>
  <form class="account-form" ${save.attrs}>
    <label>Bio <textarea maxlength="500" ${save.bind('bio')}>${profile.bio}</textarea></label>
    ${save.error('bio')}
    <fieldset><legend class="note">Avatar colour</legend>${swatches}</fieldset>
    ${save.error('colour')}
    ${save.submit('Save profile', { id: 'save-profile' })}
  </form>
  <p class="note">Saved bio: <span id="saved-bio" ${ds.text('$Profile.bio')}>${profile.bio}</span></p>
</section>
<section class="panel">
  <h2>Change password</h2>
  <form class="account-form" ${password.attrs}>
    <input type="hidden" name="next" value="/profile">
    <label>Current password <input name="currentPassword" type="password" autocomplete="current-password" required maxlength="200"></label>${password.error('currentPassword')}
    <label>New password <input name="newPassword" type="password" autocomplete="new-password" required minlength="10" maxlength="200"></label>${password.error('newPassword')}
    ${password.submit('Change password')}
  </form>
  <p class="note">Changing it signs you out everywhere else.</p>
</section>
<section class="panel row">
  <form method="post" action="/auth/logout" class="inline"><button type="submit" id="sign-out">Sign out</button></form>
  <form method="post" action="/auth/logout" class="inline"><input type="hidden" name="everywhere" value="true"><button type="submit" class="secondary">Sign out everywhere</button></form>
</section>`);
}

/** The account pages by path. */
export const authPages: Record<string, PageHandler> = {
  '/signup': signupPage,
  '/login': loginPage,
  '/profile': profilePage,
};
