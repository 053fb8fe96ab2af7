// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// The root file system of a unikernel: a tree of inodes in memory.
//
// There is no disk and no kernel, so this file system is all there is
// to the directory tree that package os sees. It behaves like a Unix
// file system in the ways os and its users rely on: directories with
// "." and "..", hard links, symbolic links, permission bits, umask,
// timestamps, O_CREAT/O_EXCL/O_TRUNC/O_APPEND, rename that replaces,
// the *at family of calls relative to an open directory (for os.Root),
// and the usual error numbers. The process runs as the super-user
// (uid 0), so as for root on Unix the read and write bits are recorded
// but not enforced. Inodes can be marked read-only, for files mounted
// from a boot archive; changing them fails with EROFS.
//
// At boot the tree holds /, /tmp (mode 1777), /dev with the devices of
// fd_unikernel.go, /root, and in /etc the files that a Unix program
// may expect even of a machine that is only itself: hosts (localhost),
// passwd and group (root). The working directory is /. On xen,
// bootfs_xen.go then adds the boot archives' files and may change the
// working directory to $PWD.
//
// One mutex guards the whole tree and the descriptor table. Nothing
// under it blocks: the only slow operation, console output, happens
// after it is released.

import (
	"internal/bytealg"
	"sync"
	_ "unsafe" // for go:linkname
)

// An inode is a file, a directory, a symbolic link or a device.
type inode struct {
	ino   uint64
	mode  uint32 // S_IFMT type and permission bits
	nlink uint64
	uid   uint32
	gid   uint32
	rdev  uint64
	atime Timespec
	mtime Timespec
	ctime Timespec

	// readOnly marks an inode of a read-only mount.
	readOnly bool

	// Regular files: the contents. Bytes from len(data) up to size
	// read as zeros, so truncating a file to a large size costs no
	// memory until it is written.
	data []byte
	size int64

	// Directories: the entries other than "." and "..", and the
	// parent directory (the root is its own parent).
	entries map[string]*inode
	parent  *inode

	// Symbolic links: the target.
	target string

	// Files of /proc: what the file holds, made when it is opened.
	gen func() []byte

	// Character devices: what reads and writes do.
	dev device

	// The advisory lock of Flock, if one was ever taken.
	flock *flockState

	// mapped counts the MAP_SHARED mappings of data, which alias its
	// array: while there are any, data keeps its array and holds the
	// whole file up to the array's end (mmap_unikernel.go).
	mapped int
}

func (ip *inode) isDir() bool     { return ip.mode&S_IFMT == S_IFDIR }
func (ip *inode) isSymlink() bool { return ip.mode&S_IFMT == S_IFLNK }
func (ip *inode) isRegular() bool { return ip.mode&S_IFMT == S_IFREG }
func (ip *inode) isPipe() bool    { return ip.mode&S_IFMT == S_IFIFO }
func (ip *inode) isSocket() bool  { return ip.mode&S_IFMT == S_IFSOCK }

// fsMutex is fs.mu. Every file system operation takes it, so its Lock
// is where a goroutine that loops on such operations yields the CPU
// when nothing else would preempt it (the runtime's yieldPoint).
type fsMutex struct{ sync.Mutex }

func (m *fsMutex) Lock() {
	yieldPoint()
	m.Mutex.Lock()
}

// fileSystem is the state of the file system and of the descriptor
// table (fd_unikernel.go). All of it is guarded by mu.
type fileSystem struct {
	mu      fsMutex
	root    *inode
	cwd     *inode
	umask   uint32
	nextIno uint64
	files   []*fileEntry // indexed by descriptor

	// dev is /dev. Its block device nodes are made when first looked
	// for (probeDisks), so that a program that never looks probes no
	// device at boot.
	dev        *inode
	diskProbed bool
}

var fs = newFileSystem()

