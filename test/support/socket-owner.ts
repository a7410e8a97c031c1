import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which process holds a local TCP connection, read from /proc (Linux): lets a
 * proxy shared by several demo processes tell whose request it is serving,
 * whatever URL each process was given.
 */

/** The socket inode of the connection from local port `localPort` to `remotePort`, or null. */
export function socketInode(localPort: number, remotePort: number): string | null {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const local = parseInt(fields[1].split(':')[1], 16);
      const remote = parseInt(fields[2].split(':')[1], 16);
      if (local === localPort && remote === remotePort) return fields[9];
    }
  }
  return null;
}

/** True when process `pid` has socket `inode` among its open files. */
export function processHoldsSocket(pid: number, inode: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // the process is gone
  }
  const wanted = `socket:[${inode}]`;
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === wanted;
    } catch {
      return false; // closed meanwhile
    }
  });
}
