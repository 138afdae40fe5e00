import { describe, expect, test } from "bun:test";
import { findMember, replaceMember } from "../../../src/bridge/channel/json-splice.ts";

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
});
