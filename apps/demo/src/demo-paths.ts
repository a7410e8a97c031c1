/** Where the demo serves its operator's console (main.ts prints it). */
export const CONSOLE_PATH = '/admin/polling';
