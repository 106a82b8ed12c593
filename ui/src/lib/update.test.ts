import { describe, expect, it } from 'vitest';
import type { UpdateCheck } from './generated/UpdateCheck';
import { updateNotice } from './update';

const folder = '\\\\server\\share\\営業\\Kizuna-updates';
const offer = { version: '0.2.0', schema: 10, file: 'Kizuna-0.2.0-x64-setup.exe', size: 3400000 };
const check = (over: Partial<UpdateCheck> = {}): UpdateCheck => ({
  folder,
  running: '0.1.0',
  offer: null,
  problem: null,
  ...over,
});

describe('updateNotice', () => {
  it('says nothing without a team folder or anything in it', () => {
    expect(updateNotice(null, null)).toBeNull();
    expect(updateNotice(null, 'schema_too_new')).toBeNull();
    expect(updateNotice(check(), null)).toBeNull();
    expect(updateNotice(check({ problem: 'manifest' }), null)).toBeNull();
  });

  it('offers a newer Kizuna, and says it is needed when the file is too new for this one', () => {
    expect(updateNotice(check({ offer }), null)).toEqual({ kind: 'available', offer, running: '0.1.0' });
    expect(updateNotice(check({ offer }), 'file_read_only')).toEqual({ kind: 'available', offer, running: '0.1.0' });
    expect(updateNotice(check({ offer }), 'schema_too_new')).toEqual({ kind: 'needed', offer, running: '0.1.0' });
  });

  it('tells where the installer belongs when the file is too new and none is there', () => {
    expect(updateNotice(check(), 'schema_too_new')).toEqual({
      kind: 'needed_no_installer',
      folder,
      running: '0.1.0',
      problem: null,
    });
    expect(updateNotice(check({ problem: 'installer_missing' }), 'schema_too_new')).toMatchObject({
      kind: 'needed_no_installer',
      problem: 'installer_missing',
    });
  });
});
