// The namespace the views show: from the address (`?ns=`), else the token's own namespace (a ServiceAccount token
// bound to one namespace), else all namespaces.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** '' means all namespaces. */
export const NamespaceContext = createContext<string>('');

export const useNamespace = (): string => useContext(NamespaceContext);
