// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

// This file is empty on purpose. Its presence tells the compiler that
// package syscall may declare functions without a body: on GOOS=xen and
// GOOS=solo5 their bodies are in package runtime, which pushes them here
// with //go:linkname (see runtime_unikernel.go).
