/** The protocol version this build speaks. Bumped only for changes an older peer cannot ignore. */
export const PROTOCOL_VERSION = 1;
/** Every version a server of this build accepts in `hello`. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1];

/** WebSocket path of the agent gateway. */
export const AGENT_PATH = '/agent';

/** Largest message a peer may send; bigger ones get `error {code: 'message_too_large'}`. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * Hard frame limit (ws `maxPayload`) of the server: beyond it the socket is closed at once with 1009,
 * since the frame is not even read. Kept above MAX_MESSAGE_BYTES so that a merely too large message still
 * gets a readable error.
 */
export const MAX_FRAME_BYTES = 4 * MAX_MESSAGE_BYTES;
/**
 * Frame limit an agent must accept from the server: a snapshot part holds up to MAX_BANS_PER_MESSAGE bans
 * of at most ~200 bytes each.
 */
export const MAX_SERVER_FRAME_BYTES = 16 * 1024 * 1024;

export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_BATCH_ID_LENGTH = 64;
export const MAX_BANS_PER_MESSAGE = 50_000;
export const MAX_JAIL_NAME_LENGTH = 64;
export const MAX_PORTS_PER_BAN = 32;
export const MAX_HOSTNAME_LENGTH = 255;
export const MAX_VERSION_LENGTH = 64;
export const MAX_FILES_REPORTED = 64;
export const MAX_PATH_LENGTH = 1024;
export const MAX_REASON_LENGTH = 512;
/** Longest `error.message`; the server truncates its own messages to it. */
export const MAX_ERROR_MESSAGE_LENGTH = 1024;
