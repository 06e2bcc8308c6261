/**
 * The SQL commands as a user runs them: `node bin/starmodel.js <command>` in an app folder of
 * its own, on SQLite (the default file under ./data) and on PostgreSQL (DATABASE_URL).
 * `migrate` on a changed entity writes a migration that keeps the rows of the old database;
 * `--dry-run` prints the SQL and changes nothing; `db shell` and `db reset` work on both.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { isolatedSchema, postgresUrl, removeTempFolders, tempFolder, type IsolatedSchema } from './support.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'bin/starmodel.js');

const V1 = `import { Entity, field, z } from 'starmodel';
export class Item extends Entity {
  static override scope = 'record' as const;
  static override store = 'sql';
  @field(z.string().min(1).max(80)) name = '';
  code = 0;
}
`;

/** Item's code becomes a whole number, it gains a note, and a new entity Tag appears. */
const V2 = `import { Entity, field, z } from 'starmodel';
export class Item extends Entity {
  static override scope = 'record' as const;
  static override store = 'sql';
  @field(z.string().min(1).max(80)) name = '';
  @field(z.number().int()) code = 0;
  note = 'none';
}
export class Tag extends Entity {
  static override scope = 'record' as const;
  static override store = 'sql';
  label = '';
}
`;

/** An app folder whose node_modules is the repo's, so 'starmodel' and '@starmodel/knex' resolve. */
function makeApp(): string {
  const dir = tempFolder('starmodel-sql-app-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sql-app', private: true, type: 'module', dependencies: { '@starmodel/knex': '*' } }));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'starmodel.config.ts'), "import { defineConfig } from 'starmodel';\nimport * as entities from './entities.js';\nexport default defineConfig({ entities });\n");
  writeFileSync(join(dir, 'entities.ts'), V1);
  return dir;
}

interface Run { code: number | null; out: string; err: string }

function cli(cwd: string, args: string[], env: Record<string, string | undefined>, input = ''): Promise<Run> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NODE_ENV: 'development', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  child.stdin.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

function ok(run: Run): Run {
  expect(run.code, `exit code; stdout:\n${run.out}\nstderr:\n${run.err}`).to.equal(0);
  return run;
}

