// `flotilla dashboard`: the web dashboard's address and a sign-in link (see ../dashboard.ts).
import type { Command } from './command.js';

export const dashboard: Command = {
  spec: {
    name: 'dashboard',
    summary: 'Print the web dashboard\'s address (served by the API server at /dashboard/) and a sign-in link',
    flags: [
      { name: 'kubeconfig', type: 'string', value: 'FILE', help: 'which cluster', defaultText: './.flotilla/kubeconfig when it exists, else $KUBECONFIG or ~/.kube/config' },
      { name: 'token', type: 'string', value: 'TOKEN', help: "sign in with this bearer token (default: the kubeconfig user's token, if it has one)" },
      { name: 'token-file', type: 'string', value: 'FILE', help: 'read the token from FILE' },
      { name: 'namespace', type: 'string', value: 'NS', short: 'n', help: 'open the dashboard on this namespace' },
      { name: 'proxy', type: 'bool', help: "serve the dashboard on loopback, signed in as the kubeconfig's user (its client certificate or token), as kubectl proxy does", default: false },
      { name: 'port', type: 'int', value: 'N', help: 'with --proxy: the port on 127.0.0.1 (0 picks a free one)', default: 8001 },
    ],
  },
  async run(f) {
    if (f.bool('proxy')) {
      const { proxyDashboard } = await import('../dashboard.js');
      await proxyDashboard({ kubeconfig: f.string('kubeconfig'), port: f.int('port'), namespace: f.string('namespace') });
      return;
    }
    const { printDashboard } = await import('../dashboard.js');
    await printDashboard({ kubeconfig: f.string('kubeconfig'), token: f.string('token'), tokenFile: f.string('token-file'), namespace: f.string('namespace') });
  },
};
