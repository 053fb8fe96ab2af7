// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build !linux

package harness

import "os/exec"

// setPdeathsig does nothing where the kernel cannot kill a child with
// its parent; Run still kills QEMU itself on every way out.
func setPdeathsig(cmd *exec.Cmd) {}
