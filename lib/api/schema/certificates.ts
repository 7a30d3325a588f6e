// certificates.k8s.io/v1 CertificateSigningRequest: a client asks a signer for a certificate (a PKCS#10 request),
// someone approves it (/approval), the signer issues it into status.certificate. With the protobuf field numbers of
// upstream's generated.proto. `spec.extra` (map<string, ExtraValue>) is left out, as in authentication.ts: no
// authenticator here gives users extras, so the server has none to record.
import { arr, bytes, gvk, int32, kindSchema, keyedList, obj, ref, str, timeRef, type Schema } from './dsl.js';

const C = (n: string): string => `io.k8s.api.certificates.v1.${n}`;

export const KEY_USAGES = ['signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection',
  's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc'];

export const certificatesSchemas: Record<string, Schema> = {
  [C('CertificateSigningRequest')]: kindSchema('A request for a certificate from a signer: approved or denied through /approval, issued by the signer into status.certificate.',
    gvk('certificates.k8s.io', 'v1', 'CertificateSigningRequest'), {
      spec: ref(C('CertificateSigningRequestSpec'), 'The certificate request; immutable after creation (the server fills in the requester).'),
      status: ref(C('CertificateSigningRequestStatus'), 'Whether the request is approved or denied, and the issued certificate or the signer\'s failure.'),
    }, ['spec']),
  [C('CertificateSigningRequestSpec')]: obj('The certificate request.', {
    expirationSeconds: int32('The requested validity of the certificate (at least 600); the signer may issue a shorter one (--cluster-signing-duration).'),
    groups: arr(str(), 'The groups of the user who created the request (set by the server).'),
    request: bytes('A PKCS#10 certificate request in a "CERTIFICATE REQUEST" PEM block (base64 in JSON).'),
    signerName: str('The signer asked to issue it: kubernetes.io/kube-apiserver-client, kubernetes.io/kube-apiserver-client-kubelet, kubernetes.io/kubelet-serving, or a custom one.'),
    uid: str('The UID of the user who created the request (set by the server).'),
    usages: arr(str(), `The key usages and extended key usages asked for: ${KEY_USAGES.join(', ')}.`),
    username: str('The user who created the request (set by the server).'),
  }, { required: ['request', 'signerName'] }),
  [C('CertificateSigningRequestStatus')]: obj('The state of a request.', {
    certificate: bytes('The issued certificate (PEM CERTIFICATE blocks), set by the signer once approved.'),
    conditions: keyedList(ref(C('CertificateSigningRequestCondition')), 'Approved, Denied (exclusive) and Failed; none of them can be removed.', ['type']),
  }),
  [C('CertificateSigningRequestCondition')]: obj('A condition of a request.', {
    lastTransitionTime: timeRef('When the condition last changed status (set by the server when unset).'),
    lastUpdateTime: timeRef('When the condition was last updated.'),
    message: str('Details for humans.'),
    reason: str('A brief reason.'),
    status: str('True, False or Unknown; Approved, Denied and Failed must be True.'),
    type: str('Approved, Denied or Failed.'),
  }, { required: ['type', 'status'] }),
};

/** Upstream's numbers (k8s.io/api/certificates/v1/generated.proto). */
export const certificatesFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.certificates.v1': `
    CertificateSigningRequest: metadata=1 spec=2 status=3
    CertificateSigningRequestCondition: type=1 status=6 reason=2 message=3 lastUpdateTime=4 lastTransitionTime=5
    CertificateSigningRequestSpec: request=1 signerName=7 expirationSeconds=8* usages=5 username=2 uid=3 groups=4
    CertificateSigningRequestStatus: conditions=1 certificate=2
  `,
};
