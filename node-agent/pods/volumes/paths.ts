// Where a pod's files live on the node, under the agent's pods directory (the kubelet's /var/lib/kubelet/pods):
//
//   PODS/UID/volumes/kubernetes.io~empty-dir/NAME    (and ~configmap, ~secret, ~downward-api, ~projected)
//   PODS/UID/etc-hosts                               the pod's /etc/hosts
//   PODS/UID/containers/NAME/ID                      a container's terminationMessagePath file
import { join } from 'node:path';

export type VolumePlugin = 'empty-dir' | 'configmap' | 'secret' | 'downward-api' | 'projected';

export const podDir = (podsDir: string, uid: string): string => join(podsDir, uid);
export const volumeDir = (podsDir: string, uid: string, plugin: VolumePlugin, name: string): string => join(podsDir, uid, 'volumes', `kubernetes.io~${plugin}`, name);
export const hostsFilePath = (podsDir: string, uid: string): string => join(podsDir, uid, 'etc-hosts');
export const containerDir = (podsDir: string, uid: string, container: string): string => join(podsDir, uid, 'containers', container);
