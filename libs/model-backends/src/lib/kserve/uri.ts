// `kserve://host:port/model?version=...&properties=...&timeout_ms=...`: where a KServe v2 / Triton
// model lives and how to talk to it (docs/model-contracts.md, "Where a model comes from").
import { ModelLoadError } from '../errors';

/** A parsed kserve URI. */
export interface KServeUri {
  /** The URI as given. */
  uri: string;
  /** Host name or IP literal (an IPv6 literal without brackets). */
  host: string;
  port: number;
  /** `host:port` to dial (an IPv6 literal bracketed). */
  address: string;
  /** `kserve+tls`: TLS to the server; `kserve`: plaintext. */
  tls: boolean;
  /** The served model name. */
  model: string;
  /** `version=`: the model version; empty lets the server pick. */
  version: string;
  /** `properties=`: the properties file as written (relative paths are resolved by the caller). */
  propertiesPath: string | undefined;
  /** `timeout_ms=`: deadline of each call, in ms. */
  timeoutMs: number | undefined;
}

export const KSERVE_SCHEMES = ['kserve:', 'kserve+tls:'] as const;

const QUERY_KEYS = ['version', 'properties', 'timeout_ms'] as const;

const EXAMPLE = 'kserve://host:8001/model_name[?version=1&properties=./model.properties.json&timeout_ms=60000]';

/** Whether `uri` names the kserve backend (`kserve://` or `kserve+tls://`). */
export function isKServeUri(uri: string): boolean {
  return /^kserve(\+tls)?:/i.test(uri);
}

/**
 * Parses a kserve URI. Throws `ModelLoadError` naming what is wrong: another scheme, no host or
 * port, no model name or more than one path segment, credentials or a fragment, an unknown or
 * repeated query parameter, an empty version or properties path, a timeout that is not a positive
 * integer.
 */
export function parseKServeUri(uri: string): KServeUri {
  const fail = (problem: string): never => {
    throw new ModelLoadError(`bad kserve URI "${uri}": ${problem} (expected ${EXAMPLE})`);
  };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return fail('not a URI');
  }
  const scheme = url.protocol.toLowerCase();
  if (!(KSERVE_SCHEMES as readonly string[]).includes(scheme)) fail(`scheme must be kserve:// or kserve+tls://, got ${url.protocol}//`);
  if (!uri.slice(url.protocol.length).startsWith('//')) fail('the scheme must be followed by //host:port');
  if (url.username || url.password) fail('credentials in the URI are not supported');
  if (url.hash) fail('a fragment (#...) is not allowed');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) fail('no host');
  if (!url.port) fail('no port (Triton serves gRPC on 8001 by default: write it out)');
  const port = Number(url.port);
  if (port < 1) fail('port 0 cannot be dialled');

  const segments = url.pathname.replace(/^\//, '').split('/');
  if (segments.length !== 1 || segments[0] === '') fail('the path must be exactly one segment: the model name');
  let model: string;
  try {
    model = decodeURIComponent(segments[0]);
  } catch {
    return fail('the model name is not valid percent-encoding');
  }

  const seen = new Set<string>();
  for (const key of url.searchParams.keys()) {
    if (!(QUERY_KEYS as readonly string[]).includes(key)) fail(`unknown parameter "${key}" (known: ${QUERY_KEYS.join(', ')})`);
    if (seen.has(key)) fail(`parameter "${key}" given twice`);
    seen.add(key);
  }
  const version = url.searchParams.get('version');
  if (version === '') fail('version= is empty');
  const propertiesPath = url.searchParams.get('properties');
  if (propertiesPath === '') fail('properties= is empty');
  const timeout = url.searchParams.get('timeout_ms');
  let timeoutMs: number | undefined;
  if (timeout !== null) {
    timeoutMs = Number(timeout);
    if (!/^\d+$/.test(timeout) || !Number.isSafeInteger(timeoutMs) || timeoutMs < 1) fail(`timeout_ms must be a positive integer, got "${timeout}"`);
  }

  return {
    uri,
    host,
    port,
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    tls: scheme === 'kserve+tls:',
    model,
    version: version ?? '',
    propertiesPath: propertiesPath ?? undefined,
    timeoutMs,
  };
}
