import assert from "node:assert/strict";
import { test } from "node:test";

import { decide } from "../../src/decisions.js";

const token = { usesToken: true, freshTokenFailed: false };

test("close codes: what the client does after each", () => {
  const cases = [
    [1000, "reconnect", "backoff"],
    [1001, "reconnect", "spread"],
    [1002, "reconnect", "backoff"],
    [1003, "reconnect", "backoff"],
    [1006, "reconnect", "backoff"],
    [1007, "reconnect", "backoff"],
    [1008, "stop", undefined],
    [1009, "reconnect", "backoff"],
    [1011, "reconnect", "backoff"],
    [1012, "reconnect", "spread"],
    [1013, "reconnect", "pushback"],
    [4001, "reconnect", "spread"],
    [4999, "reconnect", "backoff"],
  ];
  for (const [code, action, delay] of cases) {
    const d = decide({ code, ...token });
    assert.equal(d.action, action, `action after ${code}`);
    assert.equal(d.delay, delay, `delay after ${code}`);
  }
  assert.equal(decide({ code: 4001, ...token }).freshToken, true, "4001 asks for a fresh token");
  assert.equal(decide({ code: 1006, timedOut: true, ...token }).delay, "pushback", "an unanswered upgrade is pushed back");
  assert.equal(decide({ code: 1001, ...token }).freshToken, undefined, "1001 keeps the token");
  const policy = decide({ code: 1008, reason: "rate limit", ...token });
  assert.deepEqual(policy.error, { code: "policy", message: "closed by policy (1008: rate limit); retrying cannot help", fatal: true });
  assert.deepEqual(decide({ code: 1013, ...token }).error.fatal, false);
});

test("refused upgrades: 401 once gets a fresh token, twice stops; 403, 400 stop; 429, 503 push back", () => {
  assert.deepEqual(decide({ code: 1006, status: 401, ...token }), { action: "reconnect", delay: "spread", freshToken: true });
  const twice = decide({ code: 1006, status: 401, usesToken: true, freshTokenFailed: true });
  assert.equal(twice.action, "stop");
  assert.equal(twice.error.code, "unauthorized");
  assert.equal(decide({ code: 1006, status: 401, usesToken: false, freshTokenFailed: false }).action, "stop",
    "without a token provider nothing can cure a 401");
  assert.equal(decide({ code: 1006, status: 403, error: "origin_not_allowed", ...token }).error.code, "origin_refused");
  assert.equal(decide({ code: 1006, status: 403, error: "subject_mismatch", ...token }).error.code, "forbidden");
  assert.equal(decide({ code: 1006, status: 400, error: "invalid_user_id", ...token }).action, "stop");
  for (const status of [429, 503]) {
    const d = decide({ code: 1006, status, ...token });
    assert.equal(d.action, "reconnect");
    assert.equal(d.delay, "pushback");
    assert.equal(d.error.fatal, false);
  }
  assert.equal(decide({ code: 1006, status: 502, ...token }).delay, "backoff");
  assert.equal(decide({ code: 1006, status: 404, ...token }).action, "reconnect");
});
