export const VIEWS = ['board', 'customers', 'followups', 'handoffs', 'renewals', 'settings'] as const;

export type ViewName = (typeof VIEWS)[number];
