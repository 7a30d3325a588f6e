import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hrefOf, parseLocation } from './route.js';

test('addresses and routes go both ways', () => {
  const cases: Array<[string, string]> = [
    ['/dashboard/', ''],
    ['/dashboard/pods', '?ns=default'],
    ['/dashboard/r/apps/v1/deployments', '?ns='],
    ['/dashboard/r/core/v1/pods/default/web-1', '?tab=logs&ns=default'],
    ['/dashboard/r/core/v1/nodes/_/hn-0', ''],
    ['/dashboard/create', '?tab=yaml'],
  ];
  for (const [path, search] of cases) {
    const l = parseLocation(path, search);
    assert.equal(hrefOf(l.route, l.ns), path + search, path + search);
  }
  assert.deepEqual(parseLocation('/dashboard/r/core/v1/pods/default/web-1', '?tab=terminal').route, { view: 'object', type: { group: '', version: 'v1', resource: 'pods' }, namespace: 'default', name: 'web-1', tab: 'terminal' });
  assert.equal(parseLocation('/dashboard/pods', '').ns, undefined, 'no ns in the address: the app picks');
  assert.equal(parseLocation('/dashboard/pods', '?ns=').ns, '', 'all namespaces');
  assert.equal(parseLocation('/dashboard/nope/x', '').route.view, 'notfound');
  assert.equal(parseLocation('/dashboard/r/core/v1/pods/a%2Fb/c', '').route.view, 'object');
});
