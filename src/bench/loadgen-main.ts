/**
 * The load generator as its own process (the bench starts it pinned to the harness's core):
 * reads one LoadJob as JSON from stdin, runs it, prints the LoadResult as JSON on stdout.
 */
import { runLoad, type LoadJob } from './loadgen.js';

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadJob;
  const result = await runLoad(job);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`loadgen: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
