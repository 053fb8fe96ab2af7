// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"os"
	"os/exec"
	"syscall"
)

// setKillOnParentDeath makes the kernel kill QEMU if the wrapper dies
// first, for example when go test gives up on a hung test and kills the
// wrapper with SIGKILL: an orphaned QEMU would run on and hold the
// console pipe open.
func setKillOnParentDeath(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// punchHole frees the file system blocks of f's bytes [off, off+n),
// which read as zeros after, without changing its size.
func punchHole(f *os.File, off, n int64) {
	const (
		keepSize  = 0x1 // FALLOC_FL_KEEP_SIZE
		punchHole = 0x2 // FALLOC_FL_PUNCH_HOLE
	)
	syscall.Fallocate(int(f.Fd()), keepSize|punchHole, off, n)
}
