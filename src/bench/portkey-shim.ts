/**
 * Preloaded into the Portkey gateway (`node --import`) so that its streamed and embeddings routes
 * answer at all under Node. Portkey appends its own headers to the Response that the global
 * `fetch` returned; under Node those headers are immutable, so every such request fails with 500
 * "Something went wrong" (Portkey-AI/gateway#1389, #1550). The fix proposed to Portkey
 * (Portkey-AI/gateway#1551) copies the response into a new Response first; this does the same,
 * once per upstream call, and nothing else. The bench measures the peer with that bug mended
 * rather than reporting only its errors; docs/benchmarks.md says so.
 */
const upstreamFetch = globalThis.fetch;

globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
  const r = await upstreamFetch(input, init);
  return new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers });
};
