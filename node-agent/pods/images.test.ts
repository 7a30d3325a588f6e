// ImagePuller against a fake image service that resolves references as containerd does (by tag, by repository
// digest with any tag beside it dropped, by ID): the pull policies and their defaults, the kubelet's events, and
// which repository digest a container's imageID names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CriClient } from '../cri/client.js';
import type { Image } from '../cri/types.js';
import { goMillis, ImagePuller, type PullEvent } from './images.js';

const REG = '127.0.0.1:5000';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

/** The registry: reference (NAME:TAG or NAME@DIGEST) -> the manifest digest and the image ID it resolves to. */
const REGISTRY: Record<string, { digest: string; id: string }> = {
  [`${REG}/web:v1`]: { digest: DIGEST, id: 'sha256:img1' },
  [`${REG}/web@${DIGEST}`]: { digest: DIGEST, id: 'sha256:img1' },
  [`${REG}/copy:1.0`]: { digest: DIGEST, id: 'sha256:img1' },
  [`${REG}/copy@${DIGEST}`]: { digest: DIGEST, id: 'sha256:img1' },
  [`${REG}/tools:latest`]: { digest: OTHER, id: 'sha256:img2' },
};

class FakeImages {
  readonly images = new Map<string, Image>();
  readonly pulls: string[] = [];

  /** containerd drops the tag of a reference that has a digest, and `NAME` alone means NAME:latest. */
  private static normal(ref: string): string {
    const m = /^(.*?)(?::[\w][\w.-]*)?@(sha256:[0-9a-f]{64})$/.exec(ref);
    if (m) return `${m[1]}@${m[2]}`;
    return /:[^/]+$/.test(ref) ? ref : `${ref}:latest`;
  }

  private find(ref: string): Image | undefined {
    const n = FakeImages.normal(ref);
    return [...this.images.values()].find((i) => i.id === ref || i.repoTags.includes(n) || i.repoDigests.includes(n));
  }

  client(): CriClient {
    return {
      imageStatus: async (ref: string) => this.find(ref) ?? null,
      pullImage: async (ref: string) => {
        this.pulls.push(ref);
        const n = FakeImages.normal(ref);
        const found = REGISTRY[n];
        if (!found) throw new Error(`failed to resolve reference "${ref}": not found`);
        const img = this.images.get(found.id) ?? { id: found.id, repoTags: [], repoDigests: [], size: 1234, uid: null, username: '', spec: null, pinned: false };
        const name = n.replace(/[:@][^/]*$/, '');
        if (!n.includes('@')) img.repoTags.push(n);
        if (!img.repoDigests.includes(`${name}@${found.digest}`)) img.repoDigests.push(`${name}@${found.digest}`);
        this.images.set(found.id, img);
        return found.id;
      },
    } as unknown as CriClient;
  }
}

function setup(): { fake: FakeImages; puller: ImagePuller; events: PullEvent[]; ensure: (image: string, policy?: string) => ReturnType<ImagePuller['ensure']> } {
  const fake = new FakeImages();
  const puller = new ImagePuller(fake.client());
  const events: PullEvent[] = [];
  return { fake, puller, events, ensure: (image, policy) => puller.ensure(image, policy, 'pod-uid', async () => [], (e) => events.push(e)) };
}

test('Always pulls every time, even when the image is present', async () => {
  const { fake, ensure, events } = setup();
  assert.deepEqual(await ensure(`${REG}/web:v1`, 'Always'), { ok: true, imageRef: 'sha256:img1' });
  assert.deepEqual(await ensure(`${REG}/web:v1`, 'Always'), { ok: true, imageRef: 'sha256:img1' });
  assert.deepEqual(fake.pulls, [`${REG}/web:v1`, `${REG}/web:v1`]);
  assert.deepEqual(events.map((e) => e.reason), ['Pulling', 'Pulled', 'Pulling', 'Pulled']);
  assert.equal(events[0]?.message, `Pulling image "${REG}/web:v1"`);
  assert.match(events[1]?.message ?? '', new RegExp(`^Successfully pulled image "${REG}/web:v1" in \\d+(ms|s) \\(\\d+(ms|s) including waiting\\)\\. Image size: 1234 bytes\\.$`));
});

