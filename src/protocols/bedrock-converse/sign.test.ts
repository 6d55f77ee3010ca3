import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { GatewayError } from '../../core/errors.js';
import type { ChatRequest } from '../../core/types.js';
import type { HttpRequestSpec, UpstreamTarget } from '../types.js';
import { bedrockUpstream } from './index.js';
import { regionFromHost } from './sign.js';
import { target } from './testkit.test.js';

// An independent SigV4 (the algorithm from the AWS docs, written with node:crypto only), to
// check what the Smithy signer produces.
const sha256hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Non-S3 services: each segment of the path as sent is URI-encoded once more. */
function canonicalUri(pathname: string): string {
  return pathname.split('/').map(rfc3986).join('/');
}

interface RefInput {
  method: string;
  url: string;
  /** Lower-case names; exactly the headers to sign. */
  headers: Record<string, string>;
  body: string | Uint8Array;
  secretKey: string;
  region: string;
  service: string;
  amzDate: string;
}

function referenceSignature(r: RefInput): { signature: string; canonicalRequest: string } {
  const u = new URL(r.url);
  const names = Object.keys(r.headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${r.headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const query = [...u.searchParams]
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const canonicalRequest = [r.method, canonicalUri(u.pathname), query, canonicalHeaders, names.join(';'), sha256hex(r.body)].join('\n');
  const day = r.amzDate.slice(0, 8);
  const scope = `${day}/${r.region}/${r.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', r.amzDate, scope, sha256hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${r.secretKey}`, day), r.region), r.service), 'aws4_request');
  return { signature: createHmac('sha256', key).update(toSign).digest('hex'), canonicalRequest };
}

test('the reference implementation reproduces the AWS SigV4 test-suite vector get-vanilla', () => {
  const { signature } = referenceSignature({
    method: 'GET',
    url: 'https://example.amazonaws.com/',
    headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
    body: '',
    secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    region: 'us-east-1',
    service: 'service',
    amzDate: '20150830T123600Z',
  });
  assert.equal(signature, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
});

const request: ChatRequest = { model: 'claude', messages: [{ role: 'user', content: 'Hello, Bedrock' }], max_tokens: 64 };
const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

function parseAuthorization(v: string): { credential: string; signedHeaders: string[]; signature: string } {
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(v);
  assert.ok(m, `unexpected authorization header: ${v}`);
  return { credential: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! };
}

async function signAndCheck(spec: HttpRequestSpec, t: UpstreamTarget): Promise<{ signed: HttpRequestSpec; canonicalRequest: string }> {
  const signed = await bedrockUpstream.sign!(spec, t, NOW);
  assert.equal(signed.url, spec.url, 'the URL sent is the URL built');
  assert.equal(signed.body, spec.body);
  const auth = parseAuthorization(signed.headers['authorization']!);
  assert.equal(auth.credential, `${t.accessKey}/20240102/${t.region ?? regionFromHost(new URL(spec.url).hostname)}/bedrock/aws4_request`);
  assert.ok(auth.signedHeaders.includes('host'));
  assert.ok(auth.signedHeaders.includes('x-amz-date'));
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const v = signed.headers[name];
    assert.equal(typeof v, 'string', `signed header ${name} is sent`);
    headers[name] = v!;
  }
  const ref = referenceSignature({
    method: spec.method,
    url: signed.url,
    headers,
    body: spec.body ?? '',
    secretKey: t.secretKey!,
    region: t.region ?? regionFromHost(new URL(spec.url).hostname)!,
    service: 'bedrock',
    amzDate: '20240102T030405Z',
  });
  assert.equal(auth.signature, ref.signature, `canonical request:\n${ref.canonicalRequest}`);
  return { signed, canonicalRequest: ref.canonicalRequest };
}

