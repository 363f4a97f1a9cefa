/**
 * SMB2 request bodies and response decoders for the commands the adapter uses
 * (MS-SMB2 2.2.3-2.2.40). Offsets inside bodies are from the start of the SMB2 header,
 * hence the `HEADER_SIZE +` in every *Offset field. Pure functions, no I/O.
 */
import { HEADER_SIZE, filetimeToMs, FileAttr } from './smb2-wire.js';

export const Dialect = { SMB202: 0x0202, SMB21: 0x0210 } as const;

export const Access = {
  READ_DATA: 0x1, WRITE_DATA: 0x2, APPEND_DATA: 0x4, READ_EA: 0x8, WRITE_EA: 0x10,
  EXECUTE: 0x20, READ_ATTRIBUTES: 0x80, WRITE_ATTRIBUTES: 0x100, DELETE: 0x10000,
  READ_CONTROL: 0x20000, SYNCHRONIZE: 0x100000, MAXIMUM_ALLOWED: 0x02000000,
  LIST_DIRECTORY: 0x1, ADD_FILE: 0x2, ADD_SUBDIRECTORY: 0x4,
} as const;

export const Share = { READ: 1, WRITE: 2, DELETE: 4, ALL: 7 } as const;
export const Disposition = { SUPERSEDE: 0, OPEN: 1, CREATE: 2, OPEN_IF: 3, OVERWRITE: 4, OVERWRITE_IF: 5 } as const;
export const CreateOpt = { DIRECTORY_FILE: 0x1, NON_DIRECTORY_FILE: 0x40, OPEN_REPARSE_POINT: 0x200000 } as const;
export const InfoClass = { BASIC: 4, RENAME: 10, DISPOSITION: 13, END_OF_FILE: 20 } as const;

export function negotiateRequest(clientGuid: Buffer): Buffer {
  const dialects = [Dialect.SMB202, Dialect.SMB21];
  const b = Buffer.alloc(36 + dialects.length * 2);
  b.writeUInt16LE(36, 0);
  b.writeUInt16LE(dialects.length, 2);
  b.writeUInt16LE(1, 4); // signing enabled (not required): we never sign
  b.writeUInt32LE(0, 8);
  clientGuid.copy(b, 12);
  dialects.forEach((d, i) => b.writeUInt16LE(d, 36 + i * 2));
  return b;
}

export interface NegotiateResponse {
  securityMode: number;
  dialect: number;
  capabilities: number;
  maxTransact: number;
  maxRead: number;
  maxWrite: number;
}

export function parseNegotiate(body: Buffer): NegotiateResponse {
  return {
    securityMode: body.readUInt16LE(2),
    dialect: body.readUInt16LE(4),
    capabilities: body.readUInt32LE(24),
    maxTransact: body.readUInt32LE(28),
    maxRead: body.readUInt32LE(32),
    maxWrite: body.readUInt32LE(36),
  };
}

export function sessionSetupRequest(token: Buffer): Buffer {
  const b = Buffer.alloc(24 + token.length);
  b.writeUInt16LE(25, 0);
  b.writeUInt8(0, 2);
  b.writeUInt8(1, 3); // signing enabled
  b.writeUInt32LE(0, 4);
  b.writeUInt32LE(0, 8);
  b.writeUInt16LE(HEADER_SIZE + 24, 12);
  b.writeUInt16LE(token.length, 14);
  b.writeBigUInt64LE(0n, 16);
  token.copy(b, 24);
  return b;
}

/** The security blob of a SESSION_SETUP response (`msg` is the whole message). */
export function sessionSetupToken(msg: Buffer): Buffer {
  const off = msg.readUInt16LE(HEADER_SIZE + 4);
  const len = msg.readUInt16LE(HEADER_SIZE + 6);
  return msg.subarray(off, off + len);
}

