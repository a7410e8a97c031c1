/**
 * The parts of the fleet simulator an app runs: the fleet file and the HTTP
 * fleet server, without the virtual-time simulator (which compares policies
 * on the library's core).
 */
export { expandFleet, loadFleetFile, type FleetTarget } from './fleet-file';
export { startFleetServer, type RunningFleetServer } from './http/fleet-server';
