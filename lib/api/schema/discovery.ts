// Legacy discovery documents (/api, /apis, /apis/GROUP, /api/v1 resource lists), referenced by the OpenAPI paths
// that serve them.
import { META, arr, bool, gvk, metaRef, obj, str, typeMeta, type Schema } from './dsl.js';

const M = (n: string): string => META + n;

export const discoverySchemas: Record<string, Schema> = {
  [M('APIResource')]: obj('A resource served at some group/version, and whether it is namespaced.', {
    categories: arr(str(), 'Groupings the resource belongs to, e.g. `all`.'),
    group: str('Preferred group of the resource; empty means the group of the list.'),
    kind: str('Kind of the resource.'),
    name: str('Plural name of the resource, as in URLs.'),
    namespaced: bool('Whether the resource is namespaced.'),
    shortNames: arr(str(), 'Suggested short names.'),
    singularName: str('Singular name of the resource.'),
    storageVersionHash: str('Hash of the storage version, opaque to clients.'),
    verbs: arr(str(), 'Supported verbs: get, list, watch, create, update, patch, delete, deletecollection...'),
    version: str('Preferred version of the resource; empty means the version of the list.'),
  }, { required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'] }),

  [M('APIResourceList')]: obj('The resources served at a group/version.', {
    ...typeMeta(),
    groupVersion: str('The group/version the list is for.'),
    resources: arr(metaRef('APIResource'), 'The resources.'),
  }, { required: ['groupVersion', 'resources'], extra: { 'x-kubernetes-group-version-kind': [gvk('', 'v1', 'APIResourceList')] } }),

  [M('ServerAddressByClientCIDR')]: obj('Address of the server to use for clients in a network range.', {
    clientCIDR: str('Network range of the clients.'),
    serverAddress: str('Address (host or host:port) those clients should use.'),
  }, { required: ['clientCIDR', 'serverAddress'] }),

  [M('APIVersions')]: obj('The versions of the core API (the response of /api).', {
    ...typeMeta(),
    serverAddressByClientCIDRs: arr(metaRef('ServerAddressByClientCIDR'), 'Server addresses by client network.'),
    versions: arr(str(), 'Supported versions, e.g. v1.'),
  }, { required: ['versions', 'serverAddressByClientCIDRs'], extra: { 'x-kubernetes-group-version-kind': [gvk('', 'v1', 'APIVersions')] } }),

  [M('GroupVersionForDiscovery')]: obj('One version of a group.', {
    groupVersion: str('The group/version, e.g. apps/v1.'),
    version: str('The version, e.g. v1.'),
  }, { required: ['groupVersion', 'version'] }),

  [M('APIGroup')]: obj('An API group: its name, versions and preferred version.', {
    ...typeMeta(),
    name: str('Name of the group.'),
    preferredVersion: metaRef('GroupVersionForDiscovery', 'Version clients should use.'),
    serverAddressByClientCIDRs: arr(metaRef('ServerAddressByClientCIDR'), 'Server addresses by client network.'),
    versions: arr(metaRef('GroupVersionForDiscovery'), 'Versions the group serves.'),
  }, { required: ['name', 'versions'], extra: { 'x-kubernetes-group-version-kind': [gvk('', 'v1', 'APIGroup')] } }),

  [M('APIGroupList')]: obj('The groups served under /apis.', {
    ...typeMeta(),
    groups: arr(metaRef('APIGroup'), 'The groups.'),
  }, { required: ['groups'], extra: { 'x-kubernetes-group-version-kind': [gvk('', 'v1', 'APIGroupList')] } }),
};
