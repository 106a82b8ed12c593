export const VIEWS = ['board', 'customers', 'followups', 'renewals', 'settings'] as const;

export type ViewName = (typeof VIEWS)[number];
