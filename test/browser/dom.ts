// Reading and changing the page from inside the browser. The project's TypeScript setup has no
// DOM library (the code runs on Bun), so the few browser globals used here get minimal types.
// The functions passed to evaluate() run in the page: they must not use anything from this
// module's scope (only their arguments and the page's own globals).
import type { Page, Response as PageResponse } from "playwright-core";

interface PageGlobals {
  document: { querySelector(selector: string): { value: string } | null };
  getComputedStyle(element: unknown): Record<string, string>;
}

/** Computed CSS properties (camelCase names) of the first element matching `selector`. */
export function computedStyle(page: Page, selector: string, properties: string[]): Promise<Record<string, string>> {
  return page
    .locator(selector)
    .first()
    .evaluate((element, names) => {
      const style = (globalThis as unknown as PageGlobals).getComputedStyle(element);
      return Object.fromEntries(names.map((name) => [name, style[name] ?? ""]));
    }, properties);
}

/** Set an input's value directly, as a tampering script would (hidden inputs included). */
export function setInputValue(page: Page, selector: string, value: string): Promise<void> {
  return page.evaluate(
    ([selector, value]) => {
      const input = (globalThis as unknown as PageGlobals).document.querySelector(selector);
      if (!input) throw new Error(`no ${selector} in the page`);
      input.value = value;
    },
    [selector, value] as const,
  );
}

/** Submit a form by clicking `button` and return the response of the navigation it causes. */
export async function submit(page: Page, button: string): Promise<PageResponse | null> {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(button)]);
  return response;
}
