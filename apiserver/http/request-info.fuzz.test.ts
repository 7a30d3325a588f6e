// Fuzz: request path parsing. Any method, path and query yields a RequestInfo (never a throw, which the upgrade
// path could not catch); an undecodable path is flagged, never half-parsed; a resource request names strings only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { METHODS, check, queryArb, requestPathArb } from '../../lib/api/testing/arbitraries.js';
import { requestInfo } from './request-info.js';

test('fuzz: requestInfo never throws and flags undecodable paths', () => {
  check('request info', fc.tuple(fc.constantFrom(...METHODS), requestPathArb, queryArb), ([method, path, query]) => {
    let url: URL;
    try {
      url = new URL(path + (query ? `?${query}` : ''), 'http://localhost');
    } catch {
      return; // the handler answers 400 before parsing
    }
    const info = requestInfo(method, url.pathname, url.searchParams);
    if (info.invalidPath) {
      assert.equal(info.isResourceRequest, false);
      assert.match(info.invalidPath, /^invalid URL escape "%/);
      return;
    }
    for (const f of [info.verb, info.group, info.version, info.resource]) assert.equal(typeof f, 'string');
    for (const f of [info.namespace, info.name, info.subresource]) assert.ok(f === undefined || typeof f === 'string');
    if (info.isResourceRequest) assert.ok(info.apiPrefix === 'api' || info.apiPrefix === 'apis');
  }, 1000);
});
