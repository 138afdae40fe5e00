// CIMD-02 §8.6: never fetch from a special-use address. Every case runs with the strict default
// policy and a real HTTPS server listening on 127.0.0.1: a refusal must come before any connection.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fetchMetadataDocument } from "../../../src/oauth/client-metadata-document/fetch-document.ts";
import { ClientMetadataResolver } from "../../../src/oauth/client-metadata-document/resolver.ts";
import { type DocumentServer, json, startDocumentServer } from "./document-server.ts";
import { documentFor, fakeLookup } from "./lookup-fixture.ts";
import { makeTestCertificates, type TestCertificates } from "./tls-fixture.ts";

let certs: TestCertificates;
let server: DocumentServer;

beforeAll(async () => {
  certs = makeTestCertificates(["cimd.test"]);
  server = await startDocumentServer(certs);
  server.route("/client", json(documentFor("unused")));
});
afterAll(() => server.close());

describe("SSRF guard (strict default)", () => {
  test.each([
    ["127.0.0.1"],
    ["127.0.0.2"],
    ["10.0.0.1"],
    ["172.16.5.4"],
    ["192.168.1.1"],
    ["169.254.169.254"],
    ["100.64.0.1"],
    ["0.0.0.0"],
    ["::1"],
    ["::"],
    ["::ffff:127.0.0.1"],
    ["::ffff:169.254.169.254"],
    ["fd00::1"],
    ["fc00::1"],
    ["fe80::1"],
    ["ff02::1"],
    ["224.0.0.1"],
    ["64:ff9b::a9fe:a9fe"],
  ])("cimd.test -> %p is refused without any connection attempt", async (address) => {
    const lookup = fakeLookup({ "cimd.test": [address] });
    const connectionsBefore = server.connections;
    const outcome = await fetchMetadataDocument(server.url("/client"), { lookup, ca: certs.ca });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe("forbidden_address");
    expect(outcome.error.description).not.toContain(address);
    expect(lookup.calls).toEqual(["cimd.test"]);
    expect(server.connections).toBe(connectionsBefore);
  });

  test("refused when ANY resolved address is refused, even if another is allowed", async () => {
    const lookup = fakeLookup({ "cimd.test": ["127.0.0.1", "10.0.0.1"] });
    const connectionsBefore = server.connections;
    const outcome = await fetchMetadataDocument(server.url("/client"), {
      lookup,
      ca: certs.ca,
      isAddressAllowed: (address) => address === "127.0.0.1",
    });
    expect(!outcome.ok && outcome.error.kind).toBe("forbidden_address");
    expect(server.connections).toBe(connectionsBefore);
  });

  test.each(["127.0.0.1", "[::1]", "[::ffff:7f00:1]"])("an IP literal host (%p) is vetted the same way, with no lookup", async (host) => {
    const lookup = fakeLookup({});
    const connectionsBefore = server.connections;
    const outcome = await fetchMetadataDocument(`https://${host}:${server.port}/client`, { lookup, ca: certs.ca });
    expect(!outcome.ok && outcome.error.kind).toBe("forbidden_address");
    expect(lookup.calls).toEqual([]);
    expect(server.connections).toBe(connectionsBefore);
  });

  test("the system resolver's answer for localhost is refused too", async () => {
    const connectionsBefore = server.connections;
    const outcome = await fetchMetadataDocument(`https://localhost:${server.port}/client`, { ca: certs.ca });
    expect(!outcome.ok && outcome.error.kind).toBe("forbidden_address");
    expect(server.connections).toBe(connectionsBefore);
  });

  test("through the resolver: refused, and the refusal is held rather than retried", async () => {
    const lookup = fakeLookup({ "cimd.test": ["169.254.169.254"] });
    const cimd = new ClientMetadataResolver({ lookup, ca: certs.ca, validateRedirectUris: () => [] });
    for (let i = 0; i < 3; i++) {
      const outcome = await cimd.resolve(server.url("/client"));
      expect(!outcome.ok && outcome.error.kind).toBe("forbidden_address");
    }
    expect(lookup.calls).toEqual(["cimd.test"]);
  });
});
