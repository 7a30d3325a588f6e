// Taints and tolerations, as the scheduler and the taint manager both read them.

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal' | string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Kubernetes' ToleratesTaint: an empty effect or key matches any; Exists ignores the value. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true; // an empty key with Exists tolerates every taint
  return (t.value ?? '') === (taint.value ?? '');
}
