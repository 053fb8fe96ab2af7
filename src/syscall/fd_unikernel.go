// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// File descriptors and devices of a unikernel.
//
// A descriptor refers to an open file (an offset, the open flags and an
// inode of fs_unikernel.go), which Dup shares as on Unix. Descriptors
// 0, 1 and 2 are open at boot on the console devices: standard input
// reads as empty, and standard output and standard error go to the
// console through the runtime. /dev also holds null, zero, full,
// random and urandom (the CPU's random number generator, else the
// entropy device, with no weak fallback), hwrng (the entropy device)
// and console.
//
// Pipes (pipe_unikernel.go) and sockets (net_unikernel.go) block
// unless O_NONBLOCK is set, which package net always sets, and package
// os for the pipes of os.Pipe.

import (
	"internal/byteorder"
	"slices"
)

// A device is what reads and writes of a character device do. Its
// methods are called without fs.mu held.
type device interface {
	read(p []byte) (int, error)
	write(p []byte) (int, error)
}

// console is standard input, output or error: reads of standard input
// wait for the console's input (on a platform without it they find
// nothing), writes go to the console on behalf of descriptor fd.
type console struct{ fd int }

func (c console) read(p []byte) (int, error) {
	if c.fd != Stdin {
		return 0, nil
	}
	return consoleRead(p), nil
}

