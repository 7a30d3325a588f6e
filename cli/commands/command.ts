// One flotilla command: its flag table (which is also its usage) and what it runs. Each command's module is small and
// loads its component's code only inside run(), so `flotilla scheduler` never loads the API server.
import type { CommandSpec, FlagSpec, Flags } from '../flags.js';

export interface Command {
  spec: CommandSpec;
  run(flags: Flags): Promise<void>;
}

export const DEFAULT_DATA_DIR = './.flotilla';
export const DEFAULT_KUBECONFIG = './.flotilla/kubeconfig';

export const kubeconfigFlag: FlagSpec = { name: 'kubeconfig', type: 'string', value: 'FILE', help: 'how to reach the API server', default: DEFAULT_KUBECONFIG };
export const dataDirFlag = (help: string): FlagSpec => ({ name: 'data-dir', type: 'string', value: 'DIR', help, default: DEFAULT_DATA_DIR });

/** The flags kube-controller-manager and kube-scheduler share. */
export const leaderFlags: FlagSpec[] = [
  kubeconfigFlag,
  { name: 'leader-elect', type: 'bool', help: 'campaign for a Lease in kube-system and act only while holding it', default: true },
  { name: 'metrics-bind-address', type: 'string', value: 'HOST:PORT', help: "serve /metrics and /healthz here (default: don't)" },
];
