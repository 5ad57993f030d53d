#!/usr/bin/env node
// Sums the jest reports that each project's `test` target writes (reports/jest/<project>.json, jest
// `--json` output) and prints one line per project, then, always as the very last line:
//
//   Tests: N passed, M failed
//
// Exit code 1 when M > 0. Counting rules (a failure never disappears from M):
//   - numFailedTests counts failed assertions (tests);
//   - a suite that failed to run (compile error, throw at import, ...) has no failed tests of its
//     own, so each such suite counts as 1 failed;
//   - a report with zero test suites counts as 1 failed: jest itself exits 1 on "No tests found",
//     so the project's test task failed too (remove the project's test target, or add a spec);
//   - jest reporting success:false without any of the above (open handles, thresholds) counts 1;
//   - an unreadable report counts 1; no report at all counts 1 (prints `Tests: 0 passed, 1 failed`);
//   - --failed-task <project:target> (repeatable): a failed Nx task. typecheck/lint/other targets
//     count 1 each; a failed test task counts 1 only if its report shows no failure already;
//   - --extra-failure <reason> (repeatable) / --extra-failures <n>: failures found elsewhere (e.g.
//     .ci/run's own checks, an nx crash) are added to M.
// Skipped (pending/todo) tests are reported on a line of their own, before the last line.
//
// Usage: node tools/ci/summarize-jest.mjs [--reports-dir reports/jest] [--failed-task p:t]...
//                                          [--extra-failure reason]... [--extra-failures n]
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, basename, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function parseArgs(argv) {
  const opts = { reportsDir: join(workspaceRoot, 'reports/jest'), failedTasks: [], extraFailures: 0, extraReasons: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--reports-dir':
        opts.reportsDir = resolve(value());
        break;
      case '--failed-task':
        opts.failedTasks.push(value());
        break;
      case '--extra-failure':
        opts.extraReasons.push(value());
        break;
      case '--extra-failures': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0) throw new Error(`--extra-failures needs a count, got ${argv[i]}`);
        opts.extraFailures += n;
        break;
      }
      default:
        throw new Error(`summarize-jest: unknown argument ${argv[i]}`);
    }
  }
  return opts;
}

/** First meaningful line of a jest message (two when the first is only a heading like "Configuration error:"). */
function firstLine(text) {
  const lines = String(text ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('●'));
  return lines[0]?.endsWith(':') && lines[1] ? `${lines[0]} ${lines[1]}` : (lines[0] ?? '');
}

/** Summary of one jest --json report. */
function summarizeReport(project, report) {
  const passed = report.numPassedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  let failed = report.numFailedTests ?? 0;
  const notes = [];

  const results = Array.isArray(report.testResults) ? report.testResults : [];
  const brokenSuites = results.filter(
    (r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'),
  );
  for (const suite of brokenSuites) {
    failed += 1;
    notes.push(`suite failed to run: ${suite.name ? suite.name.replace(workspaceRoot + '/', '') : '?'}: ${firstLine(suite.message || suite.failureMessage)}`);
  }
  // Failed suites without testResults detail (other report shapes): each counts as 1.
  if (failed === 0 && (report.numFailedTestSuites ?? 0) > 0) {
    failed += report.numFailedTestSuites;
    notes.push(`${report.numFailedTestSuites} suite(s) failed`);
  }
  if ((report.numTotalTestSuites ?? 0) === 0) {
    failed += 1;
    notes.push('no tests found (jest exits 1): add a spec or remove the test target');
  }
  if (failed === 0 && report.success === false) {
    failed += 1;
    notes.push('jest reported failure (open handles, thresholds or an interrupted run)');
  }
  if (report.wasInterrupted && failed === 0) {
    failed += 1;
    notes.push('run was interrupted');
  }
  return { project, passed, failed, skipped, suites: report.numTotalTestSuites ?? 0, notes };
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    console.log('Tests: 0 passed, 1 failed');
    return 1;
  }

  const files = existsSync(opts.reportsDir)
    ? readdirSync(opts.reportsDir).filter((f) => f.endsWith('.json')).sort()
    : [];
  const rows = [];
  for (const file of files) {
    const project = basename(file, '.json');
    try {
      rows.push(summarizeReport(project, JSON.parse(readFileSync(join(opts.reportsDir, file), 'utf8'))));
    } catch (e) {
      rows.push({ project, passed: 0, failed: 1, skipped: 0, suites: 0, notes: [`unreadable report ${file}: ${firstLine(e.message)}`] });
    }
  }

  const extra = [];
  for (const task of opts.failedTasks) {
    const [project, target] = task.split(/:(.*)/s);
    if (target === 'test') {
      const row = rows.find((r) => r.project === project);
      if (!row) extra.push(`${task} failed and wrote no report (no tests found, or jest crashed: see its output above)`);
      else if (row.failed === 0) extra.push(`${task} failed although its report shows no failure`);
    } else {
      extra.push(`${task} failed`);
    }
  }
  extra.push(...opts.extraReasons);
  for (let i = 0; i < opts.extraFailures; i++) extra.push('failure reported by the caller');
  if (files.length === 0) extra.push(`no jest reports in ${opts.reportsDir.replace(workspaceRoot + '/', '')}`);

  const width = Math.max(8, ...rows.map((r) => r.project.length));
  for (const r of rows) {
    const status = r.failed > 0 ? 'FAIL' : 'ok  ';
    const skipped = r.skipped > 0 ? `, ${r.skipped} skipped` : '';
    console.log(`${status} ${r.project.padEnd(width)}  ${r.passed} passed, ${r.failed} failed${skipped} (${r.suites} suites)`);
    for (const note of r.notes) console.log(`       ${note}`);
  }
  for (const reason of extra) console.log(`FAIL ${reason}`);

  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0) + extra.length;
  const skipped = rows.reduce((n, r) => n + r.skipped, 0);
  if (skipped > 0) console.log(`Skipped: ${skipped} test(s) pending or todo`);
  console.log(`Tests: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = main();
