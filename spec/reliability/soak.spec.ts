/**
 * A short run of the soak (bench/soak.ts, `npm run soak`) so `npm test` covers it: the sandbox as
 * its own process, 200 live streams read to the end, 50 increments/s for 10 s; memory stays flat
 * after the warm-up and every stream sees every version. The full soak (1,000 streams, 120 s) is
 * `npm run soak`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface SoakResult { ok: boolean; streams: number; sent: number; acknowledged: number; lastVersion: number; behind: number; withGaps: number; closed: number }

describe('reliability: soak (short)', function () {
  this.timeout(55_000);

  it('keeps memory flat and drops no patch for 200 reading streams over 10 s', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/soak.ts'], {
      cwd: ROOT, env: { ...process.env, SOAK_SECONDS: '10', SOAK_STREAMS: '200' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    for (const line of output.split('\n').filter((text) => text.startsWith('soak:'))) console.log(`      ${line}`);
    const resultLine = output.split('\n').find((text) => text.startsWith('RESULT '));
    expect(resultLine, output).to.be.a('string');
    const result = JSON.parse(resultLine!.slice('RESULT '.length)) as SoakResult;
    expect(code, output).to.equal(0);
    expect(result).to.include({ ok: true, streams: 200, behind: 0, withGaps: 0, closed: 0 });
    expect(result.acknowledged).to.equal(result.sent);
  });
});
