// The Host and Origin checks every request passes, and the header checks of the Streamable HTTP
// transport; both keep their last answer, so alternating inputs must still get their own answers.
import { describe, expect, test } from "bun:test";
import { acceptsEventStream, acceptsPostResponses, isJsonContentType } from "../../src/bridge/content-negotiation.ts";
import { RequestPolicy } from "../../src/http/request-policy.ts";

describe("RequestPolicy.hostAllowed", () => {
  const policy = new RequestPolicy({
    publicUrl: "https://mcp.example.com",
    extraHosts: ["alt.example.org"],
    allowedOrigins: [],
    listenHost: "0.0.0.0",
  });

  test("public and extra hosts and loopback names pass; others, bad ports and missing hosts do not", () => {
    const cases: [string | null, boolean][] = [
      ["mcp.example.com", true],
      ["MCP.example.com:443", true],
      ["alt.example.org:8443", true],
      ["127.0.0.1:3001", true],
      ["[::1]:3001", true],
      ["localhost", true],
      ["evil.example", false],
      ["mcp.example.com.evil.example", false],
      ["mcp.example.com:0", false],
      ["mcp.example.com:99999", false],
      ["mcp.example.com:12a", false],
      ["", false],
      [null, false],
    ];
    // Twice over, in order and interleaved: a kept answer must never leak to another header.
    for (const round of [cases, [...cases].reverse(), cases.flatMap((c, i) => [c, cases[(i + 5) % cases.length]!])]) {
      for (const [host, allowed] of round) expect([host, policy.hostAllowed(host)]).toEqual([host, allowed]);
    }
  });
});

describe("content negotiation (MCP transports §Sending Messages, §Listening for Messages)", () => {
  test("POST needs application/json and text/event-stream (or */*); the answer follows each header", () => {
    const cases: [string | null, boolean][] = [
      ["application/json, text/event-stream", true],
      ["text/event-stream;q=0.9, Application/JSON", true],
      ["*/*", true],
      ["application/json", false],
      ["text/event-stream", false],
      [null, false],
      ["application/json, text/event-stream", true],
      ["application/json", false],
    ];
    for (const [accept, ok] of cases) expect([accept, acceptsPostResponses(accept)]).toEqual([accept, ok]);
  });

  test("GET needs text/event-stream (or */*)", () => {
    const cases: [string | null, boolean][] = [
      ["text/event-stream", true],
      ["application/json", false],
      ["*/*", true],
      [null, false],
      ["text/event-stream", true],
    ];
    for (const [accept, ok] of cases) expect([accept, acceptsEventStream(accept)]).toEqual([accept, ok]);
  });

  test("Content-Type must be application/json, parameters allowed", () => {
    const cases: [string | null, boolean][] = [
      ["application/json", true],
      ["application/json; charset=utf-8", true],
      ["text/plain", false],
      [null, false],
      ["application/json", true],
    ];
    for (const [type, ok] of cases) expect([type, isJsonContentType(type)]).toEqual([type, ok]);
  });
});
