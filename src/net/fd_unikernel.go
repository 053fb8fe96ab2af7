// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package net

// Half-closing connections on GOOS=xen and GOOS=solo5. Every
// connection is a fake one for now (net_fake.go, fd_fake.go); a real
// descriptor cannot be made (file_unikernel.go), but if one ever
// were, shutdown would report the error of package syscall.

import "syscall"

func (fd *netFD) closeRead() error {
	if fd.fakeNetFD != nil {
		return fd.fakeNetFD.closeRead()
	}
	return fd.shutdown(syscall.SHUT_RD)
}

func (fd *netFD) closeWrite() error {
	if fd.fakeNetFD != nil {
		return fd.fakeNetFD.closeWrite()
	}
	return fd.shutdown(syscall.SHUT_WR)
}
