import { describe, expect, it } from 'vitest';
import type { ThankYouDraft } from './generated/ThankYouDraft';
import { mailAsText, openInMailProgram } from './mail';

const draft = (to: string[]): ThankYouDraft => ({
  activity_id: 'a',
  company_id: 'c',
  deal_id: null,
  contact_ids: ['k1', 'k2'],
  to,
  unaddressed: [],
  draft: { subject: '本日のお打ち合わせのお礼', body: '株式会社テスト\n山田 花子 様\n伊藤 誠 様\n\nいつも大変お世話になっております。\n' },
  mailto: 'mailto:hanako@example.co.jp?subject=x&body=y',
});

describe('the mail as text', () => {
  it('holds To, Subject and Body, labelled in the user’s language', () => {
    expect(mailAsText(draft(['hanako@example.co.jp', 'makoto@example.co.jp']), { to: '宛先', subject: '件名' })).toBe(
      '宛先: hanako@example.co.jp, makoto@example.co.jp\n件名: 本日のお打ち合わせのお礼\n\n株式会社テスト\n山田 花子 様\n伊藤 誠 様\n\nいつも大変お世話になっております。\n',
    );
    expect(mailAsText(draft([]), { to: 'To', subject: 'Subject' }).startsWith('To: \nSubject: ')).toBe(true);
  });
});

describe('opening the mail program', () => {
  it('says whether a program took the link, never throwing the launcher’s words', async () => {
    const opened: string[] = [];
    expect(await openInMailProgram('mailto:a@b.jp', async (u) => void opened.push(u))).toBe(true);
    expect(opened).toEqual(['mailto:a@b.jp']);
    // What Tauri's opener rejects with when xdg-open finds no mail program.
    const refuse = async (u: string) => Promise.reject(`Launcher "xdg-open" "${u}" failed with ExitStatus(unix_wait_status(768))`);
    expect(await openInMailProgram('mailto:a@b.jp?subject=%E3%81%8A', refuse)).toBe(false);
    expect(await openInMailProgram('mailto:', async () => Promise.reject(new Error('spawn failed')))).toBe(false);
  });
});
