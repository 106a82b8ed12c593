import { describe, expect, it } from 'vitest';
import { draftAccount, isAccountPayload, isMailDirty, mailDraft, withSecurity } from './mailAccount';
import type { SmtpAccount } from './generated/SmtpAccount';

const saved: SmtpAccount = {
  host: 'smtp.example.co.jp',
  port: 587,
  security: 'start_tls',
  user: 'tanaka',
  from_address: 'tanaka@example.co.jp',
  from_name: '田中 太郎',
};

describe('the sending-mail form', () => {
  it('starts empty with STARTTLS on 587 and the member’s name', () => {
    const d = mailDraft(null, '田中 太郎');
    expect(d).toMatchObject({ host: '', port: '587', security: 'start_tls', fromName: '田中 太郎' });
  });

  it('round-trips a saved account and is not dirty until something changes', () => {
    const d = mailDraft(saved, 'x');
    expect(draftAccount(d)).toEqual(saved);
    expect(isMailDirty(saved, 'x', d, '')).toBe(false);
    expect(isMailDirty(saved, 'x', d, 'new password')).toBe(true);
    expect(isMailDirty(saved, 'x', { ...d, fromName: '田中' }, '')).toBe(true);
  });

  it('follows the usual port of the encryption unless the user typed another', () => {
    const d = mailDraft(saved, 'x');
    expect(withSecurity(d, 'tls').port).toBe('465');
    expect(withSecurity({ ...d, port: '2525' }, 'tls').port).toBe('2525');
  });

  it('reads full-width digits and refuses a port that is not one', () => {
    const d = mailDraft(saved, 'x');
    const a = draftAccount({ ...d, port: '５８７' });
    expect(isAccountPayload(a) ? null : a.port).toBe(587);
    for (const port of ['', '0', '65536', '58a', '-1']) {
      const p = draftAccount({ ...d, port });
      expect(isAccountPayload(p) && [p.field, p.reason]).toEqual(['port', 'format']);
    }
    const noHost = draftAccount({ ...d, host: '  ' });
    expect(isAccountPayload(noHost) && noHost.field).toBe('host');
  });
});