after(removeTempFolders);

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`starmodel migrate, db shell and db reset on ${dialect}`, function () {
    this.timeout(60_000);
    let app: string;
    let env: Record<string, string | undefined>;
    let knex: Knex;
    let schema: IsolatedSchema | undefined;
    const migrations = () => (existsSync(join(app, 'migrations')) ? readdirSync(join(app, 'migrations')).sort() : []);

    before(async function () {
      app = makeApp();
      if (dialect === 'sqlite') {
        env = { DATABASE_URL: undefined, STARMODEL_SQLITE_FILE: undefined };
        mkdirSync(join(app, 'data'));
        knex = knexFactory({ client: 'sqlite3', connection: { filename: join(app, 'data/starmodel.sqlite') }, useNullAsDefault: true });
      } else {
        const url = await postgresUrl(this);
        if (!url) return;
        schema = await isolatedSchema(url);
        env = { DATABASE_URL: schema.url };
        knex = knexFactory({ client: 'pg', connection: schema.url });
      }
    });
    after(async () => {
      await knex?.destroy();
      await schema?.drop();
    });

    it('creates the tables of a new app with a migration file, then has nothing more to do', async () => {
      const first = ok(await cli(app, ['migrate'], env));
      expect(first.out).to.match(dialect === 'sqlite' ? /Database: SQLite file data\/starmodel\.sqlite/ : /Database: PostgreSQL \S+:\d+\//);
      expect(first.out).to.match(/create table item for Item/);
      expect(migrations()).to.have.length(1);
      expect(migrations()[0]).to.match(/^\d{17}_create_item\.ts$/);
      expect(first.out).to.include(`applied ${migrations()[0]}`);
      expect(await knex.schema.hasTable('item')).to.equal(true);
      const again = ok(await cli(app, ['migrate'], env));
      expect(again.out).to.include('The database matches the entities; no migration needed.');
      expect(migrations()).to.have.length(1);
    });

    it('--dry-run prints the SQL of a changed entity and writes and changes nothing', async () => {
      await knex('item').insert([
        { id: 'i1', version: 1, created_at: 1, updated_at: 1, name: 'first', code: 42 },
        { id: 'i2', version: 3, created_at: 2, updated_at: 2, name: 'second', code: 7 },
      ]);
      writeFileSync(join(app, 'entities.ts'), V2);
      const dry = ok(await cli(app, ['migrate', '--dry-run'], env));
      expect(dry.out).to.match(/add column item\.note \(text\) for Item/);
      expect(dry.out).to.match(/change column item\.code from (float|double precision) to integer for Item/);
      expect(dry.out).to.match(/create table tag for Tag/);
      expect(dry.out).to.match(/create table ["`]tag["`]/i);
      expect(dry.out).to.match(/alter table ["`]item["`] add column ["`]note["`] text/i);
      expect(dry.out).to.include('Dry run: no file written, nothing applied.');
      expect(migrations()).to.have.length(1);
      expect(await knex.schema.hasTable('tag')).to.equal(false);
      expect(await knex.schema.hasColumn('item', 'note')).to.equal(false);
    });

    it('writes a migration for the change that keeps every row of the old table', async () => {
      const run = ok(await cli(app, ['migrate'], env));
      const written = migrations()[1];
      expect(written).to.match(/^\d{17}_change_item_code_add_item_note_create_tag\.ts$/);
      expect(run.out).to.include(`Wrote ${join('migrations', written!)}`);
      expect(run.out).to.include(`applied ${written!}`);
      const source = readFileSync(join(app, 'migrations', written!), 'utf8');
      expect(source).to.include('table.text("note").notNullable().defaultTo("none")');
      expect(source).to.include('table.bigInteger("code").notNullable().defaultTo(0).alter()');
      expect(source).to.include('export async function down');
      const rows = (await knex('item').select('id', 'version', 'name', 'code', 'note').orderBy('id')) as Record<string, unknown>[];
      // pg hands bigint back as a string.
      expect(rows.map((row) => ({ ...row, code: Number(row.code) }))).to.deep.equal([
        { id: 'i1', version: 1, name: 'first', code: 42, note: 'none' },
        { id: 'i2', version: 3, name: 'second', code: 7, note: 'none' },
      ]);
      expect(await knex.schema.hasTable('tag')).to.equal(true);
      expect(ok(await cli(app, ['migrate'], env)).out).to.include('no migration needed');
    });

    it('db shell runs SQL typed at its prompt and prints rows as a table', async () => {
      const run = ok(await cli(app, ['db', 'shell'], env, "select name, code\n  from item order by id;\nselect 'a;b' as x;\n.tables\nselect * from nowhere;\n\\q\nselect 'never' as y;\n"));
      expect(run.out).to.match(/Connected to (SQLite|PostgreSQL)/);
      expect(run.out).to.match(/ name\s+\| code\s*\n-+\+-+\n first\s+\| 42\s*\n second\s+\| 7\s*\n\(2 rows\)/);
      expect(run.out).to.match(/ x\s*\n-+\n a;b\s*\n\(1 row\)/);
      expect(run.out).to.match(/item {2}\(entity Item\)/);
      expect(run.out).to.match(/error: .*nowhere/);
      expect(run.out).to.not.include('never');
    });

    it('db reset asks first, and with --yes empties the tables but keeps their columns', async () => {
      const cancelled = await cli(app, ['db', 'reset'], env, 'no\n');
      expect(cancelled.code).to.equal(1);
      expect(cancelled.out).to.include('Type "yes" to continue');
      expect(cancelled.out).to.include('Cancelled; nothing changed.');
      expect(await knex('item').count({ n: '*' })).to.deep.equal([{ n: dialect === 'sqlite' ? 2 : '2' }]);
      const reset = ok(await cli(app, ['db', 'reset', '--yes'], env));
      expect(reset.out).to.include('Dropping item');
      expect(reset.out).to.include('Running the migration files');
      expect(await knex('item').count({ n: '*' })).to.deep.equal([{ n: dialect === 'sqlite' ? 0 : '0' }]);
      expect(await knex.schema.hasColumn('item', 'note')).to.equal(true);
      expect(ok(await cli(app, ['migrate'], env)).out).to.include('no migration needed');
    });
  });
}
