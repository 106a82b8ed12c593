import { invoke } from '@tauri-apps/api/core';
import { toErrorPayload } from './errors';
import type { AppStatus } from './generated/AppStatus';
import type { BackupInfo } from './generated/BackupInfo';
import type { DrainReport } from './generated/DrainReport';
import type { Entry } from './generated/Entry';
import type { OutboxCounts } from './generated/OutboxCounts';
import type { RestoreOutcome } from './generated/RestoreOutcome';
import type { Board } from './generated/Board';
import type { ActivityEdit } from './generated/ActivityEdit';
import type { BoardFilter } from './generated/BoardFilter';
import type { CardCursor } from './generated/CardCursor';
import type { CardPage } from './generated/CardPage';
import type { Deal } from './generated/Deal';
import type { DealEdit } from './generated/DealEdit';
import type { Deletion } from './generated/Deletion';
import type { DeletionImpact } from './generated/DeletionImpact';
import type { Restored } from './generated/Restored';
import type { MailDraft } from './generated/MailDraft';
import type { MoveDeal } from './generated/MoveDeal';
import type { NewActivity } from './generated/NewActivity';
import type { MoveOutcome } from './generated/MoveOutcome';
import type { NewDeal } from './generated/NewDeal';
import type { PipelineStages } from './generated/PipelineStages';
import type { StageEdit } from './generated/StageEdit';
import type { TeamSettings } from './generated/TeamSettings';
import type { ThankYouDraft } from './generated/ThankYouDraft';
import type { User } from './generated/User';
import type { IdentityChoice } from './generated/IdentityChoice';
import type { Member } from './generated/Member';
import type { MergeReport } from './generated/MergeReport';
import type { Presence } from './generated/Presence';
import type { WhoAreYou } from './generated/WhoAreYou';
import type { VersionedSettings } from './generated/VersionedSettings';
import type { Company } from './generated/Company';
import type { CompanyEdit } from './generated/CompanyEdit';
import type { CompanyListItem } from './generated/CompanyListItem';
import type { NewContact } from './generated/NewContact';
import type { CompanyQuery } from './generated/CompanyQuery';
import type { NewCompany } from './generated/NewCompany';
import type { CompanySummary } from './generated/CompanySummary';
import type { Contact } from './generated/Contact';
import type { ContactEdit } from './generated/ContactEdit';
import type { SearchCursor } from './generated/SearchCursor';
import type { SearchGroup } from './generated/SearchGroup';
import type { SearchKind } from './generated/SearchKind';
import type { SearchResults } from './generated/SearchResults';
import type { TimelinePage } from './generated/TimelinePage';
import type { TimelineQuery } from './generated/TimelineQuery';
import type { FollowUpItem } from './generated/FollowUpItem';
import type { Language } from './generated/Language';
import type { NewContract } from './generated/NewContract';
import type { RenewalCard } from './generated/RenewalCard';
import type { RenewalRate } from './generated/RenewalRate';
import type { RenewalStep } from './generated/RenewalStep';
import type { StepInput } from './generated/StepInput';
import type { StepOutcome } from './generated/StepOutcome';
import type { NewFollowUp } from './generated/NewFollowUp';
import type { SnoozeChoice } from './generated/SnoozeChoice';
import type { CadenceAdvice } from './generated/CadenceAdvice';
import type { OwnerGroup } from './generated/OwnerGroup';
import type { NotifyPrefs } from './generated/NotifyPrefs';
import type { UpdateCheck } from './generated/UpdateCheck';
import type { InstallStarted } from './generated/InstallStarted';

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
  databaseReachable: () => call<boolean>('database_reachable'),
  backups: () => call<BackupInfo[]>('backups'),
  outboxCounts: () => call<OutboxCounts>('outbox_counts'),
  outboxEntries: () => call<Entry[]>('outbox_entries'),
  drainOutbox: () => call<DrainReport>('drain_outbox'),
  resolveOutbox: (seq: number, applyMine: boolean) => call<null>('resolve_outbox', { seq, applyMine }),
  backUpNow: () => call<BackupInfo>('back_up_now'),
  restoreBackup: (path: string) => call<RestoreOutcome>('restore_backup', { path }),
  /** `loaded`: stage id → cards a column already shows, so a refresh keeps them. */
  board: (pipelineId: string | null, filter: BoardFilter | null = null, loaded: Record<string, number> | null = null) =>
    call<Board>('board', { pipelineId, filter, loaded }),
  /** A column's next cards as it scrolls: `after` is the column's `next`. */
  boardColumnPage: (stageId: string, filter: BoardFilter | null, after: CardCursor) =>
    call<CardPage>('board_column_page', { stageId, filter, after }),
  deal: (id: string) => call<Deal>('deal', { id }),
  createDeal: (deal: NewDeal) => call<Deal>('create_deal', { deal }),
  updateDeal: (id: string, version: number, edit: DealEdit) => call<Deal>('update_deal', { id, version, edit }),
  deleteDeal: (id: string, version: number) => call<Deletion>('delete_deal', { id, version }),
  undoDeletion: (deletionId: string) => call<Restored>('undo_deletion', { deletionId }),
  moveDeal: (request: MoveDeal) => call<MoveOutcome>('move_deal', { request }),
  users: () => call<User[]>('users'),
  pipelines: () => call<PipelineStages[]>('pipelines'),
  createPipeline: (name: string) => call<PipelineStages[]>('create_pipeline', { name }),
  savePipeline: (id: string, version: number, name: string, stages: StageEdit[]) =>
    call<PipelineStages[]>('save_pipeline', { id, version, name, stages }),
  deletePipeline: (id: string, version: number) => call<PipelineStages[]>('delete_pipeline', { id, version }),
  teamSettings: () => call<VersionedSettings>('team_settings'),
  updateTeamSettings: (version: number, settings: TeamSettings) =>
    call<VersionedSettings>('update_team_settings', { version, settings }),
  companies: (query: Partial<CompanyQuery> = {}) =>
    call<CompanyListItem[]>('companies', { query: { text: null, owner_id: null, segment: null, sort: 'name_kana', ...query } }),
  createCompany: (company: NewCompany) => call<string>('create_company', { company }),
  company: (id: string) => call<Company>('company', { id }),
  updateCompany: (id: string, version: number, edit: CompanyEdit) => call<number>('update_company', { id, version, edit }),
  companyDeletionImpact: (id: string) => call<DeletionImpact>('company_deletion_impact', { id }),
  deleteCompany: (id: string, version: number, withOpenWork: boolean) =>
    call<Deletion>('delete_company', { id, version, withOpenWork }),
  createContact: (contact: NewContact) => call<string>('create_contact', { contact }),
  /** Returns the contact's new version. */
  updateContact: (id: string, version: number, edit: ContactEdit) => call<number>('update_contact', { id, version, edit }),
  deleteContact: (id: string, version: number) => call<null>('delete_contact', { id, version }),
  companySummary: (id: string) => call<CompanySummary>('company_summary', { id }),
  contacts: (companyId: string) => call<Contact[]>('contacts', { companyId }),
  timeline: (query: TimelineQuery) => call<TimelinePage>('timeline', { query }),
  search: (query: string) => call<SearchResults>('search', { query }),
  /** The next page of one kind's hits: `after` is the group's `next`. */
  searchMore: (query: string, kind: SearchKind, after: SearchCursor) =>
    call<SearchGroup>('search_more', { query, kind, after }),
  logActivity: (activity: NewActivity) => call<string>('log_activity', { activity }),
  updateActivity: (id: string, version: number, edit: ActivityEdit) => call<number>('update_activity', { id, version, edit }),
  deleteActivity: (id: string, version: number) => call<null>('delete_activity', { id, version }),
  thankYouMail: (activityId: string) => call<ThankYouDraft>('thank_you_mail', { activityId }),
  recordMailSent: (d: ThankYouDraft, draft: MailDraft) =>
    call<string>('record_mail_sent', { companyId: d.company_id, dealId: d.deal_id, contactIds: d.contact_ids, draft }),
  followUps: (mineOnly: boolean, includeDone = false, companyId: string | null = null) =>
    call<FollowUpItem[]>('follow_ups', { mineOnly, includeDone, companyId }),
  createFollowUp: (followUp: NewFollowUp) => call<FollowUpItem>('create_follow_up', { followUp }),
  /** Returns the id of the touch logged with it, if any. */
  completeFollowUp: (id: string, version: number, touch: NewActivity | null) =>
    call<string | null>('complete_follow_up', { id, version, touch }),
  snoozeFollowUp: (id: string, version: number, choice: SnoozeChoice) =>
    call<FollowUpItem>('snooze_follow_up', { id, version, choice }),
  reassignFollowUp: (id: string, version: number, assigneeId: string) =>
    call<FollowUpItem>('reassign_follow_up', { id, version, assigneeId }),
  cadence: (companyId: string) => call<CadenceAdvice>('cadence', { companyId }),
  nobodyForgotten: () => call<OwnerGroup[]>('nobody_forgotten'),
  dueCount: () => call<number>('due_count'),
  notifyPrefs: () => call<NotifyPrefs>('notify_prefs'),
  saveNotifyPrefs: (prefs: NotifyPrefs) => call<NotifyPrefs>('save_notify_prefs', { prefs }),
  autostart: () => call<boolean>('autostart'),
  setAutostart: (enabled: boolean) => call<boolean>('set_autostart', { enabled }),
  renewalBoard: (horizonDays: number) => call<RenewalCard[]>('renewal_board', { horizonDays }),
  companyContracts: (companyId: string) => call<RenewalCard[]>('company_contracts', { companyId }),
  createContract: (contract: NewContract) => call<RenewalCard>('create_contract', { contract }),
  updateContract: (id: string, version: number, contract: NewContract) =>
    call<RenewalCard>('update_contract', { id, version, contract }),
  advanceRenewal: (id: string, version: number, step: RenewalStep, input: StepInput) =>
    call<StepOutcome>('advance_renewal', { id, version, step, input }),
  /** `from` and `to` are calendar days, YYYY-MM-DD. */
  renewalRate: (from: string, to: string) => call<RenewalRate>('renewal_rate', { from, to }),
  createTeamDatabase: (path: string) => call<AppStatus>('create_team_database', { path }),
  openTeamDatabase: (path: string) => call<AppStatus>('open_team_database', { path }),
  useLocalDatabase: () => call<AppStatus>('use_local_database'),
  retryOpen: () => call<AppStatus>('retry_open'),
  setLanguage: (language: Language | null) => call<AppStatus>('set_language', { language }),
  setCloseToTray: (enabled: boolean) => call<AppStatus>('set_close_to_tray', { enabled }),
  /** This profile's own name, as of the member `version` the user saw. */
  setDisplayName: (version: number, name: string) => call<AppStatus>('set_display_name', { version, name }),
  whoAreYou: () => call<WhoAreYou>('who_are_you'),
  identify: (choice: IdentityChoice) => call<AppStatus>('identify', { choice }),
  presence: () => call<Presence>('presence'),
  members: () => call<Member[]>('members'),
  renameMember: (id: string, version: number, name: string) => call<Member[]>('rename_member', { id, version, name }),
  setMemberActive: (id: string, version: number, active: boolean) =>
    call<Member[]>('set_member_active', { id, version, active }),
  mergeMembers: (strayId: string, strayVersion: number, survivorId: string) =>
    call<MergeReport>('merge_members', { strayId, strayVersion, survivorId }),
  updateCheck: () => call<UpdateCheck | null>('update_check'),
  installUpdate: (version: string) => call<InstallStarted>('install_update', { version }),
};
