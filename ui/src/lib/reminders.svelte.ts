import { onDueCount, onNotificationFailed, onReminderOpen, onReminderShown, onShowFollowUps } from './generated/events';
import { api } from './api';
import { routeFor, type ReminderRoute } from './followups';
import { t } from './i18n/i18n.svelte';
import { nav } from './nav.svelte';
import { toasts } from './toast.svelte';

/**
 * What the reminder scheduler in the backend tells the window: a reminder
 * was shown (lists may have changed), one was clicked (go to its record), or
 * one could not be shown (the user must still learn of it).
 */
class Reminders {
  dueCount = $state(0);
  /** Bumped whenever reminders were shown: open lists reload. */
  changed = $state(0);
  /** The follow-up a clicked notification points at. */
  highlight = $state<string | null>(null);
  /** The Follow-ups tab a clicked notification wants. */
  tab = $state<'open' | 'forgotten'>('open');
  private started = false;
  /** Notifications that could not be shown since the app started. */
  private failures = 0;

  async refreshCount(): Promise<void> {
    try {
      this.dueCount = await api.dueCount();
    } catch {
      // No database open: the badge simply stays as it was.
    }
  }

  go(route: ReminderRoute): void {
    if (route.view === 'customer') {
      nav.openCompany(route.companyId);
      return;
    }
    if (route.view === 'case') {
      nav.openCase(route.caseId);
      return;
    }
    if (route.view === 'lead') {
      nav.openLead(route.leadId);
      return;
    }
    if (route.view === 'handoffs') {
      nav.openHandoff(route.handoffId);
      return;
    }
    this.highlight = route.followUpId;
    this.tab = route.tab;
    nav.view = 'followups';
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    void this.refreshCount();
    // The scheduler recounts after every change, here or by a colleague.
    await onDueCount((n) => (this.dueCount = n));
    await onReminderShown(() => {
      this.changed++;
      void this.refreshCount();
    });
    await onReminderOpen((notice) => this.go(routeFor(notice)));
    await onShowFollowUps(() => this.go({ view: 'followups', followUpId: null, tab: 'open' }));
    await onNotificationFailed((failed) => {
      // One notice that counts, not one per reminder: a missing notification
      // service fails every reminder the same way.
      this.failures++;
      const text =
        this.failures === 1
          ? t('reminders.failed', { summary: failed.summary, error: failed.error })
          : t('reminders.failedMany', { count: this.failures, summary: failed.summary, error: failed.error });
      toasts.show(text, 'error', 0, 'notification-failed');
      this.changed++;
    });
  }
}

export const reminders = new Reminders();
