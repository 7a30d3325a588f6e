// Host ports are exclusive per hostIP+port+protocol (0.0.0.0 takes the port on every address).
import { SKIP, unschedulable, type FilterPlugin } from '../framework.js';
import { podHostPorts, type HostPort } from '../resources.js';

export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

export function nodePorts(): FilterPlugin {
  return {
    name: 'NodePorts',
    events: ['NodeAdd', 'AssignedPodDelete'],
    preFilter(cx) {
      const ports = podHostPorts(cx.pod);
      if (!ports.length) return SKIP;
      cx.state.set('NodePorts', ports);
      return undefined;
    },
    filter(cx, node) {
      if (!node.usedPorts.size) return undefined;
      for (const p of cx.state.get('NodePorts') as HostPort[]) if (node.portInUse(p.protocol, p.port, p.hostIP)) return unschedulable(REASON_PORTS);
      return undefined;
    },
  };
}
