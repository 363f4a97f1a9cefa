/**
 * Which filesystems answer a stat of a recently used path without waiting on anything but
 * the local machine: block-device and memory filesystems. There the stat of a file whose
 * descriptor is held open (its inode pinned in memory) and whose path was used seconds ago
 * is answered from the kernel's caches, at worst after one local disk read; so a cached
 * descriptor's check (a stat of its path, fd-cache.ts) runs inline on the event loop in
 * ~2 us instead of
 * a threadpool round trip (~15-30 us of hand-offs on a 2-core NAS, on the critical path of
 * every ranged GET). Network and FUSE filesystems (NFS, CIFS, sshfs, rclone, ntfs-3g) are
 * left out: there a stat can wait on a server, or forever on a dead mount, and must never
 * block the event loop.
 */
import fs from 'node:fs';

/** statfs(2) f_type magic numbers of local filesystems (linux/magic.h). */
const LOCAL_FS_TYPES = new Set<number>([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0xca451a4e, // bcachefs
  0x3153464a, // jfs
  0x52654973, // reiserfs
  0x3434, // nilfs2
  0x4d44, // vfat / msdos
  0x2011bab0, // exfat
  0x7366746e, // ntfs3 (the in-kernel driver; ntfs-3g is FUSE)
  0x482b, // hfsplus
  0x9660, // iso9660
  0x15013346, // udf
  0x73717368, // squashfs
  0x794c7630, // overlayfs (containers: layers on the host's disk)
  0x01021994, // tmpfs
  0x858458f6, // ramfs
]);

/** True for a statfs type whose path lookups never wait on a network or a FUSE daemon. */
export function isLocalDiskFs(type: number): boolean {
  return LOCAL_FS_TYPES.has(type);
}

/** The filesystem type of `path` (statfs), or undefined when it cannot be read. */
export function fsTypeOf(path: string): Promise<number | undefined> {
  return new Promise((resolve) => fs.statfs(path, (err, st) => resolve(err ? undefined : st.type)));
}