func newFileSystem() *fileSystem {
	fs := &fileSystem{umask: 022}
	fs.root = fs.newInode(S_IFDIR | 0755)
	fs.root.parent = fs.root
	fs.root.nlink = 2
	fs.cwd = fs.root
	fs.mustMkdir(fs.root, "tmp", 01777)
	fs.mustMkdir(fs.root, "root", 0700)
	etc := fs.mustMkdir(fs.root, "etc", 0755)
	for _, f := range etcFiles {
		ip := fs.newInode(S_IFREG | 0644)
		ip.writeAt([]byte(f.data), 0)
		fs.link(etc, f.name, ip)
	}
	fs.makeProc(fs.root)
	dev := fs.mustMkdir(fs.root, "dev", 0755)
	fs.dev = dev
	fs.makeDevices(dev)
	fs.files = []*fileEntry{
		0: {file: &openFile{ip: dev.entries["stdin"], flags: O_RDONLY, refs: 1}},
		1: {file: &openFile{ip: dev.entries["stdout"], flags: O_WRONLY, refs: 1}},
		2: {file: &openFile{ip: dev.entries["stderr"], flags: O_WRONLY, refs: 1}},
	}
	return fs
}

// etcFiles are the files in /etc at boot.
var etcFiles = []struct{ name, data string }{
	{"hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n"},
	{"passwd", "root:x:0:0:root:/root:/sbin/nologin\n"},
	{"group", "root:x:0:\n"},
}

// timeNow returns the wall clock time as a Timespec.
func timeNow() Timespec {
	sec, nsec, _ := now()
	return Timespec{Sec: sec, Nsec: int64(nsec)}
}

func (fs *fileSystem) newInode(mode uint32) *inode {
	fs.nextIno++
	t := timeNow()
	ip := &inode{
		ino:   fs.nextIno,
		mode:  mode,
		nlink: 1,
		uid:   uint32(Geteuid()),
		gid:   uint32(Getegid()),
		atime: t,
		mtime: t,
		ctime: t,
	}
	if ip.isDir() {
		ip.entries = make(map[string]*inode)
		ip.nlink = 2
	}
	return ip
}

// mustMkdir makes the directory dir/name at boot.
func (fs *fileSystem) mustMkdir(dir *inode, name string, perm uint32) *inode {
	ip := fs.newInode(S_IFDIR | perm)
	fs.link(dir, name, ip)
	return ip
}

// link adds the entry name for ip to dir.
func (fs *fileSystem) link(dir *inode, name string, ip *inode) {
	dir.entries[name] = ip
	if ip.isDir() {
		ip.parent = dir
		dir.nlink++
	}
	dir.mtime = timeNow()
	dir.ctime = dir.mtime
}

// unlink removes the entry name, which holds ip, from dir.
func (fs *fileSystem) unlink(dir *inode, name string, ip *inode) {
	delete(dir.entries, name)
	t := timeNow()
	if ip.isDir() {
		dir.nlink--
		ip.nlink = 0
	} else {
		ip.nlink--
	}
	ip.ctime = t
	dir.mtime = t
	dir.ctime = t
}

// maxSymlinks is how many symbolic links one path may go through.
const maxSymlinks = 40

// A lookup is the result of resolving a path: the directory that holds
// the last component, the last component, and the inode it names (nil
// if there is no such entry, so that it can be created).
type lookup struct {
	dir   *inode
	name  string
	ip    *inode
	slash bool // the path ended in '/': it must name a directory
}

