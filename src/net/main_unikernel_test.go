// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package net

// Test hooks of package net on GOOS=xen and GOOS=solo5, whose sockets
// are the in-process fake of net_fake.go: there is nothing to hook, to
// force closed or to pass to a child process.

import "os/exec"

func installTestHooks() {}

func uninstallTestHooks() {}

func forceCloseSockets() {}

func addCmdInheritedHandle(cmd *exec.Cmd, fd uintptr) {}
