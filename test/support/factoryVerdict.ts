// What the real factory says about an environment, as `doctor` builds it: the code `fromEnvironment()` refuses it
// with, or undefined when it builds a factory (which is closed at once).
import { AcsClientFactory, DEFAULT_ALLOWED_HOSTS } from "../../packages/acs-baseline/src/index.js";

/**
 * The code `fromEnvironment()` refuses `env` with (doctor's overrides), or undefined when it builds a factory. The
 * factory reads every variable, the managed-identity source too, from `env`, not from `process.env`.
 */
export async function factoryVerdict(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const factory = AcsClientFactory.fromEnvironment(
      { allowedHosts: [...DEFAULT_ALLOWED_HOSTS], allowedAuthorityHosts: [] },
      env,
    );
    await factory.close();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? "refused";
  }
}
