import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optionalQueryBool, parseBool, queryBool } from './query.js';

test('boolean query values read as Kubernetes reads them: only "0" and "false" (any case) are false', () => {
  for (const v of ['true', 'True', 'TRUE', 't', 'T', '1', 'yes', 'on', '']) assert.equal(parseBool(v), true, JSON.stringify(v));
  for (const v of ['false', 'False', 'FALSE', 'fAlSe', '0']) assert.equal(parseBool(v), false, JSON.stringify(v));
  assert.equal(parseBool(null), undefined);
  assert.equal(parseBool(undefined), undefined);
});

test('queryBool reads the first value, absent is false; optionalQueryBool keeps absent apart', () => {
  const q = new URLSearchParams('watch=True&stdin=False&stdout=True&stdout=false&follow');
  assert.equal(queryBool(q, 'watch'), true); // the Python client's spelling
  assert.equal(queryBool(q, 'stdin'), false);
  assert.equal(queryBool(q, 'stdout'), true);
  assert.equal(queryBool(q, 'follow'), true); // `?follow` as curl users write it
  assert.equal(queryBool(q, 'tty'), false);
  assert.equal(optionalQueryBool(q, 'tty'), undefined);
  assert.equal(optionalQueryBool(q, 'stdin'), false);
});
