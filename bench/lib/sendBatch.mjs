// The benchmarks' SMS workload: `size` sends of one message, `concurrency` in flight at a time.
const REQUEST = { from: "+14255550100", to: ["+14255550123"], message: "benchmark" };

/** Sends `size` messages through `client`; with `latencies`, pushes each send's wall time in ms onto it. */
export async function sendBatch(client, size, concurrency, latencies) {
  let next = 0;
  const worker = async () => {
    while (next < size) {
      next++;
      if (latencies === undefined) {
        await client.send(REQUEST);
        continue;
      }
      const started = process.hrtime.bigint();
      await client.send(REQUEST);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
