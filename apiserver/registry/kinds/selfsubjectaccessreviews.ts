// SelfSubjectAccessReview (authorization.k8s.io/v1): may I do that? (`kubectl auth can-i`). Answered, never stored.
import { selfSubjectAccessReview } from '../../auth/reviews.js';
import { defineKind, identity } from '../kind.js';

export default defineKind(identity('authorization.k8s.io/v1', 'SelfSubjectAccessReview'), {
  objectMeta: null,
  createOnly: (obj, ctx) => selfSubjectAccessReview(obj, ctx.access),
});
