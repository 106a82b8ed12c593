export const VIEWS = ['board', 'customers', 'import', 'followups', 'leads', 'support', 'handoffs', 'renewals', 'meeting', 'duplicates', 'settings'] as const;

export type ViewName = (typeof VIEWS)[number];
