/**
 * What a parse-error finding says about oxc-parser's error: a fixed text for the kind of error, never the parser's
 * own message, which quotes the file (`Expected corresponding JSX closing tag for 'Foo'`, `Private identifier
 * '#token' …`, `Unexpected flag x in regular expression literal`), and a file may hold a secret where a name would
 * be. The finding's line and column say where.
 */

/** oxc-parser's messages (0.158) by kind, each matched on the message's start or a fixed phrase in it. */
const KINDS: readonly (readonly [RegExp, string])[] = [
  [/^Unexpected token/, "unexpected token"],
  [/^Expected a semicolon/, "missing semicolon"],
  [/^Expected corresponding (JSX )?closing tag/, "JSX closing tag does not match its opening tag"],
  [/^Expected .* but found /, "unexpected token"],
  [/^Expected function body/, "missing function body"],
  [/^Expected /, "expected a different token"],
  [/^Unterminated string/, "unterminated string"],
  [/^Unterminated template/, "unterminated template literal"],
  [/^Unterminated (multiline )?comment/, "unterminated comment"],
  [/^Unterminated regular expression/, "unterminated regular expression"],
  [/^Unterminated/, "unterminated literal"],
  [
    /regular expression|^Lone quantifier|character class|capturing group|[Uu]nicode (flags|property)/,
    "invalid regular expression",
  ],
  [/^Identifier expected/, "identifier expected"],
  [/has already been declared|can not be redeclared/, "name declared twice"],
  [/^Invalid (characters after )?number/i, "invalid number"],
  [/^Invalid Character/, "invalid character"],
  [/escape sequence/, "invalid escape sequence"],
  [/can only be used in TypeScript files/, "TypeScript syntax in a JavaScript file"],
  [/ modifier /, "modifier not allowed here"],
  [/^Cannot assign to|^Invalid assignment/, "invalid assignment target"],
  [/^Missing initializer/, "missing initializer"],
  [/statement can only be used within|is not allowed outside|can only be used in an? /, "not allowed in this context"],
  [/^Private identifier|private name/i, "private name not allowed here"],
  [/JSX/, "JSX syntax error"],
  [/^Type argument list cannot be empty|^Type parameter list cannot be empty/, "empty type argument list"],
];

/**
 * The kind of a parser error message, in fixed words from {@link KINDS}, or `"syntax error"` for a message not
 * listed: nothing of the message itself, so no text of the file, is ever returned.
 */
export function parseErrorKind(message: string): string {
  for (const [pattern, kind] of KINDS) if (pattern.test(message)) return kind;
  return "syntax error";
}
