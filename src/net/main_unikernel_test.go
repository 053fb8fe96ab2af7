// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package net

// Test hooks of package net on GOOS=xen and GOOS=solo5. Sockets are
// package syscall's descriptors, as on Unix, so the tests hook the same
// calls through the socktest switch; there are no child processes to
// pass descriptors to.

import (
	"internal/poll"
	"os/exec"
)

var (
	// The socket calls, to restore after a test replaced them.
	origSocket        = socketFunc
	origClose         = poll.CloseFunc
	origConnect       = connectFunc
	origListen        = listenFunc
	origAccept        = poll.AcceptFunc
	origGetsockoptInt = getsockoptIntFunc

	extraTestHookInstallers   []func()
	extraTestHookUninstallers []func()
)

func installTestHooks() {
	socketFunc = sw.Socket
	poll.CloseFunc = sw.Close
	connectFunc = sw.Connect
	listenFunc = sw.Listen
	poll.AcceptFunc = sw.Accept
	getsockoptIntFunc = sw.GetsockoptInt
	for _, fn := range extraTestHookInstallers {
		fn()
	}
}

func uninstallTestHooks() {
	socketFunc = origSocket
	poll.CloseFunc = origClose
	connectFunc = origConnect
	listenFunc = origListen
	poll.AcceptFunc = origAccept
	getsockoptIntFunc = origGetsockoptInt
	for _, fn := range extraTestHookUninstallers {
		fn()
	}
}

// forceCloseSockets closes what the tests left open; only TestMain
// calls it.
func forceCloseSockets() {
	for s := range sw.Sockets() {
		poll.CloseFunc(s)
	}
}

func addCmdInheritedHandle(cmd *exec.Cmd, fd uintptr) {}
