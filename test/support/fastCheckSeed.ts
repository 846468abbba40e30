// Vitest setup: the seed of every fast-check property. With FC_SEED set, that seed; in CI (CI set, as `.ci/run`
// runs), a fixed one, so that a clean clone's run is repeatable and a failure names a seed anyone can replay; on a
// developer's machine, a fresh random seed per run, so that the properties keep exploring new inputs. A failing run
// prints its seed: replay it with `FC_SEED=<seed> npx vitest run <file>`.
import fc from "fast-check";

const CI_SEED = 20261207;
const chosen = process.env.FC_SEED ?? (process.env.CI ? String(CI_SEED) : undefined);
if (chosen !== undefined && Number.isSafeInteger(Number(chosen))) {
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(chosen) });
}
