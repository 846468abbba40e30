/**
 * Optional type information (typescript-eslint with a program): whether an expression is a string or a key
 * credential. Structural types only: no runtime dependency on TypeScript.
 */
import type { AnyNode } from "./estreeNodes.js";

/** What the checks may ask the type checker; absent without type information (and in `acs-baseline scan`). */
export interface TypeHooks {
  isString(node: AnyNode): boolean;
  isKeyCredential(node: AnyNode): boolean;
}

interface TsType {
  getProperty(name: string): unknown;
  isUnion(): boolean;
  types?: TsType[];
  flags: number;
  symbol?: { getName(): string };
}
interface TypeChecker {
  getTypeAtLocation(node: unknown): TsType;
}
interface ParserServices {
  program?: { getTypeChecker(): TypeChecker } | null;
  esTreeNodeToTSNodeMap?: { get(node: AnyNode): unknown };
}

const STRING_LIKE = 4 | 128 | 134217728; // TypeFlags.String | StringLiteral | TemplateLiteral
const KEY_CREDENTIAL_TYPES = new Set([
  "AzureKeyCredential",
  "AzureNamedKeyCredential",
  "KeyCredential",
  "NamedKeyCredential",
]);

function partsOf(checker: TypeChecker, tsNode: unknown): TsType[] {
  if (tsNode === undefined) return [];
  const type = checker.getTypeAtLocation(tsNode);
  return type.isUnion() && type.types !== undefined ? type.types : [type];
}

/** Type hooks from ESLint's parser services, or undefined when the parser gives no type information. */
export function typeHooksFrom(services: unknown): TypeHooks | undefined {
  const s = (services ?? {}) as ParserServices;
  const map = s.esTreeNodeToTSNodeMap;
  if (s.program === undefined || s.program === null || map === undefined) return undefined;
  const checker = s.program.getTypeChecker();
  return {
    isString(node) {
      const parts = partsOf(checker, map.get(node));
      return parts.length > 0 && parts.every((t) => (t.flags & STRING_LIKE) !== 0);
    },
    isKeyCredential(node) {
      return partsOf(checker, map.get(node)).some((t) => {
        const name = t.symbol?.getName();
        if (name !== undefined && KEY_CREDENTIAL_TYPES.has(name)) return true;
        return (
          t.getProperty("key") !== undefined &&
          t.getProperty("getToken") === undefined &&
          t.getProperty("signature") === undefined
        );
      });
    },
  };
}
