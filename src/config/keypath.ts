// Key paths as they appear in error messages: servers.vault.env.API_KEY, servers.vault.args[1].
// Keys that TOML could not write bare are quoted the way TOML quotes them: servers."My Server".
import { quote } from "./describe.ts";

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

export function formatKeyPath(keys: readonly (string | number)[]): string {
  let text = "";
  for (const key of keys) {
    if (typeof key === "number") text += `[${key}]`;
    else text += (text === "" ? "" : ".") + (BARE_KEY.test(key) ? key : quote(key));
  }
  return text;
}
