/**
 * @module @starmodel/knex/commands/db-shell
 * `starmodel db shell`: an interactive SQL prompt on the app's database, SQLite or PostgreSQL,
 * with no client program installed: statements go through knex, rows come back as a table.
 */
import { createInterface } from 'node:readline';
import type { Knex } from 'knex';
import { driverMessage } from '../errors.js';
import { connect, sqlApp, type SqlCommand } from './shared.js';
import { formatRows } from './table-print.js';

const EXIT = new Set(['.exit', '.quit', '\\q', 'exit', 'quit']);
const ROW_VERBS = new Set(['select', 'with', 'pragma', 'explain', 'values']);
const WRITE_VERBS = new Set(['insert', 'update', 'delete', 'replace']);

/**
 * Splits text into complete statements (ending in `;` outside quotes and comments) and the
 * incomplete rest, which waits for more lines.
 */
export function splitStatements(text: string): { statements: string[]; rest: string } {
  const statements: string[] = [];
  let start = 0;
  let quote: string | undefined;
  let lineComment = false;
  let blockComment = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    const next = text[index + 1];
    if (lineComment) {
      if (char === '\n') lineComment = false;
    } else if (blockComment) {
      if (char === '*' && next === '/') { blockComment = false; index++; }
    } else if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"' || char === '`') {
      quote = char;
    } else if (char === '-' && next === '-') {
      lineComment = true;
    } else if (char === '/' && next === '*') {
      blockComment = true;
    } else if (char === ';') {
      const statement = text.slice(start, index).trim();
      if (statement) statements.push(statement);
      start = index + 1;
    }
  }
  return { statements, rest: text.slice(start).trim() ? text.slice(start) : '' };
}

interface PgResult { rows?: Record<string, unknown>[]; fields?: { name: string }[]; command?: string; rowCount?: number | null }

/** Prints what a statement returned: rows as a table, or how many rows it changed. */
function describeResult(result: unknown): string {
  if (Array.isArray(result)) return formatRows(result as Record<string, unknown>[]);
  const pg = result as PgResult | undefined;
  if (pg && Array.isArray(pg.rows) && Array.isArray(pg.fields) && pg.fields.length > 0) return formatRows(pg.rows, pg.fields.map((field) => field.name));
  if (pg?.command) return `${pg.command}${typeof pg.rowCount === 'number' ? ` ${pg.rowCount}` : ''}\n`;
  const changes = (result as { changes?: unknown } | undefined)?.changes;
  return typeof changes === 'number' ? `OK, ${changes} ${changes === 1 ? 'row' : 'rows'} changed\n` : 'OK\n';
}

async function listTables(knex: Knex, dialect: 'sqlite' | 'postgres', owners: ReadonlyMap<string, string>): Promise<string> {
  const rows = (dialect === 'sqlite'
    ? await knex('sqlite_master').select('name').where('type', 'table').andWhereNot('name', 'like', 'sqlite_%').orderBy('name')
    : await knex('information_schema.tables').select({ name: 'table_name' }).whereRaw('table_schema = current_schema()').orderBy('table_name')) as { name: string }[];
  if (rows.length === 0) return '(no tables)\n';
  return rows.map(({ name }) => `${name}${owners.has(name) ? `  (entity ${owners.get(name)!})` : ''}\n`).join('');
}

const HELP = `Statements end with ";" and may span lines.
  .tables   list the tables (\\dt works too)
  .help     this text
  .exit     leave (\\q, Ctrl-D)
`;

const shell: SqlCommand = {
  summary: 'open an interactive SQL prompt on the app database (SQLite or PostgreSQL)',
  usage: 'starmodel db shell   then type SQL ending in ";"; .tables lists tables; .exit or \\q leaves',
  async run(context) {
    const { out } = context;
    const { store, tables } = await sqlApp(context);
    const { knex } = store;
    const owners = new Map(tables.map((table) => [table.name, table.entity]));
    const interactive = (context.input as { isTTY?: boolean }).isTTY === true;
    out.write(`Connected to ${store.database.description}. End statements with ";". .tables lists tables, .exit or \\q leaves.\n`);
    await connect(store);
    const lines = createInterface({ input: context.input, ...(interactive ? { output: out, terminal: true } : { terminal: false }) });
    let buffer = '';
    const prompt = () => {
      if (!interactive) return;
      lines.setPrompt(buffer ? '   ...> ' : 'sql> ');
      lines.prompt();
    };
    const run = async (statement: string) => {
      try {
        const result: unknown = await knex.raw(statement);
        const verb = /^\s*(\w+)/.exec(statement)?.[1]?.toLowerCase() ?? '';
        // SQLite answers a write with no rows; its change count is asked for on the same (only) connection.
        if (store.dialect === 'sqlite' && Array.isArray(result) && result.length === 0 && !ROW_VERBS.has(verb)) {
          if (!WRITE_VERBS.has(verb)) out.write('OK\n');
          else out.write(describeResult(((await knex.raw('select changes() as changes')) as { changes: number }[])[0]));
        } else {
          out.write(describeResult(result));
        }
      } catch (error) {
        out.write(`error: ${driverMessage(error)}\n`);
      }
    };
    prompt();
    for await (const line of lines) {
      const command = line.trim();
      if (!buffer) {
        if (EXIT.has(command.toLowerCase())) break;
        if (command === '.tables' || command === '\\dt') {
          out.write(await listTables(knex, store.dialect, owners));
          prompt();
          continue;
        }
        if (command === '.help' || command === '\\?') {
          out.write(HELP);
          prompt();
          continue;
        }
        if (!command) {
          prompt();
          continue;
        }
      }
      const { statements, rest } = splitStatements(`${buffer}${line}\n`);
      buffer = rest;
      for (const statement of statements) await run(statement);
      prompt();
    }
    lines.close();
    if (buffer.trim()) await run(buffer.trim());
    if (interactive) out.write('\n');
    return 0;
  },
};

export default shell;
