// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ToSalesInput } from '$lib/generated/ToSalesInput';
import type { ToSalesTarget } from '$lib/generated/ToSalesTarget';
import ToSalesDialog from './ToSalesDialog.svelte';

// The dialog the case page opens: it loads who would get the hand-over and
// sends what support chose, through the two hand-off commands.
const calls = vi.hoisted(() => ({ target: null as ToSalesTarget | null, sent: [] as ToSalesInput[] }));
vi.mock('$lib/api', () => ({
  api: {
    toSalesTarget: vi.fn(async () => calls.target),
    handToSales: vi.fn(async (input: ToSalesInput) => {
      calls.sent.push(input);
      return { id: 'ch1', owner_id: 'u1', owner_name: '田中 太郎', follow_up_id: 'f1', deal_id: null };
    }),
  },
}));

const target = (over: Partial<ToSalesTarget> = {}): ToSalesTarget => ({
  case_id: 'case1',
  case_number: 12,
  subject: 'ライセンス追加の相談',
  company_id: 'c1',
  company_name: '株式会社テスト',
  owner_id: 'u1',
  owner_name: '田中 太郎',
  contracts: [
    { id: 'k1', plan: 'クラウド会計 年額', end_date: '2027-03-31' },
    { id: 'k2', plan: '保守サポート', end_date: '2027-06-30' },
  ],
  handed: [],
  ...over,
});

beforeEach(() => {
  calls.sent = [];
});

describe('ToSalesDialog', () => {
  it('hands a renewal risk on the chosen contract to the account owner', async () => {
    calls.target = target();
    const ondone = vi.fn();
    render(ToSalesDialog, { props: { caseId: 'case1', onclose: vi.fn(), ondone } });
    expect(await screen.findByTestId('to-sales-owner')).toHaveProperty('textContent', '田中 太郎');
    await fireEvent.click(screen.getByTestId('to-sales-kind-renewal_risk'));
    const contract = (await screen.findByTestId('to-sales-contract')) as HTMLSelectElement;
    contract.value = 'k2';
    await fireEvent.change(contract);
    await fireEvent.input(screen.getByTestId('to-sales-note'), { target: { value: '他社への乗り換えを検討中' } });
    await fireEvent.click(screen.getByTestId('to-sales-send'));
    await waitFor(() => expect(ondone).toHaveBeenCalledOnce());
    expect(calls.sent).toEqual([
      { case_id: 'case1', kind: 'renewal_risk', note: '他社への乗り換えを検討中', contract_id: 'k2', deal: null },
    ]);
  });

  it('opens a deal for an opportunity, titled by the case unless changed', async () => {
    calls.target = target();
    render(ToSalesDialog, { props: { caseId: 'case1', onclose: vi.fn(), ondone: vi.fn() } });
    await screen.findByTestId('to-sales-owner');
    await fireEvent.input(screen.getByTestId('to-sales-deal-amount'), { target: { value: '240000' } });
    await fireEvent.click(screen.getByTestId('to-sales-send'));
    await waitFor(() => expect(calls.sent).toHaveLength(1));
    expect(calls.sent[0]).toMatchObject({
      kind: 'opportunity',
      contract_id: null,
      deal: { title: 'ライセンス追加の相談', amount: 240000, currency: 'JPY' },
    });
  });

  it('cannot hand over to nobody: a customer without an owner says so', async () => {
    calls.target = target({ owner_id: null, owner_name: null });
    render(ToSalesDialog, { props: { caseId: 'case1', onclose: vi.fn(), ondone: vi.fn() } });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/担当営業がいません|no account owner/));
    expect((screen.getByTestId('to-sales-send') as HTMLButtonElement).disabled).toBe(true);
  });
});
