// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package net

// FileConn, FileListener and FilePacketConn on GOOS=xen and GOOS=solo5:
// no file of package syscall is a socket (sockets are faked in process
// for now, net_fake.go), so there is nothing to turn into a connection.

import (
	"os"
	"syscall"
)

func fileConn(f *os.File) (Conn, error)             { return nil, syscall.ENOSYS }
func fileListener(f *os.File) (Listener, error)     { return nil, syscall.ENOSYS }
func filePacketConn(f *os.File) (PacketConn, error) { return nil, syscall.ENOSYS }
