import { describe, expect, test } from "bun:test";
import { BoundedMap } from "../../src/common/bounded-map.ts";

const keysOf = (map: BoundedMap<string, number>) => [...map.entries()].map(([key]) => key);

describe("BoundedMap", () => {
  test("past capacity, the least recently set entry is forgotten first", () => {
    const map = new BoundedMap<string, number>(3);
    for (const [i, key] of ["a", "b", "c", "d"].entries()) map.set(key, i);
    expect(map.size).toBe(3);
    expect(map.get("a")).toBeUndefined();
    expect(keysOf(map)).toEqual(["b", "c", "d"]);
  });

  test("get marks an entry as recently used, so it outlives older ones", () => {
    const map = new BoundedMap<string, number>(3);
    for (const key of ["a", "b", "c"]) map.set(key, 0);
    expect(map.get("a")).toBe(0);
    map.set("d", 0);
    expect(keysOf(map)).toEqual(["c", "a", "d"]);
    expect(map.get("b")).toBeUndefined();
  });

  test("a miss does not change the order", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.get("z")).toBeUndefined();
    expect(keysOf(map)).toEqual(["a", "b"]);
  });

  test("setting an existing key replaces its value and marks it recently used, without growing", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    map.set("a", 3);
    expect(map.size).toBe(2);
    expect(keysOf(map)).toEqual(["b", "a"]);
    map.set("c", 4);
    expect(keysOf(map)).toEqual(["a", "c"]);
    expect(map.get("a")).toBe(3);
  });

  test("a stored undefined is a hit, and is touched like any value", () => {
    const map = new BoundedMap<string, number | undefined>(2);
    map.set("a", undefined);
    map.set("b", 1);
    map.get("a");
    map.set("c", 2);
    expect([...map.entries()].map(([key]) => key)).toEqual(["a", "c"]);
  });

  test("capacity 1 keeps only the last entry set", () => {
    const map = new BoundedMap<string, number>(1);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.size).toBe(1);
    expect(map.get("a")).toBeUndefined();
    expect(map.get("b")).toBe(2);
  });

  test("capacity 0 keeps nothing", () => {
    const map = new BoundedMap<string, number>(0);
    map.set("a", 1);
    expect(map.size).toBe(0);
    expect(map.get("a")).toBeUndefined();
  });

  test("a capacity that is negative or not an integer is refused", () => {
    expect(() => new BoundedMap(-1)).toThrow(RangeError);
    expect(() => new BoundedMap(1.5)).toThrow(RangeError);
    expect(() => new BoundedMap(Number.NaN)).toThrow(RangeError);
  });

  test("delete removes one entry and says whether it was there; clear removes all", () => {
    const map = new BoundedMap<string, number>(3);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.delete("a")).toBe(true);
    expect(map.delete("a")).toBe(false);
    expect(map.size).toBe(1);
    expect(keysOf(map)).toEqual(["b"]);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get("b")).toBeUndefined();
  });

  test("a deleted entry frees its place: nothing else is evicted for the next one", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    map.delete("a");
    map.set("c", 3);
    expect(keysOf(map)).toEqual(["b", "c"]);
  });

  test("entries may be deleted while iterating", () => {
    const map = new BoundedMap<string, number>(5);
    for (const [i, key] of ["a", "b", "c", "d"].entries()) map.set(key, i);
    for (const [key, value] of map.entries()) if (value % 2 === 0) map.delete(key);
    expect(keysOf(map)).toEqual(["b", "d"]);
  });
});
