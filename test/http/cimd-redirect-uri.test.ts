// MCP 2025-11-25 authorization §Client ID Metadata Documents, end to end: for a client whose
// client_id is the URL of its metadata document, /authorize accepts only a redirect_uri that the
// document lists (as for a registered client); any other is refused on the appliance's own page,
// never by a redirect to it. The document is served over HTTPS by a real server on 127.0.0.1
// (test/oauth/cimd: a CA made at test time, a lookup mapping cimd.test to 127.0.0.1).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { ownerPasswordHash } from "../helpers/oauth.ts";
import { type DocumentServer, json, startDocumentServer } from "../oauth/cimd/document-server.ts";
import { allowTestServer, fakeLookup } from "../oauth/cimd/lookup-fixture.ts";
import { makeTestCertificates } from "../oauth/cimd/tls-fixture.ts";

const LISTED = "http://localhost:47300/callback";

let documents: DocumentServer;
let appliance: TestAppliance;
let clientId: string;

beforeAll(async () => {
  const certs = makeTestCertificates(["cimd.test"]);
  documents = await startDocumentServer(certs);
  clientId = documents.url("/client.json");
  documents.route(
    "/client.json",
    json({ client_id: clientId, client_name: "Redirect Test Client", redirect_uris: [LISTED], token_endpoint_auth_method: "none" }),
  );
  appliance = await startTestAppliance(
    [stdioServer("vault", "behaviour-server.mjs")],
    { auth: "oauth", oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() } },
    { metadataDocumentFetch: { lookup: fakeLookup({ "cimd.test": ["127.0.0.1"] }), isAddressAllowed: allowTestServer, ca: certs.ca } },
  );
});

afterAll(async () => {
  await appliance?.stop();
  await documents?.close();
});

function authorize(redirectUri: string): Promise<Response> {
  const url = new URL("/authorize", appliance.url);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    state: "xyz",
    resource: appliance.mcpUrl("vault").href,
    scope: "mcp:vault",
  }).toString();
  return fetch(url, { redirect: "manual" });
}

describe("the redirect_uri of a metadata-document client", () => {
  test("one the document lists starts the authorization", async () => {
    const response = await authorize(LISTED);
    const html = await response.text();
    expect(response.status).not.toBe(400);
    expect(html).not.toContain("Authorization request refused");
  });

  test("one the document does not list is refused on the appliance's page, without a redirect", async () => {
    // (Another port of the same loopback URI is the same URI: RFC 8252 §7.3, so it is not tried here.)
    for (const other of ["http://localhost:47300/other", `${LISTED}/more`, "https://attacker.example/callback"]) {
      const response = await authorize(other);
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      const html = await response.text();
      expect(html).toContain("Authorization request refused");
      expect(html).toContain("redirect_uri does not match");
    }
  });
});
