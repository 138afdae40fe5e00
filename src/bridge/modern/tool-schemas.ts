// The input schemas of a server's tools, as its last tools/list answers gave them: the
// Mcp-Param-* headers of a tools/call are checked against the x-mcp-header annotations of the
// called tool (2026-07-28 streamable-http §Custom Headers from Tool Parameters). The appliance
// learns them from the tools/list answers that pass through it; a tool it has not seen listed
// yet is not checked (the child still validates its arguments).
import { BoundedMap } from "../../common/bounded-map.ts";

/** More tools than any server lists; a child that lists more cannot grow the appliance's memory. */
const MOST_TOOLS = 4096;

export class ToolSchemas {
  private readonly schemas = new BoundedMap<string, unknown>(MOST_TOOLS);

  get(tool: string): unknown {
    return this.schemas.get(tool);
  }

  /** A tools/list answer line (either era's): its tools' schemas replace what was known of them. */
  learn(answer: string): void {
    let tools: unknown;
    try {
      tools = (JSON.parse(answer) as { result?: { tools?: unknown } }).result?.tools;
    } catch {
      return;
    }
    if (!Array.isArray(tools)) return;
    for (const tool of tools) {
      const { name, inputSchema } = (tool ?? {}) as { name?: unknown; inputSchema?: unknown };
      if (typeof name === "string") this.schemas.set(name, inputSchema);
    }
  }
}
