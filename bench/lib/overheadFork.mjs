// One process of the request-overhead benchmark (bench/requestOverhead.mjs starts several): measures with the options
// given as JSON in argv[2] and prints the raw samples as one JSON document on stdout.
import { measureOverhead } from "../requestOverhead.mjs";

const result = await measureOverhead(JSON.parse(process.argv[2]));
process.stdout.write(JSON.stringify(result));
