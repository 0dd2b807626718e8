/** Reported to the server in hello; bump with releases. */
export const AGENT_VERSION = '0.1.0';