// resolve resolves path. Relative paths start at start. A symbolic link
// in the last component is followed only if follow is set or the path
// ends in a slash. fs.mu must be held.
func (fs *fileSystem) resolve(start *inode, path string, follow bool) (lookup, error) {
	if path == "" {
		return lookup{}, ENOENT
	}
	if len(path) >= PathMax {
		return lookup{}, ENAMETOOLONG
	}
	if bytealg.IndexByteString(path, 0) >= 0 {
		return lookup{}, EINVAL
	}
	dir := start
	links := 0
	for {
		if path[0] == '/' {
			dir = fs.root
			for len(path) > 0 && path[0] == '/' {
				path = path[1:]
			}
			if path == "" {
				return lookup{dir: fs.root, name: ".", ip: fs.root, slash: true}, nil
			}
		}
		name, rest := path, ""
		if i := bytealg.IndexByteString(path, '/'); i >= 0 {
			name, rest = path[:i], path[i:]
		}
		slash := rest != ""
		for len(rest) > 0 && rest[0] == '/' {
			rest = rest[1:]
		}
		last := rest == ""
		if len(name) > nameMax {
			return lookup{}, ENAMETOOLONG
		}
		if !dir.isDir() {
			return lookup{}, ENOTDIR
		}
		var ip *inode
		switch name {
		case ".":
			ip = dir
		case "..":
			ip = dir.parent
		default:
			if dir == fs.dev {
				fs.probeDisks()
			}
			ip = dir.entries[name]
		}
		if ip != nil && ip.isSymlink() && (!last || follow || slash) {
			links++
			if links > maxSymlinks {
				return lookup{}, ELOOP
			}
			if ip.target == "" {
				return lookup{}, ENOENT
			}
			path = ip.target
			if slash {
				path += "/"
			}
			path += rest
			continue
		}
		if last {
			if ip != nil && slash && !ip.isDir() {
				return lookup{}, ENOTDIR
			}
			return lookup{dir: dir, name: name, ip: ip, slash: slash}, nil
		}
		if ip == nil {
			return lookup{}, ENOENT
		}
		dir = ip
		path = rest
	}
}

// at returns the directory that relative paths given with dirfd start
// from. fs.mu must be held.
func (fs *fileSystem) at(dirfd int, path string) (*inode, error) {
	if dirfd == AT_FDCWD || (path != "" && path[0] == '/') {
		return fs.cwd, nil
	}
	f, err := fs.file(dirfd)
	if err != nil {
		return nil, err
	}
	if !f.ip.isDir() {
		return nil, ENOTDIR
	}
	return f.ip, nil
}

// resolveAt resolves path relative to dirfd. fs.mu must be held.
func (fs *fileSystem) resolveAt(dirfd int, path string, follow bool) (lookup, error) {
	start, err := fs.at(dirfd, path)
	if err != nil {
		return lookup{}, err
	}
	return fs.resolve(start, path, follow)
}

// existing resolves path relative to dirfd and fails with ENOENT if it
// names nothing. fs.mu must be held.
func (fs *fileSystem) existing(dirfd int, path string, follow bool) (*inode, error) {
	l, err := fs.resolveAt(dirfd, path, follow)
	if err != nil {
		return nil, err
	}
	if l.ip == nil {
		return nil, ENOENT
	}
	return l.ip, nil
}

// creatable checks that the entry l.name may be added to l.dir.
// resolveNew resolves path relative to dirfd for creating a new name
// there: it must not exist yet, and its directory must accept it.
// fs.mu must be held.
func (fs *fileSystem) resolveNew(dirfd int, path string) (lookup, error) {
	l, err := fs.resolveAt(dirfd, path, false)
	if err != nil {
		return l, err
	}
	if l.ip != nil {
		return l, EEXIST
	}
	return l, creatable(l)
}

func creatable(l lookup) error {
	if l.dir.nlink == 0 {
		return ENOENT // the directory was removed
	}
	if l.dir.readOnly {
		return EROFS
	}
	return nil
}

// removable checks that the entry l.name may be removed from l.dir.
func removable(l lookup) error {
	switch l.name {
	case ".":
		return EINVAL
	case "..":
		return ENOTEMPTY
	}
	if l.dir.readOnly {
		return EROFS
	}
	return nil
}

