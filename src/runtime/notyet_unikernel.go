// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build solo5 || (xen && arm64)

package runtime

// These ports are known to the toolchain but their runtime is not
// written yet. Stop their builds with this one message, which the
// compiler reports first, rather than with a list of missing functions.
const _ int = "the Mirago runtime supports only GOOS=xen GOARCH=amd64 so far; this port is not yet supported"
