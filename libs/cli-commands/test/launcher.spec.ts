// The real child-process launcher against tiny fake services in a throw-away workspace: the bound
// port read from the log, the log file, SIGTERM on stop, and a start-up failure as ServiceStartError.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childProcessLauncher, findWorkspaceRoot, ServiceStartError } from '../src';

describe('childProcessLauncher', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fmwiss-launcher-'));
    // Children run `node --import tsx` in the root, which resolves tsx from there.
    symlinkSync(join(findWorkspaceRoot(), 'node_modules'), join(root, 'node_modules'));
    const service = (name: string, body: string) => {
      mkdirSync(join(root, 'apps', name, 'src'), { recursive: true });
      writeFileSync(join(root, 'apps', name, 'src', 'main.ts'), body);
    };
    // Logs the line service-kit's server writes once it listens, then exits 0 on SIGTERM.
    service(
      'memory-bank',
      `process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });
console.log(JSON.stringify({ msg: 'server listening', address: '127.0.0.1:43210', port: 43210, args: process.argv.slice(2) }));
setInterval(() => undefined, 1000);
`,
    );
    // A mask service whose model is missing: exit 3 before serving.
    service('clip-mask', `console.error('clip-mask: ONNX model file not found: models/x.onnx'); process.exit(3);\n`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts a service, reads its port, logs to a file and stops it with SIGTERM', async () => {
    const launcher = childProcessLauncher({ root, logDir: join(root, 'logs') });
    const service = await launcher.start({ name: 'memory-bank', args: ['--port', '0'] });
    expect(service.address).toBe('127.0.0.1:43210');
    expect(await service.stop()).toBe(0);
    expect(await service.stop()).toBe(0);
    const log = readFileSync(join(root, 'logs', 'memory-bank.log'), 'utf8');
    expect(log).toContain('"args":["--port","0"]');
    expect(log).toContain('bye');
  });

  it('turns a start-up failure into ServiceStartError with the output', async () => {
    const launcher = childProcessLauncher({ root, logDir: join(root, 'logs') });
    const error = (await launcher.start({ name: 'clip-mask', args: [] }).catch((e: unknown) => e)) as ServiceStartError;
    expect(error).toBeInstanceOf(ServiceStartError);
    expect(error.message).toBe(`clip-mask did not start: exited with code 3 before serving (log: ${join(root, 'logs', 'clip-mask.log')})`);
    expect(error.output).toEqual(['clip-mask: ONNX model file not found: models/x.onnx']);
  });
});
