/** The parts of an HTTP request (Express or plain Node) that say who sent it. */
export interface AddressedRequest {
  /** Express: the client address, honouring the app's `trust proxy` setting. */
  ip?: string;
  socket?: { remoteAddress?: string };
}

/**
 * The address failed authentication is counted against. Behind a reverse
 * proxy set Express's `trust proxy` so `request.ip` is the client's, not the
 * proxy's (otherwise every client shares one count).
 */
export function clientAddress(request: AddressedRequest): string {
  return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
}