test('IfNotPresent pulls once, then finds the image on the node; by digest too, a tag beside it ignored', async () => {
  const { fake, ensure, events } = setup();
  await ensure(`${REG}/web:v1`, 'IfNotPresent');
  await ensure(`${REG}/web:v1`, 'IfNotPresent');
  assert.deepEqual(fake.pulls, [`${REG}/web:v1`]);
  assert.deepEqual(events.at(-1), { reason: 'Pulled', message: `Container image "${REG}/web:v1" already present on machine` });
  // the tag pull recorded the repository digest: a pod pinned to it needs no pull
  assert.deepEqual(await ensure(`${REG}/web@${DIGEST}`, 'IfNotPresent'), { ok: true, imageRef: 'sha256:img1' });
  assert.deepEqual(await ensure(`${REG}/web:v9@${DIGEST}`, 'IfNotPresent'), { ok: true, imageRef: 'sha256:img1' });
  assert.deepEqual(fake.pulls, [`${REG}/web:v1`]);
});

test('Never runs what is present and never pulls what is not', async () => {
  const { fake, ensure } = setup();
  assert.deepEqual(await ensure(`${REG}/web@${DIGEST}`, 'Never'),
    { ok: false, reason: 'ErrImageNeverPull', message: `Container image "${REG}/web@${DIGEST}" is not present with pull policy of Never` });
  assert.deepEqual(fake.pulls, []);
  await ensure(`${REG}/web@${DIGEST}`, 'Always');
  assert.deepEqual(await ensure(`${REG}/web@${DIGEST}`, 'Never'), { ok: true, imageRef: 'sha256:img1' });
  assert.equal(fake.pulls.length, 1);
});

test('no policy: latest (or no tag) is pulled every time, a tag or a digest once', async () => {
  const { fake, ensure } = setup();
  await ensure(`${REG}/tools`);
  await ensure(`${REG}/tools`);
  await ensure(`${REG}/tools:latest`);
  assert.equal(fake.pulls.length, 3);
  await ensure(`${REG}/web@${DIGEST}`);
  await ensure(`${REG}/web@${DIGEST}`);
  await ensure(`${REG}/web:v1`);
  await ensure(`${REG}/web:v1`);
  assert.deepEqual(fake.pulls.slice(3), [`${REG}/web@${DIGEST}`, `${REG}/web:v1`]);
});

test('a failed pull is ErrImagePull, then ImagePullBackOff until the back-off passes', async () => {
  const { ensure, events } = setup();
  const first = await ensure(`${REG}/missing:v1`, 'IfNotPresent');
  assert.equal(first.ok, false);
  assert.equal(!first.ok && first.reason, 'ErrImagePull');
  assert.match(!first.ok ? first.message : '', /^Failed to pull image "127\.0\.0\.1:5000\/missing:v1": failed to resolve reference/);
  const second = await ensure(`${REG}/missing:v1`, 'IfNotPresent');
  assert.equal(!second.ok && second.reason, 'ImagePullBackOff');
  assert.deepEqual(events.map((e) => e.reason), ['Pulling']);
});

test('imageID names the digest in the pod\'s own repository when the same image is there under several names', async () => {
  const { puller, ensure } = setup();
  await ensure(`${REG}/web:v1`, 'IfNotPresent');
  await ensure(`${REG}/copy:1.0`, 'IfNotPresent');
  // the runtime reports the image's first repository digest for both
  const reported = `${REG}/web@${DIGEST}`;
  assert.equal(await puller.imageID(`${REG}/web:v1`, reported), reported);
  assert.equal(await puller.imageID(`${REG}/copy:1.0`, reported), `${REG}/copy@${DIGEST}`);
  assert.equal(await puller.imageID(`${REG}/copy@${DIGEST}`, reported), `${REG}/copy@${DIGEST}`);
  // nothing better known: the runtime's answer as it is
  assert.equal(await puller.imageID(`${REG}/elsewhere:1`, reported), reported);
  assert.equal(await puller.imageID(`${REG}/web:v1`, 'sha256:img1'), 'sha256:img1');
});

test('durations as Go prints them truncated to milliseconds', () => {
  assert.deepEqual([0, 7, 512.9, 1000, 1234, 1500, 62_500, 3_602_000].map(goMillis), ['0s', '7ms', '512ms', '1s', '1.234s', '1.5s', '1m2.5s', '1h0m2s']);
});
