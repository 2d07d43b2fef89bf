/**
 * Browser mode's page session, shared by the server (main/ui-server) and the page
 * (renderer/src/api/client.ts). A session cookie alone never opens the API: cookies ignore
 * ports, so any other server on 127.0.0.1 receives it. The page also holds a key the server
 * hands over in the redirect's URL fragment (never sent to any server, and readable only by a
 * page of this exact origin), and offers it as a WebSocket subprotocol.
 */

/** The API socket's subprotocol; the server answers with this one and never echoes the key. */
export const API_PROTOCOL = 'labforge.api.v1';
/** The page key travels as a second subprotocol, `key.<page key>`. */
export const PAGE_KEY_PROTOCOL_PREFIX = 'key.';
/** The fragment parameter that carries the page key after the one-time link is redeemed. */
export const PAGE_KEY_FRAGMENT = 'lf-key';

/**
 * The largest API message, in bytes. A lab text travels JSON-escaped inside a message, where
 * one character can take up to 6 bytes (`\u0001`): 64 MiB carries a 5-million-character lab
 * of any content with room for the envelope, so an oversized lab reaches the lab-size check
 * and gets its named error instead of a dropped connection.
 */
export const MAX_API_MESSAGE_BYTES = 64 * 2 ** 20;
