// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Svcprobe makes Linux system calls with the SVC instruction, as
// golang.org/x/sys/unix's RawSyscallNoError and SyscallNoError do on
// linux/arm64, and prints what came back: getpid from a leaf function,
// getuid between entersyscall and exitsyscall, getpid with every
// register Linux preserves set to a pattern, an unknown call, and a
// read of a pipe that blocks while the collector shrinks the reader's
// stack. It exits with 1 if any result is wrong. On other
// architectures it says so and exits with 2.
package main

import (
	"fmt"
	"os"
)

func main() {
	if !probe() {
		os.Exit(1)
	}
}

// check prints what happened and reports ok.
func check(ok bool, format string, args ...any) bool {
	status := "ok"
	if !ok {
		status = "FAIL"
	}
	fmt.Printf("%s: "+format+"\n", append([]any{status}, args...)...)
	return ok
}
