/**
 * One FTP control connection: basic-ftp's Client plus what the adapter needs on top
 * (raw listing text, the server's feature set, connect with a deadline and abort).
 *
 * A Client runs one command at a time and closes itself if a second one starts while
 * the first is running, so a connection is only ever used by the one caller that leased
 * it from the pool (ftp-pool.ts). After a timeout or socket error it is closed for good
 * (`closed`), and the pool replaces it.
 */
import { Client } from 'basic-ftp';
import type { ConnectionOptions } from 'node:tls';

export interface FtpConnectOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Explicit FTPS (AUTH TLS), control and data channels. */
  secure: boolean;
  /** TLS options (ca, rejectUnauthorized, servername) for FTPS. */
  tls?: ConnectionOptions;
  /** Idle timeout for control and data sockets (ms). */
  timeoutMs: number;
}

export class FtpConnection extends Client {
  /** FEAT keywords, upper case ('MLST', 'MFMT', 'MDTM', ...). */
  feats = new Map<string, string>();

  /** Connect, TLS (ftps), login, binary mode. Rejects on `signal` abort too. */
  static async open(o: FtpConnectOptions, signal?: AbortSignal): Promise<FtpConnection> {
    signal?.throwIfAborted();
    const c = new FtpConnection(o.timeoutMs);
    const onAbort = (): void => c.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await c.access({
        host: o.host, port: o.port, user: o.user, password: o.password,
        secure: o.secure, ...(o.secure ? { secureOptions: { ...o.tls } } : {}),
      });
      // Only what the adapter parses; keeps MLSD lines short on big folders.
      if (c.feats.has('MLST')) await c.sendIgnoringError('OPTS MLST type;size;modify;');
      return c;
    } catch (err) {
      c.close();
      signal?.throwIfAborted();
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** FEAT, remembered (access() asks once; the adapter reads `feats` later). */
  override async features(): Promise<Map<string, string>> {
    const f = await super.features();
    for (const [k, v] of f) this.feats.set(k.toUpperCase(), v);
    return f;
  }

  get hasMlst(): boolean {
    return this.feats.has('MLST');
  }

  /**
   * Run a listing command (MLSD, LIST) over a fresh passive data connection and return
   * the raw text, so the adapter parses it itself (see ftp-listing.ts).
   */
  async rawList(command: string): Promise<string> {
    let text = '';
    const saved = this.parseList;
    this.parseList = (raw: string) => {
      text = raw;
      return [];
    };
    try {
      await this.prepareTransfer(this.ftp);
      await this._requestListWithCommand(command);
    } finally {
      this.parseList = saved;
    }
    return text;
  }
}
