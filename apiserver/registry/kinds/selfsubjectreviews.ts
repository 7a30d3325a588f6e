// SelfSubjectReview (authentication.k8s.io v1, v1beta1, v1alpha1): who am I? (`kubectl auth whoami`; kubectl 1.27
// asks v1beta1 and v1alpha1, later ones v1 first). One definition per served version; answered, never stored.
import { selfSubjectReview } from '../../auth/reviews.js';
import { defineKind, identity } from '../kind.js';

export default ['v1', 'v1beta1', 'v1alpha1'].map((v) => defineKind(identity(`authentication.k8s.io/${v}`, 'SelfSubjectReview'), {
  objectMeta: null,
  createOnly: (obj, ctx) => selfSubjectReview(obj, ctx.access),
}));
