/**
 * AWS SigV4 for Bedrock runtime calls (signing name `bedrock`), with the official Smithy signer.
 *
 * The path is signed as it is sent: request.ts percent-encodes the model id once
 * (`…v1%3A0`), and the signer, like every AWS SDK for non-S3 services, encodes each path
 * segment once more for the canonical request (`…v1%253A0`, `uriEscapePath: true`), which is
 * what Bedrock computes on its side from the raw path it receives. The `host` header is signed
 * and returned, so what is sent is exactly what was signed. The signing date is the injected
 * `now`, never the clock.
 */
import type { Sha256 } from '@aws-crypto/sha256-js';
import type { SignatureV4 } from '@smithy/signature-v4';
import { GatewayError } from '../../core/errors.js';
import type { HttpRequestSpec, UpstreamTarget } from '../types.js';

export const SIGNING_SERVICE = 'bedrock';

/** Headers the signer computes; stale copies from an earlier attempt are dropped first. */
const GENERATED = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'host', 'date']);

/** `bedrock-runtime.eu-west-1.amazonaws.com` (or `…-fips.…`) → `eu-west-1`. */
export function regionFromHost(hostname: string): string | undefined {
  return /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(hostname)?.[1];
}

interface Signer {
  SignatureV4: typeof SignatureV4;
  Sha256: typeof Sha256;
}

let signer: Promise<Signer> | undefined;

/**
 * The signer and its hash are loaded on the first signed request: together they cost a process
 * about 4 MB of memory, which a gateway with no Bedrock provider should not pay.
 */
function loadSigner(): Promise<Signer> {
  signer ??= Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')]).then(([v4, sha]) => ({
    SignatureV4: v4.SignatureV4,
    Sha256: sha.Sha256,
  }));
  return signer;
}

export async function signRequest(spec: HttpRequestSpec, target: UpstreamTarget, now: Date): Promise<HttpRequestSpec> {
  if (!target.accessKey || !target.secretKey) {
    // An API key (bearer token, set by request.ts) needs no signature.
    if (target.apiKey) return spec;
    throw new GatewayError('LLMUX_ERR_INTERNAL', `provider ${target.provider} has no access_key/secret_key (or api_key) for Bedrock`);
  }
  const url = new URL(spec.url);
  const region = target.region ?? regionFromHost(url.hostname);
  if (!region) throw new GatewayError('LLMUX_ERR_INTERNAL', `provider ${target.provider} has no region to sign for`);

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers)) {
    const name = k.toLowerCase();
    if (!GENERATED.has(name)) headers[name] = v;
  }
  headers['host'] = url.host;
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }

  const { SignatureV4, Sha256 } = await loadSigner();
  const v4 = new SignatureV4({
    service: SIGNING_SERVICE,
    region,
    sha256: Sha256,
    uriEscapePath: true,
    credentials: {
      accessKeyId: target.accessKey,
      secretAccessKey: target.secretKey,
      ...(target.sessionToken ? { sessionToken: target.sessionToken } : {}),
    },
  });
  const signed = await v4.sign(
    {
      method: spec.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers,
      body: spec.body,
    },
    { signingDate: now },
  );
  return { ...spec, headers: signed.headers };
}
