/**
 * datamap studio: a local web page to author, see and try a Data Map live. `startStudio`
 * serves it on 127.0.0.1; the page (src/studio/page, bundled at build time) talks to a small
 * JSON API (src/studio/api.ts) that answers with the library's own functions.
 */
import { StudioApi } from './api.js';
import { loadRecords, MapFile } from './files.js';
import { newToken, TOKEN_HEADER } from './guard.js';
import { resolve } from 'node:path';
import { DEFAULT_JOURNAL_PATH } from '../journal/index.js';
import { JournalView } from './journal-view.js';
import { listen } from './server.js';

export { TOKEN_HEADER } from './guard.js';

/** Options of `startStudio`. */
export interface StudioOptions {
  /** The Data Map file to edit; it need not exist yet (Save creates it). */
  map: string;
  /** Sample records: a JSON object, a JSON array of objects or NDJSON. */
  input?: string;
  /** Port on 127.0.0.1; 0 (default) lets the OS choose. */
  port?: number;
  /** Where relative paths are resolved (default: the current directory). */
  cwd?: string;
  /** Largest request body accepted, in bytes (default 2 MiB). */
  maxBodyBytes?: number;
  /** Clock for `$now()` in plans and explanations (ms since epoch). */
  clock?: () => number;
  /** Token required by every request; a fresh random one by default. */
  token?: string;
  /** Provider pack of the starter text when the map file does not exist yet (default: the first pack). */
  provider?: string;
  /**
   * Run journal to show read-only (what `datamap runs` shows); default `.datamap/journal.db`
   * under `cwd`, shown when it exists; `false` for none.
   */
  journal?: string | false;
}

/** A running studio. */
export interface Studio {
  /** The page's URL, token included: open it in a browser. */
  url: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  port: number;
  /** The token every request must carry (as `?token=` or the `x-datamap-studio` header). */
  token: string;
  /** Header name for the token. */
  tokenHeader: string;
  /** Absolute path of the Data Map file. */
  mapFile: string;
  /** Stops the server, the file watcher and the studio's sandbox. */
  close(): Promise<void>;
}

/**
 * Starts the studio server on 127.0.0.1 and resolves once it listens. The map file is read on
 * each request and written only by the page's Save (`POST /api/save`); a change on disk is
 * pushed to open pages.
 */
export async function startStudio(options: StudioOptions): Promise<Studio> {
  const cwd = options.cwd ?? process.cwd();
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('studio: port must be an integer from 0 to 65535');
  const map = new MapFile(options.map, cwd);
  const records = await loadRecords(options.input, cwd);
  const token = options.token ?? newToken();
  const api = new StudioApi({ cwd, map, records, clock: options.clock ?? Date.now, ...(options.provider ? { provider: options.provider } : {}), ...(options.journal !== false ? { journal: new JournalView(resolve(cwd, options.journal ?? DEFAULT_JOURNAL_PATH)) } : {}) });
  const server = await listen({ port, token, maxBodyBytes: options.maxBodyBytes ?? 2 * 1024 * 1024, api });
  map.watch((version) => server.broadcast('map', { version }));
  const origin = `http://127.0.0.1:${server.port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port: server.port,
    token,
    tokenHeader: TOKEN_HEADER,
    mapFile: map.path,
    async close() {
      map.unwatch();
      await server.close();
      await api.close();
    },
  };
}
