// The RBAC authorizer (Kubernetes' rbac.RBACAuthorizer): a request is allowed when a rule of a role bound to the
// requester allows it; otherwise it has no opinion (the chain then denies). And the system:masters authorizer
// that stands in front of everything, as Kubernetes' privileged-group authorizer does.
import { MASTERS_GROUP, type Attributes, type Authorizer, type AuthorizerResult, type UserInfo } from '../index.js';
import type { IndexedBinding, PolicyIndex } from './policy-index.js';
import { ruleAllows, type PolicyRule } from './rules.js';

/** Members of system:masters may do anything, whatever RBAC holds (so a broken policy can still be repaired). */
export class MastersAuthorizer implements Authorizer {
  async authorize(a: Attributes): Promise<AuthorizerResult> {
    return { decision: a.user.groups.includes(MASTERS_GROUP) ? 'allow' : 'noOpinion', reason: '' };
  }
}

/** Can list the rules a user has (SelfSubjectRulesReview); an authorizer that can't makes the answer incomplete. */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): PolicyRule[];
  /** The rules a Role or ClusterRole holds (undefined: no such role). */
  roleRules(ref: { kind: string; name: string }, namespace: string): PolicyRule[] | undefined;
}

export class RbacAuthorizer implements Authorizer, RuleResolver {
  constructor(readonly index: PolicyIndex) {}

  /** Synchronous: the decision reads memory only. */
  decide(a: Attributes): AuthorizerResult {
    let by: IndexedBinding | undefined;
    this.index.visitRules(a.user, a.namespace, (b, rules) => {
      if (rules.some((r) => ruleAllows(a, r))) by = b;
      return !by;
    });
    if (!by) return { decision: 'noOpinion', reason: '' };
    return { decision: 'allow', reason: `RBAC: allowed by ${describe(by)}` };
  }

  async authorize(a: Attributes): Promise<AuthorizerResult> {
    return this.decide(a);
  }

  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    return this.index.rulesFor(user, namespace);
  }

  roleRules(ref: { kind: string; name: string }, namespace: string): PolicyRule[] | undefined {
    return this.index.roleRules(ref, namespace);
  }
}

/** `ClusterRoleBinding "x" of ClusterRole "y" to User "z"`, `RoleBinding "x/ns" of Role "y" to Group "g"` */
function describe(b: IndexedBinding): string {
  const where = b.kind === 'RoleBinding' ? `${JSON.stringify(`${b.name}/${b.namespace}`)}` : JSON.stringify(b.name);
  const who = b.subject.kind === 'ServiceAccount' ? `ServiceAccount ${JSON.stringify(`${b.subject.name}/${b.subject.namespace || b.namespace}`)}` : `${b.subject.kind} ${JSON.stringify(b.subject.name)}`;
  return `${b.kind} ${where} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${who}`;
}
