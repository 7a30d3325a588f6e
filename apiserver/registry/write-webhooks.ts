// The generic store's side of admission webhooks (apiserver/admission/webhook): what admission sees of a create,
// update or delete (Kubernetes' admission.Attributes). Only writes from API requests (WriteContext.access set) go to
// webhooks; the server's own writes (bootstrap, quota status) do not.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { AdmissionAttributes, Operation } from '../admission/webhook/index.js';
import type { UserInfo } from '../auth/index.js';
import type { StrategyContext } from './kind.js';
import type { WriteContext } from './types.js';

export class WriteWebhooks {
  constructor(private readonly kind: KindInfo, private readonly webhooks: StrategyContext['webhooks']) {}

  private attributes(ctx: WriteContext, operation: Operation, obj: KubeObject | undefined, old: KubeObject | undefined, name: string,
    options?: Record<string, unknown>): AdmissionAttributes | undefined {
    if (!ctx.access || !this.webhooks) return undefined;
    // a Namespace's requests carry its own name as their namespace, as Kubernetes sets it
    const isNamespace = this.kind.group === '' && this.kind.resource === 'namespaces';
    const namespace = this.kind.namespaced ? String(obj?.metadata.namespace ?? old?.metadata.namespace ?? ctx.namespace ?? '') : isNamespace ? name : '';
    return { kind: this.kind, subresource: ctx.subresource ?? '', operation, name, namespace, object: obj, oldObject: old, dryRun: ctx.dryRun,
      options, user: ctx.access.user, warnings: ctx.warnings };
  }

  /** The mutating webhooks: the object to go on with (the same one when none changed it). */
  async mutate(ctx: WriteContext, operation: Operation, obj: KubeObject | undefined, old: KubeObject | undefined, name: string,
    builtin?: (obj: KubeObject) => Promise<void>, options?: Record<string, unknown>): Promise<KubeObject | undefined> {
    const a = this.attributes(ctx, operation, obj, old, name, options);
    if (!a || !this.webhooks) return obj;
    return this.webhooks.mutate(a, builtin);
  }

  /**
   * A CONNECT (pods/exec, attach, portforward) by `user`: the mutating then the validating webhooks see the options
   * object (PodExecOptions...), as Kubernetes' connect handler has them; throws the refusal.
   */
  async connect(user: UserInfo, namespace: string | undefined, name: string, subresource: string, options: KubeObject): Promise<void> {
    if (!this.webhooks) return;
    const apiVersion = String(options.apiVersion ?? 'v1');
    const slash = apiVersion.indexOf('/');
    const [group, version] = slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
    const a: AdmissionAttributes = { kind: this.kind, subresource, operation: 'CONNECT', name, namespace: namespace ?? '', object: options,
      objectKind: { group, version, kind: String(options.kind ?? '') }, dryRun: false, user, warnings: [] };
    await this.webhooks.mutate(a);
    await this.webhooks.validate(a);
  }

  /** The validating webhooks; throws the refusal. */
  async validate(ctx: WriteContext, operation: Operation, obj: KubeObject | undefined, old: KubeObject | undefined, name: string,
    options?: Record<string, unknown>): Promise<void> {
    const a = this.attributes(ctx, operation, obj, old, name, options);
    if (a) await this.webhooks?.validate(a);
  }
}
