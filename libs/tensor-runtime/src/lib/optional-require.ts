/**
 * Synchronous `require` of optional packages (tfjs-node-gpu, tfjs-node, the wasm backend): a package
 * that is absent or whose native addon is missing becomes a reason string, never a crash.
 */
export type LoadResult<T> = { ok: true; module: T } | { ok: false; reason: string };

export function optionalRequire<T>(packageName: string): LoadResult<T> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional package, loaded on demand inside try/catch
    return { ok: true, module: require(packageName) as T };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(`'${packageName}'`)) {
      return { ok: false, reason: 'not installed' };
    }
    const firstLine = String(e.message ?? error).split('\n')[0].trim();
    return { ok: false, reason: `failed to load: ${firstLine}` };
  }
}

/** Folder holding a package file, e.g. the wasm binaries of tfjs-backend-wasm. */
export function packageFileDir(request: string): string {
  const resolved = require.resolve(request);
  return resolved.slice(0, Math.max(resolved.lastIndexOf('/'), resolved.lastIndexOf('\\')) + 1);
}
