// Container image references as the distribution registry's grammar defines them (what docker, containerd and the
// kubelet parse): [DOMAIN/]PATH[:TAG][@DIGEST]. A name without a domain is Docker Hub's (docker.io), and a
// one-component one is in its `library/` namespace, so `nginx` is `docker.io/library/nginx`. Used by the node agent
// (the pull policy a container defaults to, which repository an image ID names) and by flotctl (names given to
// `image push`).

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';
const OFFICIAL_NAMESPACE = 'library';
const NAME_MAX = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const ANCHORED_IDENTIFIER = /^[a-f0-9]{64}$/;

export interface ImageReference {
  /** The registry host (and port): `docker.io` when the reference names none. */
  domain: string;
  /** The repository's path inside the registry (`library/nginx`, `flotilla/web`). */
  path: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
  /** The reference named its domain itself (`127.0.0.1:5000/web`), rather than defaulting to Docker Hub's. */
  explicitDomain: boolean;
}

/** A reference that does not parse; the message is the one docker and containerd give. */
export class ImageReferenceError extends Error {}

/** Whether the first component of a name is a registry host rather than a path component, as docker decides it. */
function isDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first;
}

/** Parses an image reference; throws ImageReferenceError with docker's wording when it is not one. */
export function parseImageReference(ref: string): ImageReference {
  if (ANCHORED_IDENTIFIER.test(ref)) throw new ImageReferenceError(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
  if (!ref) throw new ImageReferenceError('invalid reference format');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ImageReferenceError('invalid reference format');
    const [alg, hex] = digest.split(':') as [string, string];
    if (alg === 'sha256' && !/^[a-f0-9]{64}$/.test(hex)) throw new ImageReferenceError('invalid checksum digest length');
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageReferenceError('invalid reference format');
  }
  if (!rest) throw new ImageReferenceError('invalid reference format');
  const parts = rest.split('/');
  const explicitDomain = parts.length > 1 && isDomain(parts[0] as string);
  let domain = explicitDomain ? (parts.shift() as string) : DEFAULT_DOMAIN;
  if (explicitDomain && !DOMAIN.test(domain)) throw new ImageReferenceError('invalid reference format');
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && parts.length === 1) parts.unshift(OFFICIAL_NAMESPACE);
  const path = parts.join('/');
  if (path.toLowerCase() !== path) throw new ImageReferenceError(`invalid reference format: repository name (${path}) must be lowercase`);
  if (!parts.every((p) => PATH_COMPONENT.test(p))) throw new ImageReferenceError('invalid reference format');
  if (`${explicitDomain ? `${domain}/` : ''}${path}`.length > NAME_MAX) throw new ImageReferenceError(`repository name must not be more than ${NAME_MAX} characters`);
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}), explicitDomain };
}

/** The reference, or undefined when it does not parse. */
export function tryParseImageReference(ref: string): ImageReference | undefined {
  try {
    return parseImageReference(ref);
  } catch (e) {
    if (e instanceof ImageReferenceError) return undefined;
    throw e;
  }
}

/** `domain/path`, fully qualified (`docker.io/library/nginx`): what two references are compared by. */
export const repositoryOf = (r: Pick<ImageReference, 'domain' | 'path'>): string => `${r.domain}/${r.path}`;

/** The repository path as a user types it: Docker Hub's `library/` dropped (`nginx`, `org/app`). */
export function familiarPath(r: Pick<ImageReference, 'domain' | 'path'>): string {
  return r.domain === DEFAULT_DOMAIN && r.path.startsWith(`${OFFICIAL_NAMESPACE}/`) && r.path.split('/').length === 2 ? r.path.slice(OFFICIAL_NAMESPACE.length + 1) : r.path;
}

/**
 * The pull policy Kubernetes gives a container that names none: Always when the tag is `latest`, or when there is
 * neither a tag nor a digest (which means latest); IfNotPresent otherwise, a digest without a tag included, and for a
 * reference that does not parse (its pull fails whatever the policy).
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const r = tryParseImageReference(image);
  if (!r) return 'IfNotPresent';
  const tag = r.tag ?? (r.digest ? undefined : 'latest');
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}
