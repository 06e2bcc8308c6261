import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { persisted, resetAction } from '@starmodel/client-store';
import { Prefs, THEMES, Wizard, WIZARD_STEPS } from '../preferences.js';
import { layout } from './layout.js';

const themeStyles = html`<style>
.prefs-preview { transition: background .2s, color .2s; }
.prefs-preview[data-theme="dark"] { background: #1d2330; color: #f1f3f8; }
.prefs-preview[data-theme="sepia"] { background: #f4ecd8; color: #4b3b2a; }
.prefs-preview .note, .prefs-preview label { color: inherit; opacity: .8; }
</style>`;

/**
 * `/preferences`: display preferences kept in this browser's localStorage and a wizard step kept
 * in this tab's sessionStorage. The server keeps neither; it signs each state it sends back and
 * refuses one that was changed by hand.
 */
export async function preferencesPage(page: PageContext) {
  const prefs = await page.load(Prefs);
  const wizard = await page.load(Wizard);
  const { ds } = page;
  // The name stays in its input once saved.
  const rename = page.form(Prefs, 'rename', { name: '' }, { keep: true });
  const stepName = `[${WIZARD_STEPS.map((name) => `'${name}'`).join(', ')}][${Wizard.$('step')} - 1]`;
  return layout(page, 'Preferences', html`
${themeStyles}
<div class="grid">
${persisted(prefs, html`
<section class="panel prefs-preview" id="prefs-panel" ${ds.attr('data-theme', Prefs.$('theme'))} ${ds.attr('style', `'font-size: ' + ${Prefs.$('fontSize')} + 'px'`)}>
  <h2>Hello, <span id="prefs-name" ${ds.text(`${Prefs.$('displayName')} || 'stranger'`)}>stranger</span></h2>
  <p class="note">Kept in this browser's localStorage: it survives a reload and a browser restart. The server keeps no copy; it signs what it sends back and refuses a state edited by hand.</p>
  <p>Theme <output id="prefs-theme" ${ds.text(Prefs.$('theme'))}>${prefs.theme}</output> · font size <output id="prefs-font" ${ds.text(Prefs.$('fontSize'))}>${prefs.fontSize}</output> px</p>
  <div class="row">
    ${THEMES.map((theme) => html`<button type="button" data-choice="${theme}" ${ds.on('click', Prefs.act('setTheme', theme))}>${theme}</button>`)}
  </div>
  <div class="row">
    <button type="button" id="prefs-smaller" ${ds.on('click', Prefs.act('smaller'))}>A−</button>
    <button type="button" id="prefs-larger" ${ds.on('click', Prefs.act('larger'))}>A+</button>
  </div>
  <form class="row" ${rename.attrs}>
    <label class="grow">Display name ${rename.input('name', { maxlength: 40 })}</label>
    ${rename.submit('Save name', { id: 'prefs-rename' })}
  </form>
  ${rename.error('name')}
  <p class="field-error" role="alert" id="prefs-refused" ${ds.text(Prefs.errorOf('sig'))}></p>
  <button type="button" class="secondary" id="prefs-reset" ${ds.on('click', resetAction(Prefs))}>Reset preferences</button>
</section>`)}
${persisted(wizard, html`
<section class="panel" id="wizard-panel">
  <h2>Wizard</h2>
  <p class="note">The step is kept in this tab's sessionStorage: a reload keeps it, a new tab starts over.</p>
  <p>Step <output id="wizard-step" ${ds.text(Wizard.$('step'))}>${wizard.step}</output> of ${WIZARD_STEPS.length}: <strong id="wizard-name" ${ds.text(stepName)}>${WIZARD_STEPS[wizard.step - 1] ?? ''}</strong></p>
  <div class="row">
    <button type="button" class="secondary" id="wizard-back" ${ds.on('click', Wizard.act('back'))}>Back</button>
    <button type="button" id="wizard-next" ${ds.on('click', Wizard.act('next'))}>Next</button>
  </div>
  <p class="field-error" role="alert" ${ds.text(Wizard.errorOf('sig'))}></p>
  <button type="button" class="secondary" id="wizard-reset" ${ds.on('click', resetAction(Wizard))}>Start over</button>
</section>`)}
</div>`);
}
