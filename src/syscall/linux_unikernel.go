// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// Linux system calls, served in the guest. Code written for Linux, as
// golang.org/x/sys/unix and the C libraries translated to Go are, names
// system calls by Linux's numbers: it passes them to Syscall and its
// kin, or executes the SYSCALL instruction itself, which the runtime
// catches and hands to linuxSyscall as well. One table, linuxCalls (in
// linux_unikernel_amd64.go), maps a number to a function over the same
// implementation that the rest of this package uses, with Linux's
// structure layouts at the boundary. A number the table lacks fails
// with ENOSYS, and GODEBUG=linuxsyscall=1 prints each such number once.
//
// The arguments arrive as uintptr. Those that are addresses may point
// into the caller's goroutine stack, which moves when it grows; the
// kernel on Linux writes through them while the stack cannot move, but
// a call served here runs Go code that can grow the stack, and may
// block. So the entry points are nosplit, and linuxSyscall turns the
// address arguments (which the table names) into unsafe.Pointer before
// anything can move the stack; from then on the garbage collector and
// the stack copier know them as pointers.

import (
	"internal/strconv"
	"internal/stringslite"
	"runtime"
	"sync"
	"unsafe"
)

// linuxArgs are the six arguments of a call: addresses in p (at the
// positions the table's ptrs names) and every argument as a number in v.
type linuxArgs struct {
	p [6]unsafe.Pointer
	v [6]uintptr
}

// A linuxCall serves one system call number. ptrs has bit i set when
// argument i is an address.
type linuxCall struct {
	fn   func(a linuxArgs) (uintptr, Errno)
	ptrs uint8
}

//go:uintptrkeepalive
//go:nosplit
//go:linkname Syscall
func Syscall(trap, a1, a2, a3 uintptr) (r1, r2 uintptr, err Errno) {
	return linuxSyscall(trap, a1, a2, a3, 0, 0, 0)
}

//go:uintptrkeepalive
//go:nosplit
//go:linkname Syscall6
func Syscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err Errno) {
	return linuxSyscall(trap, a1, a2, a3, a4, a5, a6)
}

// RawSyscall and RawSyscall6 serve the same table: there is no kernel
// to enter, so a raw call differs from the others only in that Linux
// code expects it not to block, which the calls it makes raw do not.

//go:uintptrkeepalive
//go:nosplit
//go:linkname RawSyscall
func RawSyscall(trap, a1, a2, a3 uintptr) (r1, r2 uintptr, err Errno) {
	return linuxSyscall(trap, a1, a2, a3, 0, 0, 0)
}

//go:uintptrkeepalive
//go:nosplit
//go:linkname RawSyscall6
func RawSyscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err Errno) {
	return linuxSyscall(trap, a1, a2, a3, a4, a5, a6)
}

// linuxSyscall serves system call trap. r2 is a3, which is what the
// RDX register holds after a SYSCALL on Linux/amd64.
//
//go:nosplit
func linuxSyscall(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err Errno) {
	if trap >= uintptr(len(linuxCalls)) || linuxCalls[trap].fn == nil {
		return linuxUnserved(trap)
	}
	c := &linuxCalls[trap]
	var a linuxArgs
	a.v = [6]uintptr{a1, a2, a3, a4, a5, a6}
	for i := range a.v {
		if c.ptrs&(1<<i) != 0 {
			a.p[i] = unsafe.Pointer(a.v[i])
		}
	}
	r1, err = c.fn(a)
	if err != 0 {
		r1 = ^uintptr(0)
	}
	return r1, a3, err
}

// linuxTrap serves the SYSCALL instruction, for the runtime: the result
// is in RAX's form, a negative error number on failure.
//
//go:nosplit
func linuxTrap(trap, a1, a2, a3, a4, a5, a6 uintptr) uintptr {
	r1, _, err := linuxSyscall(trap, a1, a2, a3, a4, a5, a6)
	if err != 0 {
		return -uintptr(err)
	}
	return r1
}

// serveSyscalls gives the runtime the function that serves the SYSCALL
// instruction; until it is called, the instruction fails with ENOSYS.
// It is pushed here by the runtime (runtime_unikernel.go explains).
func serveSyscalls(fn func(trap, a1, a2, a3, a4, a5, a6 uintptr) uintptr)

func init() {
	serveSyscalls(linuxTrap)
}

var (
	unservedOnce sync.Once
	unservedLog  bool
	unservedMu   sync.Mutex
	unservedSeen map[uintptr]bool
)

// linuxUnserved fails a call the table does not serve with ENOSYS and,
// under GODEBUG=linuxsyscall=1, names it on standard error the first
// time it is made.
func linuxUnserved(trap uintptr) (r1, r2 uintptr, err Errno) {
	unservedOnce.Do(func() {
		v, _ := Getenv("GODEBUG")
		for v != "" {
			var kv string
			kv, v, _ = stringslite.Cut(v, ",")
			if kv == "linuxsyscall=1" {
				unservedLog = true
			}
		}
	})
	if unservedLog {
		unservedMu.Lock()
		if unservedSeen == nil {
			unservedSeen = make(map[uintptr]bool)
		}
		first := !unservedSeen[trap]
		unservedSeen[trap] = true
		unservedMu.Unlock()
		if first {
			name := ""
			if trap < uintptr(len(sysNames)) && sysNames[trap] != "" {
				name = " (" + sysNames[trap] + ")"
			}
			msg := "mirago: Linux system call " + strconv.Itoa(int(trap)) + name + " is not served on " + runtime.GOOS + ": ENOSYS\n"
			Write(Stderr, []byte(msg))
		}
	}
	return ^uintptr(0), 0, ENOSYS
}

// errnoOf is the error number of an error that this package returned.
func errnoOf(err error) Errno {
	if err == nil {
		return 0
	}
	if e, ok := err.(Errno); ok {
		return e
	}
	return EIO
}

// Helpers that read the arguments as Linux's C types.

func (a *linuxArgs) int(i int) int     { return int(int64(a.v[i])) }
func (a *linuxArgs) int32(i int) int   { return int(int32(a.v[i])) }
func (a *linuxArgs) uint32(i int) uint { return uint(uint32(a.v[i])) }

// bytes is the buffer at argument i whose length is argument n.
func (a *linuxArgs) bytes(i, n int) ([]byte, Errno) {
	l := a.v[n]
	if l == 0 {
		return nil, 0
	}
	if a.p[i] == nil || int(l) < 0 {
		return nil, EFAULT
	}
	return unsafe.Slice((*byte)(a.p[i]), l), 0
}

// str is the NUL-terminated string at argument i, as a path.
func (a *linuxArgs) str(i int) (string, Errno) {
	p := a.p[i]
	if p == nil {
		return "", EFAULT
	}
	for n := 0; n <= PathMax; n++ {
		if *(*byte)(unsafe.Add(p, n)) == 0 {
			return string(unsafe.Slice((*byte)(p), n)), 0
		}
	}
	return "", ENAMETOOLONG
}

// ret turns a Go result into a system call's.
func ret(n int, err error) (uintptr, Errno) {
	if err != nil {
		return 0, errnoOf(err)
	}
	return uintptr(n), 0
}

func ret0(err error) (uintptr, Errno) { return ret(0, err) }

// out writes v at argument i, failing with EFAULT for a null address.
func out[T any](a *linuxArgs, i int, v T) Errno {
	if a.p[i] == nil {
		return EFAULT
	}
	*(*T)(a.p[i]) = v
	return 0
}
