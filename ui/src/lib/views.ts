export const VIEWS = ['board', 'customers', 'import', 'followups', 'leads', 'support', 'handoffs', 'renewals', 'settings'] as const;

export type ViewName = (typeof VIEWS)[number];
