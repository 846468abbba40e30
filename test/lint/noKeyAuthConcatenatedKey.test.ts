// The third review: the most common way to build a connection string, `"endpoint=…;accesskey=" + key`, was reported
// as a template with a placeholder key (a warning), because the literal's own finding (an empty key) was taken
// instead of the concatenation's (a key that comes from code). The concatenation now decides: a non-constant part
// after `accesskey=` stands for a real key, a constant placeholder after it keeps the template message.
import { esm, rule, ts } from "../support/ruleTesters.js";

const CS = "endpoint=https://x.communication.azure.com/;accesskey=";

esm.run("no-key-auth: a key concatenated after accesskey=", rule, {
  valid: [`const url = "https://x.communication.azure.com/" + path;`],
  invalid: [
    { code: `const cs = "${CS}" + key;`, errors: [{ messageId: "connectionStringLiteral" }] },
    { code: `const cs = "${CS}" + getKey();`, errors: [{ messageId: "connectionStringLiteral" }] },
    { code: `const cs = "${CS}" + "QUJD".repeat(22);`, errors: [{ messageId: "connectionStringLiteral" }] },
    { code: `const cs = \`${CS}\` + process.env.KEY;`, errors: [{ messageId: "connectionStringLiteral" }] },
    {
      code: `const cs = "endpoint=" + host + ";accesskey=" + key;`,
      errors: [{ messageId: "connectionStringLiteral" }],
    },
    // a key cut across literals, or its quotes in a literal of its own
    {
      code: `const cs = "${CS}x7/Om5yUCjeCYboNtM/T3ZKwGbo/n5" + "nKJH+W8DK3ds9mrpvWTRhShUBKdA6p" + "0T4YN3ufo38NkRrkGXHL5XrOcw==";`,
      errors: [{ messageId: "connectionStringLiteral" }],
    },
    {
      code: `const cs = "${CS}x7/Om5yUCjeCYboNtM/T3ZKwGbo/n5" + process.env.REST;`,
      errors: [{ messageId: "connectionStringLiteral" }],
    },
    { code: `const cs = "${CS}\\"" + process.env.K + "\\"";`, errors: [{ messageId: "connectionStringLiteral" }] },
    // a constant placeholder after it is still a template
    { code: `const cs = "${CS}" + "<your-key>";`, errors: [{ messageId: "connectionStringTemplate" }] },
    // on its own (nothing concatenated) an empty key is a template
    { code: `const cs = "${CS}";`, errors: [{ messageId: "connectionStringTemplate" }] },
  ],
});

ts.run("no-key-auth: a key concatenated after accesskey= (TypeScript)", rule, {
  valid: [],
  invalid: [
    { code: `const cs: string = "${CS}" + (key as string);`, errors: [{ messageId: "connectionStringLiteral" }] },
  ],
});
