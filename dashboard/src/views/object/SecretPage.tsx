// A Secret's page reads only the server's Table row (type, number of keys, metadata) until the user reveals the
// values: only then is the Secret itself fetched, and it is dropped again when the page goes away.
import { useEffect, useState } from 'preact/hooks';
import { TABLE_ACCEPT } from '../../api/client.js';
import { R, objectPath } from '../../api/resources.js';
import type { KubeObject, Table } from '../../api/types.js';
import { useApp } from '../../store/app.js';
import { Can, ErrorNote } from '../../ui/widgets.js';
import { HiddenValues } from './Summaries.js';
import { MetaTable } from './Meta.js';

export function SecretSummary(p: { namespace?: string; name: string }) {
  const { api } = useApp();
  const [row, setRow] = useState<{ meta?: KubeObject; type?: string; keys?: string } | undefined>();
  const [secret, setSecret] = useState<KubeObject | undefined>();
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => {
    let live = true;
    api.get<Table>(objectPath(R.secrets, p.namespace, p.name), { accept: TABLE_ACCEPT, query: { includeObject: 'Metadata' } }).then((t) => {
      if (!live) return;
      const names = (t.columnDefinitions ?? []).map((c) => c.name);
      const r = t.rows[0];
      setRow({ meta: r?.object as KubeObject | undefined, type: String(r?.cells[names.indexOf('Type')] ?? ''), keys: String(r?.cells[names.indexOf('Data')] ?? '') });
    }, (e: Error) => live && setError(e));
    return () => {
      live = false;
    };
  }, [api, p.namespace, p.name]);
  const reveal = async () => {
    try {
      setSecret(await api.get(objectPath(R.secrets, p.namespace, p.name)));
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <ErrorNote error={error} />
      {row?.meta ? (
        <MetaTable obj={row.meta}>
          <dt>Type</dt><dd>{row.type}</dd>
          <dt>Keys</dt><dd>{row.keys}</dd>
        </MetaTable>
      ) : null}
      <h3>Data</h3>
      {secret ? (
        <HiddenValues data={(secret.data as Record<string, string> | undefined) ?? {}} decode initiallyShown />
      ) : (
        <Can verb="get" resource="secrets" namespace={p.namespace} name={p.name}>
          <p class="muted">The values stay on the server until you reveal them. <button type="button" class="small" data-action="reveal" onClick={reveal}>Reveal values</button></p>
        </Can>
      )}
    </>
  );
}
