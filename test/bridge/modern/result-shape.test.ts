import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type CacheHint, inputRequiredResponse, modernAnswer } from "../../../src/bridge/modern/result-shape.ts";

const CACHE: CacheHint = { ttlMs: 60000, cacheScope: "private" };
const CACHEABLE = ["tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"];
const INFO = '{"name":"child","version":"1.2.3"}';

describe("modernAnswer", () => {
  test("a list result gains resultType, ttlMs and cacheScope; the rest stays byte for byte", () => {
    const line = '{"result":{"tools":[{"name":"t","inputSchema":{"type":"object","x":1.50}}]},"jsonrpc":"2.0","id":3}';
    expect(modernAnswer(line, "tools/list", CACHE)).toBe(
      '{"result":{"resultType":"complete","ttlMs":60000,"cacheScope":"private","tools":[{"name":"t","inputSchema":{"type":"object","x":1.50}}]},"jsonrpc":"2.0","id":3}',
    );
  });

  test("every cacheable method gets the hint; other methods only resultType", () => {
    for (const method of CACHEABLE) {
      const result = JSON.parse(modernAnswer('{"jsonrpc":"2.0","id":1,"result":{}}', method, { ttlMs: 0, cacheScope: "public" })).result;
      expect(result).toEqual({ resultType: "complete", ttlMs: 0, cacheScope: "public" });
    }
    for (const method of ["tools/call", "prompts/get", "completion/complete"]) {
      expect(modernAnswer('{"jsonrpc":"2.0","id":1,"result":{"content":[]}}', method, CACHE)).toBe(
        '{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","content":[]}}',
      );
    }
  });

  test("the child's own valid values win; invalid ones are replaced in place", () => {
    const own = '{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","ttlMs":5,"cacheScope":"public","prompts":[]}}';
    expect(modernAnswer(own, "prompts/list", CACHE)).toBe(own);
    const invalid = '{"jsonrpc":"2.0","id":1,"result":{"ttlMs":-1,"cacheScope":"shared","contents":[]}}';
    expect(modernAnswer(invalid, "resources/read", CACHE)).toBe(
      '{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","ttlMs":60000,"cacheScope":"private","contents":[]}}',
    );
    for (const ttl of ["1.5", '"10"', "null", "9007199254740993"]) {
      const line = `{"jsonrpc":"2.0","id":1,"result":{"ttlMs":${ttl},"cacheScope":"private","tools":[]}}`;
      expect(JSON.parse(modernAnswer(line, "tools/list", CACHE)).result.ttlMs).toBe(60000);
    }
  });

  test("serverInfo goes into result _meta, beside what the child put there, never over it", () => {
    expect(JSON.parse(modernAnswer('{"jsonrpc":"2.0","id":1,"result":{"content":[]}}', "tools/call", CACHE, INFO)).result._meta).toEqual({
      "io.modelcontextprotocol/serverInfo": { name: "child", version: "1.2.3" },
    });
    const withMeta = '{"jsonrpc":"2.0","id":1,"result":{"content":[],"_meta":{"a":1}}}';
    expect(modernAnswer(withMeta, "tools/call", CACHE, INFO)).toBe(
      '{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","content":[],"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"child","version":"1.2.3"},"a":1}}}',
    );
    const named =
      '{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"x","version":"0"}}}}';
    expect(modernAnswer(named, "tools/call", CACHE, INFO)).toBe(named);
    const odd = '{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","_meta":[1]}}';
    expect(modernAnswer(odd, "tools/call", CACHE, INFO)).toBe(odd);
  });

  test("errors stay as they are, except a 2025 resource-not-found on resources/read", () => {
    const notFound = '{"jsonrpc":"2.0","id":4,"error":{"code":-32002,"message":"Resource not found","data":{"uri":"test://x"}}}';
    expect(modernAnswer(notFound, "resources/read", CACHE)).toBe(
      '{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"Resource not found","data":{"uri":"test://x"}}}',
    );
    // The bridge's own -32002 (a message too large) has no data.uri; other methods keep their codes.
    const tooLarge = '{"jsonrpc":"2.0","id":4,"error":{"code":-32002,"message":"too large"}}';
    expect(modernAnswer(tooLarge, "resources/read", CACHE)).toBe(tooLarge);
    expect(modernAnswer(notFound, "tools/call", CACHE)).toBe(notFound);
    const other = '{"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"Method not found"}}';
    expect(modernAnswer(other, "tools/list", CACHE, INFO)).toBe(other);
  });

  test("never throws, and leaves text it cannot shape unchanged", () => {
    for (const line of ["", "not json", "[]", "null", '{"jsonrpc":"2.0","id":1,"result":[]}', '{"jsonrpc":"2.0","id":1,"result":null}']) {
      expect(modernAnswer(line, "tools/list", CACHE, INFO)).toBe(line);
    }
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...CACHEABLE, "tools/call"), (line, method) => {
        expect(typeof modernAnswer(line, method, CACHE, INFO)).toBe("string");
      }),
    );
  });

  test("property: any result object keeps its members and gains exactly the absent required ones", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
        fc.constantFrom(...CACHEABLE, "tools/call"),
        (result, method) => {
          const line = JSON.stringify({ jsonrpc: "2.0", id: 1, result });
          const shaped = JSON.parse(modernAnswer(line, method, CACHE)).result as Record<string, unknown>;
          // Compared as the text carries them (JSON has no -0: it is written as 0).
          for (const [key, value] of Object.entries(JSON.parse(line).result as Record<string, unknown>)) {
            if (key === "ttlMs" || key === "cacheScope") continue;
            expect(shaped[key]).toEqual(value);
          }
          if (!Object.hasOwn(result, "resultType")) expect(shaped.resultType).toBe("complete");
          if (CACHEABLE.includes(method)) {
            expect(Number.isSafeInteger(shaped.ttlMs) && (shaped.ttlMs as number) >= 0).toBe(true);
            expect(["public", "private"]).toContain(shaped.cacheScope as string);
          }
        },
      ),
    );
  });
});

