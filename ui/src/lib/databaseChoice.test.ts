import { describe, expect, it, vi } from 'vitest';
import { cleanPastedPath } from './databaseChoice';

// databaseChoice.ts opens native dialogs and calls the backend; neither exists
// under Node, and cleanPastedPath needs neither (vi.mock is hoisted above the import).
vi.mock('@tauri-apps/plugin-dialog', () => ({ open: vi.fn(), save: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));

describe('cleanPastedPath', () => {
  it('removes the double quotes of Explorer’s "Copy as path"', () => {
    expect(cleanPastedPath('"Z:\\Sales\\kizuna.db"')).toBe('Z:\\Sales\\kizuna.db');
  });

  it('removes single quotes and surrounding whitespace and newlines', () => {
    expect(cleanPastedPath("  '/mnt/share/kizuna.db'\n")).toBe('/mnt/share/kizuna.db');
    expect(cleanPastedPath('\t Z:\\Sales\\kizuna.db \r\n')).toBe('Z:\\Sales\\kizuna.db');
    expect(cleanPastedPath(' " Z:\\Sales\\kizuna.db " ')).toBe('Z:\\Sales\\kizuna.db');
  });

  it('keeps a UNC path exactly, including its leading backslashes', () => {
    expect(cleanPastedPath('\\\\server\\share\\kizuna.db')).toBe('\\\\server\\share\\kizuna.db');
    expect(cleanPastedPath('"\\\\server\\share\\営業 チーム\\kizuna.db"')).toBe(
      '\\\\server\\share\\営業 チーム\\kizuna.db',
    );
  });

  it('keeps spaces inside the path and unbalanced quotes', () => {
    expect(cleanPastedPath('C:\\My Files\\kizuna.db')).toBe('C:\\My Files\\kizuna.db');
    expect(cleanPastedPath('"C:\\My Files\\kizuna.db')).toBe('"C:\\My Files\\kizuna.db');
    expect(cleanPastedPath('"C:\\a.db\'')).toBe('"C:\\a.db\'');
  });

  it('turns blank input into an empty path', () => {
    expect(cleanPastedPath('   ')).toBe('');
    expect(cleanPastedPath('""')).toBe('');
  });
});
