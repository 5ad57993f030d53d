#!/usr/bin/env node
// `npm test`: the README's test command. Runs
//   nx run-many -t typecheck lint test --parallel=2 --outputStyle=stream [extra args]
// then ALWAYS runs tools/ci/summarize-jest.mjs, even when nx failed, so the last line printed is
// `Tests: N passed, M failed`. Failed typecheck/lint tasks (taken from nx's "Failed tasks:" list)
// count as failures in M, so a red typecheck or lint can never end in "0 failed".
// Exit code: non-zero when nx or the summary failed.
//
// Extra arguments go to nx:  npm test -- --projects=memory-bank   |   npm test -- --skip-nx-cache
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const nxBin = join(root, 'node_modules/.bin/nx');
const summarizer = join(root, 'tools/ci/summarize-jest.mjs');

// Reports of earlier runs must not be summed again; cached test tasks restore their report
// (it is the target's declared output), so only the projects run now are summarized.
// jest's --outputFile does not create its folder, so it must exist before the test tasks run.
rmSync(join(root, 'reports/jest'), { recursive: true, force: true });
mkdirSync(join(root, 'reports/jest'), { recursive: true });

function run(cmd, args, { capture }) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['inherit', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'] });
    let text = '';
    if (capture) {
      child.stdout.on('data', (chunk) => { process.stdout.write(chunk); text += chunk; });
      child.stderr.on('data', (chunk) => { process.stderr.write(chunk); text += chunk; });
    }
    child.on('error', (err) => { console.error(`${cmd}: ${err.message}`); done({ code: 1, text }); });
    child.on('close', (code, signal) => done({ code: code ?? (signal ? 1 : 0), text }));
  });
}

/** Task ids listed under nx's "Failed tasks:" heading. */
function failedTasks(nxOutput) {
  const lines = nxOutput.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Failed tasks:');
  if (start < 0) return [];
  const tasks = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^\s*-\s+(\S+:\S+)\s*$/.exec(line);
    if (m) tasks.push(m[1]);
    else if (line.trim() !== '') break;
  }
  return tasks;
}

const nxArgs = ['run-many', '-t', 'typecheck', 'lint', 'test', '--parallel=2', '--outputStyle=stream', ...process.argv.slice(2)];
const nx = await run(nxBin, nxArgs, { capture: true });

const summaryArgs = failedTasks(nx.text).flatMap((t) => ['--failed-task', t]);
// nx failed but named no failed task (crash, bad arguments, project graph error): still a failure.
if (nx.code !== 0 && summaryArgs.length === 0) summaryArgs.push('--extra-failure', `nx run-many exited ${nx.code} without naming a failed task`);
const summary = await run(process.execPath, [summarizer, ...summaryArgs], { capture: false });

process.exitCode = nx.code !== 0 || summary.code !== 0 ? 1 : 0;
