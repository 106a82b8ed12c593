import type { ViewName } from './views';

/** Where the user is: the view, and the customer open in the Customers view. */
class Nav {
  #view = $state<ViewName>('board');
  companyId = $state<string | null>(null);
  /** The support case open in the Support view (null: the inbox). */
  caseId = $state<string | null>(null);

  get view(): ViewName {
    return this.#view;
  }

  /** Choosing a view from the menu starts at its top (the customer list, not a customer). */
  set view(view: ViewName) {
    this.#view = view;
    this.companyId = null;
    this.caseId = null;
  }

  openCase(id: string): void {
    this.#view = 'support';
    this.caseId = id;
  }

  openCompany(id: string): void {
    this.#view = 'customers';
    this.companyId = id;
  }
}

export const nav = new Nav();
