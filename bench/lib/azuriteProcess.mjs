// The benchmarks start Azurite as the demo does (examples/lib/azurite.mjs): one JS launcher for both.
export { startAzurite as startAzuriteProcess } from "../../examples/lib/azurite.mjs";
