import { ExpressAdapter } from '@bull-board/express';

/**
 * Bull Board's Express adapter runs an Express app of its own, which would
 * announce `X-Powered-By: Express` on every board response even when the
 * host app turned the header off.
 */
export class BoardExpressAdapter extends ExpressAdapter {
  constructor() {
    super();
    // Express's types are not a dependency of this library: only `disable` is used.
    (this.app as unknown as { disable(setting: string): unknown }).disable('x-powered-by');
  }
}