export function treeConnectRequest(uncPath: string): Buffer {
  const path = Buffer.from(uncPath, 'utf16le');
  const b = Buffer.alloc(8 + path.length);
  b.writeUInt16LE(9, 0);
  b.writeUInt16LE(HEADER_SIZE + 8, 4);
  b.writeUInt16LE(path.length, 6);
  path.copy(b, 8);
  return b;
}

export interface CreateParams {
  access: number;
  disposition: number;
  options?: number;
  share?: number;
  attributes?: number;
}

export function createRequest(name: Buffer, p: CreateParams): Buffer {
  const b = Buffer.alloc(56 + Math.max(name.length, 1));
  b.writeUInt16LE(57, 0);
  b.writeUInt8(0, 2);
  b.writeUInt8(0, 3); // no oplock: we never handle breaks
  b.writeUInt32LE(2, 4); // impersonation
  b.writeUInt32LE(p.access, 24);
  b.writeUInt32LE(p.attributes ?? 0, 28);
  b.writeUInt32LE(p.share ?? Share.ALL, 32);
  b.writeUInt32LE(p.disposition, 36);
  b.writeUInt32LE(p.options ?? 0, 40);
  b.writeUInt16LE(HEADER_SIZE + 56, 44);
  b.writeUInt16LE(name.length, 46);
  name.copy(b, 56);
  return b;
}

export interface FileInfo {
  fileId: Buffer;
  isDir: boolean;
  size: number;
  mtimeMs: number;
  attributes: number;
}

/** CREATE response: handle plus the attributes that make a separate stat unnecessary. */
export function parseCreate(body: Buffer): FileInfo {
  const attributes = body.readUInt32LE(56);
  return {
    mtimeMs: filetimeToMs(body.readBigUInt64LE(24)),
    size: Number(body.readBigUInt64LE(48)),
    attributes,
    isDir: (attributes & FileAttr.DIRECTORY) !== 0,
    fileId: Buffer.from(body.subarray(64, 80)),
  };
}

export function closeRequest(fileId: Buffer): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt16LE(24, 0);
  fileId.copy(b, 8);
  return b;
}

export function readRequest(fileId: Buffer, offset: number, length: number): Buffer {
  const b = Buffer.alloc(49);
  b.writeUInt16LE(49, 0);
  b.writeUInt8(0x50, 2);
  b.writeUInt32LE(length, 4);
  b.writeBigUInt64LE(BigInt(offset), 8);
  fileId.copy(b, 16);
  return b;
}

/** Data of a READ response (`msg` is the whole message; DataOffset counts from the header). */
export function readData(msg: Buffer): Buffer {
  const off = msg.readUInt8(HEADER_SIZE + 2);
  const len = msg.readUInt32LE(HEADER_SIZE + 4);
  return msg.subarray(off, off + len);
}

export function writeRequest(fileId: Buffer, offset: number, data: Buffer): Buffer {
  const b = Buffer.allocUnsafe(48 + data.length);
  b.fill(0, 0, 48);
  b.writeUInt16LE(49, 0);
  b.writeUInt16LE(HEADER_SIZE + 48, 2);
  b.writeUInt32LE(data.length, 4);
  b.writeBigUInt64LE(BigInt(offset), 8);
  fileId.copy(b, 16);
  data.copy(b, 48);
  return b;
}

export function writeCount(body: Buffer): number {
  return body.readUInt32LE(4);
}

/** QUERY_DIRECTORY with FileDirectoryInformation (class 1) and pattern '*'. */
export function queryDirectoryRequest(fileId: Buffer, restart: boolean, outputLength: number): Buffer {
  const pattern = Buffer.from('*', 'utf16le');
  const b = Buffer.alloc(32 + pattern.length);
  b.writeUInt16LE(33, 0);
  b.writeUInt8(1, 2);
  b.writeUInt8(restart ? 1 : 0, 3);
  fileId.copy(b, 8);
  b.writeUInt16LE(HEADER_SIZE + 32, 24);
  b.writeUInt16LE(pattern.length, 26);
  b.writeUInt32LE(outputLength, 28);
  pattern.copy(b, 32);
  return b;
}

