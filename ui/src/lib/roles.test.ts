import { describe, expect, it } from 'vitest';
import { mineMeans, startView, storedRoles, toggleRole } from './roles';

const withInbox = ['board', 'customers', 'support', 'followups', 'settings'];
const withoutInbox = ['board', 'customers', 'followups', 'settings'];

describe('roles', () => {
  it('starts a support-only member on the support inbox, everyone else on the board', () => {
    expect(startView(['support'], withInbox)).toBe('support');
    expect(startView(['sales'], withInbox)).toBe('board');
    expect(startView(['sales', 'support'], withInbox)).toBe('board');
    expect(startView(['support', 'manager'], withInbox)).toBe('board');
    expect(startView([], withInbox)).toBe('board');
  });

  it('keeps the board in a build that has no support inbox', () => {
    expect(startView(['support'], withoutInbox)).toBe('board');
  });

  it('means my cases by "mine" for support, my deals for sales', () => {
    expect(mineMeans(['support'])).toBe('cases');
    expect(mineMeans(['support', 'manager'])).toBe('cases');
    expect(mineMeans(['sales', 'support'])).toBe('deals');
    expect(mineMeans(['sales'])).toBe('deals');
  });

  it('switches roles in the settings order and never takes the last one away', () => {
    expect(toggleRole(['sales'], 'manager', true)).toEqual(['sales', 'manager']);
    expect(toggleRole(['manager', 'sales'], 'support', true)).toEqual(['sales', 'support', 'manager']);
    expect(toggleRole(['sales', 'support'], 'sales', false)).toEqual(['support']);
    expect(toggleRole(['support'], 'support', false)).toEqual(['support']);
  });

  it('reads the roles a colleague saved from the conflict row', () => {
    expect(storedRoles('["support","sales"]')).toEqual(['sales', 'support']);
    expect(storedRoles('["auditor"]')).toEqual([]);
    expect(storedRoles('not json')).toEqual([]);
    expect(storedRoles(null)).toEqual([]);
  });
});
