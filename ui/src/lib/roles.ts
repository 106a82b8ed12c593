import type { Role } from './generated/Role';
import { VIEWS, type ViewName } from './views';

// What a member's roles change in the window (docs/customer-health.md,
// "Roles"). Roles grant nothing; they choose defaults.

/** The roles in the order Settings shows them. */
export const ROLES: readonly Role[] = ['sales', 'support', 'manager'];

/**
 * The view the window opens on. A member who only supports customers starts
 * on the support inbox, where their work arrives; everyone who sells (or
 * manages the sellers) starts on the board. `views` is the list this build
 * has, so the choice falls back to the board in a build without the inbox.
 */
export function startView(roles: readonly Role[], views: readonly string[] = VIEWS): ViewName {
  const supportOnly = roles.includes('support') && !roles.includes('sales') && !roles.includes('manager');
  if (supportOnly && views.includes('support')) return 'support' as ViewName;
  return 'board';
}

/** What "mine" means in a list for this member: their cases for support, their deals and customers for sales. */
export function mineMeans(roles: readonly Role[]): 'cases' | 'deals' {
  return roles.includes('support') && !roles.includes('sales') ? 'cases' : 'deals';
}

/** The roles with `role` switched on or off; the last role cannot be taken away (everyone holds one). */
export function toggleRole(roles: readonly Role[], role: Role, on: boolean): Role[] {
  const next = on ? [...new Set([...roles, role])] : roles.filter((r) => r !== role);
  if (next.length === 0) return [...roles];
  return ROLES.filter((r) => next.includes(r));
}

/** The roles stored in a conflict's row (a JSON array), in Settings' order. */
export function storedRoles(raw: unknown): Role[] {
  if (typeof raw !== 'string') return Array.isArray(raw) ? ROLES.filter((r) => raw.includes(r)) : [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? ROLES.filter((r) => parsed.includes(r)) : [];
  } catch {
    return [];
  }
}
