// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build !linux

package main

import (
	"os"
	"os/exec"
)

// setKillOnParentDeath does nothing where there is no PR_SET_PDEATHSIG;
// the signal handler in runQEMUx86 still kills QEMU on SIGINT and
// SIGTERM.
func setKillOnParentDeath(cmd *exec.Cmd) {}

// punchHole does nothing where fallocate's hole punching is not
// available: the console file keeps its blocks until QEMU exits.
func punchHole(f *os.File, off, n int64) {}
