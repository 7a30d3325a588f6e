// Fuzz: label and field selector parsers, matching and the structured selector form. Any text parses or fails
// with SelectorError; what parses prints back to a selector that parses to the same requirements; matching never
// throws, whatever the labels (hostile keys included), and never sees an inherited member as a label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { check, genArb, labelsArb, selectorTextArb, toJsonText } from '../testing/arbitraries.js';
import { inheritedOnFreshObject, snapshotPrototypes } from '../testing/prototypes.js';
import {
  SelectorError, fieldSelectorToString, fieldsAt, labelSelectorFromObject, labelSelectorToString, matchesFields, matchesLabels,
  parseFieldSelector, parseLabelSelector,
} from './index.js';

function selectorErrorsOnly<T>(fn: () => T): T | undefined {
  const snap = snapshotPrototypes();
  try {
    return fn();
  } catch (e) {
    assert.ok(e instanceof SelectorError, String((e as Error)?.stack ?? e));
    return undefined;
  } finally {
    const changed = snap.changed();
    snap.restore();
    assert.deepEqual(changed, []);
    assert.deepEqual(inheritedOnFreshObject(), []);
  }
}

test('fuzz: label selectors parse or fail with SelectorError, print back to themselves, and match without throwing', () => {
  check('label selector', fc.tuple(selectorTextArb, labelsArb), ([text, labels]) => {
    const sel = selectorErrorsOnly(() => parseLabelSelector(text));
    if (!sel) return;
    const again = parseLabelSelector(labelSelectorToString(sel));
    assert.deepEqual(again, sel, `round trip of ${JSON.stringify(text)}`);
    const m = matchesLabels(sel, labels);
    assert.equal(typeof m, 'boolean');
    // a requirement on a key the labels do not hold never sees an inherited member
    for (const r of sel) if (!Object.hasOwn(labels, r.key) && r.operator === 'Exists') assert.equal(m, false);
  }, 600);
});

test('fuzz: field selectors parse or fail with SelectorError, print back to themselves, and match without throwing', () => {
  check('field selector', selectorTextArb, (text) => {
    const sel = selectorErrorsOnly(() => parseFieldSelector(text));
    if (!sel) return;
    assert.deepEqual(parseFieldSelector(fieldSelectorToString(sel)), sel, `round trip of ${JSON.stringify(text)}`);
    assert.equal(typeof matchesFields(sel, fieldsAt({ metadata: { name: 'x', namespace: 'y' } }, sel)), 'boolean');
  }, 600);
});

test('fuzz: structured selectors from any JSON are validated, never crash', () => {
  const selArb = fc.oneof(
    genArb.map((g) => JSON.parse(toJsonText(g)) as unknown),
    fc.record({ matchLabels: labelsArb, matchExpressions: fc.array(genArb.map((g) => JSON.parse(toJsonText(g)) as unknown), { maxLength: 3 }) }),
  );
  check('structured selector', fc.tuple(selArb, labelsArb), ([sel, labels]) => {
    const parsed = selectorErrorsOnly(() => labelSelectorFromObject(sel as never));
    if (parsed) assert.equal(typeof matchesLabels(parsed, labels), 'boolean');
  }, 400);
});
