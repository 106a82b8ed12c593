import type { ViewName } from './views';

/** Where the user is: the view, and the customer open in the Customers view. */
class Nav {
  #view = $state<ViewName>('board');
  companyId = $state<string | null>(null);
  /** The support case open in the Support view (null: the inbox). */
  caseId = $state<string | null>(null);
  /** The hand-off sheet open in the Hand-offs view. */
  handoffId = $state<string | null>(null);
  /** The lead open in the Leads view's panel. */
  leadId = $state<string | null>(null);
  /** The customer whose history Settings → 変更履歴 opens filtered to (a customer page's link). */
  historyOf = $state<{ companyId: string; label: string } | null>(null);

  get view(): ViewName {
    return this.#view;
  }

  /** Choosing a view from the menu starts at its top (the customer list, not a customer). */
  set view(view: ViewName) {
    this.#view = view;
    this.companyId = null;
    this.caseId = null;
    this.handoffId = null;
    this.leadId = null;
    this.historyOf = null;
  }

  /** Settings → 変更履歴, filtered to one customer's records. */
  openHistory(companyId: string, label: string): void {
    this.view = 'settings';
    this.historyOf = { companyId, label };
  }

  /** The Leads view with a lead open in its panel. */
  openLead(id: string): void {
    this.view = 'leads';
    this.leadId = id;
  }

  openCase(id: string): void {
    this.#view = 'support';
    this.caseId = id;
  }

  /** The Hand-offs view, with a sheet open when named. */
  openHandoff(id: string | null): void {
    this.view = 'handoffs';
    this.handoffId = id;
  }

  openCompany(id: string): void {
    this.#view = 'customers';
    this.companyId = id;
  }
}

export const nav = new Nav();