export interface DirEntry {
  name: string;
  isDir: boolean;
  size: number;
  mtimeMs: number;
  attributes: number;
}

/** Entries of a QUERY_DIRECTORY response (`msg` is the whole message). Names are bare. */
export function parseDirectory(msg: Buffer): DirEntry[] {
  const off = msg.readUInt16LE(HEADER_SIZE + 2);
  const len = msg.readUInt32LE(HEADER_SIZE + 4);
  const buf = msg.subarray(off, off + len);
  const out: DirEntry[] = [];
  let pos = 0;
  while (buf.length - pos >= 64) {
    const next = buf.readUInt32LE(pos);
    const attributes = buf.readUInt32LE(pos + 56);
    const nameLen = buf.readUInt32LE(pos + 60);
    out.push({
      name: buf.toString('utf16le', pos + 64, pos + 64 + nameLen),
      mtimeMs: filetimeToMs(buf.readBigUInt64LE(pos + 24)),
      size: Number(buf.readBigUInt64LE(pos + 40)),
      attributes,
      isDir: (attributes & FileAttr.DIRECTORY) !== 0,
    });
    if (next === 0) break;
    pos += next;
  }
  return out;
}

export function setInfoRequest(fileId: Buffer, infoClass: number, info: Buffer): Buffer {
  const b = Buffer.alloc(32 + info.length);
  b.writeUInt16LE(33, 0);
  b.writeUInt8(1, 2); // SMB2_0_INFO_FILE
  b.writeUInt8(infoClass, 3);
  b.writeUInt32LE(info.length, 4);
  b.writeUInt16LE(HEADER_SIZE + 32, 8);
  fileId.copy(b, 16);
  info.copy(b, 32);
  return b;
}

/** FileRenameInformation (SMB2 form): target path is relative to the share root. */
export function renameInfo(target: Buffer, replace: boolean): Buffer {
  const b = Buffer.alloc(20 + target.length);
  b.writeUInt8(replace ? 1 : 0, 0);
  b.writeUInt32LE(target.length, 16);
  target.copy(b, 20);
  return b;
}

/** FileBasicInformation changing only LastWriteTime (0 means "leave as is"). */
export function basicInfoMtime(filetime: bigint): Buffer {
  const b = Buffer.alloc(40);
  b.writeBigUInt64LE(filetime, 16);
  return b;
}

export function dispositionInfo(deletePending: boolean): Buffer {
  return Buffer.from([deletePending ? 1 : 0]);
}

/** IOCTL FSCTL_PIPE_TRANSCEIVE: one write+read on a message-mode named pipe. */
export function pipeTransceiveRequest(fileId: Buffer, input: Buffer, maxOutput: number): Buffer {
  const b = Buffer.alloc(56 + input.length);
  b.writeUInt16LE(57, 0);
  b.writeUInt32LE(0x0011c017, 4);
  fileId.copy(b, 8);
  b.writeUInt32LE(HEADER_SIZE + 56, 24);
  b.writeUInt32LE(input.length, 28);
  b.writeUInt32LE(0, 32);
  b.writeUInt32LE(HEADER_SIZE + 56, 36);
  b.writeUInt32LE(0, 40);
  b.writeUInt32LE(maxOutput, 44);
  b.writeUInt32LE(1, 48); // SMB2_0_IOCTL_IS_FSCTL
  input.copy(b, 56);
  return b;
}

/** Output of an IOCTL response (`msg` is the whole message). */
export function ioctlOutput(msg: Buffer): Buffer {
  const off = msg.readUInt32LE(HEADER_SIZE + 32);
  const len = msg.readUInt32LE(HEADER_SIZE + 36);
  return msg.subarray(off, off + len);
}
