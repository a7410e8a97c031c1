import { IntegrationPeersMissingError } from '../core/errors';

/**
 * Checks, before an integration entry loads its implementation, that the
 * optional peer packages it needs are installed, so a missing one fails with
 * one message naming every package to install instead of a bare
 * "Cannot find module" from deep inside.
 */
export function requireOptionalPeers(entry: string, peers: readonly string[]): void {
  const missing = peers.filter((peer) => {
    try {
      require.resolve(peer);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new IntegrationPeersMissingError(entry, missing);
}
