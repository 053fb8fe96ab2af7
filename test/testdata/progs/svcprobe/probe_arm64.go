// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// Linux/arm64's numbers.
const (
	sysRead   = 63
	sysGetpid = 172
	sysGetuid = 174
)

// In probe_arm64.s. Each returns X0, a negative error number on
// failure.
func rawSyscall(trap, a1, a2, a3 uintptr) uintptr
func blockingSyscall(trap, a1, a2, a3 uintptr) uintptr

// clobberSyscall makes system call trap with every register Linux
// preserves but the frame pointer and g set to a pattern, and reports
// whether they all kept it.
func clobberSyscall(trap uintptr) (ret uintptr, kept bool)

func probe() bool {
	ok := true
	r := rawSyscall(sysGetpid, 0, 0, 0)
	ok = check(int(r) == os.Getpid(), "getpid from a leaf = %d", r) && ok
	r = blockingSyscall(sysGetuid, 0, 0, 0)
	ok = check(int(r) == os.Getuid(), "getuid between entersyscall and exitsyscall = %d", r) && ok
	r, kept := clobberSyscall(sysGetpid)
	ok = check(int(r) == os.Getpid() && kept, "getpid with the registers set = %d, kept %v", r, kept) && ok
	r = rawSyscall(999, 0, 0, 0)
	ok = check(syscall.Errno(-r) == syscall.ENOSYS, "call 999 = %d (%v)", int(r), syscall.Errno(-r)) && ok
	ok = blockingRead() && ok
	return ok
}

// blockingRead reads a pipe through SVC in a goroutine with a large
// stack, which waits as a parked goroutine while the collector runs
// and shrinks the stack: the stack must unwind through the injected
// call, and the read's buffer move with it.
func blockingRead() bool {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		return check(false, "pipe: %v", err)
	}
	done := make(chan string)
	moved := make(chan bool, 1)
	go func() {
		grow(64)
		var buf [16]byte
		before := uintptr(unsafe.Pointer(&buf[0]))
		n := rawSyscall(sysRead, uintptr(p[0]), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		moved <- uintptr(unsafe.Pointer(&buf[0])) != before
		if int(n) < 0 {
			done <- "read: " + syscall.Errno(-n).Error()
			return
		}
		done <- string(buf[:n])
	}()
	for range 3 {
		runtime.Gosched()
		runtime.GC()
	}
	if _, err := syscall.Write(p[1], []byte("through the pipe")); err != nil {
		return check(false, "write: %v", err)
	}
	got := <-done
	return check(got == "through the pipe" && <-moved, "blocking read = %q, the reader's stack moved", got)
}

//go:noinline
func grow(n int) byte {
	var b [1024]byte
	if n == 0 {
		return b[0]
	}
	return grow(n-1) + b[n]
}
