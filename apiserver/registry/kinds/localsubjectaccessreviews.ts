// LocalSubjectAccessReview (authorization.k8s.io/v1): a SubjectAccessReview confined to the URL's namespace, so a
// namespace's admins can be allowed to ask it. Answered, never stored.
import { subjectAccessReview } from '../../auth/reviews.js';
import { defineKind, identity } from '../kind.js';

export default defineKind(identity('authorization.k8s.io/v1', 'LocalSubjectAccessReview'), {
  objectMeta: null,
  createOnly: (obj, ctx) => subjectAccessReview(obj, ctx.access, ctx.namespace ?? ''),
});
