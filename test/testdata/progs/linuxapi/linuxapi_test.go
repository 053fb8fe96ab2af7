// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package linuxapi tests, in the guest, names of package syscall that
// Linux code uses and GOOS=xen gained for it (issue 12): flock locks,
// memory mappings, resource limits, process IDs, Fdatasync and EBADFD;
// and Linux system calls by number (linuxcall_test.go).
package linuxapi

import (
	"syscall"
	"testing"
	"time"
	"unsafe"
)

func open(t *testing.T, path string) int {
	t.Helper()
	fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CREAT, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func TestFlock(t *testing.T) {
	a := open(t, "/tmp/lock")
	b := open(t, "/tmp/lock")
	if err := syscall.Flock(a, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("first LOCK_EX: %v", err)
	}
	if err := syscall.Flock(b, syscall.LOCK_SH|syscall.LOCK_NB); err != syscall.EWOULDBLOCK {
		t.Fatalf("LOCK_SH beside another open's LOCK_EX: %v, want EWOULDBLOCK", err)
	}
	// A dup shares the open file description, and so the lock.
	c, err := syscall.Dup(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(c, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("LOCK_EX through a dup: %v", err)
	}
	// A blocking lock waits until the holder lets go: here when the
	// last descriptor of its open file is closed.
	got := make(chan error)
	go func() { got <- syscall.Flock(b, syscall.LOCK_EX) }()
	select {
	case err := <-got:
		t.Fatalf("LOCK_EX returned %v while another open held the lock", err)
	case <-time.After(50 * time.Millisecond):
	}
	syscall.Close(a)
	select {
	case err := <-got:
		t.Fatalf("LOCK_EX returned %v while a dup still held the lock", err)
	case <-time.After(50 * time.Millisecond):
	}
	syscall.Close(c)
	if err := <-got; err != nil {
		t.Fatalf("LOCK_EX after the holder closed: %v", err)
	}
	// Shared locks coexist; an exclusive one waits for all of them.
	if err := syscall.Flock(b, syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	d := open(t, "/tmp/lock")
	if err := syscall.Flock(d, syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		t.Fatalf("second LOCK_SH: %v", err)
	}
	e := open(t, "/tmp/lock")
	if err := syscall.Flock(e, syscall.LOCK_EX|syscall.LOCK_NB); err != syscall.EWOULDBLOCK {
		t.Fatalf("LOCK_EX beside shared locks: %v, want EWOULDBLOCK", err)
	}
	syscall.Flock(b, syscall.LOCK_UN)
	syscall.Flock(d, syscall.LOCK_UN)
	if err := syscall.Flock(e, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("LOCK_EX once the shared locks are gone: %v", err)
	}
	if err := syscall.Flock(e, 0); err != syscall.EINVAL {
		t.Errorf("Flock(0): %v, want EINVAL", err)
	}
	if err := syscall.Flock(99, syscall.LOCK_SH); err != syscall.EBADF {
		t.Errorf("Flock of a closed descriptor: %v, want EBADF", err)
	}
	for _, fd := range []int{b, d, e} {
		syscall.Close(fd)
	}
}

func TestMmapAnonymous(t *testing.T) {
	for _, n := range []int{1, 4096, 5000, 1 << 20} {
		b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			t.Fatalf("Mmap(%d): %v", n, err)
		}
		if len(b) != n || cap(b) != n {
			t.Errorf("Mmap(%d): len %d cap %d", n, len(b), cap(b))
		}
		if p := uintptr(unsafe.Pointer(&b[0])); p%4096 != 0 {
			t.Errorf("Mmap(%d) at %#x, not page-aligned", n, p)
		}
		for i := range b {
			if b[i] != 0 {
				t.Fatalf("Mmap(%d): byte %d is %d, want 0", n, i, b[i])
			}
		}
		b[n-1] = 7
		if err := syscall.Madvise(b, syscall.MADV_DONTNEED); err != nil {
			t.Fatal(err)
		}
		if b[n-1] != 0 {
			t.Errorf("Mmap(%d): MADV_DONTNEED left %d, want 0", n, b[n-1])
		}
		if err := syscall.Munmap(b); err != nil {
			t.Fatalf("Munmap: %v", err)
		}
		if err := syscall.Munmap(b); err != syscall.EINVAL {
			t.Errorf("second Munmap: %v, want EINVAL", err)
		}
	}
	if _, err := syscall.Mmap(-1, 0, 0, syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_ANON); err != syscall.EINVAL {
		t.Errorf("Mmap of 0 bytes: %v, want EINVAL", err)
	}
	if err := syscall.Madvise(make([]byte, 1), 12345); err != syscall.EINVAL {
		t.Errorf("Madvise with unknown advice: %v, want EINVAL", err)
	}
}

func TestMmapFile(t *testing.T) {
	fd := open(t, "/tmp/mapped")
	defer syscall.Close(fd)
	if _, err := syscall.Write(fd, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Ftruncate(fd, 8192); err != nil {
		t.Fatal(err)
	}
	rw := syscall.PROT_READ | syscall.PROT_WRITE
	m, err := syscall.Mmap(fd, 0, 8192, rw, syscall.MAP_SHARED)
	if err != nil {
		t.Fatalf("shared Mmap of a file: %v", err)
	}
	if string(m[:5]) != "hello" || m[5] != 0 || m[8191] != 0 {
		t.Fatalf("mapping holds %q...%d, want the file", m[:6], m[8191])
	}
	// The mapping and pread/pwrite see each other's writes.
	m[100] = 'x'
	buf := make([]byte, 3)
	if _, err := syscall.Pread(fd, buf[:1], 100); err != nil || buf[0] != 'x' {
		t.Errorf("pread after a write through the mapping: %q, %v", buf[:1], err)
	}
	if _, err := syscall.Pwrite(fd, []byte("abc"), 200); err != nil {
		t.Fatal(err)
	}
	if string(m[200:203]) != "abc" {
		t.Errorf("mapping after pwrite: %q, want \"abc\"", m[200:203])
	}
	// Contents that mappings alias cannot move: no write and no other
	// mapping past the end of this one while it lives.
	if _, err := syscall.Pwrite(fd, []byte("z"), 1<<20); err != syscall.ENOMEM {
		t.Errorf("pwrite past a live mapping: %v, want ENOMEM", err)
	}
	if _, err := syscall.Mmap(fd, 0, 1<<20, rw, syscall.MAP_SHARED); err != syscall.ENOMEM {
		t.Errorf("a larger mapping beside a live one: %v, want ENOMEM", err)
	}
	// A private mapping is a copy, and MADV_DONTNEED makes it the
	// file's again; on a shared one it changes nothing.
	p, err := syscall.Mmap(fd, 0, 4096, rw, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	p[0] = 'Z'
	if _, err := syscall.Pread(fd, buf[:1], 0); err != nil || buf[0] != 'h' {
		t.Errorf("a write to a private mapping reached the file: %q, %v", buf[:1], err)
	}
	if err := syscall.Madvise(p, syscall.MADV_DONTNEED); err != nil || p[0] != 'h' {
		t.Errorf("private mapping after MADV_DONTNEED: %q, %v; want the file's 'h'", p[0], err)
	}
	if err := syscall.Madvise(m, syscall.MADV_DONTNEED); err != nil || m[100] != 'x' {
		t.Errorf("shared mapping after MADV_DONTNEED: %q, %v; want 'x'", m[100], err)
	}
	syscall.Munmap(p)
	// Two shared mappings at one offset are two mappings, each
	// unmapped once.
	m2, err := syscall.Mmap(fd, 0, 8192, rw, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	if &m2[0] != &m[0] || m2[100] != 'x' {
		t.Errorf("second mapping at offset 0: not the file's bytes")
	}
	if err := syscall.Munmap(m2); err != nil {
		t.Fatal(err)
	}
	// Unmapped, the file can grow, and a new mapping sees it all.
	if err := syscall.Munmap(m); err != nil {
		t.Fatal(err)
	}
	if _, err := syscall.Pwrite(fd, []byte("z"), 1<<20); err != nil {
		t.Fatalf("pwrite once unmapped: %v", err)
	}
	m, err = syscall.Mmap(fd, 0, 1<<20+1, rw, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	if m[100] != 'x' || string(m[200:203]) != "abc" || m[1<<20] != 'z' {
		t.Errorf("new mapping: %q %q %q", m[100], m[200:203], m[1<<20])
	}
	// Truncation shows through: cut bytes read as zeros.
	if err := syscall.Ftruncate(fd, 150); err != nil {
		t.Fatal(err)
	}
	if m[100] != 'x' || m[200] != 0 {
		t.Errorf("after truncating to 150: %q %q, want 'x' and 0", m[100], m[200])
	}
	if err := syscall.Ftruncate(fd, 4096); err != nil {
		t.Fatal(err)
	}
	m[300] = 'y'
	if _, err := syscall.Pread(fd, buf[:1], 300); err != nil || buf[0] != 'y' {
		t.Errorf("pread after growing and writing through the mapping: %q, %v", buf[:1], err)
	}
	syscall.Munmap(m)

	ro, err := syscall.Open("/tmp/mapped", syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(ro)
	if _, err := syscall.Mmap(ro, 0, 4096, rw, syscall.MAP_SHARED); err != syscall.EACCES {
		t.Errorf("writable shared mapping of a read-only descriptor: %v, want EACCES", err)
	}
	dir, err := syscall.Open("/tmp", syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(dir)
	if _, err := syscall.Mmap(dir, 0, 4096, syscall.PROT_READ, syscall.MAP_SHARED); err != syscall.ENODEV {
		t.Errorf("Mmap of a directory: %v, want ENODEV", err)
	}
	if _, err := syscall.Mmap(1000, 0, 4096, syscall.PROT_READ, syscall.MAP_SHARED); err != syscall.EBADF {
		t.Errorf("Mmap of a closed descriptor: %v, want EBADF", err)
	}
}

func TestFdatasync(t *testing.T) {
	fd := open(t, "/tmp/data")
	if err := syscall.Fdatasync(fd); err != nil {
		t.Errorf("Fdatasync: %v", err)
	}
	syscall.Close(fd)
	if err := syscall.Fdatasync(fd); err != syscall.EBADF {
		t.Errorf("Fdatasync of a closed descriptor: %v, want EBADF", err)
	}
}

func TestEBADFD(t *testing.T) {
	if syscall.EBADFD != 77 || syscall.EBADFD.Error() != "file descriptor in bad state" {
		t.Errorf("EBADFD = %d %q, want 77 and Linux's message", int(syscall.EBADFD), syscall.EBADFD.Error())
	}
}

func TestRlimitNofile(t *testing.T) {
	var saved syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &saved); err != nil || saved.Cur == 0 || saved.Cur > saved.Max {
		t.Fatalf("Getrlimit(RLIMIT_NOFILE): %+v, %v", saved, err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 2, Max: 1}); err != syscall.EINVAL {
		t.Errorf("soft limit above the hard one: %v, want EINVAL", err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 1, Max: saved.Max + 1}); err != syscall.EPERM {
		t.Errorf("hard limit past the descriptor table: %v, want EPERM", err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 16, Max: saved.Max}); err != nil {
		t.Fatal(err)
	}
	var fds []int
	var err error
	for range 32 {
		var fd int
		if fd, err = syscall.Open("/dev/null", syscall.O_RDONLY, 0); err != nil {
			break
		}
		if fd >= 16 {
			t.Errorf("descriptor %d at a limit of 16", fd)
		}
		fds = append(fds, fd)
	}
	if err != syscall.EMFILE {
		t.Errorf("opening past RLIMIT_NOFILE: %v, want EMFILE", err)
	}
	if err := syscall.Dup2(0, 20); err != syscall.EBADF {
		t.Errorf("Dup2 past RLIMIT_NOFILE: %v, want EBADF", err)
	}
	for _, fd := range fds {
		syscall.Close(fd)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &saved); err != nil {
		t.Fatal(err)
	}
}

func TestRlimitFsize(t *testing.T) {
	var saved syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &saved); err != nil {
		t.Fatal(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_FSIZE, &saved)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 100, Max: saved.Max}); err != nil {
		t.Fatal(err)
	}
	fd := open(t, "/tmp/big")
	defer syscall.Close(fd)
	if n, err := syscall.Write(fd, make([]byte, 150)); n != 100 || err != nil {
		t.Errorf("write across RLIMIT_FSIZE: %d, %v; want a short write of 100", n, err)
	}
	if _, err := syscall.Write(fd, []byte("x")); err != syscall.EFBIG {
		t.Errorf("write at RLIMIT_FSIZE: %v, want EFBIG", err)
	}
	if err := syscall.Ftruncate(fd, 200); err != syscall.EFBIG {
		t.Errorf("truncate past RLIMIT_FSIZE: %v, want EFBIG", err)
	}
}

func TestRlimitOthers(t *testing.T) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &r); err != nil || r.Cur != 0 {
		t.Errorf("RLIMIT_CORE: %+v, %v; want a soft limit of 0 (no core dumps)", r, err)
	}
	for _, res := range []int{syscall.RLIMIT_CPU, syscall.RLIMIT_DATA, syscall.RLIMIT_STACK, syscall.RLIMIT_AS} {
		if err := syscall.Getrlimit(res, &r); err != nil {
			t.Errorf("Getrlimit(%d): %v", res, err)
		}
	}
	if err := syscall.Getrlimit(5, &r); err != syscall.EINVAL {
		t.Errorf("Getrlimit of an unknown resource: %v, want EINVAL", err)
	}
}

func TestProcessIDs(t *testing.T) {
	if syscall.Gettid() != syscall.Getpid() {
		t.Errorf("Gettid %d, Getpid %d: the one thread is the process", syscall.Gettid(), syscall.Getpid())
	}
	if g, err := syscall.Getpgid(0); err != nil || g != syscall.Getpgrp() {
		t.Errorf("Getpgid(0) = %d, %v; Getpgrp = %d", g, err, syscall.Getpgrp())
	}
	if _, err := syscall.Getpgid(42); err != syscall.ESRCH {
		t.Errorf("Getpgid(42): %v, want ESRCH", err)
	}
}

// TestSetuid follows Linux's rules for a process that starts as root
// and gives it up. It runs last: the process is not root after it.
func TestSetuid(t *testing.T) {
	ids := func() [4]int {
		return [4]int{syscall.Getuid(), syscall.Geteuid(), syscall.Getgid(), syscall.Getegid()}
	}
	if err := syscall.Setgid(50); err != nil || ids() != [4]int{0, 0, 50, 50} {
		t.Fatalf("Setgid(50): %v, ids %v", err, ids())
	}
	fd := open(t, "/tmp/setuid")
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil || st.Uid != 0 || st.Gid != 50 {
		t.Errorf("a new file is owned by %d:%d (%v), want 0:50", st.Uid, st.Gid, err)
	}
	syscall.Close(fd)
	if err := syscall.Setresuid(1000, 1000, 0); err != nil || ids() != [4]int{1000, 1000, 50, 50} {
		t.Fatalf("Setresuid(1000, 1000, 0): %v, ids %v", err, ids())
	}
	if err := syscall.Setuid(2000); err != syscall.EPERM {
		t.Errorf("Setuid(2000) unprivileged: %v, want EPERM", err)
	}
	if err := syscall.Setgid(60); err != syscall.EPERM {
		t.Errorf("Setgid(60) unprivileged: %v, want EPERM", err)
	}
	// The saved ID is 0: the effective one may go back to it.
	if err := syscall.Setuid(0); err != nil || ids() != [4]int{1000, 0, 50, 50} {
		t.Fatalf("Setuid(0) to the saved ID: %v, ids %v", err, ids())
	}
	// Privileged again, Setreuid sets both and the saved ID follows.
	if err := syscall.Setreuid(1001, 1001); err != nil || ids() != [4]int{1001, 1001, 50, 50} {
		t.Fatalf("Setreuid(1001, 1001): %v, ids %v", err, ids())
	}
	if err := syscall.Setreuid(-1, 0); err != syscall.EPERM {
		t.Errorf("Setreuid(-1, 0) after dropping root: %v, want EPERM", err)
	}
	if err := syscall.Setresgid(-1, -1, -1); err != nil {
		t.Errorf("Setresgid(-1, -1, -1): %v", err)
	}
	if err := syscall.Setuid(-5); err != syscall.EINVAL {
		t.Errorf("Setuid(-5): %v, want EINVAL", err)
	}
}
