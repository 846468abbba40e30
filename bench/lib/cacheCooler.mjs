// Cools the CPU caches between two requests, as an end-to-end request's TLS, HTTP and SDK work does: `mib` MiB of
// memory read and written at one cache line (64 bytes) apart, which evicts the per-core L1 and L2 caches (48 KiB and
// 2 MiB on the benchmark machine). Every client of a run gets the same cooling before each send, so its cost cancels
// in the paired difference to raw; what is left is what the client's own code and data cost when they start cold.

/** A client whose `send` first cools the caches by `mib` MiB; `mib` 0 returns `client` unchanged. */
export function cooledClient(client, mib) {
  if (mib <= 0) return client;
  const lines = new Float64Array((mib * 1024 * 1024) / 8);
  const cool = () => {
    for (let i = 0; i < lines.length; i += 8) lines[i]++;
  };
  return { send: (message) => (cool(), client.send(message)) };
}
