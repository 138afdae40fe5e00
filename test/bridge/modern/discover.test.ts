import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { discoverResponse, serverInfoOf } from "../../../src/bridge/modern/discover.ts";

const CACHE = { ttlMs: 60000, cacheScope: "private" } as const;
const VERSIONS = ["2026-07-28"];

function initializeAnswer(result: string): string {
  return `{"result":${result},"jsonrpc":"2.0","id":0}`;
}

describe("discoverResponse", () => {
  test("a 2025 child's initialize answer as a DiscoverResult, its members as written", () => {
    const answer = initializeAnswer(
      '{"protocolVersion":"2025-11-25","capabilities":{"tools":{"listChanged":true},"resources":{"subscribe":true,"listChanged":true},' +
        '"prompts":{},"completions":{},"experimental":{"x":{"v":1.0}},"extensions":{"com.example/e":{}}},' +
        '"serverInfo":{"name":"everything","version":"2.0.0","title":"Every\\u0074hing"},"instructions":"Use \\"t\\"."}',
    );
    expect(discoverResponse(5, answer, VERSIONS, CACHE)).toBe(
      '{"jsonrpc":"2.0","id":5,"result":{"resultType":"complete","ttlMs":60000,"cacheScope":"private","supportedVersions":["2026-07-28"],' +
        '"capabilities":{"tools":{"listChanged":true},"resources":{"subscribe":true,"listChanged":true},"prompts":{},"completions":{},' +
        '"experimental":{"x":{"v":1.0}},"extensions":{"com.example/e":{}}},"instructions":"Use \\"t\\".",' +
        '"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"everything","version":"2.0.0","title":"Every\\u0074hing"}}}}',
    );
  });

  test("2025-11-25 tasks (an extension on this revision) are not offered; logging is", () => {
    const answer = initializeAnswer(
      '{"protocolVersion":"2025-11-25","capabilities":{"logging":{},"tasks":{"requests":{"tools":{"call":{}}}},"tools":{}},"serverInfo":{"name":"s","version":"1"}}',
    );
    const result = JSON.parse(discoverResponse("d", answer, ["2026-07-28", "2025-11-25"], { ttlMs: 0, cacheScope: "public" })).result;
    expect(result.capabilities).toEqual({ logging: {}, tools: {} });
    expect(result.supportedVersions).toEqual(["2026-07-28", "2025-11-25"]);
    expect(result).toMatchObject({ resultType: "complete", ttlMs: 0, cacheScope: "public" });
    expect(result.instructions).toBeUndefined();
  });

  test("missing or malformed parts: empty capabilities, no serverInfo, no instructions", () => {
    const result = JSON.parse(
      discoverResponse(1, initializeAnswer('{"capabilities":[1],"serverInfo":{"name":"s"},"instructions":7}'), VERSIONS, CACHE),
    ).result;
    expect(result).toEqual({ resultType: "complete", ttlMs: 60000, cacheScope: "private", supportedVersions: VERSIONS, capabilities: {} });
  });

  test("an answer without a result is an internal error with the client's id", () => {
    for (const answer of [
      '{"jsonrpc":"2.0","id":0,"error":{"code":-32603,"message":"boom"}}',
      "not json",
      "[]",
      initializeAnswer("null"),
    ]) {
      const parsed = JSON.parse(discoverResponse(8, answer, VERSIONS, CACHE));
      expect(parsed.id).toBe(8);
      expect(parsed.error.code).toBe(-32603);
    }
  });

  test("property: never throws, and always answers valid JSON with the client's id", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((value) => initializeAnswer(JSON.stringify(value) ?? "null")),
        ),
        (answer) => {
          const parsed = JSON.parse(discoverResponse("x", answer, VERSIONS, CACHE));
          expect(parsed.id).toBe("x");
          expect(parsed.result !== undefined || parsed.error !== undefined).toBe(true);
        },
      ),
    );
  });
});

describe("serverInfoOf", () => {
  test("the child's Implementation as written, or nothing", () => {
    expect(serverInfoOf(initializeAnswer('{"serverInfo": {"version":"1", "name":"n"} }'))).toBe('{"version":"1", "name":"n"}');
    expect(serverInfoOf(initializeAnswer('{"serverInfo":{"name":"n"}}'))).toBeUndefined();
    expect(serverInfoOf(initializeAnswer("{}"))).toBeUndefined();
    expect(serverInfoOf("garbage")).toBeUndefined();
  });
});
