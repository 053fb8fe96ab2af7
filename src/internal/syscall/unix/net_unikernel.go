// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package unix

// Socket calls with typed addresses, which package net uses on Unix so
// that a datagram costs no allocation. On Linux these link to package
// syscall's, which take pointers that the kernel reads and writes, and
// are marked //go:noescape. On a unikernel the socket calls are Go, and
// the TCP/IP stack copies into and out of p in calls deep enough to
// grow the goroutine's stack, so p must not be on it: these declare
// syscall's calls without that promise, and pass the addresses to them
// as values (syscall/net_unikernel.go), which escape nowhere.

import (
	"syscall"
	_ "unsafe" // for go:linkname
)

//go:linkname recvfromInet4 syscall.recvfromInet4
func recvfromInet4(fd int, p []byte, flags int) (n int, from syscall.SockaddrInet4, err error)

//go:linkname recvfromInet6 syscall.recvfromInet6
func recvfromInet6(fd int, p []byte, flags int) (n int, from syscall.SockaddrInet6, err error)

//go:linkname recvmsgInet4 syscall.recvmsgInet4
func recvmsgInet4(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, from syscall.SockaddrInet4, err error)

//go:linkname recvmsgInet6 syscall.recvmsgInet6
func recvmsgInet6(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, from syscall.SockaddrInet6, err error)

//go:linkname sendmsgNInet4 syscall.sendmsgNInet4
func sendmsgNInet4(fd int, p, oob []byte, to syscall.SockaddrInet4, flags int) (n int, err error)

//go:linkname sendmsgNInet6 syscall.sendmsgNInet6
func sendmsgNInet6(fd int, p, oob []byte, to syscall.SockaddrInet6, flags int) (n int, err error)

func RecvfromInet4(fd int, p []byte, flags int, from *syscall.SockaddrInet4) (n int, err error) {
	n, *from, err = recvfromInet4(fd, p, flags)
	return n, err
}

func RecvfromInet6(fd int, p []byte, flags int, from *syscall.SockaddrInet6) (n int, err error) {
	n, *from, err = recvfromInet6(fd, p, flags)
	return n, err
}

func RecvmsgInet4(fd int, p, oob []byte, flags int, from *syscall.SockaddrInet4) (n, oobn int, recvflags int, err error) {
	n, oobn, recvflags, *from, err = recvmsgInet4(fd, p, oob, flags)
	return n, oobn, recvflags, err
}

func RecvmsgInet6(fd int, p, oob []byte, flags int, from *syscall.SockaddrInet6) (n, oobn int, recvflags int, err error) {
	n, oobn, recvflags, *from, err = recvmsgInet6(fd, p, oob, flags)
	return n, oobn, recvflags, err
}

// A nil address is none: the send goes to the connected peer.

func SendtoInet4(fd int, p []byte, flags int, to *syscall.SockaddrInet4) (err error) {
	_, err = SendmsgNInet4(fd, p, nil, to, flags)
	return err
}

func SendtoInet6(fd int, p []byte, flags int, to *syscall.SockaddrInet6) (err error) {
	_, err = SendmsgNInet6(fd, p, nil, to, flags)
	return err
}

func SendmsgNInet4(fd int, p, oob []byte, to *syscall.SockaddrInet4, flags int) (n int, err error) {
	if to == nil {
		return syscall.SendmsgN(fd, p, oob, nil, flags)
	}
	return sendmsgNInet4(fd, p, oob, *to, flags)
}

func SendmsgNInet6(fd int, p, oob []byte, to *syscall.SockaddrInet6, flags int) (n int, err error) {
	if to == nil {
		return syscall.SendmsgN(fd, p, oob, nil, flags)
	}
	return sendmsgNInet6(fd, p, oob, *to, flags)
}
