// The default policy at start: made when missing, given back what it lacks when autoupdate is "true" (an admin's
// additions kept), left alone when an admin set autoupdate "false".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { errors } from '../../errors.js';
import type { WriteContext } from '../../registry/types.js';
import { AUTOUPDATE, bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { reconcileBootstrapPolicy, type PolicyStores } from './reconcile.js';

function fakeStore(kind: string): PolicyStores['clusterroles'] & { objects: Map<string, KubeObject> } {
  const objects = new Map<string, KubeObject>();
  return {
    objects,
    async get(_ns: string | undefined, name: string) {
      const o = objects.get(name);
      if (!o) throw errors.notFound({ group: 'rbac.authorization.k8s.io', kind } as never, name);
      return structuredClone(o);
    },
    async create(_ctx: WriteContext, obj: KubeObject) {
      objects.set(obj.metadata.name as string, structuredClone(obj));
      return obj;
    },
    async update(_ctx: WriteContext, name: string, mutate: (cur: KubeObject) => KubeObject) {
      const obj = mutate(structuredClone(objects.get(name) as KubeObject));
      objects.set(name, obj);
      return { obj, created: false };
    },
  };
}

test('missing defaults are made; present ones get back what they lack unless autoupdate is "false"', async () => {
  const stores = { clusterroles: fakeStore('ClusterRole'), clusterrolebindings: fakeStore('ClusterRoleBinding') };
  await reconcileBootstrapPolicy(stores);
  assert.equal(stores.clusterroles.objects.size, bootstrapClusterRoles().length);
  assert.equal(stores.clusterrolebindings.objects.size, bootstrapClusterRoleBindings().length);
  assert.equal(stores.clusterroles.objects.get('view')?.metadata.annotations?.[AUTOUPDATE], 'true');

  // an admin trimmed system:discovery and added a rule to system:basic-user; another froze system:monitoring
  const discovery = stores.clusterroles.objects.get('system:discovery') as KubeObject;
  discovery.rules = [];
  const basic = stores.clusterroles.objects.get('system:basic-user') as KubeObject;
  const extra = { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] };
  basic.rules = [...(basic.rules as object[]), extra];
  const monitoring = stores.clusterroles.objects.get('system:monitoring') as KubeObject;
  monitoring.rules = [];
  monitoring.metadata.annotations = { [AUTOUPDATE]: 'false' };
  const binding = stores.clusterrolebindings.objects.get('system:discovery') as KubeObject;
  binding.subjects = [{ kind: 'User', name: 'extra-user', apiGroup: 'rbac.authorization.k8s.io' }];
  // the aggregated role's rules are the controller's
  const view = stores.clusterroles.objects.get('view') as KubeObject;
  view.rules = [extra];

  await reconcileBootstrapPolicy(stores);
  assert.deepEqual(stores.clusterroles.objects.get('system:discovery')?.rules, bootstrapClusterRoles().find((r) => r.metadata.name === 'system:discovery')?.rules);
  assert.deepEqual((stores.clusterroles.objects.get('system:basic-user')?.rules as object[]).at(-1), extra, 'an admin\'s addition is kept');
  assert.deepEqual(stores.clusterroles.objects.get('system:monitoring')?.rules, [], 'autoupdate "false" is left alone');
  assert.deepEqual((stores.clusterrolebindings.objects.get('system:discovery')?.subjects as Array<{ name: string }>).map((s) => s.name), ['extra-user', 'system:authenticated']);
  assert.deepEqual(stores.clusterroles.objects.get('view')?.rules, [extra]);
});
