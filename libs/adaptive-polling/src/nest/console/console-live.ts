import type { ServerResponse } from 'node:http';
import type { FleetReader, FleetRows } from './fleet-reader';

/** How often the live stream looks for changed rows, and sends a keep-alive when nothing changed. */
const TICK_MS = 1_000;
const KEEP_ALIVE_MS = 15_000;

interface LiveClient {
  response: ServerResponse;
  /** The rows the page shows: only their changes are sent. */
  keys: ReadonlySet<string>;
  lastSentAt: number;
}

/**
 * Server-Sent Events for the console pages. While a page is open, every
 * second the fleet rows are compared with the previous read; each client
 * gets the changed rows it shows (`rows`) and the state counts when they
 * changed (`summary`). Reads run only while someone is connected.
 */
export class ConsoleLive {
  private readonly clients = new Set<LiveClient>();
  private timer: NodeJS.Timeout | null = null;
  private previous: FleetRows | null = null;
  private summaryText = '';
  private ticking = false;

  constructor(
    private readonly reader: FleetReader,
    private readonly onError: (error: unknown) => void,
  ) {}

  open(response: ServerResponse, keys: ReadonlySet<string>): void {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    const client: LiveClient = { response, keys, lastSentAt: Date.now() };
    this.clients.add(client);
    response.on('close', () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stop();
    });
    this.timer ??= setInterval(() => void this.tick(), TICK_MS);
  }

  /** Ends every stream (shutdown). */
  close(): void {
    for (const client of this.clients) client.response.end();
    this.clients.clear();
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.previous = null;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const current = await this.reader.read();
      const previous = this.previous;
      this.previous = current;
      if (previous === current) return this.keepAlive();
      const summaryText = JSON.stringify(current.summary);
      const summaryChanged = summaryText !== this.summaryText;
      this.summaryText = summaryText;
      const now = Date.now();
      for (const client of this.clients) {
        const changed = previous === null ? [] : changedRows(previous, current, client.keys);
        let out = '';
        if (changed.length > 0) out += `event: rows\ndata: ${JSON.stringify(changed)}\n\n`;
        if (summaryChanged) out += `event: summary\ndata: ${summaryText}\n\n`;
        if (out !== '') {
          client.response.write(out);
          client.lastSentAt = now;
        }
      }
      this.keepAlive();
    } catch (error) {
      this.onError(error);
    } finally {
      this.ticking = false;
    }
  }

  private keepAlive(): void {
    const now = Date.now();
    for (const client of this.clients) {
      if (now - client.lastSentAt < KEEP_ALIVE_MS) continue;
      client.response.write(': keep-alive\n\n');
      client.lastSentAt = now;
    }
  }
}

/** The shown rows whose signature differs between two reads (removed targets are not sent). */
export function changedRows(previous: FleetRows, current: FleetRows, keys: ReadonlySet<string>) {
  const out = [];
  for (const key of keys) {
    const signature = current.signatures.get(key);
    if (signature !== undefined && signature !== previous.signatures.get(key)) out.push(current.byKey.get(key)!);
  }
  return out;
}
