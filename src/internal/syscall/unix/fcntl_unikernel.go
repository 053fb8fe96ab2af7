// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package unix

import "syscall"

// Fcntl is implemented by package syscall's descriptor table on
// GOOS=xen and GOOS=solo5 (syscall/fd_unikernel.go).
func Fcntl(fd int, cmd int, arg int) (int, error) {
	return syscall.Fcntl(fd, cmd, arg)
}

func IsNonblock(fd int) (nonblocking bool, err error) {
	flags, err := syscall.Fcntl(fd, syscall.F_GETFL, 0)
	if err != nil {
		return false, err
	}
	return flags&syscall.O_NONBLOCK != 0, nil
}

func HasNonblockFlag(flag int) bool {
	return flag&syscall.O_NONBLOCK != 0
}
