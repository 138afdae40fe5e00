// Shared by the MCP 2026-07-28 parts of the traceability table: the spec sources and the
// references to the tests that verify them (test files, describe titles as they run).
import { testRef } from "../requirement.ts";

export const S = "MCP 2026-07-28 streamable-http";
export const V = "MCP 2026-07-28 versioning";
export const M = "MCP 2026-07-28 mrtr";

export const stateless = (title: string) => testRef("test/bridge/modern/stateless.test.ts", 'sharing = "shared"', title);
export const oneUrl = (title: string) =>
  testRef("test/bridge/modern/stateless.test.ts", "2025 sessions and 2026 requests on one URL", title);
export const listen = testRef(
  "test/bridge/modern/stateless.test.ts",
  "subscriptions/listen",
  "carries list_changed and resources/updated that match the filter, tagged with the subscription id",
);
export const gap = (title: string) =>
  testRef("test/bridge/modern/requirements-gaps.test.ts", "MCP 2026-07-28 streamable-http through the appliance", title);
export const mrtrGap = (title: string) =>
  testRef("test/bridge/modern/requirements-gaps.test.ts", "MCP 2026-07-28 mrtr §Error Handling through the appliance", title);
export const envelope = (describe: string, title: string) => testRef("test/bridge/modern/envelope.test.ts", describe, title);
export const refusal = (title: string) => envelope("refusals", title);
export const headers = (describe: "accepted" | "refused with 400 and -32020", title: string) =>
  testRef("test/bridge/modern/request-headers.test.ts", describe, title);
export const params = (describe: "accepted" | "refused with 400 and -32020", title: string) =>
  testRef("test/bridge/modern/param-headers.test.ts", describe, title);
export const sealer = (title: string) => testRef("test/bridge/modern/request-state.test.ts", "RequestStateSealer", title);
export const digest = (title: string) => testRef("test/bridge/modern/request-state.test.ts", "paramsDigest", title);
export const inputRequired = (title: string) => testRef("test/bridge/modern/result-shape.test.ts", "inputRequiredResponse", title);
export const discover = (title: string) => testRef("test/bridge/modern/discover.test.ts", "discoverResponse", title);
/** The v2 SDK client over the 2025-era v1-SDK child (the appliance does the 2026-07-28 side). */
export const V2_SHARED = 'v2 client, v1 SDK child, sharing = "shared"';
export const v2 = (mode: "legacy" | "auto" | "pin", title: string) =>
  testRef("test/bridge/v2-client.test.ts", V2_SHARED, `mode ${mode}`, title);
export const next = (scenario: string) =>
  testRef(
    "test/conformance/conformance-next.test.ts",
    'conformance-next --requirements 2026-07-28, 2025-era child, sharing = "shared"',
    scenario,
  );
export const golden = (name: string) => testRef("test/config/golden.test.ts", "config goldens", name);
