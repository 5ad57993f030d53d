// The options every gRPC server shares; a service extends the schema with its own keys:
//   const schema = serverConfigSchemaWithPort(50061).extend({ dataDir: z.string().describe('...') });
import { z } from 'zod';
import { LOG_LEVELS } from './logger';

const MiB = 1024 * 1024;

function serverShape<P extends z.ZodType<number>>(port: P) {
  return {
    host: z.string().min(1).default('127.0.0.1').describe('Address to listen on: IPv4, IPv6 (no brackets) or host name.'),
    port,
    maxReceiveMessageBytes: z.int().min(1).default(64 * MiB).describe('Largest request message accepted, in bytes.'),
    maxSendMessageBytes: z.int().min(1).default(64 * MiB).describe('Largest response message sent, in bytes.'),
    shutdownGraceMs: z
      .int()
      .min(0)
      .default(10_000)
      .describe('On shutdown, how long calls in flight may run before they are cancelled, in ms.'),
    drainDelayMs: z
      .int()
      .min(0)
      .default(0)
      .describe('On shutdown, how long to keep accepting calls while health answers NOT_SERVING, in ms.'),
    logLevel: z.enum(LOG_LEVELS).default('info').describe('Log level.'),
    tlsCert: z.string().min(1).optional().describe('PEM server certificate chain file; with tlsKey turns on TLS.'),
    tlsKey: z.string().min(1).optional().describe('PEM server private key file.'),
    tlsClientCa: z
      .string()
      .min(1)
      .optional()
      .describe('PEM CA file; turns on mutual TLS: clients must present a certificate signed by it.'),
  };
}

interface TlsKeys {
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  tlsClientCa?: string | undefined;
}

function checkTls(config: TlsKeys, ctx: z.RefinementCtx): void {
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
    ctx.addIssue({ code: 'custom', path: [config.tlsCert ? 'tlsKey' : 'tlsCert'], message: 'tlsCert and tlsKey must be given together' });
  }
  if (config.tlsClientCa && !config.tlsCert) {
    ctx.addIssue({ code: 'custom', path: ['tlsClientCa'], message: 'mutual TLS needs tlsCert and tlsKey too' });
  }
}

const portSchema = () => z.int().min(0).max(65535);
const PORT_TEXT = 'Port to listen on (0: any free port).';

/** The common server options; `port` has no default (see serverConfigSchemaWithPort). */
export const serverConfigSchema = z.object(serverShape(portSchema().describe(PORT_TEXT))).superRefine(checkTls);

/** The common server options with the service's default port. Extend it with `.extend({...})` (new keys only). */
export function serverConfigSchemaWithPort(defaultPort: number) {
  return z.object(serverShape(portSchema().default(defaultPort).describe(PORT_TEXT))).superRefine(checkTls);
}

export type ServerConfig = z.infer<typeof serverConfigSchema>;
