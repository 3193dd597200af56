import assert from "node:assert/strict";
import { test } from "node:test";

import { ceiling, fullJitter, parseRetryAfter, pushedBack, spread } from "../../src/backoff.js";
import { seeded } from "./fakes.js";

const backoff = { baseMs: 500, capMs: 30_000, maxRetryAfterMs: 300_000 };

test("the ceiling doubles per attempt from the base and stops at the cap", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 50].map((a) => ceiling(a, backoff)),
    [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test("full jitter stays in [0, ceiling) and reaches both ends of it", () => {
  const random = seeded(7);
  for (let attempt = 0; attempt < 12; attempt++) {
    const top = ceiling(attempt, backoff);
    const draws = Array.from({ length: 2000 }, () => fullJitter(attempt, backoff, random));
    assert.ok(draws.every((d) => d >= 0 && d < top), `attempt ${attempt}: all within [0, ${top})`);
    assert.ok(Math.min(...draws) < top * 0.01, `attempt ${attempt}: near 0 reached`);
    assert.ok(Math.max(...draws) > top * 0.99, `attempt ${attempt}: near the ceiling reached`);
  }
  assert.equal(fullJitter(3, backoff, () => 0), 0);
  assert.equal(fullJitter(3, backoff, () => 0.999999), 3999);
});

test("full jitter spreads a fleet evenly over the window (10 buckets of 5,000 draws)", () => {
  const random = seeded(42);
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 5000; i++) {
    buckets[Math.floor(spread(2000, random) / 200)]++;
  }
  for (const count of buckets) {
    assert.ok(count > 400 && count < 600, `bucket ${count} of 5,000 is within 500 +- 100: ${buckets}`);
  }
});

test("a pushed-back retry is never sooner than half the ceiling, or than Retry-After", () => {
  const random = seeded(3);
  for (let attempt = 0; attempt < 10; attempt++) {
    const top = ceiling(attempt, backoff);
    for (let i = 0; i < 500; i++) {
      const d = pushedBack(attempt, backoff, undefined, random);
      assert.ok(d >= top / 2 && d <= top, `attempt ${attempt}: ${d} in [${top / 2}, ${top}]`);
      const withRetryAfter = pushedBack(attempt, backoff, 7000, random);
      assert.ok(withRetryAfter >= 7000 && withRetryAfter < 7000 + top, `Retry-After honoured: ${withRetryAfter}`);
    }
  }
  assert.equal(pushedBack(0, backoff, 3_600_000, () => 0), 300_000, "an absurd Retry-After is capped");
});

test("Retry-After is read as seconds or as an HTTP date", () => {
  const now = Date.parse("2026-12-03T08:00:00Z");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter("0", now), 0);
  assert.equal(parseRetryAfter("Thu, 03 Dec 2026 08:00:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter("Thu, 03 Dec 2026 07:00:00 GMT", now), 0, "a past date means now");
  assert.equal(parseRetryAfter(undefined, now), undefined);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter("-5", now), undefined);
});
