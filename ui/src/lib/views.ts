export const VIEWS = ['board', 'customers', 'followups', 'support', 'renewals', 'settings'] as const;

export type ViewName = (typeof VIEWS)[number];
