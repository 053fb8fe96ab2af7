// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"strings"
	"testing"
)

// TestSyscallLinuxAPI runs, in the VM, the tests of names that package
// syscall exports for Linux code (issue 12): Flock, anonymous Mmap,
// Munmap and Madvise, resource limits, process IDs, Fdatasync,
// EBADFD, and the Set*id calls golang.org/x/sys/unix needs; and Linux
// system calls by number, through syscall.Syscall and through the
// SYSCALL instruction, which the guest serves.
func TestSyscallLinuxAPI(t *testing.T) {
	r := mgo(t, progsDir(t), "xen/amd64", "test", "-count=1", "-v", "./linuxapi")
	for _, want := range []string{
		"--- PASS: TestFlock",
		"--- PASS: TestMmapAnonymous",
		"--- PASS: TestMmapFile",
		"--- PASS: TestFdatasync",
		"--- PASS: TestEBADFD",
		"--- PASS: TestRlimitNofile",
		"--- PASS: TestRlimitFsize",
		"--- PASS: TestRlimitOthers",
		"--- PASS: TestProcessIDs",
		"--- PASS: TestSetuid",
		"--- PASS: TestSyscallGetpid",
		"--- PASS: TestSyscallEveryCPU",
		"--- PASS: TestSyscallUnknown",
		"--- PASS: TestSyscallFiles",
		"--- PASS: TestSyscallMmap",
		"--- PASS: TestSyscallUname",
		"--- PASS: TestSyscallBlockingStackMoves",
		"--- PASS: TestSyscallSockets",
		"--- PASS: TestSyscallEpoll",
		"--- PASS: TestSyscallPoll",
		"--- PASS: TestPacketInfo",
		"--- PASS: TestFallocate",
		"--- PASS: TestSchedGetaffinity",
		"--- PASS: TestProc",
		"--- PASS: TestUnixSockets",
		"ok  \texample/linuxapi",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("go test output lacks %q:\n%s", want, r)
		}
	}
	if r.code != 0 {
		t.Errorf("go test ./linuxapi: exit status %d, want 0:\n%s", r.code, r)
	}
}
