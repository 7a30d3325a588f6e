// `flotilla scheduler`: places pods on nodes.
import { leaderFlags, type Command } from './command.js';

export const scheduler: Command = {
  spec: {
    name: 'scheduler',
    summary: 'Run the scheduler (places pods on nodes)',
    flags: [
      ...leaderFlags,
      { name: 'config', type: 'string', value: 'FILE', help: 'scheduler configuration (profiles, plugins, weights; YAML or JSON)' },
    ],
  },
  async run(f) {
    const { Scheduler, defaultSchedulerConfig, loadSchedulerConfig } = await import('../../scheduler/index.js');
    const configFile = f.string('config');
    const config = configFile ? loadSchedulerConfig(configFile) : defaultSchedulerConfig();
    let s: InstanceType<typeof Scheduler> | undefined;
    const { runComponent } = await import('../component.js');
    await runComponent({
      name: 'kube-scheduler',
      kubeconfig: f.string('kubeconfig') as string,
      leaderElect: f.bool('leader-elect'),
      metricsAddress: f.string('metrics-bind-address'),
      metrics: () => s?.metrics,
      run: async (client, signal) => {
        s = new Scheduler(client, { config });
        await s.run(signal);
      },
    });
  },
};
