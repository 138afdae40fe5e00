// valibot issues -> problem lines, and the question cross-key checks ask before they look at a
// key: "is this value valid?" (they run even when other keys are wrong, so that one pass reports
// every problem, but must not trip over a value that already has its own error).

import type * as v from "valibot";
import { formatKeyPath } from "./keypath.ts";

type Issue = v.BaseIssue<unknown>;

function keysOf(issue: Issue): (string | number)[] {
  return (issue.path ?? []).map((item) => item.key as string | number);
}

/** True when some issue concerns the value at `keys`: the value itself, one inside it or a table holding it. */
export function hasIssueAt(issues: readonly Issue[] | undefined, keys: readonly (string | number)[]): boolean {
  return (issues ?? []).some((issue) => {
    const path = keysOf(issue);
    const shared = Math.min(path.length, keys.length);
    return path.slice(0, shared).every((key, index) => key === keys[index]);
  });
}

/** "servers.vault.args: expected an array of strings, got a string" */
export function describeIssue(issue: Issue): string {
  const keys = keysOf(issue);
  return keys.length === 0 ? issue.message : `${formatKeyPath(keys)}: ${issue.message}`;
}

/** An issue path for an issue a check adds below the value it checks (only the keys are read). */
export function issuePath(...keys: (string | number)[]): [v.IssuePathItem, ...v.IssuePathItem[]] {
  const items = keys.map((key): v.IssuePathItem => ({ type: "unknown", origin: "value", input: undefined, key, value: undefined }));
  return items as [v.IssuePathItem, ...v.IssuePathItem[]];
}
