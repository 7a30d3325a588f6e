// Units of describe's text machinery: quantities in Kubernetes' canonical form, Go's tabwriter column blocks, and
// kubectl's smart labels for the generic describer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Quantity } from './quantity.js';
import { tabFormat as goTab } from '../tabwriter.js';

const tabFormat = (s: string) => goTab(s, { minwidth: 0, padding: 2 });
import { smartLabel } from './generic.js';

test('quantities print in canonical form and keep their format through sums', () => {
  const canon: [string, string][] = [
    ['100m', '100m'], ['0.5', '500m'], ['1000m', '1'], ['1.5', '1500m'], ['64Mi', '64Mi'], ['0.5Gi', '512Mi'],
    ['1536Mi', '1536Mi'], ['1024Ki', '1Mi'], ['1000', '1k'], ['1e3', '1e3'], ['512', '512'], ['100Gi', '100Gi'],
    ['0', '0'], ['1n', '1n'], ['0.1m', '100u'], ['2.5Ki', '2560'], ['-1Gi', '-1Gi'], ['12e-1', '1200e-3'],
  ];
  for (const [text, want] of canon) assert.equal(Quantity.parse(text).toString(), want, text);
  assert.equal(Quantity.parse('100m').add(Quantity.parse('0.5')).toString(), '600m');
  assert.equal(Quantity.parse('64Mi').add(Quantity.parse('128Mi')).toString(), '192Mi');
  assert.equal(Quantity.zero().add(Quantity.parse('1Gi')).toString(), '1Gi');
  assert.equal(Quantity.parse('1Gi').value(), 1073741824n);
  assert.equal(Quantity.parse('0.5').milli(), 500n);
  assert.equal(Quantity.parse('1n').milli(), 1n);
});

test('the tabwriter aligns each column over the consecutive lines that have it', () => {
  assert.equal(tabFormat('Name:\tweb\nNamespace:\tshop\n'), 'Name:       web\nNamespace:  shop\n');
  // A line without a tab ends the block: the lines after it align on their own.
  assert.equal(tabFormat('A:\t1\nheader\nLonger:\t2\nB:\t3\n'), 'A:  1\nheader\nLonger:  2\nB:       3\n');
  // A second column only spans the lines that have one; the last cell of a line is never padded.
  assert.equal(tabFormat('a\tb\tc\nxx\ty\nz\tw\tv\n'), 'a   b  c\nxx  y\nz   w  v\n');
  assert.equal(tabFormat('Labels:\ta=1\n\tb=2\nX:\t<none>\n'), 'Labels:  a=1\n         b=2\nX:       <none>\n');
});

test('field names become words as kubectl labels them', () => {
  assert.equal(smartLabel('apiVersion'), 'API Version');
  assert.equal(smartLabel('ownerReferences'), 'Owner References');
  assert.equal(smartLabel('uid'), 'UID');
  assert.equal(smartLabel('leaseDurationSeconds'), 'Lease Duration Seconds');
  assert.equal(smartLabel('HTTPServer'), 'HTTP Server');
  assert.equal(smartLabel('v1beta1'), 'v1beta1');
  assert.equal(smartLabel('a.b'), 'a.b');
});