func (c console) write(p []byte) (int, error) {
	if c.fd == Stdin {
		return 0, EBADF
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := consoleWrite(c.fd, p)
	if n < len(p) {
		return n, EIO
	}
	return n, nil
}

// null is /dev/null: empty for reading, discards writes.
type null struct{}

func (null) read(p []byte) (int, error)  { return 0, nil }
func (null) write(p []byte) (int, error) { return len(p), nil }

// zero is /dev/zero, and /dev/full when full is set.
type zero struct{ full bool }

func (zero) read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func (z zero) write(p []byte) (int, error) {
	if z.full {
		return 0, ENOSPC
	}
	return len(p), nil
}

// random is /dev/random and /dev/urandom.
type random struct{}

func (random) read(p []byte) (int, error) {
	if err := RandomGet(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (random) write(p []byte) (int, error) { return len(p), nil }

// hwrng is /dev/hwrng, the entropy device itself, as Linux's hw_random
// core offers it: reads come from the device (hwrngRead, per GOOS) and
// fail with ENODEV if there is none.
type hwrng struct{}

func (hwrng) read(p []byte) (int, error)  { return hwrngRead(p) }
func (hwrng) write(p []byte) (int, error) { return 0, EINVAL }

// disk is /dev/vda or /dev/xvda, the machine's block device
// (disk_$GOOS.go). Reads
// and writes go to the device at the descriptor's offset, without
// fs.mu held; Fsync flushes the device's write cache.
type disk struct{}

// read and write make the disk a device; Read, Write, Pread and Pwrite
// call readAt and writeAt instead.
func (k *disk) read(p []byte) (int, error)  { return k.readAt(p, 0) }
func (k *disk) write(p []byte) (int, error) { return k.writeAt(p, 0) }

// makeDevices fills the directory dev at boot.
func (fs *fileSystem) makeDevices(dev *inode) {
	for _, d := range []struct {
		name         string
		major, minor uint64
		perm         uint32
		dev          device
	}{
		// Numbers as on Linux.
		{"null", 1, 3, 0666, null{}},
		{"zero", 1, 5, 0666, zero{}},
		{"full", 1, 7, 0666, zero{full: true}},
		{"random", 1, 8, 0666, random{}},
		{"urandom", 1, 9, 0666, random{}},
		{"hwrng", 10, 183, 0444, hwrng{}},
		{"console", 5, 1, 0620, console{Stdout}},
		{"stdin", 136, 0, 0620, console{Stdin}},
		{"stdout", 136, 1, 0620, console{Stdout}},
		{"stderr", 136, 2, 0620, console{Stderr}},
	} {
		ip := fs.newInode(S_IFCHR | d.perm)
		ip.rdev = d.major<<8 | d.minor
		ip.dev = d.dev
		fs.link(dev, d.name, ip)
	}
}

// probeDisks adds the machine's block device to /dev, named as Linux
// names it (/dev/vda for virtio-blk, /dev/xvda on Xen), the first time
// anything in /dev is looked up or listed. fs.mu must be held.
func (fs *fileSystem) probeDisks() {
	if fs.diskProbed {
		return
	}
	fs.diskProbed = true
	if hasDisk() {
		name, major := diskNode()
		k := new(disk)
		ip := fs.newInode(S_IFBLK | 0660)
		ip.rdev = major << 8
		ip.dev = k
		ip.size = k.size() // for Seek(0, SEEK_END), as on Linux
		fs.link(fs.dev, name, ip)
	}
}

// An openFile is an open file description: what open returns and dup
// shares.
type openFile struct {
	ip    *inode
	flags int // O_ACCMODE, O_APPEND and O_NONBLOCK bits of open
	off   int64
	refs  int

	// Directories: the names that ReadDirent returns, taken when it
	// starts at offset 0, so that a directory read while it changes
	// lists every entry that stays exactly once.
	names []string
}

func (f *openFile) readable() bool { return f.flags&O_ACCMODE != O_WRONLY }
func (f *openFile) writable() bool { return f.flags&O_ACCMODE != O_RDONLY }

// A fileEntry is one slot of the descriptor table.
type fileEntry struct {
	file    *openFile
	cloexec bool
}

// maxFiles bounds the descriptor table.
const maxFiles = 1 << 16

// file returns the open file of descriptor fd. fs.mu must be held.
func (fs *fileSystem) file(fd int) (*openFile, error) {
	if fd < 0 || fd >= len(fs.files) || fs.files[fd] == nil {
		return nil, EBADF
	}
	return fs.files[fd].file, nil
}

// install puts f in the lowest free descriptor at or above min and
// below the RLIMIT_NOFILE soft limit.
// fs.mu must be held.
func (fs *fileSystem) install(f *openFile, min int, cloexec bool) (int, error) {
	lim := int(rlimits[RLIMIT_NOFILE].Cur) // at most maxFiles
	fd := -1
	for i := min; i < len(fs.files) && i < lim; i++ {
		if fs.files[i] == nil {
			fd = i
			break
		}
	}
	if fd < 0 {
		if len(fs.files) >= lim || min >= lim {
			return -1, EMFILE
		}
		for len(fs.files) < min {
			fs.files = append(fs.files, nil)
		}
		fs.files = append(fs.files, nil)
		fd = len(fs.files) - 1
	}
	fs.setFile(fd, &fileEntry{file: f, cloexec: cloexec})
	return fd, nil
}

// A polledDevice wakes the runtime's netpoller for each descriptor
// that refers to it (netpollReady) when it becomes ready: sockets and
// pipes.
type polledDevice interface {
	addFD(fd int)
	removeFD(fd int)
}

// setFile puts e (nil to free the slot) in descriptor fd, which must
// exist. A socket or pipe learns which descriptors refer to it, so that
// its events wake the goroutines polling any of them. fs.mu must be
// held.
func (fs *fileSystem) setFile(fd int, e *fileEntry) {
	if old := fs.files[fd]; old != nil {
		if d, ok := old.file.ip.dev.(polledDevice); ok {
			d.removeFD(fd)
		}
	}
	fs.files[fd] = e
	if e != nil {
		if d, ok := e.file.ip.dev.(polledDevice); ok {
			d.addFD(fd)
		}
	}
}

func Open(path string, mode int, perm uint32) (fd int, err error) {
	return Openat(AT_FDCWD, path, mode, perm)
}

// Openat opens path relative to the directory dirfd, as openat(2) does.
func Openat(dirfd int, path string, mode int, perm uint32) (fd int, err error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	// O_CREAT|O_EXCL fails on any existing name, a symbolic link
	// included (even a dangling one), so it does not follow one.
	excl := mode&(O_CREAT|O_EXCL) == O_CREAT|O_EXCL
	l, err := fs.resolveAt(dirfd, path, mode&O_NOFOLLOW == 0 && !excl)
	if err != nil {
		return -1, err
	}
	acc := mode & O_ACCMODE
	if acc == O_ACCMODE {
		return -1, EINVAL
	}
	ip := l.ip
	switch {
	case ip == nil && mode&O_CREAT == 0:
		return -1, ENOENT
	case ip == nil:
		if l.slash || mode&O_DIRECTORY != 0 {
			return -1, EISDIR
		}
		if err := creatable(l); err != nil {
			return -1, err
		}
		ip = fs.newInode(S_IFREG | (perm &^ fs.umask & 07777))
		fs.link(l.dir, l.name, ip)
	case excl:
		return -1, EEXIST
	case ip.isSymlink(): // only with O_NOFOLLOW
		return -1, ELOOP
	case ip.isSocket(): // a Unix socket's name
		return -1, ENXIO
	case mode&O_DIRECTORY != 0 && !ip.isDir():
		return -1, ENOTDIR
	case ip.isDir() && (acc != O_RDONLY || mode&O_TRUNC != 0):
		return -1, EISDIR
	case ip.readOnly && (acc != O_RDONLY || mode&O_TRUNC != 0):
		return -1, EROFS
	case mode&O_TRUNC != 0 && acc != O_RDONLY && ip.isRegular():
		if err := ip.truncate(0); err != nil {
			return -1, err
		}
	}
	if ip.gen != nil {
		ip.data = ip.gen()
		ip.size = int64(len(ip.data))
	}
	f := &openFile{ip: ip, flags: mode & (O_ACCMODE | O_APPEND | O_NONBLOCK), refs: 1}
	fd, err = fs.install(f, 0, mode&O_CLOEXEC != 0)
	if err == nil {
		if p, ok := ip.dev.(*pipe); ok {
			p.openEnd(f.readable(), f.writable())
		}
	}
	return fd, err
}

func Close(fd int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	fs.setFile(fd, nil)
	fs.release(f)
	return nil
}

// release drops one reference to f. fs.mu must be held.
func (fs *fileSystem) release(f *openFile) {
	f.refs--
	if f.refs == 0 {
		f.ip.unlock(f)
		switch d := f.ip.dev.(type) {
		case *pipe:
			d.closeEnd(f.readable(), f.writable())
		case *socket:
			d.close()
		}
	}
}

// CloseOnExec marks fd to be closed by exec. There is no exec; the mark
// is kept for Fcntl(F_GETFD).
func CloseOnExec(fd int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if _, err := fs.file(fd); err == nil {
		fs.files[fd].cloexec = true
	}
}

// SetNonblock records O_NONBLOCK for fd, which sockets, pipes and
// eventfds honour; reads and writes of other files never wait.
func SetNonblock(fd int, nonblocking bool) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	if nonblocking {
		f.flags |= O_NONBLOCK
	} else {
		f.flags &^= O_NONBLOCK
	}
	return nil
}

// Fcntl implements F_GETFD, F_SETFD, F_GETFL, F_SETFL (O_APPEND and
// O_NONBLOCK), F_DUPFD and F_DUPFD_CLOEXEC.
func Fcntl(fd int, cmd int, arg int) (int, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return -1, err
	}
	switch cmd {
	case F_GETFD:
		if fs.files[fd].cloexec {
			return FD_CLOEXEC, nil
		}
		return 0, nil
	case F_SETFD:
		fs.files[fd].cloexec = arg&FD_CLOEXEC != 0
		return 0, nil
	case F_GETFL:
		return f.flags, nil
	case F_SETFL:
		const settable = O_APPEND | O_NONBLOCK
		f.flags = f.flags&^settable | arg&settable
		return 0, nil
	case F_DUPFD, F_DUPFD_CLOEXEC:
		if arg < 0 {
			return -1, EINVAL
		}
		f.refs++
		return fs.install(f, arg, cmd == F_DUPFD_CLOEXEC)
	}
	return -1, EINVAL
}

func Dup(fd int) (nfd int, err error) {
	return Fcntl(fd, F_DUPFD, 0)
}

func Dup2(fd, newfd int) error {
	return Dup3(fd, newfd, 0)
}

// Dup3 makes newfd refer to the open file of fd, closing what newfd
// referred to.
func Dup3(fd, newfd int, flags int) error {
	if flags&^O_CLOEXEC != 0 {
		return EINVAL
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	if newfd < 0 || newfd >= int(rlimits[RLIMIT_NOFILE].Cur) {
		return EBADF
	}
	if fd == newfd {
		return nil
	}
	for len(fs.files) <= newfd {
		fs.files = append(fs.files, nil)
	}
	old := fs.files[newfd]
	f.refs++
	fs.setFile(newfd, &fileEntry{file: f, cloexec: flags&O_CLOEXEC != 0})
	if old != nil {
		fs.release(old.file)
	}
	return nil
}

// lockFile locks fs and returns the open file fd, which must be open
// for writing if write is set, else for reading. On error fs is left
// unlocked.
func (fs *fileSystem) lockFile(fd int, write bool) (*openFile, error) {
	fs.mu.Lock()
	f, err := fs.file(fd)
	if err == nil && (write && !f.writable() || !write && !f.readable()) {
		err = EBADF
	}
	if err != nil {
		fs.mu.Unlock()
		return nil, err
	}
	return f, nil
}

func Read(fd int, p []byte) (n int, err error) {
	f, err := fs.lockFile(fd, false)
	if err != nil {
		return 0, err
	}
	ip := f.ip
	if s, ok := ip.dev.(*socket); ok {
		nonblock := f.flags&O_NONBLOCK != 0
		fs.mu.Unlock()
		return s.recv(p, nonblock)
	}
	if pp, ok := ip.dev.(*pipe); ok {
		nonblock := f.flags&O_NONBLOCK != 0
		fs.mu.Unlock()
		return pp.readNB(p, nonblock)
	}
	if e, ok := ip.dev.(*eventFD); ok {
		nonblock := f.flags&O_NONBLOCK != 0
		fs.mu.Unlock()
		return e.readNB(p, nonblock)
	}
	if k, ok := ip.dev.(*disk); ok {
		off := f.off
		fs.mu.Unlock()
		n, err = k.readAt(p, off)
		fs.mu.Lock()
		f.off = off + int64(n)
		fs.mu.Unlock()
		return n, err
	}
	if ip.dev != nil {
		fs.mu.Unlock()
		return ip.dev.read(p)
	}
	defer fs.mu.Unlock()
	if ip.isDir() {
		return 0, EISDIR
	}
	n = ip.readAt(p, f.off)
	f.off += int64(n)
	return n, nil
}

func Write(fd int, p []byte) (n int, err error) {
	f, err := fs.lockFile(fd, true)
	if err != nil {
		return 0, err
	}
	ip := f.ip
	if s, ok := ip.dev.(*socket); ok {
		nonblock := f.flags&O_NONBLOCK != 0
		fs.mu.Unlock()
		return s.send(p, nonblock)
	}
	if pp, ok := ip.dev.(*pipe); ok {
		nonblock := f.flags&O_NONBLOCK != 0
		fs.mu.Unlock()
		return pp.writeNB(p, nonblock)
	}
	if e, ok := ip.dev.(*eventFD); ok {
		nonblock := f.flags&O_NONBLOCK != 0
		fs.mu.Unlock()
		return e.writeNB(p, nonblock)
	}
	if k, ok := ip.dev.(*disk); ok {
		off := f.off
		fs.mu.Unlock()
		n, err = k.writeAt(p, off)
		fs.mu.Lock()
		f.off = off + int64(n)
		fs.mu.Unlock()
		return n, err
	}
	if ip.dev != nil {
		fs.mu.Unlock()
		return ip.dev.write(p)
	}
	defer fs.mu.Unlock()
	off := f.off
	if f.flags&O_APPEND != 0 {
		off = ip.size
	}
	n, err = ip.writeAt(p, off)
	f.off = off + int64(n)
	return n, err
}

func Pread(fd int, p []byte, offset int64) (n int, err error) {
	f, err := fs.lockFile(fd, false)
	if err != nil {
		return 0, err
	}
	ip := f.ip
	if ip.isPipe() || ip.isSocket() {
		fs.mu.Unlock()
		return 0, ESPIPE
	}
	if k, ok := ip.dev.(*disk); ok {
		fs.mu.Unlock()
		if offset < 0 {
			return 0, EINVAL
		}
		return k.readAt(p, offset)
	}
	if ip.dev != nil {
		fs.mu.Unlock()
		return ip.dev.read(p)
	}
	defer fs.mu.Unlock()
	if ip.isDir() {
		return 0, EISDIR
	}
	if offset < 0 {
		return 0, EINVAL
	}
	return ip.readAt(p, offset), nil
}

func Pwrite(fd int, p []byte, offset int64) (n int, err error) {
	f, err := fs.lockFile(fd, true)
	if err != nil {
		return 0, err
	}
	ip := f.ip
	if ip.isPipe() || ip.isSocket() {
		fs.mu.Unlock()
		return 0, ESPIPE
	}
	if k, ok := ip.dev.(*disk); ok {
		fs.mu.Unlock()
		if offset < 0 {
			return 0, EINVAL
		}
		return k.writeAt(p, offset)
	}
	if ip.dev != nil {
		fs.mu.Unlock()
		return ip.dev.write(p)
	}
	defer fs.mu.Unlock()
	return ip.writeAt(p, offset)
}

func Seek(fd int, offset int64, whence int) (off int64, err error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return 0, err
	}
	ip := f.ip
	if ip.isPipe() || ip.isSocket() {
		return 0, ESPIPE
	}
	if _, isDisk := ip.dev.(*disk); ip.dev != nil && !isDisk {
		return 0, nil // character devices have no position, as on Linux
	}
	switch whence {
	case SEEK_SET:
		off = offset
	case SEEK_CUR:
		off = f.off + offset
	case SEEK_END:
		if ip.isDir() {
			return 0, EINVAL
		}
		off = ip.size + offset
	default:
		return 0, EINVAL
	}
	if off < 0 {
		return 0, EINVAL
	}
	if ip.isDir() && off == 0 {
		f.names = nil // rewind: list the directory anew
	}
	f.off = off
	return off, nil
}

func Fstat(fd int, st *Stat_t) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	f.ip.fillStat(st)
	return nil
}

