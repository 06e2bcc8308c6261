/**
 * The README's TypeScript examples, and the app `starmodel init` writes, compile as written: each
 * ```ts block is type-checked as its own module with this project's compiler options, against
 * this checkout's packages.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The contents of every ```ts block of a markdown file. */
export function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** Type errors of these files under the project's compiler options, one line each. */
function typeErrors(files: string[]): string[] {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program)
    .filter((diagnostic) => !diagnostic.file || files.includes(diagnostic.file.fileName))
    .map((diagnostic) => {
      const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
      return `${diagnostic.file?.fileName ?? ''}${where ? `:${where.line + 1}` : ''}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
}

describe('README examples and the init template', function () {
  this.timeout(120_000);
  let folder: string;

  // Inside the checkout, so `starmodel` and `@starmodel/*` resolve to this checkout's packages.
  before(() => {
    folder = mkdtempSync(join(root, '.readme-check-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('finds the counter and todo examples, both with the form helper', () => {
    const blocks = typescriptBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(blocks.length).to.be.greaterThanOrEqual(2);
    expect(blocks.some((block) => block.includes('class Counter') && block.includes('page.form('))).to.equal(true);
    expect(blocks.some((block) => block.includes('class Todo') && block.includes('page.form('))).to.equal(true);
    for (const block of blocks) expect(block, 'each example has its imports').to.match(/^import .* from 'starmodel';$/m);
  });

  it('type-checks every README example as written', () => {
    const blocks = typescriptBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
    const files = blocks.map((block, index) => {
      const file = join(folder, `readme-${index + 1}.ts`);
      writeFileSync(file, block);
      return file;
    });
    expect(typeErrors(files)).to.deep.equal([]);
  });

  it('type-checks the app `starmodel init` writes', () => {
    const app = join(folder, 'app');
    cpSync(join(root, 'templates/app'), app, { recursive: true });
    const files = readdirSync(app).filter((name) => name.endsWith('.ts')).map((name) => {
      const file = join(app, name);
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll('{{name}}', 'my-app'));
      return file;
    });
    expect(files.length).to.be.greaterThanOrEqual(3);
    expect(typeErrors(files)).to.deep.equal([]);
  });
});
