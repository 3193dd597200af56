import assert from "node:assert/strict";
import { test } from "node:test";

import { Positions } from "../../src/positions.js";

function welcome(user, broadcast) {
  return { type: "welcome", connection: "c1", user, broadcast };
}

test("a first connection asks for nothing, takes the welcome's positions and reports no recovery", () => {
  const p = new Positions();
  assert.deepEqual(p.query(), {});
  assert.equal(p.welcome(welcome({ epoch: "e1", offset: 7, recovered: false }, { epoch: "b1", offset: 40, recovered: false })), null);
  assert.deepEqual(p.snapshot(), { user: { epoch: "e1", offset: 7 }, broadcast: { epoch: "b1", offset: 40 } });
  assert.deepEqual(p.query(), { since: "e1:7", broadcast_since: "b1:40" });
});

test("duplicates and older offsets are dropped per stream; unrecorded messages always pass", () => {
  const p = new Positions();
  p.query();
  p.welcome(welcome({ epoch: "e1", offset: 2, recovered: false }, { epoch: "b1", offset: 10, recovered: false }));
  assert.equal(p.accept("user", "e1", 2), false, "the welcome's offset was already there when we joined");
  assert.equal(p.accept("user", "e1", 3), true);
  assert.equal(p.accept("user", "e1", 3), false, "a duplicate");
  assert.equal(p.accept("broadcast", "b1", 3), false, "offsets are per stream");
  assert.equal(p.accept("broadcast", "b1", 11), true);
  assert.equal(p.accept("user", "e1", 1), false, "an older one");
  assert.equal(p.accept("user", undefined, undefined), true, "a plain PUBLISH has no position");
  assert.deepEqual(p.snapshot(), { user: { epoch: "e1", offset: 3 }, broadcast: { epoch: "b1", offset: 11 } });
});

test("a complete recovery keeps the position, so the replay after it is accepted once", () => {
  const p = new Positions({ user: { epoch: "e1", offset: 5 } });
  assert.deepEqual(p.query(), { since: "e1:5" });
  const report = p.welcome(welcome({ epoch: "e1", offset: 8, recovered: true }, { epoch: "b1", offset: 3, recovered: false }));
  assert.deepEqual(report, { complete: true, user: { recovered: true, epoch: "e1", offset: 8 } });
  assert.deepEqual([5, 6, 7, 8, 8, 9].map((o) => p.accept("user", "e1", o)), [false, true, true, true, false, true]);
});

test("a trimmed history reports recovered false; what is still kept passes, without duplicates", () => {
  const p = new Positions({ user: { epoch: "e1", offset: 5 } });
  p.query();
  const report = p.welcome(welcome({ epoch: "e1", offset: 300, recovered: false }));
  assert.deepEqual(report, { complete: false, user: { recovered: false, epoch: "e1", offset: 300 } });
  assert.equal(p.accept("user", "e1", 201), true);
  assert.equal(p.accept("user", "e1", 201), false);
});

test("a new epoch: recovered false, every message of the new epoch passes, and the next since uses it", () => {
  const p = new Positions({ user: { epoch: "old", offset: 50 } });
  p.query();
  const report = p.welcome(welcome({ epoch: "new", offset: 2, recovered: true }));
  assert.equal(report.complete, false, "another epoch is never a complete recovery, whatever the server says");
  assert.equal(p.accept("user", "new", 1), true);
  assert.equal(p.accept("user", "new", 2), true);
  assert.deepEqual(p.query(), { since: "new:2" });
});

test("a new epoch whose replay never arrived: the next connection cannot ask, and reports recovered false", () => {
  const p = new Positions({ user: { epoch: "old", offset: 50 } });
  p.query();
  p.welcome(welcome({ epoch: "new", offset: 2, recovered: false }));
  assert.deepEqual(p.query(), {}, "no position in the new epoch yet");
  const report = p.welcome(welcome({ epoch: "new", offset: 4, recovered: false }));
  assert.deepEqual(report, { complete: false, user: { recovered: false, epoch: "new", offset: 4 } });
  assert.deepEqual(p.snapshot(), { user: { epoch: "new", offset: 4 } });
});

test("a stream that went back under the same epoch resets, so new messages are not taken for duplicates", () => {
  const p = new Positions({ user: { epoch: "e1", offset: 90 } });
  p.query();
  const report = p.welcome(welcome({ epoch: "e1", offset: 10, recovered: false }));
  assert.equal(report.complete, false);
  assert.equal(p.accept("user", "e1", 11), true);
});

test("an initial position is checked", () => {
  assert.throws(() => new Positions({ user: { epoch: "bad epoch!", offset: 1 } }), TypeError);
  assert.throws(() => new Positions({ user: { epoch: "e", offset: -1 } }), TypeError);
  assert.throws(() => new Positions({ broadcast: { epoch: "e", offset: "3" } }), TypeError);
  assert.deepEqual(new Positions({ broadcast: { epoch: "b-1_x", offset: 0 } }).query(), { broadcast_since: "b-1_x:0" });
});
