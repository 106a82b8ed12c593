import type { ThankYouDraft } from './generated/ThankYouDraft';

/**
 * The mail as plain text, for when no mail program opens it: what the user
 * pastes into webmail or a colleague's chat. Labels come in the user's
 * language; nothing is dropped (To may be several addresses, or none).
 */
export function mailAsText(d: ThankYouDraft, labels: { to: string; subject: string }): string {
  return `${labels.to}: ${d.to.join(', ')}\n${labels.subject}: ${d.draft.subject}\n\n${d.draft.body}`;
}

/**
 * Hands a `mailto:` link to the system. True when a program took it; false
 * when the opener refused (no mail program registered for mailto: on this
 * computer, or the launcher failed). The rejection is Tauri's plain string
 * with the launcher command and the whole encoded URL: nothing a user can
 * read, so the caller says what happened in words instead.
 */
export async function openInMailProgram(url: string, open: (url: string) => Promise<void>): Promise<boolean> {
  try {
    await open(url);
    return true;
  } catch {
    return false;
  }
}

/** Copies text; older webviews without the async clipboard use a hidden field. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}
