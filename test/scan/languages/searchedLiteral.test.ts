// `connection-string-assembled` and code that only parses a connection string: an `accesskey=` literal that is the
// argument of a search, compare or split call, or an operand of `==`/`in`, assembles nothing (the dotnet quickstarts'
// MainPage.xaml.cs checks a pasted connection string with `Contains(";accesskey=", …)` and cuts it with
// `IndexOf("/;accesskey=")`). Concatenation, formatting and interpolation that build one are still reported.
import { describe, expect, it } from "vitest";
import { languageFindings } from "../../../packages/cli/src/scan/languages/analyse.js";

const RULE = "acs-baseline/connection-string-assembled";
const ACS = `host = "contoso.communication.azure.com"\n`;
const assembled = (file: string, code: string) =>
  languageFindings(file, code)
    .filter((f) => f.ruleId === RULE)
    .map((f) => f.line);

describe("connection-string-assembled: parsing a connection string is not assembling one", () => {
  it("does not report the dotnet quickstart's checks (Contains, StartsWith, IndexOf)", () => {
    const code =
      "using Azure.Communication.Chat;\n" +
      'if (string.IsNullOrEmpty(connectionString_) || !connectionString_.StartsWith("endpoint=https://", StringComparison.OrdinalIgnoreCase) || !connectionString_.Contains(";accesskey=", StringComparison.OrdinalIgnoreCase))\n' +
      "    throw new ArgumentException();\n" +
      'var len = url.IndexOf("/;accesskey=");\n';
    expect(assembled("MainPage.xaml.cs", code)).toEqual([]);
  });

  it.each([
    ["a.cs", 'var i = cs.LastIndexOf(";AccessKey=", StringComparison.Ordinal);'],
    ["a.cs", 'var parts = cs.Split(";accesskey=");'],
    ["a.cs", 'if (part == "accesskey=") return;'],
    ["a.cs", 'var ok = cs.EndsWith(@";accesskey=");'],
    ["a.java", 'int i = cs.toLowerCase().indexOf(";accesskey=");'],
    ["a.java", 'boolean b = cs.contains(";accesskey=");'],
    ["a.java", 'if ("accesskey=".equals(part)) {}'],
    ["a.py", 'if ";accesskey=" in conn_str:\n    pass'],
    ["a.py", 'if ";accesskey=" not in conn_str:\n    pass'],
    ["a.py", 'endpoint, key = conn_str.split(";accesskey=")'],
    ["a.py", 'i = conn_str.lower().find(";accesskey=")'],
    ["a.go", 'i := strings.Index(strings.ToLower(cs), ";accesskey=")'],
    ["a.go", 'endpoint, key, ok := strings.Cut(cs, ";accesskey=")'],
    ["a.ps1", '$i = $cs.IndexOf(";accesskey=")'],
  ])("does not report a search in %s: %s", (file, line) => {
    expect(assembled(file, `${ACS}${line}\n`)).toEqual([]);
  });

  it.each([
    ["a.cs", 'var cs = "endpoint=" + endpoint + ";accesskey=" + key;'],
    ["a.cs", 'var cs = string.Concat("endpoint=", endpoint, ";accesskey=", key);'],
    ["a.cs", 'var cs = string.Join(";accesskey=", endpoint, key);'],
    ["a.cs", 'var cs = $"{endpointPart};accesskey={key}";'],
    ["a.cs", 'var cs = String.Format("{0};accesskey={1}", endpoint, key);'],
    ["a.java", 'String cs = String.format("%s;accesskey=%s", endpoint, key);'],
    ["a.java", 'String cs = "endpoint=" + endpoint + ";accesskey=".concat(key);'],
    ["a.py", 'cs = f"{endpoint};accesskey={key}"'],
    ["a.py", 'cs = ";accesskey=".join([endpoint, key])'],
    ["a.py", 'cs = "endpoint=" + endpoint + ";accesskey=" + key'],
    // A search call's argument that is itself built: the concatenation assembles one.
    ["a.cs", 'var ok = other.Contains(";accesskey=" + key);'],
    ["a.go", 'cs := fmt.Sprintf("%s;accesskey=%s", endpoint, key)'],
  ])("still reports assembling in %s: %s", (file, line) => {
    expect(assembled(file, `${ACS}${line}\n`)).toEqual([2]);
  });
});
