/**
 * The one DCE/RPC call share discovery needs: SRVSVC NetrShareEnum (opnum 15, level 1)
 * over the \PIPE\srvsvc named pipe on IPC$ (MS-SRVS 3.1.4.8, C706 connection-oriented
 * PDUs, NDR20 little-endian). Encoders and decoders only; the pipe I/O is in shares.ts.
 */

const SRVSVC_UUID = '4b324fc8-1670-01d3-1278-5a47bf6ee188';
const NDR_UUID = '8a885d04-1ceb-11c9-9fe8-08002b104860';
export const PTYPE = { REQUEST: 0, RESPONSE: 2, FAULT: 3, BIND: 11, BIND_ACK: 12, BIND_NAK: 13 } as const;
export const PFC_LAST = 0x02;
export const MAX_FRAG = 4280;

export interface ShareInfo {
  name: string;
  /** 'disk' | 'printer' | 'device' | 'ipc' (STYPE_* low bits). */
  type: 'disk' | 'printer' | 'device' | 'ipc';
  comment: string;
  /** STYPE_SPECIAL: administrative / hidden share (C$, IPC$, ...). */
  special: boolean;
}

function uuid(s: string): Buffer {
  const h = s.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  // First three fields are little-endian on the wire.
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

function pduHeader(ptype: number, fragLength: number, callId: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 5; b[1] = 0; b[2] = ptype; b[3] = 0x03; // first + last fragment
  b.writeUInt32LE(0x10, 4); // data representation: little-endian, ASCII, IEEE
  b.writeUInt16LE(fragLength, 8);
  b.writeUInt16LE(0, 10);
  b.writeUInt32LE(callId, 12);
  return b;
}

export function bindPdu(callId: number): Buffer {
  const body = Buffer.alloc(12 + 44);
  body.writeUInt16LE(MAX_FRAG, 0);
  body.writeUInt16LE(MAX_FRAG, 2);
  body.writeUInt32LE(0, 4);
  body[8] = 1; // one context
  body.writeUInt16LE(0, 12); // context id
  body[14] = 1; // one transfer syntax
  uuid(SRVSVC_UUID).copy(body, 16);
  body.writeUInt16LE(3, 32); // interface version 3.0
  body.writeUInt16LE(0, 34);
  uuid(NDR_UUID).copy(body, 36);
  body.writeUInt32LE(2, 52);
  return Buffer.concat([pduHeader(PTYPE.BIND, 16 + body.length, callId), body]);
}

/** NetrShareEnum request PDU for level 1 (name, type, remark). */
export function shareEnumPdu(callId: number, server: string): Buffer {
  const w = new NdrWriter();
  w.u32(0x00020000); // ServerName: unique pointer
  w.string(`\\\\${server}`);
  w.u32(1); // InfoStruct.Level
  w.u32(1); // union switch
  w.u32(0x00020004); // pointer to SHARE_INFO_1_CONTAINER
  w.u32(0); // EntriesRead
  w.u32(0); // Buffer: null
  w.u32(0xffffffff); // PreferedMaximumLength
  w.u32(0x00020008); // ResumeHandle pointer
  w.u32(0);
  const stub = w.done();
  const req = Buffer.alloc(8);
  req.writeUInt32LE(stub.length, 0); // alloc hint
  req.writeUInt16LE(0, 4); // context id
  req.writeUInt16LE(15, 6); // opnum: NetrShareEnum
  return Buffer.concat([pduHeader(PTYPE.REQUEST, 16 + 8 + stub.length, callId), req, stub]);
}

export interface PduInfo {
  ptype: number;
  flags: number;
  fragLength: number;
}

export function pduInfo(b: Buffer): PduInfo {
  if (b.length < 16 || b[0] !== 5) throw new Error('not a DCE/RPC PDU');
  return { ptype: b[2] as number, flags: b[3] as number, fragLength: b.readUInt16LE(8) };
}

/** Stub data of a RESPONSE PDU (after the 24-byte header). */
export function responseStub(pdu: Buffer): Buffer {
  const { ptype, fragLength } = pduInfo(pdu);
  if (ptype === PTYPE.FAULT) throw new Error(`RPC fault 0x${pdu.readUInt32LE(24).toString(16)}`);
  if (ptype !== PTYPE.RESPONSE) throw new Error(`unexpected RPC PDU type ${ptype}`);
  const authLength = pdu.readUInt16LE(10);
  return pdu.subarray(24, fragLength - (authLength ? authLength + 8 : 0));
}

export function checkBindAck(pdu: Buffer): void {
  const { ptype } = pduInfo(pdu);
  if (ptype !== PTYPE.BIND_ACK) throw new Error(`SRVSVC bind refused (PDU type ${ptype})`);
  // Skip max frags, assoc group, secondary address (aligned to 4), then the result list.
  const secLen = pdu.readUInt16LE(24);
  let pos = 26 + secLen;
  pos += (4 - (pos % 4)) % 4;
  const result = pdu.readUInt16LE(pos + 4);
  if (result !== 0) throw new Error(`SRVSVC bind: presentation context refused (${result})`);
}

/** Decode the NetrShareEnum level-1 response stub. */
export function parseShareEnum(stub: Buffer): ShareInfo[] {
  const r = new NdrReader(stub);
  r.u32(); // level
  r.u32(); // switch
  if (r.u32() === 0) return [];
  const count = r.u32();
  if (r.u32() === 0) return [];
  r.u32(); // conformance (max count)
  const fixed = Array.from({ length: count }, () => ({ namePtr: r.u32(), type: r.u32(), remarkPtr: r.u32() }));
  const out: ShareInfo[] = [];
  for (const f of fixed) {
    const name = f.namePtr ? r.string() : '';
    const comment = f.remarkPtr ? r.string() : '';
    const base = f.type & 0x0fffffff;
    const type = base === 1 ? 'printer' : base === 2 ? 'device' : base === 3 ? 'ipc' : 'disk';
    out.push({ name, type, comment, special: (f.type & 0x80000000) !== 0 });
  }
  const status = stub.readUInt32LE(stub.length - 4);
  if (status !== 0) throw new Error(`NetrShareEnum failed: WERROR 0x${status.toString(16)}`);
  return out;
}

class NdrWriter {
  private parts: Buffer[] = [];
  private len = 0;

  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0, 0);
    this.add(b);
  }

  /** Conformant varying UTF-16 string with terminator, padded to 4. */
  string(s: string): void {
    const chars = s.length + 1;
    this.u32(chars);
    this.u32(0);
    this.u32(chars);
    this.add(Buffer.from(`${s}\0`, 'utf16le'));
    this.add(Buffer.alloc((4 - (this.len % 4)) % 4));
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }

  private add(b: Buffer): void {
    this.parts.push(b);
    this.len += b.length;
  }
}

class NdrReader {
  private pos = 0;

  constructor(private readonly b: Buffer) {}

  u32(): number {
    this.pos += (4 - (this.pos % 4)) % 4;
    const v = this.b.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  string(): string {
    this.u32(); // max count
    this.u32(); // offset
    const actual = this.u32();
    const s = this.b.toString('utf16le', this.pos, this.pos + actual * 2);
    this.pos += actual * 2;
    return s.replace(/\0+$/, '');
  }
}
