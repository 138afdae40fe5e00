// The pipe floor: the least a Bun bridge can do. One stdio server per session, each POST body
// written to its stdin as one line, the line with the same id sent back as the response. No
// authentication, validation, limits, SSE, timeouts or logging: not a usable bridge, a
// measuring stick for what Bun.serve + Bun.spawn cost before any of that is added.
//   bun floors/pipe-floor.ts PORT [--detached] -- SERVER COMMAND...
// --detached starts each server in a session of its own (setsid), as mcp-appliance does so that
// stopping a session can signal the server's whole process group: where the kernel's scheduler
// autogroups are on and the processes sit in the root CPU cgroup, each such session is scheduled
// as a group of its own, which changes how the CPU is shared between bridge and servers.
import type { Subprocess } from "bun";

const port = Number(process.argv[2]);
const detached = process.argv.slice(3, process.argv.indexOf("--")).includes("--detached");
const command = process.argv.slice(process.argv.indexOf("--") + 1);

interface FloorSession {
  child: Subprocess<"pipe", "pipe", "inherit">;
  waiting: Map<unknown, (line: string) => void>;
}
const sessions = new Map<string, FloorSession>();
let count = 0;

async function readLines(session: FloorSession): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of session.child.stdout) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const id = JSON.parse(line).id;
      session.waiting.get(id)?.(line);
      session.waiting.delete(id);
    }
  }
}

Bun.serve({
  port,
  hostname: "127.0.0.1",
  async fetch(request) {
    const id = request.headers.get("mcp-session-id");
    if (request.method === "DELETE") {
      const session = id === null ? undefined : sessions.get(id);
      session?.child.kill();
      sessions.delete(id ?? "");
      return new Response(null, { status: session ? 200 : 404 });
    }
    const text = await request.text();
    const message = JSON.parse(text);
    let sessionId = id;
    let session = id === null ? undefined : sessions.get(id);
    if (message.method === "initialize") {
      sessionId = String(++count);
      session = { child: Bun.spawn(command, { stdin: "pipe", stdout: "pipe", stderr: "inherit", detached }), waiting: new Map() };
      sessions.set(sessionId, session);
      void readLines(session);
    }
    if (!session) return new Response(null, { status: 404 });
    const answered = message.id === undefined ? undefined : new Promise<string>((resolve) => session.waiting.set(message.id, resolve));
    session.child.stdin.write(`${text}\n`);
    void session.child.stdin.flush();
    if (!answered) return new Response(null, { status: 202 });
    return new Response(await answered, { headers: { "content-type": "application/json", "mcp-session-id": sessionId! } });
  },
});
