/** Options of `AdaptivePollingBullBoardModule.forRoot()`. */
export interface AdaptivePollingBullBoardOptions {
  /** Where the board is served (default `/admin/queues`). */
  route?: string;
  /**
   * The password browsers send (HTTP Basic, any user name). Default: the
   * health API's token (`api.token` or env ADAPTIVE_POLLING_API_TOKEN), so
   * one secret opens both. Required when the API uses a host guard instead.
   */
  token?: string;
  /** No retry, clean, promote or remove buttons (default true): the engine owns the poll jobs. */
  readOnly?: boolean;
  /** Title shown on the board (default `Adaptive polling`). */
  title?: string;
}

export const DEFAULT_BULL_BOARD_ROUTE = '/admin/queues';
export const DEFAULT_BULL_BOARD_TITLE = 'Adaptive polling';
