/**
 * The preferences demo's entities: kept in the browser (client stores), signed by the server.
 * `Prefs` lives in localStorage (it survives reloads and browser restarts); `Wizard` lives in
 * sessionStorage (one tab, until it closes).
 */
import { event, field, z } from 'starmodel';
import { ClientEntity } from '@starmodel/client-store';

/** The colour schemes the page offers. */
export const THEMES = ['light', 'dark', 'sepia'] as const;
/** One of THEMES. */
export type Theme = (typeof THEMES)[number];

const FONT_MIN = 12;
const FONT_MAX = 24;

/** This browser's display preferences. */
export class Prefs extends ClientEntity {
  static override store = 'client-local';
  /** An older signed copy of the preferences (another tab, a saved copy) is refused. */
  static override replayProtection = true;

  @field(z.enum(THEMES)) theme: Theme = 'light';
  @field(z.number().int().min(FONT_MIN).max(FONT_MAX)) fontSize = 16;
  @field(z.string().max(40)) displayName = '';

  @event({ args: { theme: z.enum(THEMES) } })
  setTheme(theme: Theme) {
    this.theme = theme;
  }

  @event() larger() {
    this.fontSize = Math.min(FONT_MAX, this.fontSize + 2);
  }

  @event() smaller() {
    this.fontSize = Math.max(FONT_MIN, this.fontSize - 2);
  }

  /** The page's form sends `name` (an argument, not the field: a field edited in the browser would no longer match its signature). */
  @event({ method: 'post', args: { name: z.string().trim().max(40, 'At most 40 characters') } })
  rename(name: string) {
    this.displayName = name;
  }
}

/** Steps of the sign-up wizard. */
export const WIZARD_STEPS = ['Account', 'Profile', 'Confirm'] as const;

/** Where this tab is in a three-step wizard (sessionStorage: a new tab starts over). */
export class Wizard extends ClientEntity {
  static override store = 'client-session';
  @field(z.number().int().min(1).max(WIZARD_STEPS.length)) step = 1;

  @event() next() {
    this.step = Math.min(WIZARD_STEPS.length, this.step + 1);
  }

  @event() back() {
    this.step = Math.max(1, this.step - 1);
  }
}
