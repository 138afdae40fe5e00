#!/usr/bin/env node
// Issues a real OAuth access token for the benchmark: starts the appliance with the given state
// directory, sets the owner password, registers a client (RFC 7591), signs in and approves on
// the consent page, redeems the code with PKCE, stops the appliance, prints the access token.
//   node mint-token.mjs STATE_DIR
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.APPLIANCE_BINARY ?? join(here, "..", "dist", "mcp-appliance");
const state = process.argv[2];
if (!state) throw new Error("usage: node mint-token.mjs STATE_DIR");
const origin = "http://127.0.0.1:18000";
const config = join(mkdtempSync(join(tmpdir(), "bench-mint-")), "mcp.toml");
writeFileSync(
  config,
  [
    'listen = "127.0.0.1:18000"',
    `public_url = "${origin}"`,
    'auth = "oauth"',
    `state_dir = "${state}"`,
    "[log]",
    'level = "warn"',
    "[oauth]",
    'access_token_ttl = "24h"',
    "[servers.bench]",
    `command = "${process.execPath}"`,
    `args = ["${join(here, "fixture-server", "raw.mjs")}"]`,
    'path = "/mcp"',
  ].join("\n"),
);
const password = randomBytes(18).toString("base64url");
const set = spawnSync(binary, ["passwd", "--config", config], { input: `${password}\n` });
if (set.status !== 0) throw new Error(`passwd failed: ${set.stderr}`);

const appliance = spawn(binary, ["--config", config], { stdio: "ignore" });
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {}
    if (i > 200) throw new Error("the appliance did not start");
    await new Promise((r) => setTimeout(r, 25));
  }
  const redirectUri = "http://127.0.0.1:1/callback";
  const reg = await (
    await fetch(`${origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "bench",
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
      }),
    })
  ).json();
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const authorize = new URL(`${origin}/authorize`);
  for (const [k, v] of Object.entries({
    response_type: "code",
    client_id: reg.client_id,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: "S256",
    resource: `${origin}/mcp`,
    state: "x",
  }))
    authorize.searchParams.set(k, v);
  const field = (html, name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)[1].replaceAll("&amp;", "&");
  const post = (fields, cookie = "") =>
    fetch(`${origin}/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin, cookie },
      body: new URLSearchParams(fields),
    });
  const login = await (await fetch(authorize)).text();
  const consentResponse = await post({ action: "login", request: field(login, "request"), csrf: field(login, "csrf"), password });
  const cookie = consentResponse.headers.get("set-cookie").split(";")[0];
  const consent = await consentResponse.text();
  const approved = await post({ action: "approve", request: field(consent, "request"), csrf: field(consent, "csrf") }, cookie);
  const code = new URL(approved.headers.get("location")).searchParams.get("code");
  const tokens = await (
    await fetch(`${origin}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: reg.client_id,
        redirect_uri: redirectUri,
        resource: `${origin}/mcp`,
      }),
    })
  ).json();
  if (!tokens.access_token) throw new Error(`no token: ${JSON.stringify(tokens)}`);
  process.stdout.write(`${tokens.access_token}\n`);
} finally {
  appliance.kill("SIGTERM");
}
