// The pages' static files (/assets/…), embedded in the executable: `bun build --compile
// --asset=assets` puts the folder at /$bunfs/root/assets, where import.meta.dir of the bundle
// points; from the source tree it is the repository's assets/ folder.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { staticPlugin } from "@elysiajs/static";

function assetsFolder(): string {
  const candidates = [join(import.meta.dir, "assets"), join(import.meta.dir, "..", "..", "assets")];
  return candidates.find((dir) => existsSync(join(dir, "pages.css"))) ?? candidates[0]!;
}

export function assetRoutes() {
  return staticPlugin({
    assets: assetsFolder(),
    prefix: "/assets",
    alwaysStatic: true,
    headers: { "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" },
  });
}
