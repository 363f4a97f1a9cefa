/**
 * SMB2 wire basics (MS-SMB2 2.2.1): commands, status codes, the 64-byte sync header, the
 * 4-byte Direct-TCP framing, FILETIME and path conversions. No I/O here.
 */

export const Command = {
  NEGOTIATE: 0, SESSION_SETUP: 1, LOGOFF: 2, TREE_CONNECT: 3, TREE_DISCONNECT: 4,
  CREATE: 5, CLOSE: 6, FLUSH: 7, READ: 8, WRITE: 9, LOCK: 10, IOCTL: 11, CANCEL: 12,
  ECHO: 13, QUERY_DIRECTORY: 14, CHANGE_NOTIFY: 15, QUERY_INFO: 16, SET_INFO: 17, OPLOCK_BREAK: 18,
} as const;

/** NTSTATUS values the client acts on. */
export const Status = {
  SUCCESS: 0x00000000,
  PENDING: 0x00000103,
  BUFFER_OVERFLOW: 0x80000005,
  NO_MORE_FILES: 0x80000006,
  MORE_PROCESSING_REQUIRED: 0xc0000016,
  INVALID_PARAMETER: 0xc000000d,
  NO_SUCH_FILE: 0xc000000f,
  END_OF_FILE: 0xc0000011,
  ACCESS_DENIED: 0xc0000022,
  OBJECT_NAME_INVALID: 0xc0000033,
  OBJECT_NAME_NOT_FOUND: 0xc0000034,
  OBJECT_NAME_COLLISION: 0xc0000035,
  OBJECT_PATH_INVALID: 0xc0000039,
  OBJECT_PATH_NOT_FOUND: 0xc000003a,
  SHARING_VIOLATION: 0xc0000043,
  DELETE_PENDING: 0xc0000056,
  NO_SUCH_USER: 0xc0000064,
  WRONG_PASSWORD: 0xc000006a,
  LOGON_FAILURE: 0xc000006d,
  ACCOUNT_RESTRICTION: 0xc000006e,
  PASSWORD_EXPIRED: 0xc0000071,
  ACCOUNT_DISABLED: 0xc0000072,
  FILE_IS_A_DIRECTORY: 0xc00000ba,
  NOT_SUPPORTED: 0xc00000bb,
  BAD_NETWORK_NAME: 0xc00000cc,
  DIRECTORY_NOT_EMPTY: 0xc0000101,
  NOT_A_DIRECTORY: 0xc0000103,
  CANCELLED: 0xc0000120,
  FILE_CLOSED: 0xc0000128,
  USER_SESSION_DELETED: 0xc0000203,
  NETWORK_SESSION_EXPIRED: 0xc000035c,
} as const;

export const HeaderFlags = { RESPONSE: 0x1, ASYNC: 0x2, RELATED: 0x4, SIGNED: 0x8 } as const;

export const HEADER_SIZE = 64;
const PROTOCOL_ID = 0x424d53fe; // '\xfeSMB' little-endian

export interface Smb2Header {
  command: number;
  status: number;
  flags: number;
  creditCharge: number;
  credits: number;
  messageId: bigint;
  treeId: number;
  asyncId: bigint;
  sessionId: bigint;
  nextCommand: number;
}

export interface RequestHeader {
  command: number;
  messageId: bigint;
  credits: number;
  creditCharge: number;
  treeId: number;
  sessionId: bigint;
}

/** A framed request: Direct-TCP length prefix + header + body. */
export function frameRequest(h: RequestHeader, body: Buffer): Buffer {
  const total = HEADER_SIZE + body.length;
  const out = Buffer.allocUnsafe(4 + total);
  out.writeUInt32BE(total, 0); // first byte 0 (session message), 24-bit length
  const o = 4;
  out.writeUInt32LE(PROTOCOL_ID, o);
  out.writeUInt16LE(HEADER_SIZE, o + 4);
  out.writeUInt16LE(h.creditCharge, o + 6);
  out.writeUInt32LE(0, o + 8);
  out.writeUInt16LE(h.command, o + 12);
  out.writeUInt16LE(h.credits, o + 14);
  out.writeUInt32LE(0, o + 16);
  out.writeUInt32LE(0, o + 20);
  out.writeBigUInt64LE(h.messageId, o + 24);
  out.writeUInt32LE(0, o + 32);
  out.writeUInt32LE(h.treeId, o + 36);
  out.writeBigUInt64LE(h.sessionId, o + 40);
  out.fill(0, o + 48, o + 64);
  body.copy(out, o + HEADER_SIZE);
  return out;
}

/** Parse the header of one SMB2 message (`msg` starts at the protocol id). */
export function parseHeader(msg: Buffer): Smb2Header {
  if (msg.length < HEADER_SIZE || msg.readUInt32LE(0) !== PROTOCOL_ID) {
    throw new Error(msg.length >= 4 && msg[0] === 0xff ? 'server answered with SMB1' : 'not an SMB2 message');
  }
  const flags = msg.readUInt32LE(16);
  return {
    creditCharge: msg.readUInt16LE(6),
    status: msg.readUInt32LE(8),
    command: msg.readUInt16LE(12),
    credits: msg.readUInt16LE(14),
    flags,
    nextCommand: msg.readUInt32LE(20),
    messageId: msg.readBigUInt64LE(24),
    asyncId: flags & HeaderFlags.ASYNC ? msg.readBigUInt64LE(32) : 0n,
    treeId: flags & HeaderFlags.ASYNC ? 0 : msg.readUInt32LE(36),
    sessionId: msg.readBigUInt64LE(40),
  };
}

/**
 * Splits a TCP byte stream into Direct-TCP messages. Keeps a list of pending chunks and
 * concatenates only once a whole message is there (no quadratic re-copying on 64 KiB
 * READ responses that arrive in many pieces).
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private have = 0;
  private need = -1;

  constructor(private readonly onMessage: (msg: Buffer) => void) {}

  push(data: Buffer): void {
    this.chunks.push(data);
    this.have += data.length;
    for (;;) {
      if (this.need < 0) {
        if (this.have < 4) return;
        const head = this.take(4);
        if (head[0] !== 0) throw new Error(`unexpected NetBIOS frame type ${head[0]}`);
        this.need = head.readUInt32BE(0) & 0xffffff;
      }
      if (this.have < this.need) return;
      const msg = this.take(this.need);
      this.need = -1;
      this.onMessage(msg);
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0] as Buffer;
        const k = Math.min(c.length, n - off);
        c.copy(out, off, 0, k);
        off += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.have -= n;
    return out;
  }
}

const EPOCH_DIFF_MS = 11_644_473_600_000n;

/** Windows FILETIME (100 ns since 1601) to Unix ms. */
export function filetimeToMs(ft: bigint): number {
  return ft === 0n ? 0 : Number(ft / 10_000n - EPOCH_DIFF_MS);
}

export function msToFiletime(ms: number): bigint {
  return (BigInt(Math.round(ms)) + EPOCH_DIFF_MS) * 10_000n;
}

/** Relative '/'-path to the UTF-16LE backslash form SMB expects ('' is the share root). */
export function smbPath(rel: string): Buffer {
  return Buffer.from(rel.replace(/\//g, '\\'), 'utf16le');
}

/** File attributes (MS-FSCC 2.6). */
export const FileAttr = { READONLY: 0x1, HIDDEN: 0x2, DIRECTORY: 0x10, ARCHIVE: 0x20, NORMAL: 0x80, REPARSE_POINT: 0x400 } as const;