func (ip *inode) fillStat(st *Stat_t) {
	*st = Stat_t{
		Dev:     1,
		Ino:     ip.ino,
		Mode:    ip.mode,
		Uid:     ip.uid,
		Gid:     ip.gid,
		Rdev:    ip.rdev,
		Blksize: 4096,
		Atim:    ip.atime,
		Mtim:    ip.mtime,
		Ctim:    ip.ctime,
	}
	setNlink(st, ip.nlink)
	switch {
	case ip.isRegular():
		st.Size = ip.size
		st.Blocks = (int64(len(ip.data)) + 511) / 512
	case ip.isSymlink():
		st.Size = int64(len(ip.target))
	case ip.isDir():
		st.Size = 4096
		st.Blocks = 8
	}
}

// truncate sets the size of the regular file ip.
func (ip *inode) truncate(length int64) error {
	if length < 0 {
		return EINVAL
	}
	if ip.isDir() {
		return EISDIR
	}
	if !ip.isRegular() {
		return EINVAL
	}
	if ip.readOnly {
		return EROFS
	}
	if uint64(length) > rlimits[RLIMIT_FSIZE].Cur {
		return EFBIG
	}
	if length < int64(len(ip.data)) {
		clear(ip.data[length:])
		ip.data = ip.data[:length]
	}
	ip.size = length
	if ip.mapped > 0 {
		ip.fillMapped()
	}
	ip.mtime = timeNow()
	ip.ctime = ip.mtime
	return nil
}

// readAt copies the contents of the regular file ip at off into p.
func (ip *inode) readAt(p []byte, off int64) int {
	if off >= ip.size {
		return 0
	}
	if int64(len(p)) > ip.size-off {
		p = p[:ip.size-off]
	}
	n := 0
	if off < int64(len(ip.data)) {
		n = copy(p, ip.data[off:])
	}
	clear(p[n:]) // the sparse tail
	ip.atime = timeNow()
	return len(p)
}

// maxFileSize bounds the size of one file, so that a wild offset fails
// with EFBIG instead of exhausting memory.
const maxFileSize = 1 << 40

// writeAt copies p into the regular file ip at off.
func (ip *inode) writeAt(p []byte, off int64) (int, error) {
	if ip.readOnly {
		return 0, EROFS
	}
	if off < 0 {
		return 0, EINVAL
	}
	if len(p) == 0 {
		return 0, nil
	}
	end := off + int64(len(p))
	if end > maxFileSize || end < off {
		return 0, EFBIG
	}
	if lim := rlimits[RLIMIT_FSIZE].Cur; uint64(end) > lim {
		// As on Linux: a short write up to the limit, then EFBIG.
		if uint64(off) >= lim {
			return 0, EFBIG
		}
		p = p[:lim-uint64(off)]
		end = off + int64(len(p))
	}
	if end > int64(len(ip.data)) {
		if end > int64(cap(ip.data)) {
			if ip.mapped > 0 {
				// Mappings alias the array; a new one would
				// part them from the file.
				return 0, ENOMEM
			}
			// Grow geometrically, as append does, so that a file
			// written in small pieces is copied O(log n) times.
			c := 2 * int64(cap(ip.data))
			if c < end {
				c = end
			}
			data := make([]byte, end, c)
			copy(data, ip.data)
			ip.data = data
		} else {
			old := len(ip.data)
			ip.data = ip.data[:end]
			clear(ip.data[old:])
		}
	}
	copy(ip.data[off:], p)
	if end > ip.size {
		ip.size = end
	}
	ip.mtime = timeNow()
	ip.ctime = ip.mtime
	return len(p), nil
}

// Path operations. Each plain function is its *at form relative to the
// working directory.

func Mkdir(path string, mode uint32) error {
	return Mkdirat(AT_FDCWD, path, mode)
}

// Mkdirat makes the directory path relative to the directory dirfd.
func Mkdirat(dirfd int, path string, mode uint32) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	l, err := fs.resolveNew(dirfd, path)
	if err != nil {
		return err
	}
	fs.link(l.dir, l.name, fs.newInode(S_IFDIR|(mode&^fs.umask&07777)))
	return nil
}

