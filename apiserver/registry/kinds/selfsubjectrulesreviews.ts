// SelfSubjectRulesReview (authorization.k8s.io/v1): what may I do in this namespace? (`kubectl auth can-i --list`).
// Answered, never stored.
import { selfSubjectRulesReview } from '../../auth/reviews.js';
import { defineKind, identity } from '../kind.js';

export default defineKind(identity('authorization.k8s.io/v1', 'SelfSubjectRulesReview'), {
  objectMeta: null,
  createOnly: (obj, ctx) => selfSubjectRulesReview(obj, ctx.access),
});
