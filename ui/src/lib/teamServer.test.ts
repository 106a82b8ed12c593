import { describe, expect, it } from 'vitest';
import { draftChoice, isChoicePayload, isThisComputer, serverDraft } from './teamServer';

describe('the team server form', () => {
  it('starts empty with the usual port, TLS on', () => {
    expect(serverDraft(null)).toEqual({ host: '', port: '5432', database: 'kizuna', user: '', tls: 'required' });
  });

  it('names the first field that is missing or wrong, in the order of the form', () => {
    const ok = { host: ' crm.example.co.jp ', port: '５４３２', database: ' kizuna ', user: ' tanaka ', tls: 'required' as const };
    expect(draftChoice({ ...ok, host: ' ' })).toMatchObject({ code: 'invalid', field: 'server_host', reason: 'required' });
    expect(draftChoice({ ...ok, port: '70000' })).toMatchObject({ field: 'server_port', reason: 'format' });
    expect(draftChoice({ ...ok, port: 'abc' })).toMatchObject({ field: 'server_port', reason: 'format' });
    expect(draftChoice({ ...ok, database: '' })).toMatchObject({ field: 'server_database', reason: 'required' });
    expect(draftChoice({ ...ok, user: '' })).toMatchObject({ field: 'server_user', reason: 'required' });
    const choice = draftChoice(ok);
    expect(isChoicePayload(choice)).toBe(false);
    // Full-width digits typed through an IME are the port they say.
    expect(choice).toEqual({ host: 'crm.example.co.jp', port: 5432, database: 'kizuna', user: 'tanaka', tls: 'required' });
  });

  it('gives back the saved choice as the form', () => {
    const saved = { host: 'db', port: 6543, database: '営業', user: 'sato', tls: 'required' as const };
    expect(draftChoice(serverDraft(saved))).toEqual(saved);
  });

  it('knows this computer from another', () => {
    expect(isThisComputer('localhost')).toBe(true);
    expect(isThisComputer('127.0.0.1')).toBe(true);
    expect(isThisComputer('::1')).toBe(true);
    expect(isThisComputer('crm.example.co.jp')).toBe(false);
    expect(isThisComputer('127.example.com')).toBe(false);
  });
});