func Unlink(path string) error {
	return unlinkat(AT_FDCWD, path, 0)
}

func Rmdir(path string) error {
	return unlinkat(AT_FDCWD, path, AT_REMOVEDIR)
}

// Unlinkat removes the file path relative to the directory dirfd or,
// with flags AT_REMOVEDIR, the empty directory path.
// Unlinkat removes the file path relative to dirfd, as Linux's
// syscall.Unlinkat does; internal/syscall/unix's takes the flags.
func Unlinkat(dirfd int, path string) error { return unlinkat(dirfd, path, 0) }

//go:linkname unlinkat
func unlinkat(dirfd int, path string, flags int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	l, err := fs.resolveAt(dirfd, path, false)
	if err != nil {
		return err
	}
	if l.ip == nil {
		return ENOENT
	}
	if flags&AT_REMOVEDIR != 0 {
		if !l.ip.isDir() {
			return ENOTDIR
		}
		if l.ip == fs.root {
			return EBUSY
		}
		if err := removable(l); err != nil {
			return err
		}
		if len(l.ip.entries) > 0 {
			return ENOTEMPTY
		}
	} else {
		if l.slash {
			return EISDIR // "file/" names a directory or nothing
		}
		if l.ip.isDir() {
			return EISDIR
		}
		if err := removable(l); err != nil {
			return err
		}
	}
	fs.unlink(l.dir, l.name, l.ip)
	return nil
}

func Rename(from, to string) error {
	return Renameat(AT_FDCWD, from, AT_FDCWD, to)
}

// Renameat renames oldpath relative to the directory olddirfd to
// newpath relative to newdirfd, replacing what newpath names, as
// rename(2) does.
func Renameat(olddirfd int, oldpath string, newdirfd int, newpath string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	from, err := fs.resolveAt(olddirfd, oldpath, false)
	if err != nil {
		return err
	}
	if from.ip == nil {
		return ENOENT
	}
	to, err := fs.resolveAt(newdirfd, newpath, false)
	if err != nil {
		return err
	}
	if from.name == "." || from.name == ".." || to.name == "." || to.name == ".." {
		return EBUSY
	}
	if from.ip == fs.root {
		return EBUSY
	}
	if (from.slash || to.slash) && !from.ip.isDir() {
		return ENOTDIR
	}
	if from.dir.readOnly || to.dir.readOnly {
		return EROFS
	}
	if err := creatable(to); err != nil {
		return err
	}
	if from.ip == to.ip {
		return nil // the same file: nothing to do
	}
	if from.ip.isDir() {
		// A directory cannot move below itself.
		for d := to.dir; ; d = d.parent {
			if d == from.ip {
				return EINVAL
			}
			if d == fs.root {
				break
			}
		}
	}
	if to.ip != nil {
		switch {
		case from.ip.isDir() && !to.ip.isDir():
			return ENOTDIR
		case !from.ip.isDir() && to.ip.isDir():
			return EISDIR
		case to.ip.isDir() && len(to.ip.entries) > 0:
			return ENOTEMPTY
		}
		fs.unlink(to.dir, to.name, to.ip)
	}
	delete(from.dir.entries, from.name)
	if from.ip.isDir() {
		from.dir.nlink--
	}
	fs.link(to.dir, to.name, from.ip)
	from.dir.mtime = timeNow()
	from.dir.ctime = from.dir.mtime
	from.ip.ctime = from.dir.mtime
	return nil
}

func Link(oldpath, newpath string) error {
	return Linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0)
}

