/**
 * @module @starmodel/client-store/options
 * The plugin's options, narrowed from the config's untyped values.
 */
import { StarmodelError } from 'starmodel';

/** Options of `@starmodel/client-store` (`plugins: { '@starmodel/client-store': { ... } }`). */
export interface ClientStoreOptions {
  /** How long the last signed version of an entity is remembered for replay protection, in seconds. @default 86400 (one day) */
  replayTtlSeconds: number;
  /**
   * How many entities' versions are remembered; the least recently signed are forgotten first, and
   * from then on a state the memory does not know that was signed before the newest forgotten one
   * is refused (409 SM_CLIENT_STATE_FORGOTTEN) rather than trusted. @default 100000
   */
  replayMaxEntries: number;
}

/** Turns the config's options into ClientStoreOptions, refusing wrong types with the key named. */
export function parseClientStoreOptions(raw: Readonly<Record<string, unknown>>): ClientStoreOptions {
  const positive = (key: keyof ClientStoreOptions, fallback: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/client-store"].${key}`, reason: 'must be a positive whole number.' });
    }
    return value;
  };
  return { replayTtlSeconds: positive('replayTtlSeconds', 86_400), replayMaxEntries: positive('replayMaxEntries', 100_000) };
}