func Fchmod(fd int, mode uint32) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	return f.ip.chmod(mode)
}

func Fchown(fd int, uid, gid int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	return f.ip.chown(uid, gid)
}

func Ftruncate(fd int, length int64) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	if !f.writable() {
		return EINVAL
	}
	return f.ip.truncate(length)
}

// Fdatasync is Fsync: no file's metadata is written apart from its
// data, so there is nothing for a data-only flush to skip.
func Fdatasync(fd int) error { return Fsync(fd) }

// Fsync flushes the disk's write cache for /dev/vda; everything else
// is in memory, with nothing to flush.
func Fsync(fd int) error {
	fs.mu.Lock()
	f, err := fs.file(fd)
	fs.mu.Unlock()
	if err != nil {
		return err
	}
	if k, ok := f.ip.dev.(*disk); ok {
		return k.sync()
	}
	return nil
}

// ReadDirent fills buf with the directory entries of fd from its
// current offset, as Linux's getdents64 does: Dirent (struct
// linux_dirent64) records, each with the offset of the next entry and
// a name terminated by NUL, padded to 8 bytes. It returns how many
// bytes it filled; 0 at the end of the directory. The offset counts
// entries.
func ReadDirent(fd int, buf []byte) (n int, err error) {
	return readDirent(fd, buf)
}

