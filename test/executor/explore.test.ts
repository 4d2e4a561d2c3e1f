import nock from 'nock';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { api, openSample, paid, resetNock, REVOLV3, revolv3SaleMap, run, type Seen } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);

it('explore', async () => {
  const seen: Seen[] = [];
  api(REVOLV3, seen).post('/api/Payments/sale').reply(200, paid(1001, 'FS-10042'));
  const res = await run(revolv3SaleMap(), [openSample()]);
  console.log(JSON.stringify(res, null, 1));
  console.log(JSON.stringify(seen, null, 1));
  expect(nock.isDone()).toBe(true);
});
