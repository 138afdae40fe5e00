// npm run build → dist/mcp-appliance: one self-contained executable (bun build --compile).
// The binary must not pick up .env or bunfig.toml from whatever directory it is started in,
// and carries its version. Never strip it: the program is embedded in the file.
import pkg from "../package.json" with { type: "json" };

const outfile = process.argv[2] ?? "dist/mcp-appliance";
const args = [
  "build",
  "--compile",
  "--minify-syntax",
  "--sourcemap=none",
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  `--define=MCP_APPLIANCE_VERSION=${JSON.stringify(pkg.version)}`,
  // The pages' CSS and images, served by the binary itself (see src/http/assets.ts).
  "--asset=assets",
  "src/cli/main.ts",
  "--outfile",
  outfile,
];
const build = Bun.spawnSync([process.execPath, ...args], { stdout: "inherit", stderr: "inherit", cwd: `${import.meta.dir}/..` });
process.exit(build.exitCode ?? 1);
