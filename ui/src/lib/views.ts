export const VIEWS = ['board', 'customers', 'followups', 'leads', 'support', 'handoffs', 'renewals', 'settings'] as const;

export type ViewName = (typeof VIEWS)[number];
