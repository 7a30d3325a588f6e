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
    ],
  },
  async run(f) {
    const { printDashboard } = await import('../dashboard.js');
    await printDashboard({ kubeconfig: f.string('kubeconfig'), token: f.string('token'), tokenFile: f.string('token-file'), namespace: f.string('namespace') });
  },
};
