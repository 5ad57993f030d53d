// Server and channel credentials from PEM file paths: insecure, TLS, or mutual TLS.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export interface ServerTlsFiles {
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  /** CA that client certificates must chain to; setting it turns on mutual TLS. */
  tlsClientCa?: string | undefined;
}

export interface ClientTlsFiles {
  /** CA the server certificate must chain to (default: the system roots). */
  ca?: string | undefined;
  /** Client certificate and key, for servers that require mutual TLS. */
  cert?: string | undefined;
  key?: string | undefined;
}

/** Reads a PEM file, failing with an error that names the file and what it was for. */
export function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${what} file "${path}": ${(err as Error).message}`, { cause: err });
  }
}

/** Insecure without cert/key; TLS with them; mutual TLS (client certificate required and verified) with a client CA too. */
export function serverCredentials(files: ServerTlsFiles): grpc.ServerCredentials {
  const { tlsCert, tlsKey, tlsClientCa } = files;
  if (!tlsCert && !tlsKey) {
    if (tlsClientCa) throw new Error('tlsClientCa needs tlsCert and tlsKey');
    return grpc.ServerCredentials.createInsecure();
  }
  if (!tlsCert || !tlsKey) throw new Error('tlsCert and tlsKey must be given together');
  const keyCertPair = { cert_chain: readPem(tlsCert, 'TLS certificate'), private_key: readPem(tlsKey, 'TLS private key') };
  const clientCa = tlsClientCa ? readPem(tlsClientCa, 'TLS client CA') : null;
  return grpc.ServerCredentials.createSsl(clientCa, [keyCertPair], clientCa !== null);
}

/** Insecure without `tls`; TLS with it (`ca` to trust a private CA, `cert`+`key` for mutual TLS). */
export function channelCredentials(tls: ClientTlsFiles | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  if (Boolean(tls.cert) !== Boolean(tls.key)) throw new Error('tls.cert and tls.key must be given together');
  return grpc.credentials.createSsl(
    tls.ca ? readPem(tls.ca, 'TLS CA') : null,
    tls.key ? readPem(tls.key, 'TLS client key') : null,
    tls.cert ? readPem(tls.cert, 'TLS client certificate') : null,
  );
}
