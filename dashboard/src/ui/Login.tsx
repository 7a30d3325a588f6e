// Signing in: paste a bearer token (a ServiceAccount token from `kubectl create token NAME`). It is kept in this
// tab only (sessionStorage) and sent in the Authorization header; `flotilla dashboard` prints a link that hands it
// over in the URL fragment instead.
import { useState } from 'preact/hooks';
import { useApp } from '../store/app.js';
import { Dialog } from './widgets.js';

export function LoginDialog(p: { onClose: () => void }) {
  const { session } = useApp();
  const [token, setToken] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    session.setToken(token);
    p.onClose();
  };
  return (
    <Dialog title="Sign in" onClose={p.onClose}>
      <form class="login" onSubmit={submit}>
        {session.unauthorized ? <p class="error-note" role="alert">The API server refused the request: sign in with a token.</p> : null}
        <label>
          Bearer token
          <input type="password" name="token" autocomplete="off" spellcheck={false} value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} required />
        </label>
        <p class="hint">
          A ServiceAccount token, from <code>kubectl create token NAME -n NAMESPACE</code>. It stays in this tab (never a cookie) and goes only to this API
          server, in the Authorization header. The page shows what the token's RBAC rules allow.
        </p>
        <div class="buttons">
          {session.token ? <button type="button" onClick={() => { session.setToken(undefined); p.onClose(); }}>Sign out</button> : null}
          <button type="submit" class="primary">Sign in</button>
        </div>
      </form>
    </Dialog>
  );
}
