/**
 * NTLMv2 authentication messages (MS-NLMP) for SMB2 SESSION_SETUP, raw (no SPNEGO
 * wrapping: Samba and Windows accept bare NTLMSSP tokens).
 *
 * Why our own: node-smb2's ntlm/util prints "Using NTLMv2 authentication" to stdout on
 * every login and ignores the server's target info. MD4 is not in Node 20's default
 * OpenSSL provider, so the NT hash uses js-md4 (node-smb2's own dependency).
 * Signing/sealing keys are not derived: this client never signs (see smb2-connection.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const md4 = createRequire(import.meta.url)('js-md4') as { arrayBuffer(data: Uint8Array): ArrayBuffer };

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
// UNICODE | REQUEST_TARGET | NTLM | ALWAYS_SIGN | EXTENDED_SESSIONSECURITY | TARGET_INFO | 128 | 56
const FLAGS = 0x00000001 | 0x00000004 | 0x00000200 | 0x00008000 | 0x00080000 | 0x00800000 | 0x20000000 | 0x80000000;

export function negotiateMessage(): Buffer {
  const b = Buffer.alloc(32);
  SIGNATURE.copy(b, 0);
  b.writeUInt32LE(1, 8);
  b.writeUInt32LE(FLAGS >>> 0, 12);
  return b;
}

export interface Challenge {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: Buffer;
}

export function parseChallenge(token: Buffer): Challenge {
  if (token.length < 48 || !token.subarray(0, 8).equals(SIGNATURE) || token.readUInt32LE(8) !== 2) {
    throw new Error('malformed NTLM challenge');
  }
  const tiLen = token.readUInt16LE(40);
  const tiOff = token.readUInt32LE(44);
  return {
    flags: token.readUInt32LE(20),
    serverChallenge: Buffer.from(token.subarray(24, 32)),
    targetInfo: Buffer.from(token.subarray(tiOff, tiOff + tiLen)),
  };
}

/** The server's MsvAvTimestamp (AvId 7) from the target info, if any. */
function avTimestamp(targetInfo: Buffer): Buffer | undefined {
  let pos = 0;
  while (pos + 4 <= targetInfo.length) {
    const id = targetInfo.readUInt16LE(pos);
    const len = targetInfo.readUInt16LE(pos + 2);
    if (id === 0) return undefined;
    if (id === 7 && len === 8) return targetInfo.subarray(pos + 4, pos + 12);
    pos += 4 + len;
  }
  return undefined;
}

export interface NtlmCredentials {
  username: string;
  password: string;
  domain: string;
  workstation: string;
}

export function authenticateMessage(ch: Challenge, c: NtlmCredentials): Buffer {
  const ntHash = Buffer.from(md4.arrayBuffer(Buffer.from(c.password, 'utf16le')));
  const ntowf = hmac(ntHash, Buffer.from(c.username.toUpperCase() + c.domain, 'utf16le'));
  const clientChallenge = randomBytes(8);
  let timestamp = avTimestamp(ch.targetInfo);
  if (!timestamp) {
    timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64LE((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n);
  }
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]), timestamp, clientChallenge, Buffer.alloc(4), ch.targetInfo, Buffer.alloc(4),
  ]);
  const ntProof = hmac(ntowf, Buffer.concat([ch.serverChallenge, temp]));
  const nt = Buffer.concat([ntProof, temp]);
  const lm = Buffer.concat([hmac(ntowf, Buffer.concat([ch.serverChallenge, clientChallenge])), clientChallenge]);
  const fields = [lm, nt, Buffer.from(c.domain, 'utf16le'), Buffer.from(c.username, 'utf16le'), Buffer.from(c.workstation, 'utf16le'), Buffer.alloc(0)];
  const head = Buffer.alloc(64);
  SIGNATURE.copy(head, 0);
  head.writeUInt32LE(3, 8);
  let off = 64;
  fields.forEach((f, i) => {
    head.writeUInt16LE(f.length, 12 + i * 8);
    head.writeUInt16LE(f.length, 14 + i * 8);
    head.writeUInt32LE(off, 16 + i * 8);
    off += f.length;
  });
  head.writeUInt32LE(((FLAGS & ch.flags) | 0x1) >>> 0, 60);
  return Buffer.concat([head, ...fields]);
}

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('md5', key).update(data).digest();
}