// Linkat makes newpath relative to newdirfd a hard link to the file
// oldpath relative to olddirfd. Symbolic links in oldpath's last
// component are followed only with flags AT_SYMLINK_FOLLOW.
func Linkat(olddirfd int, oldpath string, newdirfd int, newpath string, flags int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip, err := fs.existing(olddirfd, oldpath, flags&AT_SYMLINK_FOLLOW != 0)
	if err != nil {
		return err
	}
	if ip.isDir() {
		return EPERM
	}
	to, err := fs.resolveAt(newdirfd, newpath, false)
	if err != nil {
		return err
	}
	if to.ip != nil {
		return EEXIST
	}
	if to.slash {
		return ENOENT
	}
	if err := creatable(to); err != nil {
		return err
	}
	if ip.readOnly {
		return EROFS
	}
	ip.nlink++
	ip.ctime = timeNow()
	fs.link(to.dir, to.name, ip)
	return nil
}

// AT_SYMLINK_FOLLOW makes Linkat follow a symbolic link in oldpath.
const AT_SYMLINK_FOLLOW = 0x400

func Symlink(target, linkpath string) error {
	return Symlinkat(target, AT_FDCWD, linkpath)
}

// Symlinkat makes newpath relative to newdirfd a symbolic link to
// target.
func Symlinkat(target string, newdirfd int, newpath string) error {
	if len(target) >= PathMax {
		return ENAMETOOLONG
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	l, err := fs.resolveAt(newdirfd, newpath, false)
	if err != nil {
		return err
	}
	if l.ip != nil {
		return EEXIST
	}
	if l.slash {
		return ENOENT
	}
	if err := creatable(l); err != nil {
		return err
	}
	ip := fs.newInode(S_IFLNK | 0777)
	ip.target = target
	fs.link(l.dir, l.name, ip)
	return nil
}

func Readlink(path string, buf []byte) (n int, err error) {
	return Readlinkat(AT_FDCWD, path, buf)
}

// Readlinkat reads the target of the symbolic link path relative to
// the directory dirfd into buf, truncating it if buf is too short.
func Readlinkat(dirfd int, path string, buf []byte) (n int, err error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip, err := fs.existing(dirfd, path, false)
	if err != nil {
		return 0, err
	}
	if !ip.isSymlink() {
		return 0, EINVAL
	}
	return copy(buf, ip.target), nil
}

func Stat(path string, st *Stat_t) error {
	return Fstatat(AT_FDCWD, path, st, 0)
}

func Lstat(path string, st *Stat_t) error {
	return Fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW)
}

// Fstatat describes the file path relative to the directory dirfd;
// with flags AT_SYMLINK_NOFOLLOW, a symbolic link itself.
func Fstatat(dirfd int, path string, st *Stat_t, flags int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip, err := fs.existing(dirfd, path, flags&AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return err
	}
	ip.fillStat(st)
	return nil
}

func Chmod(path string, mode uint32) error {
	return Fchmodat(AT_FDCWD, path, mode, 0)
}

// Fchmodat sets the permission bits of the file path relative to the
// directory dirfd.
func Fchmodat(dirfd int, path string, mode uint32, flags int) error {
	if flags&^AT_SYMLINK_NOFOLLOW != 0 {
		return EINVAL
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip, err := fs.existing(dirfd, path, flags&AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return err
	}
	if ip.isSymlink() {
		return EOPNOTSUPP // as on Linux: links have no mode of their own
	}
	return ip.chmod(mode)
}

func (ip *inode) chmod(mode uint32) error {
	if ip.readOnly {
		return EROFS
	}
	ip.mode = ip.mode&S_IFMT | mode&07777
	ip.ctime = timeNow()
	return nil
}

func Chown(path string, uid, gid int) error {
	return Fchownat(AT_FDCWD, path, uid, gid, 0)
}

func Lchown(path string, uid, gid int) error {
	return Fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW)
}

// Fchownat sets the owner and group of the file path relative to the
// directory dirfd; -1 leaves either unchanged.
func Fchownat(dirfd int, path string, uid, gid int, flags int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip, err := fs.existing(dirfd, path, flags&AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return err
	}
	return ip.chown(uid, gid)
}

