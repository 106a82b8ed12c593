import { describe, expect, it } from 'vitest';
import { Action } from './action.svelte';

describe('Action', () => {
  it('is busy while the call runs and hands its result to done', async () => {
    const action = new Action();
    let release: (value: number) => void = () => {};
    const pending = new Promise<number>((resolve) => (release = resolve));
    let got: number | null = null;
    const running = action.run(
      () => pending,
      (n) => (got = n),
    );
    expect(action.busy).toBe(true);
    release(7);
    expect(await running).toBe(true);
    expect(got).toBe(7);
    expect(action.busy).toBe(false);
    expect(action.error).toBeNull();
  });

  it('refuses a second run while the first is busy', async () => {
    const action = new Action();
    let calls = 0;
    let release: () => void = () => {};
    const first = action.run(() => {
      calls++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    expect(await action.run(async () => void calls++)).toBe(false);
    release();
    await first;
    expect(calls).toBe(1);
  });

  it('keeps a rejection as an ErrorPayload and clears it on the next run', async () => {
    const action = new Action();
    const ok = await action.run(() => Promise.reject({ code: 'conflict', message: 'stale' }));
    expect(ok).toBe(false);
    expect(action.error).toMatchObject({ code: 'conflict', message: 'stale', field: null });
    expect(action.busy).toBe(false);
    await action.run(async () => 1);
    expect(action.error).toBeNull();
  });

  it('turns a thrown Error into an internal error, and done is not called', async () => {
    const action = new Action();
    let called = false;
    await action.run(
      () => Promise.reject(new Error('boom')),
      () => (called = true),
    );
    expect(called).toBe(false);
    expect(action.error).toMatchObject({ code: 'internal', message: 'boom' });
  });

  it('shows and clears a local problem', () => {
    const action = new Action();
    action.fail({ code: 'invalid', message: '', field: 'name', reason: 'required', current: null });
    expect(action.error?.reason).toBe('required');
    action.clear();
    expect(action.error).toBeNull();
  });
});
