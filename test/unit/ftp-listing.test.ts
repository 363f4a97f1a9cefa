/**
 * FTP listing parsers against recorded server output: MLSD/MLST facts (pure-ftpd,
 * ProFTPD), Unix-style LIST (vsftpd, pure-ftpd) and DOS-style LIST (IIS). The LIST
 * fallback is what servers without MLSD get, so each dialect's quirks are pinned here.
 */
import t from 'tap';
import {
  formatMlsxTime, parseDosLine, parseList, parseMlsd, parseMlstReply, parseMlsxTime, parseUnixLine,
} from '../../storage-adapters/ftp/ftp-listing.js';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0); // 2024-06-15 12:00 UTC

t.test('MLSD body (pure-ftpd 1.0.50, recorded)', async (t) => {
  const body = [
    'type=cdir;sizd=4096;modify=20240615113000;UNIX.mode=0755;UNIX.uid=2001;UNIX.gid=2001;unique=fe00g20c2fa; .',
    'type=pdir;sizd=4096;modify=20240615112900;UNIX.mode=0755;UNIX.uid=2001;UNIX.gid=2001;unique=fe00g20c2f9; ..',
    'type=file;size=5;modify=20200102030405;UNIX.mode=0644;UNIX.uid=2001;UNIX.gid=2001;unique=fe00g20c2fd; a b.txt',
    'type=dir;sizd=4096;modify=20240615113001;UNIX.mode=0755; sub',
    'type=file;size=3;modify=20240615113002.123; emoji 🎬🍿.mkv',
    'type=OS.unix=symlink;size=9;modify=20240615113003; link',
    'type=file;size=1;modify=20240615113004;  leading space.txt',
    '',
  ].join('\r\n');
  const sut = parseMlsd(body);
  t.same(sut.map((e) => [e.name, e.type, e.size]), [
    ['a b.txt', 'file', 5], ['sub', 'dir', 0], ['emoji 🎬🍿.mkv', 'file', 3], ['link', 'other', 0], [' leading space.txt', 'file', 1],
  ], 'names exact (spaces, emoji, leading space kept), cdir/pdir dropped, types mapped');
  t.equal(sut[0]?.mtimeMs, Date.UTC(2020, 0, 2, 3, 4, 5), 'second-precision mtime, UTC');
  t.equal(sut[2]?.mtimeMs, Date.UTC(2024, 5, 15, 11, 30, 2, 123), 'fractional seconds kept');
  t.ok(sut.every((e) => e.precision === 'second'), 'facts give seconds');
});

t.test('MLST reply', async (t) => {
  const msg = '250-Begin\r\n type=file;size=5;modify=20210102030405;UNIX.mode=0644; /fx-1/dir/a b.txt\r\n250 End.';
  t.same(parseMlstReply(msg), { name: '/fx-1/dir/a b.txt', type: 'file', size: 5, mtimeMs: Date.UTC(2021, 0, 2, 3, 4, 5), precision: 'second' });
  t.equal(parseMlstReply(' type=cdir;sizd=4096;modify=20240101000000; /')?.type, 'dir', 'cdir (the root) is a dir');
  t.equal(parseMlstReply('250 End.'), undefined, 'no facts line');
  t.ok(Number.isNaN(parseMlsxTime('2024')), 'malformed time is NaN');
  t.equal(formatMlsxTime(Date.UTC(2021, 5, 6, 7, 8, 9, 999)), '20210606070809', 'MFMT format');
});

t.test('Unix LIST (vsftpd 3.0.3 and pure-ftpd, recorded)', async (t) => {
  const body = [
    'total 24',
    'drwxr-xr-x    2 1000     1000         4096 Jun 15 11:30 .',
    'drwxr-xr-x    3 0        0            4096 Jun 14 09:00 ..',
    '-rw-r--r--    1 1000     1000            5 Jan 02  2020 a b.txt',
    '-rw-r--r--    1 1000     1000      3145728 Jun 15 11:29 Ünïcødé ñ.txt',
    'drwxr-xr-x    2 1000     1000         4096 Dec 31 23:59 sub dir',
    'lrwxrwxrwx    1 1000     1000            7 Jun 01 10:00 link -> a b.txt',
    '-rw-r--r--    1 ftp  3 Mar  3 08:07 no-group.txt',
    '-rw-r--r--+   1 user     staff          10 Feb 29  2024 acl+.txt',
  ].join('\r\n');
  const sut = parseList(body, NOW);
  t.same(sut.map((e) => [e.name, e.type, e.size]), [
    ['a b.txt', 'file', 5], ['Ünïcødé ñ.txt', 'file', 3_145_728], ['sub dir', 'dir', 0], ['link', 'other', 0],
    ['no-group.txt', 'file', 3], ['acl+.txt', 'file', 10],
  ], 'names with spaces and unicode, symlink target cut, missing group column, ACL marker');
  t.same([sut[0]?.mtimeMs, sut[0]?.precision], [Date.UTC(2020, 0, 2), 'day'], 'old file: date only (day precision)');
  t.same([sut[1]?.mtimeMs, sut[1]?.precision], [Date.UTC(2024, 5, 15, 11, 29), 'minute'], 'recent file: this year, minute precision');
  t.equal(sut[2]?.mtimeMs, Date.UTC(2023, 11, 31, 23, 59), 'a "Dec 31" time in June is last year');
  t.equal(parseUnixLine('garbage line'), undefined, 'not a listing line');
});

t.test('DOS LIST (IIS, recorded)', async (t) => {
  const body = [
    '06-15-24  11:30AM       <DIR>          sub dir',
    '01-02-20  03:04PM                    5 a b.txt',
    '12-31-1999  12:00AM                 7 midnight.bin',
    '06-15-2024  12:30PM                 1 noon.bin',
    '06-15-2024  23:15                  42 24h clock.mkv',
  ].join('\r\n');
  const sut = parseList(body, NOW);
  t.same(sut.map((e) => [e.name, e.type, e.size]), [
    ['sub dir', 'dir', 0], ['a b.txt', 'file', 5], ['midnight.bin', 'file', 7], ['noon.bin', 'file', 1], ['24h clock.mkv', 'file', 42],
  ]);
  t.equal(sut[0]?.mtimeMs, Date.UTC(2024, 5, 15, 11, 30), '2-digit year, AM');
  t.equal(sut[1]?.mtimeMs, Date.UTC(2020, 0, 2, 15, 4), 'PM adds 12 h');
  t.equal(sut[2]?.mtimeMs, Date.UTC(1999, 11, 31, 0, 0), '12 AM is midnight, 4-digit year');
  t.equal(sut[3]?.mtimeMs, Date.UTC(2024, 5, 15, 12, 30), '12 PM is noon');
  t.equal(sut[4]?.mtimeMs, Date.UTC(2024, 5, 15, 23, 15), '24 h clock');
  t.equal(parseDosLine('-rw-r--r-- 1 a b 5 Jan 02 2020 x'), undefined, 'a Unix line is not DOS');
});
