// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall_test

// Tests of the in-memory file system, descriptors, devices and pipes
// of fs_unikernel.go, fd_unikernel.go and pipe_unikernel.go at the
// level of system calls: the POSIX behaviour that package os relies on.

import (
	. "syscall"
	"testing"
	"unsafe"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if err != want {
		t.Fatalf("got %v, want %v", err, want)
	}
}

func TestBasics(t *testing.T) {
	fd, err := Open("/tmp/a", O_CREAT|O_RDWR|O_EXCL, 0666)
	must(t, err)
	_, err = Open("/tmp/a", O_CREAT|O_RDWR|O_EXCL, 0666)
	wantErr(t, err, EEXIST)
	n, err := Write(fd, []byte("hello"))
	must(t, err)
	if n != 5 {
		t.Fatal(n)
	}
	off, err := Seek(fd, 0, SEEK_SET)
	must(t, err)
	buf := make([]byte, 10)
	n, err = Read(fd, buf)
	if n != 5 || string(buf[:n]) != "hello" || off != 0 {
		t.Fatalf("read %q", buf[:n])
	}
	n, _ = Read(fd, buf)
	if n != 0 {
		t.Fatal("not EOF")
	}
	var st Stat_t
	must(t, Fstat(fd, &st))
	if st.Mode != S_IFREG|0644 || st.Size != 5 || st.Nlink != 1 {
		t.Fatalf("stat %+v", st)
	}
	// Sparse: seek beyond and write.
	_, err = Seek(fd, 10, SEEK_SET)
	must(t, err)
	Write(fd, []byte("x"))
	n, _ = Pread(fd, buf, 0)
	if n != 10 || string(buf[:n]) != "hello\x00\x00\x00\x00\x00" {
		t.Fatalf("%q", buf[:n])
	}
	must(t, Ftruncate(fd, 1<<30))
	must(t, Fstat(fd, &st))
	if st.Size != 1<<30 {
		t.Fatal(st.Size)
	}
	n, _ = Pread(fd, buf, 1<<30-3)
	if n != 3 {
		t.Fatal(n)
	}
	must(t, Ftruncate(fd, 2))
	n, _ = Pread(fd, buf, 0)
	if string(buf[:n]) != "he" {
		t.Fatalf("%q", buf[:n])
	}
	must(t, Truncate("/tmp/a", 4))
	n, _ = Pread(fd, buf, 0)
	if string(buf[:n]) != "he\x00\x00" {
		t.Fatalf("%q", buf[:n])
	}
	must(t, Close(fd))
	wantErr(t, Close(fd), EBADF)

	// O_APPEND
	fd, _ = Open("/tmp/a", O_WRONLY|O_APPEND, 0)
	Write(fd, []byte("AB"))
	Close(fd)
	fd, _ = Open("/tmp/a", O_RDONLY, 0)
	n, _ = Read(fd, buf)
	if string(buf[:n]) != "he\x00\x00AB" {
		t.Fatalf("%q", buf[:n])
	}
	_, err = Write(fd, buf)
	wantErr(t, err, EBADF)
	Close(fd)
	// O_TRUNC
	fd, _ = Open("/tmp/a", O_WRONLY|O_TRUNC, 0)
	must(t, Fstat(fd, &st))
	if st.Size != 0 {
		t.Fatal(st.Size)
	}
	Close(fd)
}

