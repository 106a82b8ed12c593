import type { Health } from './generated/Health';
import type { HealthReason } from './generated/HealthReason';

// Customer health as the views word it (docs/customer-health.md). The
// engine judges; this only names its codes for the catalogue.

/** The catalogue key of a reason ("health.reason.open_complaint"). */
export function reasonKey(reason: HealthReason): `health.reason.${HealthReason['kind']}` {
  return `health.reason.${reason.kind}`;
}

/** The catalogue key of the level ("health.at_risk"). */
export function levelKey(health: Health): `health.${Health['level']}` {
  return `health.${health.level}`;
}

/** Worth a look: anything but good. */
export function needsAttention(health: Health): boolean {
  return health.level !== 'good';
}
