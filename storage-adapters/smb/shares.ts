/**
 * Share discovery for "SMB: discover shares on a host" (Catalogizer).
 *
 *   listSmbShares({ host, port, credentials }) -> [{ name, type, comment }]
 *
 * Primary path: SRVSVC NetrShareEnum over DCE/RPC on the IPC$ named pipe, through our
 * own SMB2 connection (no external tool). Fallback, only when the RPC exchange itself is
 * not understood (not for AUTH/OFFLINE/TIMEOUT/UNSUPPORTED, which are answers): Samba's
 * `smbclient -L -g`, with credentials in a 0600 authentication file so they never appear
 * on a command line (`ps`) or in the environment of other processes.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StorageError, type StorageCredentials } from '../types.js';
import { Smb2Connection } from './smb2-connection.js';
import { Command, Status } from './smb2-wire.js';
import { Access, Disposition, Share, createRequest, ioctlOutput, pipeTransceiveRequest, readData, readRequest, type FileInfo } from './smb2-messages.js';
import { parseCreate } from './smb2-messages.js';
import { bindPdu, checkBindAck, MAX_FRAG, PFC_LAST, pduInfo, responseStub, shareEnumPdu, parseShareEnum } from './srvsvc-rpc.js';
import { DEFAULT_SMB_PORT, DEFAULT_SMB_TIMEOUT_MS } from './smb.adapter.js';

export interface SmbShareListing {
  name: string;
  type: 'disk' | 'printer' | 'device' | 'ipc';
  comment: string;
}

export interface ListSharesOptions {
  host: string;
  port?: number;
  credentials?: StorageCredentials;
  timeoutMs?: number;
  /** Include administrative shares (IPC$, C$, ...). Default false. */
  includeSpecial?: boolean;
}

/** Shares offered by an SMB server. Throws StorageError (OFFLINE, TIMEOUT, AUTH, UNSUPPORTED, IO). */
export async function listSmbShares(o: ListSharesOptions): Promise<SmbShareListing[]> {
  try {
    return await listViaRpc(o);
  } catch (err) {
    if (err instanceof StorageError) throw err;
    if (!(await hasSmbclient())) throw new StorageError('IO', `share enumeration failed: ${(err as Error).message}`, { cause: err });
    return listViaSmbclient(o);
  }
}

/** NetrShareEnum over \PIPE\srvsvc. Protocol surprises throw plain Errors (fallback-able). */
export async function listViaRpc(o: ListSharesOptions): Promise<SmbShareListing[]> {
  const c = o.credentials ?? {};
  const conn = await Smb2Connection.open({
    host: o.host, port: o.port ?? DEFAULT_SMB_PORT, timeoutMs: o.timeoutMs ?? DEFAULT_SMB_TIMEOUT_MS,
    username: c.username ?? '', password: c.password ?? '', domain: c.domain,
  });
  try {
    const tree = await conn.treeConnect('IPC$');
    const created = await conn.request(Command.CREATE, createRequest(Buffer.from('srvsvc', 'utf16le'), {
      access: Access.READ_DATA | Access.WRITE_DATA | Access.READ_ATTRIBUTES | Access.READ_CONTROL | Access.SYNCHRONIZE,
      disposition: Disposition.OPEN,
      share: Share.READ | Share.WRITE,
    }), tree);
    const pipe: FileInfo = parseCreate(created.msg.subarray(64));
    const transceive = async (pdu: Buffer): Promise<Buffer> => {
      const r = await conn.request(Command.IOCTL, pipeTransceiveRequest(pipe.fileId, pdu, MAX_FRAG), tree, [Status.BUFFER_OVERFLOW]);
      let out = Buffer.from(ioctlOutput(r.msg));
      // A PDU larger than one IOCTL answer: the rest of it waits in the pipe.
      while (out.length < pduInfo(out).fragLength) {
        const more = await conn.request(Command.READ, readRequest(pipe.fileId, 0, MAX_FRAG), tree, [Status.BUFFER_OVERFLOW]);
        out = Buffer.concat([out, readData(more.msg)]);
      }
      return out;
    };
    checkBindAck(await transceive(bindPdu(1)));
    let pdu = await transceive(shareEnumPdu(2, o.host));
    const stubs = [responseStub(pdu)];
    while ((pduInfo(pdu).flags & PFC_LAST) === 0) {
      const r = await conn.request(Command.READ, readRequest(pipe.fileId, 0, MAX_FRAG), tree, [Status.BUFFER_OVERFLOW]);
      pdu = Buffer.from(readData(r.msg));
      stubs.push(responseStub(pdu));
    }
    const shares = parseShareEnum(Buffer.concat(stubs));
    return shares.filter((s) => o.includeSpecial || !s.special).map(({ name, type, comment }) => ({ name, type, comment }));
  } finally {
    await conn.close();
  }
}

async function hasSmbclient(): Promise<boolean> {
  return fs.access('/usr/bin/smbclient').then(() => true, () => false);
}

/** `smbclient -L //host -p port -A <0600 file> -g`, parsed ("Disk|name|comment" lines). */
export async function listViaSmbclient(o: ListSharesOptions): Promise<SmbShareListing[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-smbauth-'));
  const authFile = path.join(dir, 'auth');
  try {
    const c = o.credentials ?? {};
    const lines = [`username = ${c.username ?? ''}`, `password = ${c.password ?? ''}`];
    if (c.domain) lines.push(`domain = ${c.domain}`);
    await fs.writeFile(authFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('smbclient', ['-L', `//${o.host}`, '-p', String(o.port ?? DEFAULT_SMB_PORT), '-A', authFile, '-g'],
        { timeout: o.timeoutMs ?? DEFAULT_SMB_TIMEOUT_MS, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
        (err, out, errOut) => {
          if (!err) return resolve(out);
          const text = `${out}\n${errOut}`;
          if (/LOGON_FAILURE|ACCESS_DENIED/.test(text)) reject(new StorageError('AUTH', `share enumeration on ${o.host}: credentials refused`));
          else if (/CONNECTION_REFUSED|NT_STATUS_IO_TIMEOUT|HOST_UNREACHABLE/.test(text)) reject(new StorageError('OFFLINE', `share enumeration on ${o.host}: unreachable`));
          else reject(new StorageError('IO', `share enumeration on ${o.host}: smbclient failed (${(err as { code?: unknown }).code ?? 'error'})`));
        });
    });
    const out: SmbShareListing[] = [];
    for (const line of stdout.split('\n')) {
      const [kind, name, ...rest] = line.split('|');
      const type = kind === 'Disk' ? 'disk' : kind === 'IPC' ? 'ipc' : kind === 'Printer' ? 'printer' : undefined;
      if (!type || !name) continue;
      if (!o.includeSpecial && name.endsWith('$')) continue;
      out.push({ name, type, comment: rest.join('|') });
    }
    return out;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
