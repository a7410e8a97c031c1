import type { PmgClusterMember, PmgQueueStatus, PmgSnapshot } from '../../../adaptive-polling/src/proxmox/pmg';
import type { Random } from '../rng';
import { answerStream, EvolvingState } from './evolving-state';

/**
 * A simulated Proxmox Mail Gateway cluster of `guests` nodes (default 1), answering
 * `config/cluster/status`, `nodes/<node>/postfix/queue` and `statistics/mail` in the
 * shapes the Pulse seed's pkg/pmg/client.go reads.
 *
 * Every answer moves the mail counts (they grow through the day) and the queue sizes
 * within their band. At each data change one event: a node's deferred or active queue
 * crosses a threshold (100, 1000) or drains, mail is put on hold or released, or a node
 * joins or leaves the cluster.
 */

interface PmgNodeState {
  name: string;
  deferredBand: number;
  activeBand: number;
  hold: boolean;
}

interface PmgState {
  nodes: PmgNodeState[];
  nextNode: number;
}

export const DEFAULT_PMG_NODES = 1;
const BAND_RANGES = [
  [0, 40],
  [120, 600],
  [1200, 3000],
] as const;

function node(index: number): PmgNodeState {
  return { name: `pmg${index + 1}`, deferredBand: 0, activeBand: 0, hold: false };
}

function applyEvent(state: PmgState, random: Random): void {
  const kind = random();
  const n = state.nodes[Math.floor(random() * state.nodes.length)];
  if (kind < 0.4) n.deferredBand = (n.deferredBand + 1) % 3;
  else if (kind < 0.6) n.activeBand = (n.activeBand + 1) % 3;
  else if (kind < 0.85) n.hold = !n.hold;
  else if (state.nodes.length > 1 && random() < 0.5) state.nodes.splice(1 + Math.floor(random() * (state.nodes.length - 1)), 1);
  else state.nodes.push(node(state.nextNode++));
}

const inBand = (band: number, random: Random) => {
  const [low, high] = BAND_RANGES[band] as readonly [number, number];
  return low + Math.floor(random() * (high - low));
};

export class PmgBodyModel {
  private readonly states: EvolvingState<PmgState>;

  constructor(
    private readonly seed: number,
    private readonly targetName: string,
    nodes: number,
  ) {
    this.states = new EvolvingState(
      seed,
      targetName,
      () => ({ nodes: Array.from({ length: nodes }, (_, i) => node(i)), nextNode: nodes }),
      (state, random) => applyEvent(state, random),
    );
  }

  snapshotAt(version: number, atMs: number): PmgSnapshot {
    const state = this.states.at(version);
    const random = answerStream(this.seed, this.targetName, atMs);
    const cluster: PmgClusterMember[] = state.nodes.map((n, i) => ({
      cid: i + 1,
      name: n.name,
      type: i === 0 ? 'master' : 'node',
      ip: `10.0.1.${i + 1}`,
      fingerprint: `${(i + 17).toString(16).padStart(2, '0').toUpperCase()}:5E:${'AB:'.repeat(29)}CD`,
    }));
    const queues: Record<string, PmgQueueStatus> = {};
    for (const n of state.nodes) {
      queues[n.name] = {
        active: inBand(n.activeBand, random),
        deferred: inBand(n.deferredBand, random),
        hold: n.hold ? 1 + Math.floor(random() * 20) : 0,
        incoming: Math.floor(random() * 5),
        oldest_age: Math.floor(random() * 3600),
      };
    }
    // Counts of the day so far: they only grow (reset at midnight).
    const dayS = (Math.floor(atMs / 1000) % 86400) + 1;
    const jitter = () => Math.floor(random() * 3);
    const countIn = Math.floor(dayS * 0.8) + jitter();
    const countOut = Math.floor(dayS * 0.5) + jitter();
    return {
      cluster,
      queues,
      statistics: {
        count: countIn + countOut,
        count_in: countIn,
        count_out: countOut,
        spamcount_in: Math.floor(countIn * 0.3),
        spamcount_out: Math.floor(countOut * 0.01),
        viruscount_in: Math.floor(countIn * 0.002),
        viruscount_out: 0,
        bounces_in: Math.floor(countIn * 0.01),
        bounces_out: Math.floor(countOut * 0.02),
        bytes_in: countIn * 48_213,
        bytes_out: countOut * 31_877,
        avptime: Math.round((0.8 + random()) * 1000) / 1000,
      },
    };
  }
}
