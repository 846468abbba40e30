// The in-memory pipeline benchmarks' measurement: warm-up, then `rounds` rounds in which every subject sends one batch,
// in a shuffled order (a fixed rotation would always put the same client after the same predecessor, which then
// pays for its predecessor's garbage). Returns CPU µs per request per round, by subject name, and the random source
// (for the bootstrap intervals).
import { sendBatch } from "./sendBatch.mjs";
import { seededRandom, shuffle } from "./stats.mjs";

export async function cpuRounds(subjects, { rounds, batch, warmup, concurrency, seed }) {
  for (const s of subjects) await sendBatch(s.client, warmup, concurrency);
  const cpu = Object.fromEntries(subjects.map((s) => [s.name, []]));
  const random = seededRandom(seed);
  for (let round = 0; round < rounds; round++) {
    for (const s of shuffle(subjects, random)) {
      const before = process.cpuUsage();
      await sendBatch(s.client, batch, concurrency);
      const used = process.cpuUsage(before);
      cpu[s.name].push((used.user + used.system) / batch);
    }
  }
  return { cpu, random };
}
