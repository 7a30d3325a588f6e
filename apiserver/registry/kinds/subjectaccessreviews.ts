// SubjectAccessReview (authorization.k8s.io/v1): may this user (or these groups) do that? Answered, never stored.
import { subjectAccessReview } from '../../auth/reviews.js';
import { defineKind, identity } from '../kind.js';

export default defineKind(identity('authorization.k8s.io/v1', 'SubjectAccessReview'), {
  objectMeta: null,
  createOnly: (obj, ctx) => subjectAccessReview(obj, ctx.access),
});