// direntHeader is the size of a Dirent without its name: inode, offset
// of the next entry, record length and type.
const direntHeader = 8 + 8 + 2 + 1

func readDirent(fd int, buf []byte) (n int, err error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return 0, err
	}
	dir := f.ip
	if !dir.isDir() {
		return 0, ENOTDIR
	}
	if f.names == nil || f.off == 0 {
		if dir == fs.dev {
			fs.probeDisks()
		}
		f.names = make([]string, 0, len(dir.entries))
		for name := range dir.entries {
			f.names = append(f.names, name)
		}
		slices.Sort(f.names)
	}
	for f.off < int64(len(f.names)) {
		name := f.names[f.off]
		ip := dir.entries[name]
		if ip == nil {
			f.off++ // removed since the listing was taken
			continue
		}
		reclen := (direntHeader + len(name) + 1 + 7) &^ 7
		if n+reclen > len(buf) {
			if n == 0 {
				return 0, EINVAL // buf cannot hold one entry
			}
			break
		}
		rec := buf[n : n+reclen]
		byteorder.LEPutUint64(rec[0:8], ip.ino) // amd64 and arm64 are little-endian
		byteorder.LEPutUint64(rec[8:16], uint64(f.off+1))
		byteorder.LEPutUint16(rec[16:18], uint16(reclen))
		rec[18] = direntType(ip)
		clear(rec[copy(rec[direntHeader:], name)+direntHeader:])
		n += reclen
		f.off++
	}
	dir.atime = timeNow()
	return n, nil
}

func direntType(ip *inode) byte {
	switch ip.mode & S_IFMT {
	case S_IFREG:
		return DT_REG
	case S_IFDIR:
		return DT_DIR
	case S_IFLNK:
		return DT_LNK
	case S_IFCHR:
		return DT_CHR
	case S_IFBLK:
		return DT_BLK
	case S_IFIFO:
		return DT_FIFO
	case S_IFSOCK:
		return DT_SOCK
	}
	return DT_UNKNOWN
}

func direntIno(buf []byte) (uint64, bool) {
	return readInt(buf, 0, 8)
}

func direntReclen(buf []byte) (uint64, bool) {
	return readInt(buf, 16, 2)
}

func direntNamlen(buf []byte) (uint64, bool) {
	reclen, ok := direntReclen(buf)
	if !ok {
		return 0, false
	}
	return reclen - direntHeader, true
}
