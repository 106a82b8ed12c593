export const VIEWS = ['board', 'dashboard', 'customers', 'import', 'followups', 'leads', 'support', 'handoffs', 'renewals', 'meeting', 'duplicates', 'settings'] as const;

export type ViewName = (typeof VIEWS)[number];