func (ip *inode) chown(uid, gid int) error {
	if ip.readOnly {
		return EROFS
	}
	if uid != -1 {
		ip.uid = uint32(uid)
	}
	if gid != -1 {
		ip.gid = uint32(gid)
	}
	ip.ctime = timeNow()
	return nil
}

// Special values of Timespec.Nsec for UtimesNano and Utimensat.
const (
	UTIME_NOW  = (1 << 30) - 1 // set the time to now
	UTIME_OMIT = (1 << 30) - 2 // leave the time unchanged
)

func Utimes(path string, tv []Timeval) error {
	if len(tv) != 2 {
		return EINVAL
	}
	ts := []Timespec{
		NsecToTimespec(TimevalToNsec(tv[0])),
		NsecToTimespec(TimevalToNsec(tv[1])),
	}
	return UtimesNano(path, ts)
}

func UtimesNano(path string, ts []Timespec) error {
	if len(ts) != 2 {
		return EINVAL
	}
	return Utimensat(AT_FDCWD, path, (*[2]Timespec)(ts), 0)
}

// Utimensat sets the access and modification times of the file path
// relative to the directory dirfd, honouring UTIME_NOW and UTIME_OMIT.
func Utimensat(dirfd int, path string, ts *[2]Timespec, flags int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip, err := fs.existing(dirfd, path, flags&AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return err
	}
	return ip.setTimes(ts)
}

// Futimes sets the access and modification times of the file open as
// fd.
func Futimes(fd int, tv []Timeval) error {
	if len(tv) != 2 {
		return EINVAL
	}
	ts := [2]Timespec{NsecToTimespec(TimevalToNsec(tv[0])), NsecToTimespec(TimevalToNsec(tv[1]))}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	return f.ip.setTimes(&ts)
}

// setTimes sets ip's times as Utimensat does. fs.mu must be held.
func (ip *inode) setTimes(ts *[2]Timespec) error {
	if ip.readOnly {
		return EROFS
	}
	t := timeNow()
	set := func(dst *Timespec, v Timespec) {
		switch v.Nsec {
		case UTIME_OMIT:
		case UTIME_NOW:
			*dst = t
		default:
			*dst = v
		}
	}
	if ts == nil {
		ip.atime, ip.mtime = t, t
	} else {
		set(&ip.atime, ts[0])
		set(&ip.mtime, ts[1])
	}
	ip.ctime = t
	return nil
}

func Truncate(path string, length int64) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip, err := fs.existing(AT_FDCWD, path, true)
	if err != nil {
		return err
	}
	return ip.truncate(length)
}

// Umask sets the file mode creation mask and returns the old one.
func Umask(mask int) (oldmask int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	oldmask = int(fs.umask)
	fs.umask = uint32(mask) & 0777
	return oldmask
}

// Working directory.

func Chdir(path string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ip, err := fs.existing(AT_FDCWD, path, true)
	if err != nil {
		return err
	}
	if !ip.isDir() {
		return ENOTDIR
	}
	fs.cwd = ip
	return nil
}

func Fchdir(fd int) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, err := fs.file(fd)
	if err != nil {
		return err
	}
	if !f.ip.isDir() {
		return ENOTDIR
	}
	fs.cwd = f.ip
	return nil
}

// Getcwd writes the absolute path of the working directory to buf.
func Getcwd(buf []byte) (n int, err error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.cwd.nlink == 0 {
		return 0, ENOENT // removed
	}
	path := fs.pathOf(fs.cwd)
	if len(path) > len(buf) {
		return 0, ERANGE
	}
	return copy(buf, path), nil
}

// pathOf returns the absolute path of the directory dir, which must
// not have been removed. fs.mu must be held.
func (fs *fileSystem) pathOf(dir *inode) string {
	if dir == fs.root {
		return "/"
	}
	path := ""
	for d := dir; d != fs.root; d = d.parent {
		for name, ip := range d.parent.entries {
			if ip == d {
				path = "/" + name + path
				break
			}
		}
	}
	return path
}
