// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
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
