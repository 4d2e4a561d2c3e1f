/**
 * The admin API under `/_admin/`: the same operations as the library handle, for tools that
 * only have the URL. No auth, no rate limit, no faults.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors.js';
import { parseJsonBody } from './http-io.js';
import type { HandlerResult } from './router.js';
import { resetRuntime, snapshotState, type Runtime } from './runtime.js';
import { DECLINE_AMOUNT, FAULT_AMOUNTS, TEST_CARDS } from './test-cards.js';

/** Handles one admin request. */
export function handleAdmin(rt: Runtime, method: string, url: URL, raw: Buffer, headers: IncomingHttpHeaders): HandlerResult {
  const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /_admin/ledger':
      return { status: 200, body: rt.ctx.ledger.list() };
    case 'GET /_admin/faults':
      return { status: 200, body: rt.faults.list() };
    case 'POST /_admin/faults':
      return { status: 201, body: rt.faults.add(parseJsonBody(raw, headers)) };
    case 'DELETE /_admin/faults':
      rt.faults.clear();
      return { status: 204, body: undefined };
    case 'POST /_admin/reset':
      resetRuntime(rt);
      return { status: 204, body: undefined };
    case 'GET /_admin/state': {
      const full = url.searchParams.get('full');
      return { status: 200, body: snapshotState(rt, full === '1' || full === 'true') };
    }
    case 'POST /_admin/settle':
      return { status: 202, body: { settled: rt.ctx.settlements.settleNow() } };
    case 'GET /_admin/status-changes':
      return { status: 200, body: rt.ctx.settlements.list() };
    case 'GET /_admin/catalogue':
      return { status: 200, body: { testCards: TEST_CARDS, declineAmount: DECLINE_AMOUNT, faultAmounts: FAULT_AMOUNTS, credentials: rt.ctx.credentials } };
    default:
      throw new ApiError(404, 'Not Found');
  }
}
