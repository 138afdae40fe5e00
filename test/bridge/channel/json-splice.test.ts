import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { findMember, insertMembers, replaceMember } from "../../../src/bridge/channel/json-splice.ts";

describe("json-splice", () => {
  test("replaces a top-level member and keeps every other byte", () => {
    const text = '{"result":{"id":9,"v":1.0,"s":"a\\"}"},"jsonrpc":"2.0","id":7}';
    expect(replaceMember(text, ["id"], '"x"')).toBe('{"result":{"id":9,"v":1.0,"s":"a\\"}"},"jsonrpc":"2.0","id":"x"}');
  });

  test("finds nested members across whitespace, arrays and escaped keys", () => {
    const text = '{ "params" : { "a": [1, {"_meta": 2}], "_m\\u0065ta" : { "progressToken" : "t" } } }';
    const span = findMember(text, ["params", "_meta", "progressToken"])!;
    expect(text.slice(span.start, span.end)).toBe('"t"');
  });

  test("leaves the text unchanged when the member is absent", () => {
    const text = '{"jsonrpc":"2.0","method":"x","params":{"_meta":{}}}';
    expect(replaceMember(text, ["params", "_meta", "progressToken"], "1")).toBe(text);
    expect(findMember('{"params":[1]}', ["params", "x"])).toBeUndefined();
  });

  test("inserts absent members at the start of the object at a path, before the members already there", () => {
    const text = '{"jsonrpc":"2.0","id":1,"result":{ "tools" : [ ], "ttlMs":5 }}';
    const out = insertMembers(
      text,
      ["result"],
      [
        ["resultType", '"complete"'],
        ["ttlMs", "0"],
        ["cacheScope", '"private"'],
      ],
    );
    expect(out).toBe('{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","cacheScope":"private", "tools" : [ ], "ttlMs":5 }}');
  });

  test("inserts into empty objects and at the top level, each key once", () => {
    expect(insertMembers('{"result": { } }', ["result"], [["a", "1"]])).toBe('{"result": {"a":1 } }');
    expect(
      insertMembers(
        " {}",
        [],
        [
          ["a", "1"],
          ["a", "2"],
          ['q"', "[]"],
        ],
      ),
    ).toBe(' {"a":1,"q\\"":[]}');
  });

  test("leaves the text unchanged when nothing is absent or there is no object at the path", () => {
    const text = '{"result":{"resultType":"x"},"list":[1]}';
    expect(insertMembers(text, ["result"], [["resultType", '"complete"']])).toBe(text);
    expect(insertMembers(text, ["list"], [["a", "1"]])).toBe(text);
    expect(insertMembers(text, ["missing"], [["a", "1"]])).toBe(text);
    expect(insertMembers(text, ["result"], [])).toBe(text);
  });

  test("an escaped key counts as present under its decoded name", () => {
    const text = '{"result":{"ttl\\u004ds":1}}';
    expect(insertMembers(text, ["result"], [["ttlMs", "2"]])).toBe(text);
  });

  test("property: the result parses to the object with the absent members added and the present ones untouched", () => {
    const member = fc.tuple(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })),
        fc.array(member, { maxLength: 4 }),
        (object, members) => {
          const text = JSON.stringify({ outer: object });
          const out = insertMembers(
            text,
            ["outer"],
            members.map(([key, value]) => [key, JSON.stringify(value)] as const),
          );
          const expected: Record<string, unknown> = {};
          for (const [key, value] of members) if (!Object.hasOwn(object, key) && !Object.hasOwn(expected, key)) expected[key] = value;
          const parsed = JSON.parse(out) as { outer: Record<string, unknown> };
          expect(parsed.outer).toEqual(JSON.parse(JSON.stringify({ ...expected, ...object })));
          expect(out.endsWith(text.slice(text.indexOf("{", 1) + 1))).toBe(true);
        },
      ),
    );
  });
});