test('sign(): signature equals an independent SigV4 over the path actually sent (model id with ":")', async () => {
  const t: UpstreamTarget = { ...target, sessionToken: 'FQoGZXIvYXdzE+token/with=chars' };
  const spec = bedrockUpstream.chatRequest(request, t, { stream: true, clientHeaders: {} });
  assert.equal(spec.url, 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream');
  const { signed, canonicalRequest } = await signAndCheck(spec, t);
  // Sent once-encoded, signed twice-encoded, as Bedrock recomputes it from the raw path.
  assert.equal(new URL(signed.url).pathname, '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream');
  assert.equal(canonicalRequest.split('\n')[1], '/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse-stream');
  assert.equal(signed.headers['host'], 'bedrock-runtime.us-east-1.amazonaws.com');
  assert.equal(signed.headers['x-amz-date'], '20240102T030405Z');
  assert.equal(signed.headers['x-amz-security-token'], 'FQoGZXIvYXdzE+token/with=chars');
  assert.equal(signed.headers['x-amz-content-sha256'], sha256hex(spec.body as string));
  assert.ok(parseAuthorization(signed.headers['authorization']!).signedHeaders.includes('x-amz-security-token'));
  assert.equal(signed.headers['accept'], 'application/vnd.amazon.eventstream');
});

test('sign(): an inference-profile ARN (":" and "/") stays one path segment, signed consistently', async () => {
  const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0';
  const t: UpstreamTarget = { ...target, model: arn };
  const spec = bedrockUpstream.chatRequest(request, t, { stream: false, clientHeaders: {} });
  const path = new URL(spec.url).pathname;
  assert.equal(path.split('/').length, 4);
  assert.equal(decodeURIComponent(path.split('/')[2]!), arn);
  const { canonicalRequest } = await signAndCheck(spec, t);
  assert.ok(canonicalRequest.split('\n')[1]!.includes('inference-profile%252Fus.anthropic'));
});

test('sign(): custom base URL with a port, binary body, region from the target; no session token → none sent', async () => {
  const t: UpstreamTarget = { ...target, baseUrl: 'http://127.0.0.1:8443/', region: 'eu-west-3' };
  const base = bedrockUpstream.chatRequest(request, t, { stream: false, clientHeaders: {} });
  assert.equal(base.url, 'http://127.0.0.1:8443/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
  const spec: HttpRequestSpec = { ...base, body: new TextEncoder().encode(base.body as string) };
  const { signed } = await signAndCheck(spec, t);
  assert.equal(signed.headers['host'], '127.0.0.1:8443');
  assert.equal(signed.headers['x-amz-security-token'], undefined);
});

test('sign(): the signing date is the injected now, and a stale signature is replaced', async () => {
  const spec = bedrockUpstream.chatRequest(request, target, { stream: false, clientHeaders: {} });
  const first = await bedrockUpstream.sign!(spec, target, NOW);
  const later = await bedrockUpstream.sign!(first, target, new Date(Date.UTC(2025, 5, 6, 7, 8, 9)));
  assert.equal(later.headers['x-amz-date'], '20250606T070809Z');
  assert.notEqual(later.headers['authorization'], first.headers['authorization']);
  assert.match(later.headers['authorization']!, /Credential=AKIDEXAMPLE\/20250606\/us-east-1\/bedrock\/aws4_request/);
});

test('region is taken from a bedrock-runtime host when the target has none', () => {
  assert.equal(regionFromHost('bedrock-runtime.ap-southeast-2.amazonaws.com'), 'ap-southeast-2');
  assert.equal(regionFromHost('bedrock-runtime-fips.us-gov-west-1.amazonaws.com'), 'us-gov-west-1');
  assert.equal(regionFromHost('127.0.0.1'), undefined);
});

test('a Bedrock API key is sent as a bearer token and needs no signature; no credentials at all is an error', async () => {
  const t: UpstreamTarget = { provider: 'aws', kind: 'bedrock', baseUrl: '', model: 'amazon.nova-lite-v1:0', region: 'us-east-1', apiKey: 'ABSKexample' };
  const spec = bedrockUpstream.chatRequest(request, t, { stream: false, clientHeaders: {} });
  assert.equal(spec.headers['authorization'], 'Bearer ABSKexample');
  assert.deepEqual(await bedrockUpstream.sign!(spec, t, NOW), spec);
  const none: UpstreamTarget = { ...t, apiKey: undefined };
  await assert.rejects(
    bedrockUpstream.sign!(spec, none, NOW),
    (e: unknown) => e instanceof GatewayError && /access_key/.test(e.message),
  );
});
