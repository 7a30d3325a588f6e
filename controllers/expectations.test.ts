import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPECTATIONS_TTL_MS, Expectations } from './expectations.js';

test('creations are counted down as they are observed or fail', () => {
  const e = new Expectations();
  assert.ok(e.satisfied('rs'), 'nothing expected');
  e.expectCreations('rs', 3);
  e.creationObserved('rs');
  e.creationFailed('rs');
  assert.equal(e.satisfied('rs'), false);
  e.creationObserved('rs');
  assert.ok(e.satisfied('rs'));
});

test('deletions are tracked by pod: another pod going, or the same pod seen twice, does not count', () => {
  const e = new Expectations();
  e.expectDeletions('rs', ['ns/a', 'ns/b']);
  e.deletionObserved('rs', 'ns/c'); // someone deleted another pod of this ReplicaSet
  e.deletionObserved('rs', 'ns/a'); // a got its deletionTimestamp ...
  e.deletionObserved('rs', 'ns/a'); // ... and then went away
  assert.equal(e.satisfied('rs'), false, 'b is still to be seen');
  e.deletionFailed('rs', 'ns/b');
  assert.ok(e.satisfied('rs'));
});

test('new expectations replace the old; expectations expire after five minutes; delete forgets them', () => {
  let now = 0;
  const e = new Expectations(() => now);
  e.expectCreations('rs', 2);
  e.expectDeletions('rs', ['ns/a']);
  e.deletionObserved('rs', 'ns/a');
  assert.ok(e.satisfied('rs'), 'the creations were replaced');
  e.expectCreations('rs', 1);
  now += EXPECTATIONS_TTL_MS;
  assert.equal(e.satisfied('rs'), false);
  now += 1;
  assert.ok(e.satisfied('rs'), 'a creation never observed is not waited for forever');
  e.expectCreations('other', 1);
  e.delete('other');
  assert.ok(e.satisfied('other'));
});
