import { invoke } from '@tauri-apps/api/core';
import { toErrorPayload } from './errors';
import type { AppStatus } from './generated/AppStatus';
import type { Board } from './generated/Board';
import type { CompanyListItem } from './generated/CompanyListItem';
import type { FollowUpItem } from './generated/FollowUpItem';
import type { Language } from './generated/Language';
import type { RenewalItem } from './generated/RenewalItem';

// Typed wrappers over the Tauri commands. Each one rejects with an
// ErrorPayload, whatever the backend or Tauri itself threw.

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toErrorPayload(reason);
  }
}

export const api = {
  appStatus: () => call<AppStatus>('app_status'),
  board: (pipelineId: string | null) => call<Board>('board', { pipelineId }),
  companies: (text: string | null) => call<CompanyListItem[]>('companies', { text }),
  followUps: (mineOnly: boolean) => call<FollowUpItem[]>('follow_ups', { mineOnly }),
  renewals: (withinDays: number) => call<RenewalItem[]>('renewals', { withinDays }),
  createTeamDatabase: (path: string) => call<AppStatus>('create_team_database', { path }),
  openTeamDatabase: (path: string) => call<AppStatus>('open_team_database', { path }),
  useLocalDatabase: () => call<AppStatus>('use_local_database'),
  retryOpen: () => call<AppStatus>('retry_open'),
  setLanguage: (language: Language | null) => call<AppStatus>('set_language', { language }),
  setCloseToTray: (enabled: boolean) => call<AppStatus>('set_close_to_tray', { enabled }),
  setDisplayName: (name: string) => call<AppStatus>('set_display_name', { name }),
};