func TestDirs(t *testing.T) {
	must(t, Mkdir("/tmp/d", 0777))
	wantErr(t, Mkdir("/tmp/d", 0777), EEXIST)
	wantErr(t, Mkdir("/tmp/nope/x", 0777), ENOENT)
	var st Stat_t
	must(t, Stat("/tmp/d/", &st))
	if st.Mode != S_IFDIR|0755 {
		t.Fatalf("%o", st.Mode)
	}
	for _, n := range []string{"c", "a", "b"} {
		fd, err := Open("/tmp/d/"+n, O_CREAT|O_WRONLY, 0600)
		must(t, err)
		Close(fd)
	}
	must(t, Mkdir("/tmp/d/sub", 0700))
	_, err := Open("/tmp/d", O_WRONLY, 0)
	wantErr(t, err, EISDIR)
	_, err = Open("/tmp/d/a/", O_RDONLY, 0)
	wantErr(t, err, ENOTDIR)
	_, err = Open("/tmp/d/a", O_RDONLY|O_DIRECTORY, 0)
	wantErr(t, err, ENOTDIR)
	fd, err := Open("/tmp/d", O_RDONLY, 0)
	must(t, err)
	buf := make([]byte, 4096)
	n, err := ReadDirent(fd, buf)
	must(t, err)
	_, _, names := ParseDirent(buf[:n], -1, nil)
	if len(names) != 4 || names[0] != "a" || names[3] != "sub" {
		t.Fatal(names)
	}
	n, _ = ReadDirent(fd, buf)
	if n != 0 {
		t.Fatal("not end")
	}
	Seek(fd, 0, SEEK_SET)
	n, _ = ReadDirent(fd, buf)
	if n == 0 {
		t.Fatal("rewind")
	}
	_, err = Read(fd, buf)
	wantErr(t, err, EISDIR)
	Close(fd)
	wantErr(t, Rmdir("/tmp/d"), ENOTEMPTY)
	wantErr(t, Unlink("/tmp/d"), EISDIR)
	wantErr(t, Rmdir("/tmp/d/a"), ENOTDIR)
	must(t, Stat("/tmp/d", &st))
	if st.Nlink != 3 {
		t.Fatal("nlink", st.Nlink)
	}
	// chdir, getwd
	must(t, Chdir("/tmp/d/sub"))
	wd, _ := Getwd()
	if wd != "/tmp/d/sub" {
		t.Fatal(wd)
	}
	must(t, Chdir(".."))
	fd, err = Open("a", O_RDONLY, 0)
	must(t, err)
	Close(fd)
	must(t, Rename("/tmp/d", "/tmp/e"))
	wd, _ = Getwd()
	if wd != "/tmp/e" {
		t.Fatal(wd)
	}
	wantErr(t, Rename("/tmp/e", "/tmp/e/sub/x"), EINVAL)
	must(t, Chdir("/"))
	wd, _ = Getwd()
	if wd != "/" {
		t.Fatal(wd)
	}
	// rename replacing
	must(t, Rename("/tmp/e/a", "/tmp/e/b"))
	wantErr(t, Stat("/tmp/e/a", &st), ENOENT)
	wantErr(t, Rename("/tmp/e/b", "/tmp/e/sub"), EISDIR)
	wantErr(t, Rename("/tmp/e/sub", "/tmp/e/b"), ENOTDIR)
	must(t, Mkdir("/tmp/e/empty", 0777))
	must(t, Rename("/tmp/e/sub", "/tmp/e/empty"))
	must(t, Stat("/tmp/e", &st))
	if st.Nlink != 3 {
		t.Fatal("nlink after rename", st.Nlink)
	}
	for _, p := range []string{"/tmp/e/b", "/tmp/e/c"} {
		must(t, Unlink(p))
	}
	must(t, Rmdir("/tmp/e/empty"))
	must(t, Rmdir("/tmp/e"))
	wantErr(t, Rmdir("/"), EBUSY)
}

