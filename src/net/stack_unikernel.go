// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package net

// The TCP/IP stack behind package syscall's sockets. It installs itself
// when it initializes, before package net does.
import _ "internal/netstack"
