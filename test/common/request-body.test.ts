import { describe, expect, test } from "bun:test";
import { mediaTypeOf, readBodyBytesLimited, readBodyLimited } from "../../src/common/request-body.ts";

/** A POST whose body arrives in chunks, with no Content-Length (as a chunked upload does). */
function chunked(...chunks: Uint8Array[]): Request {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Request("http://localhost/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
}

function declared(body: string | Uint8Array, length = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength): Request {
  return new Request("http://localhost/", { method: "POST", body, headers: { "content-length": String(length) } });
}

describe("mediaTypeOf (RFC 9110 §8.3.1)", () => {
  test.each([
    ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded"],
    ["Application/JSON; charset=UTF-8", "application/json"],
    ["  application/json  ;charset=utf-8", "application/json"],
    ["text/plain", "text/plain"],
  ])("%p is %p", (header, type) => {
    expect(mediaTypeOf(header)).toBe(type);
  });
  test("no header, or an empty one: none", () => {
    expect(mediaTypeOf(null)).toBeUndefined();
    expect(mediaTypeOf("")).toBeUndefined();
    expect(mediaTypeOf(" ; charset=utf-8")).toBeUndefined();
  });
});

describe("readBodyLimited and readBodyBytesLimited", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  test("a declared length over the limit is refused without reading", async () => {
    expect(await readBodyLimited(declared("x".repeat(11)), 10)).toBeUndefined();
    expect(await readBodyBytesLimited(declared("x".repeat(11)), 10)).toBeUndefined();
  });
  test("a body at the limit is read whole", async () => {
    expect(await readBodyLimited(declared("é".repeat(5)), 10)).toBe("é".repeat(5));
    expect(await readBodyBytesLimited(declared("0123456789"), 10)).toEqual(bytes("0123456789"));
  });
  test("a chunked body is counted as it arrives: over the limit, undefined; within, every chunk", async () => {
    expect(await readBodyLimited(chunked(bytes("12345"), bytes("678901")), 10)).toBeUndefined();
    expect(await readBodyBytesLimited(chunked(bytes("12345"), bytes("678901")), 10)).toBeUndefined();
    expect(await readBodyLimited(chunked(bytes("12345"), bytes("67890")), 10)).toBe("1234567890");
    expect(await readBodyBytesLimited(chunked(bytes("a="), bytes("%C3%A9")), 10)).toEqual(bytes("a=%C3%A9"));
  });
  test("no body: empty", async () => {
    expect(await readBodyLimited(new Request("http://localhost/", { method: "POST" }), 10)).toBe("");
    expect(await readBodyBytesLimited(new Request("http://localhost/", { method: "POST" }), 10)).toEqual(new Uint8Array(0));
  });
  test("bytes that are not UTF-8 stay as they were sent, for a strict decoder to refuse", async () => {
    const invalid = new Uint8Array([0x61, 0x3d, 0xff, 0xfe]);
    expect(await readBodyBytesLimited(declared(invalid), 10)).toEqual(invalid);
    expect(await readBodyBytesLimited(chunked(invalid), 10)).toEqual(invalid);
  });
});
