/**
 * One kernel per process: code that imports 'starmodel' (plugins, configs, apps) and code that
 * imports the kernel's files directly must share the same classes, or `instanceof`, the entity
 * registry and static finders silently disagree. (Loading specs through tsx's CommonJS hook used
 * to create a second copy.)
 */
import { expect } from 'chai';
import { Entity, Html } from '../../kernel/index.js';

describe('module identity', () => {
  it('gives the same Entity and Html classes through "starmodel" as through the kernel files', async () => {
    const viaPackage = await import('starmodel');
    expect(viaPackage.Entity).to.equal(Entity);
    expect(viaPackage.Html).to.equal(Html);
  });
});