describe("inputRequiredResponse", () => {
  test("answers the client's id with the child's requests, de-JSON-RPC'd and as written", () => {
    const requests = new Map([
      [
        "user_name",
        '{"jsonrpc":"2.0","id":7,"method":"elicitation/create","params":{"message":"Name?","requestedSchema":{"type":"object","properties":{}}}}',
      ],
      ["roots", '{"method":"roots/list","params":{}}'],
      ["bare", '{"jsonrpc":"2.0","id":"r","method":"roots/list"}'],
    ]);
    expect(inputRequiredResponse("c-1", requests, "STATE")).toBe(
      '{"jsonrpc":"2.0","id":"c-1","result":{"resultType":"input_required","inputRequests":{' +
        '"user_name":{"method":"elicitation/create","params":{"message":"Name?","requestedSchema":{"type":"object","properties":{}}}},' +
        '"roots":{"method":"roots/list","params":{}},"bare":{"method":"roots/list"}},"requestState":"STATE"}}',
    );
  });

  test("without input requests only requestState; serverInfo in _meta; keys and state escaped", () => {
    const parsed = JSON.parse(inputRequiredResponse(9, new Map(), 'a"b', INFO));
    expect(parsed).toEqual({
      jsonrpc: "2.0",
      id: 9,
      result: {
        resultType: "input_required",
        requestState: 'a"b',
        _meta: { "io.modelcontextprotocol/serverInfo": { name: "child", version: "1.2.3" } },
      },
    });
    const keyed = JSON.parse(inputRequiredResponse(1, new Map([['k"\n', '{"method":"roots/list"}']]), "s"));
    expect(Object.keys(keyed.result.inputRequests)).toEqual(['k"\n']);
  });
});