func TestLinks(t *testing.T) {
	fd, _ := Open("/tmp/f", O_CREAT|O_WRONLY, 0644)
	Write(fd, []byte("data"))
	Close(fd)
	must(t, Link("/tmp/f", "/tmp/g"))
	var st Stat_t
	Stat("/tmp/g", &st)
	if st.Nlink != 2 {
		t.Fatal(st.Nlink)
	}
	must(t, Symlink("f", "/tmp/s"))
	must(t, Symlink("/tmp/loop", "/tmp/loop"))
	must(t, Lstat("/tmp/s", &st))
	if st.Mode&S_IFMT != S_IFLNK {
		t.Fatal("not link")
	}
	must(t, Stat("/tmp/s", &st))
	if st.Size != 4 {
		t.Fatal(st.Size)
	}
	buf := make([]byte, 100)
	n, err := Readlink("/tmp/s", buf)
	must(t, err)
	if string(buf[:n]) != "f" {
		t.Fatal(string(buf[:n]))
	}
	wantErr(t, Stat("/tmp/loop", &st), ELOOP)
	_, err = Open("/tmp/s", O_RDONLY|O_NOFOLLOW, 0)
	wantErr(t, err, ELOOP)
	must(t, Mkdir("/tmp/dir", 0777))
	must(t, Symlink("/tmp/dir", "/tmp/dl"))
	fd, err = Open("/tmp/dl/x", O_CREAT|O_WRONLY, 0644)
	must(t, err)
	Close(fd)
	must(t, Stat("/tmp/dir/x", &st))
	// *at
	dfd, _ := Open("/tmp/dir", O_RDONLY|O_DIRECTORY, 0)
	must(t, Fstatat(dfd, "x", &st, 0))
	must(t, Mkdirat(dfd, "y", 0777))
	y, _ := BytePtrFromString("y")
	if _, _, e := Syscall(SYS_UNLINKAT, uintptr(dfd), uintptr(unsafe.Pointer(y)), AT_REMOVEDIR); e != 0 {
		t.Fatalf("unlinkat(AT_REMOVEDIR): %v", e)
	}
	must(t, Unlinkat(dfd, "x"))
	wantErr(t, Unlinkat(dfd, "x"), ENOENT)
	// open file survives unlink
	fd, _ = Open("/tmp/f", O_RDONLY, 0)
	Unlink("/tmp/f")
	Unlink("/tmp/g")
	n, _ = Read(fd, buf)
	if string(buf[:n]) != "data" {
		t.Fatal("after unlink")
	}
	Fstat(fd, &st)
	if st.Nlink != 0 {
		t.Fatal(st.Nlink)
	}
	Close(fd)
}

func TestDevices(t *testing.T) {
	fd, err := Open("/dev/null", O_RDWR, 0)
	must(t, err)
	buf := make([]byte, 16)
	n, _ := Read(fd, buf)
	if n != 0 {
		t.Fatal(n)
	}
	n, _ = Write(fd, buf)
	if n != 16 {
		t.Fatal(n)
	}
	fd, _ = Open("/dev/urandom", O_RDONLY, 0)
	n, _ = Read(fd, buf)
	if n != 16 {
		t.Fatal(n)
	}
	n, err = Read(Stdin, buf)
	if n != 0 || err != nil {
		t.Fatal(n, err)
	}
	nfd, _ := Dup(Stdout)
	must(t, Dup2(Stderr, nfd))
	var st Stat_t
	Fstat(nfd, &st)
	if st.Mode&S_IFMT != S_IFCHR {
		t.Fatal("chr")
	}
}

func TestPipe(t *testing.T) {
	var p [2]int
	must(t, Pipe(p[:]))
	done := make(chan string)
	go func() {
		var all []byte
		buf := make([]byte, 7)
		for {
			n, err := Read(p[0], buf)
			if n == 0 || err != nil {
				break
			}
			all = append(all, buf[:n]...)
		}
		done <- string(all)
	}()
	big := make([]byte, 200000)
	for i := range big {
		big[i] = 'a'
	}
	n, err := Write(p[1], big)
	if n != len(big) || err != nil {
		t.Fatal(n, err)
	}
	Close(p[1])
	if s := <-done; len(s) != len(big) {
		t.Fatal(len(s))
	}
	Close(p[0])
	must(t, Pipe(p[:]))
	Close(p[0])
	_, err = Write(p[1], []byte("x"))
	wantErr(t, err, EPIPE)
}
