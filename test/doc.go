// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package test holds Mirago's integration tests. They run on the host
// (go test ./test/...) and drive the built toolchain in _build/goroot:
// they build images with GOOS=xen, boot them under QEMU through the exec
// wrapper, inspect the images, and round-trip the patch series.
//
// Run `make toolchain` first; without _build/goroot every test fails
// and says so.
package test
